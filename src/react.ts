// streamtypes/react: useStream(), a React hook that reads a typed stream into state as it arrives (React 18 and 19).
import { useCallback, useEffect, useRef, useState } from "react";
import type { ReaderTypes } from "./define.js";
import type { ReaderOptions } from "./reader/reader.js";
import type { Output, SchemaLike } from "./schema/infer.js";
import type { StreamSource } from "./sources/source.js";
import { useIdentityWarnings } from "./react/dev-warnings.js";
import { requestKey, sameBody } from "./react/request-key.js";
import { forget, recall, remember } from "./react/resume-memory.js";
import { emptySnapshot, type StreamSnapshot, type StreamStatus } from "./react/snapshot.js";
import { StreamRun, abortError, type RunRequest, type RunTypes } from "./react/stream-run.js";

export type { StreamStatus };

/**
 * What {@link useStream} reads: a URL or a `Request` (fetched with `STREAM.fetch`), a function that opens a source
 * with the hook's signal (pass it to your own `fetch`; with `resume`, it also gets the position to send as
 * `Last-Event-ID`), or null to stay idle. URLs and Requests are compared by value (method, URL and body, `init`'s
 * for a URL): a new object for the same request starts nothing. A function is compared by reference: make it with
 * `useCallback`.
 */
export type StreamRequest = string | URL | Request | ((signal: AbortSignal, lastEventId?: string) => StreamSource) | null | undefined;

/**
 * Options of {@link useStream}: the reader's (but `signal` and `startAfter`, which are the hook's: see `resume`),
 * and the hook's own.
 */
export interface UseStreamOptions extends Omit<ReaderOptions, "signal" | "startAfter"> {
  /**
   * For a URL: fetch's options (method, body, headers…). Its method and body are part of the request's identity; the
   * rest is read when a stream starts.
   */
  init?: RequestInit | undefined;
  /**
   * How often the parts read so far are committed to React: by default at most once per animation frame; a number
   * is at most once per that many milliseconds; 0 commits every batch of items. The end, an error and `abort()`
   * are committed at once.
   */
  throttleMs?: number | undefined;
  /**
   * For a durable or resumable endpoint (`STREAM.durable`, or one that honours `Last-Event-ID`): remember each
   * stream's parts and position (per request, in memory), so that a remount shows them and continues after the
   * last position instead of starting the producer again, and a finished stream is not fetched again.
   * `"session"` also keeps them in sessionStorage (values that survive JSON), for a page reload. `restart()`
   * forgets them.
   */
  resume?: boolean | "session" | undefined;
}

/** {@link UseStreamOptions} with a reducer: `items` is one accumulated value instead of an array (a token stream's text). */
export interface UseStreamReduceOptions<T, A> extends UseStreamOptions {
  reduce: (acc: A, item: T) => A;
  initial: A;
}

/** What {@link useStream} returns: the stream's parts so far, where it stands, and ways to stop it or read it again. */
export interface UseStreamResult<H, F, A> {
  /** The header, once read (always undefined when the stream types have none). */
  header: H | undefined;
  /** The items read so far: an array (a new one at each commit), or with `reduce`, the accumulated value. */
  items: A;
  /** The footer, once read. */
  footer: F | undefined;
  status: StreamStatus;
  /** The error the stream failed with (a `StreamError` for anything the reader detects); undefined unless status is "error". */
  error: unknown;
  /** Stops the stream: cancels the request, status "aborted". */
  abort: (reason?: unknown) => void;
  /** Reads the stream again from the start (after done, error or abort too; a running one is aborted first). */
  restart: () => void;
}

type HeaderOf<H> = H extends SchemaLike ? Output<H> : never;
type FooterOf<F> = F extends SchemaLike ? Output<F> : never;
type AnyOptions = UseStreamOptions & Partial<UseStreamReduceOptions<unknown, unknown>>;

/**
 * Reads a typed stream into React state: the header, the items, the footer, and the status. Commits at most once
 * per animation frame (`throttleMs`). A new `request` (compared by value) starts over, and the render that passes
 * it already shows the new stream's state (status "streaming", or "idle" for null); the stream before it is
 * aborted, as on unmount. The definition and the options are read when a stream starts: a new definition object
 * starts nothing (a development warning says to define it once). In strict mode, the effect that React runs twice
 * starts one stream. `restart()` reads again, after done, error or abort too.
 *
 * @example
 * const { items, status, error, abort, restart } = useStream(TOKENS, "/tokens", {
 *   reduce: (text: string, t) => text + t.token,
 *   initial: "",
 * });
 */
export function useStream<I extends SchemaLike, H extends SchemaLike | undefined, F extends SchemaLike | undefined, A>(
  types: ReaderTypes<I, H, F>,
  request: StreamRequest,
  options: UseStreamReduceOptions<Output<I>, A>,
): UseStreamResult<HeaderOf<H>, FooterOf<F>, A>;
export function useStream<I extends SchemaLike, H extends SchemaLike | undefined, F extends SchemaLike | undefined>(
  types: ReaderTypes<I, H, F>,
  request: StreamRequest,
  options?: UseStreamOptions,
): UseStreamResult<HeaderOf<H>, FooterOf<F>, Output<I>[]>;
export function useStream(
  types: ReaderTypes<SchemaLike, SchemaLike | undefined, SchemaLike | undefined>,
  request: StreamRequest,
  options: AnyOptions = {},
): UseStreamResult<unknown, unknown, unknown> {
  useIdentityWarnings(types, request);
  // The latest render's definition, request and options, read when a stream starts (and per batch): new objects start nothing.
  const latest = useRef({ types, request, options });
  latest.current = { types, request, options };
  const key = requestKey(request, options.init);
  const [restarts, setRestarts] = useState(0);
  const id = key === null ? null : `${restarts}:${key}`;
  const [committed, setCommitted] = useState<StreamSnapshot>(() => startingSnapshot(id, key, options));
  // A new request (or restart): this render already shows the new stream's state; React renders again before committing.
  let shown = committed;
  if (committed.id !== id) setCommitted((shown = startingSnapshot(id, key, options)));
  const shownRef = useRef(shown);
  shownRef.current = shown;
  const runRef = useRef<StreamRun | undefined>(undefined);

  useEffect(() => {
    const from = shownRef.current;
    // No request, or a stream that ended (kept by <Activity>, or remembered with `resume`): nothing to read.
    if (key === null || id === null || from.id !== id || from.status !== "streaming") return;
    const { types, request, options } = latest.current;
    const memory = memoryKey(key);
    const resume = options.resume === true || options.resume === "session";
    const reduced = options.reduce !== undefined;
    const run = new StreamRun(id, resume || from.position === undefined ? from : emptySnapshot(id, options), {
      types: types as unknown as RunTypes,
      request: request as RunRequest,
      options: () => latest.current.options as never,
      publish: setCommitted,
      remember: resume && memory !== null ? (snapshot, final) => remember(memory, snapshot, reduced, final && options.resume === "session") : undefined,
    });
    if (!resume && from.position !== undefined) setCommitted(emptySnapshot(id, options)); // shown again mid-stream: from the start
    runRef.current = run;
    run.start();
    // A page load does not unmount: what a reload continues from is kept when the page is left.
    const keep = () => run.keep();
    if (options.resume === "session") globalThis.addEventListener?.("pagehide", keep);
    return () => {
      globalThis.removeEventListener?.("pagehide", keep);
      run.stop(abortError("The component using the stream was unmounted, or its request changed."));
      if (runRef.current === run) runRef.current = undefined;
    };
  }, [id]);

  // A Request with a body: a new object for the same method and URL is the same request if its body is the same.
  useEffect(() => {
    const previous = runRef.current?.request;
    if (typeof Request === "undefined" || !(request instanceof Request) || request.body === null || !(previous instanceof Request) || previous === request) return;
    let current = true;
    void sameBody(previous, request).then((same) => {
      if (!same && current && latest.current.request === request) setRestarts((n) => n + 1);
    });
    return () => {
      current = false;
    };
  }, [request]);

  const abort = useCallback((reason?: unknown) => runRef.current?.abort(reason), []);
  const restart = useCallback(() => {
    const memory = memoryKey(requestKey(latest.current.request, latest.current.options.init));
    if (memory !== null) forget(memory);
    setRestarts((n) => n + 1);
  }, []);
  return { header: shown.header, items: shown.items, footer: shown.footer, status: shown.status, error: shown.error, abort, restart };
}

/** The state a stream starts from: remembered (with `resume`), or empty. */
function startingSnapshot(id: string | null, key: string | null, options: AnyOptions): StreamSnapshot {
  const resume = options.resume === true || options.resume === "session";
  const memory = memoryKey(key);
  const before = resume && memory !== null ? recall(memory, options.resume === "session", options.reduce !== undefined) : undefined;
  return before === undefined ? emptySnapshot(id, options) : { ...before, id };
}

/**
 * The key a stream is remembered by (`resume`): the request's identity, but for a Request with a body, which is
 * compared only once read: such a stream is not remembered.
 */
function memoryKey(key: string | null): string | null {
  return key === null || key.endsWith(" body:request") ? null : key;
}

export { usePartialObject, type UsePartialObjectResult, type ObjectStreamTypes } from "./react-partials.js";
