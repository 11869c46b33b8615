// streamtypes/react: useStream(), a React hook that reads a typed stream into state as it arrives (React 18 and 19).
import { useCallback, useEffect, useRef, useState } from "react";
import type { ReaderTypes } from "./define.js";
import type { ReaderOptions } from "./reader/reader.js";
import type { Output, SchemaLike } from "./schema/infer.js";
import type { StreamSource } from "./sources/source.js";

/** Where a stream read by {@link useStream} stands. */
export type StreamStatus = "idle" | "streaming" | "done" | "error" | "aborted";

/**
 * What {@link useStream} reads: a URL or a `Request` (fetched with `STREAM.fetch`), a function that opens a source
 * with the hook's signal (pass it to your own `fetch`), or null to stay idle. A new value starts a new stream, so
 * keep it stable: a string, or a Request or function made with `useMemo` / `useCallback`.
 */
export type StreamRequest = string | URL | Request | ((signal: AbortSignal) => StreamSource) | null | undefined;

/** Options of {@link useStream}: the reader's (but `signal`, which is the hook's), and fetch's `init` for URL requests. */
export interface UseStreamOptions extends Omit<ReaderOptions, "signal"> {
  /** For a URL or Request: fetch's options (method, body, headers…). Read when a stream starts. */
  init?: RequestInit | undefined;
}

/** {@link UseStreamOptions} with a reducer: `items` is one accumulated value instead of an array (a token stream's text). */
export interface UseStreamReduceOptions<T, A> extends UseStreamOptions {
  reduce: (acc: A, item: T) => A;
  initial: A;
}

/** What {@link useStream} returns: the stream's parts so far, where it stands, and a way to stop it. */
export interface UseStreamResult<H, F, A> {
  /** The header, once read (always undefined when the stream types have none). */
  header: H | undefined;
  /** The items read so far: an array, or with `reduce`, the accumulated value. */
  items: A;
  /** The footer, once read. */
  footer: F | undefined;
  status: StreamStatus;
  /** The error the stream failed with (a `StreamError` for anything the reader detects); undefined unless status is "error". */
  error: unknown;
  /** Stops the stream: cancels the request, status "aborted". */
  abort: (reason?: unknown) => void;
}

type HeaderOf<H> = H extends SchemaLike ? Output<H> : never;
type FooterOf<F> = F extends SchemaLike ? Output<F> : never;

interface State {
  header: unknown;
  items: unknown;
  footer: unknown;
  status: StreamStatus;
  error: unknown;
}

/**
 * Reads a typed stream into React state: the header, the items (each batch of items that arrive together is one
 * render), the footer, and the status. A new `request` (or `types`) starts over and aborts the stream before;
 * unmounting aborts it too, and no state is set after that. In strict mode, the effect that React runs twice
 * starts one stream: the first run's is cancelled before it opens.
 *
 * @example
 * const { items, status, error, abort } = useStream(TOKENS, "/tokens", {
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
  options: UseStreamOptions & Partial<UseStreamReduceOptions<unknown, unknown>> = {},
): UseStreamResult<unknown, unknown, unknown> {
  // The options of the latest render, read when a stream starts and per batch: a new options object starts nothing.
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const [state, setState] = useState<State>(() => ({ header: undefined, items: initialOf(options), footer: undefined, status: request == null ? "idle" : "streaming", error: undefined }));
  const abortRef = useRef<(reason?: unknown) => void>(() => {});

  useEffect(() => {
    if (request == null) {
      setState((s) => (s.status === "idle" ? s : { header: undefined, items: initialOf(optionsRef.current), footer: undefined, status: "idle", error: undefined }));
      return;
    }
    const controller = new AbortController();
    /** False once this effect is cleaned up (unmount, a new request, strict mode's first run): no more state. */
    let live = true;
    let aborted = false;
    const set = (update: (s: State) => State) => {
      if (live) setState(update);
    };
    abortRef.current = (reason) => {
      if (!live || controller.signal.aborted) return;
      aborted = true;
      controller.abort(reason ?? abortError());
      set((s) => (s.status === "streaming" ? { ...s, status: "aborted" } : s));
    };
    set(() => ({ header: undefined, items: initialOf(optionsRef.current), footer: undefined, status: "streaming", error: undefined }));

    const read = async () => {
      // A microtask later: strict mode's unmount of the first run comes before it, so that run opens nothing.
      await Promise.resolve();
      if (!live) return;
      const { init, reduce, initial: _initial, ...readerOptions } = optionsRef.current;
      const signal = controller.signal;
      try {
        const reader: {
          readHeader(): Promise<unknown>;
          readItemBatches(): AsyncIterable<unknown[]>;
          readFooter(): Promise<unknown>;
        } = (
          typeof request === "function"
            ? types.reader(request(signal), { ...readerOptions, signal })
            : types.fetch(request, init, { ...readerOptions, signal })
        ) as never;
        if (types.header !== undefined) {
          const header = await reader.readHeader();
          set((s) => ({ ...s, header }));
        }
        let acc: unknown = initialOf(optionsRef.current);
        for await (const batch of reader.readItemBatches()) {
          if (!live) return;
          const fold = optionsRef.current.reduce ?? reduce;
          if (fold === undefined) acc = (acc as unknown[]).concat(batch);
          else for (const item of batch) acc = fold(acc, item);
          const items = acc;
          set((s) => ({ ...s, items }));
        }
        if (types.footer !== undefined) {
          const footer = await reader.readFooter();
          set((s) => ({ ...s, footer }));
        }
        set((s) => ({ ...s, status: "done" }));
      } catch (error) {
        if (aborted || signal.aborted) set((s) => ({ ...s, status: "aborted" }));
        else set((s) => ({ ...s, status: "error", error }));
      }
    };
    void read();
    return () => {
      live = false;
      controller.abort(abortError("The component using the stream was unmounted, or its request changed."));
    };
  }, [types, request]);

  const abort = useCallback((reason?: unknown) => abortRef.current(reason), []);
  return { ...state, abort };
}

function initialOf(options: Partial<UseStreamReduceOptions<unknown, unknown>>): unknown {
  return options.reduce === undefined ? [] : options.initial;
}

function abortError(message = "The stream was aborted."): unknown {
  return typeof DOMException === "function" ? new DOMException(message, "AbortError") : Object.assign(new Error(message), { name: "AbortError" });
}

export { usePartialObject, type UsePartialObjectResult, type ObjectStreamTypes } from "./react-partials.js";
