// fetch() for a stream: one AbortSignal for the request and the reader, and the Accept header of the stream's format.

/** What `STREAM.fetch()` hands the reader: the response promise, and the one signal that aborts request and reader alike. */
export interface StreamFetch {
  readonly response: Promise<Response>;
  readonly signal: AbortSignal | undefined;
}

/**
 * Starts `fetch(input, init)` for a stream of the given `accept` type: sets `Accept` unless the caller set one
 * (in `init.headers`, or on a `Request`), and combines `readerSignal`, `init.signal` and a Request's own signal
 * into one, passed to both fetch and the reader, so that aborting any of them rejects with that signal's reason.
 * `startAfter` (the reader's position) goes as `Last-Event-ID`.
 */
export function startFetch(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  accept: string,
  readerSignal: AbortSignal | undefined,
  startAfter?: string | number | undefined,
): StreamFetch {
  const request = typeof Request !== "undefined" && input instanceof Request ? input : undefined;
  const headers = new Headers(init?.headers ?? request?.headers);
  if (!headers.has("accept")) headers.set("accept", accept);
  if (startAfter !== undefined) headers.set("last-event-id", String(startAfter));
  const signal = anySignal([readerSignal, init?.signal ?? undefined, request?.signal]);
  let response: Promise<Response>;
  try {
    response = fetch(input, { ...init, headers, ...(signal === undefined ? {} : { signal }) });
  } catch (err) {
    response = Promise.reject(err); // a fetch that throws at once fails like one whose promise rejects (NETWORK)
  }
  return { response, signal };
}

/** One signal that aborts when the first of `signals` does, with its reason; `AbortSignal.any` where it exists. */
export function anySignal(signals: readonly (AbortSignal | null | undefined)[]): AbortSignal | undefined {
  const given = [...new Set(signals.filter((s): s is AbortSignal => s !== undefined && s !== null))];
  if (given.length <= 1) return given[0];
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (typeof any === "function") return any.call(AbortSignal, given);
  // Node < 20.3 and older browsers: a controller of our own, aborted by the first; its listeners go when it aborts.
  const controller = new AbortController();
  const aborted = given.find((s) => s.aborted);
  if (aborted !== undefined) {
    controller.abort(aborted.reason);
    return controller.signal;
  }
  const onAbort = (event: Event) => {
    for (const s of given) s.removeEventListener("abort", onAbort);
    controller.abort((event.target as AbortSignal).reason);
  };
  for (const s of given) s.addEventListener("abort", onAbort);
  return controller.signal;
}
