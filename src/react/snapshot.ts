// What useStream shows at one commit: a stream's parts so far, where it stands, and the position a resumed read continues after.

/** Where a stream read by `useStream` stands. */
export type StreamStatus = "idle" | "streaming" | "done" | "error" | "aborted";

/** One stream's state as committed to React: the parts so far, the status, and which stream it is. */
export interface StreamSnapshot {
  /** Which stream this is (the restart count and the request's identity); null when there is no request. */
  readonly id: string | null;
  readonly header: unknown;
  /** An array of the items, or with `reduce`, the accumulated value. */
  readonly items: unknown;
  readonly footer: unknown;
  readonly status: StreamStatus;
  readonly error: unknown;
  /**
   * The id of the last part received (the header is 0, item i is i + 1): what a resumed read sends as
   * `Last-Event-ID`. Undefined before any part.
   */
  readonly position: number | undefined;
}

/** The value `items` starts from: an empty array, or the reducer's `initial`. */
export function initialItems(options: { reduce?: unknown; initial?: unknown }): unknown {
  return options.reduce === undefined ? [] : options.initial;
}

/**
 * A stream before any part: idle without a request (id null), streaming with one.
 *
 * @example
 * emptySnapshot("0:GET https://example.com/tokens", {}); // { status: "streaming", items: [], … }
 */
export function emptySnapshot(id: string | null, options: { reduce?: unknown; initial?: unknown }): StreamSnapshot {
  return { id, header: undefined, items: initialItems(options), footer: undefined, status: id === null ? "idle" : "streaming", error: undefined, position: undefined };
}
