// Byte sources: one pull interface over ReadableStream, (async) iterables, byte arrays and fetch Responses.
import { StreamError, describeThrown, previewBytes } from "../errors.js";

/** Anything a reader can read bytes from. */
export type StreamSource =
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | Response
  | PromiseLike<Response>
  | Uint8Array
  | ArrayBuffer;

/** A pull-based view of a source: each `pull()` gives the next chunk, or undefined at the end. */
export interface ByteSource {
  /**
   * The next chunk (undefined at the end) to `onChunk`, or a failure to `onError`: exactly one of them, always
   * later (never from within the call), with no promise made for the read. cancel() need not settle a pull in
   * progress (a fetch still waiting for its Response, an iterator whose next() never settles): the caller keeps
   * its own guard.
   */
  pull(onChunk: (chunk: Uint8Array | undefined) => void, onError: (err: unknown) => void): void;
  /** Stops the source and releases what it holds; safe to call more than once. */
  cancel(reason?: unknown): void;
  /** True for a failure the reader passes on as it is, not as `NETWORK` or `TRUNCATED`: a fetch's abort reason. */
  passesOn?(err: unknown): boolean;
  /** A Response's Content-Type, once it is known: what a reader's hint on `FORMAT` goes by when the bytes do not tell. */
  readonly contentType?: string | null | undefined;
}

const HTTP_PREVIEW_BYTES = 512;

/**
 * Adapts any supported source to a {@link ByteSource}. A `Response` (or a promise of one, such as `fetch(...)`)
 * with a non-2xx status becomes a `StreamError` with code `HTTP` on the first read.
 *
 * @example
 * const source = openSource([Uint8Array.of(1, 2), Uint8Array.of(3)]);
 * source.pull((chunk) => console.log(chunk), console.error); // Uint8Array [1, 2]
 */
export function openSource(input: StreamSource): ByteSource {
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) return fromIterator([toBytes(input)][Symbol.iterator]());
  if (isResponse(input)) return lazy(async () => fromResponse(input), isFetchAbortReason);
  if (isPromiseLike(input)) {
    // A fetch() that fails before anyone reads must not become an unhandled rejection (fatal in Node): the
    // failure is kept here and reported by the first read.
    const response = Promise.resolve(input);
    response.catch(() => {});
    return lazy(async () => fromResponse(await response), isFetchAbortReason);
  }
  if (isReadableStream(input)) return fromReadableStream(input);
  if (typeof input === "object" && input !== null) {
    if (Symbol.asyncIterator in input) return fromAsyncIterator((input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]());
    if (Symbol.iterator in input) return fromIterator((input as Iterable<Uint8Array>)[Symbol.iterator]());
  }
  throw new StreamError(
    "FORMAT",
    `Cannot read from ${describeValue(input)}: a source must be a ReadableStream<Uint8Array>, an (async) iterable of Uint8Array, a Uint8Array or a fetch Response.`,
  );
}

/** The chunk as a Uint8Array, or a `FORMAT` error naming what the source yielded instead. */
export function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new StreamError(
    "FORMAT",
    `The source yielded ${describeValue(chunk)} where bytes were expected: every chunk must be a Uint8Array. ` +
      `If this is a text stream, give the reader the raw bytes (response.body, not a decoded text stream).`,
  );
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "string") return `a string (${JSON.stringify(value.slice(0, 24))}${value.length > 24 ? "…" : ""})`;
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value)})`;
  return `a ${typeof value} (${String(value)})`;
}

function isResponse(value: unknown): value is Response {
  return typeof Response !== "undefined" && value instanceof Response;
}

function isPromiseLike(value: unknown): value is PromiseLike<Response> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | null)?.getReader === "function";
}

/** A chunk from a read result: `{ done, value }` as streams and iterators give it. */
function chunkOf(result: IteratorResult<unknown> | ReadableStreamReadResult<unknown>): Uint8Array | undefined {
  return result.done ? undefined : toBytes(result.value);
}

const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined });

/**
 * The callbacks of a source's pull in progress, with one pair of reactions made once per source: a stream in small
 * chunks pulls once per few bytes, so a pull makes no closures. What `chunkOf` refuses goes to `onError`.
 */
function pulledResults() {
  let onChunk: (chunk: Uint8Array | undefined) => void = () => {};
  let onError: (err: unknown) => void = () => {};
  const onResult = (result: IteratorResult<unknown> | ReadableStreamReadResult<unknown>) => {
    let chunk: Uint8Array | undefined;
    try {
      chunk = chunkOf(result);
    } catch (err) {
      onError(err);
      return;
    }
    onChunk(chunk);
  };
  const onFailure = (err: unknown) => onError(err);
  return {
    await(result: unknown, chunkTo: typeof onChunk, errorTo: typeof onError): void {
      onChunk = chunkTo;
      onError = errorTo;
      Promise.resolve(result as IteratorResult<unknown>).then(onResult, onFailure);
    },
  };
}

function fromReadableStream(stream: ReadableStream<Uint8Array>): ByteSource {
  const reader = stream.getReader();
  let cancelled = false;
  const pulled = pulledResults();
  return {
    pull(onChunk, onError) {
      pulled.await(reader.read(), onChunk, onError);
    },
    cancel(reason) {
      if (cancelled) return;
      cancelled = true;
      reader.cancel(reason).catch(() => {});
    },
  };
}

function fromAsyncIterator(iterator: AsyncIterator<Uint8Array>): ByteSource {
  let cancelled = false;
  const pulled = pulledResults();
  return {
    pull(onChunk, onError) {
      let next: unknown;
      try {
        next = cancelled ? DONE : iterator.next();
      } catch (err) {
        next = Promise.reject(err); // a next() that throws at once fails this read, later, as a rejected promise would
      }
      pulled.await(next, onChunk, onError);
    },
    cancel(reason) {
      if (cancelled) return;
      cancelled = true;
      try {
        Promise.resolve(iterator.return?.(reason)).catch(() => {});
      } catch {
        // an iterator whose return() throws has nothing more for us to release
      }
    },
  };
}

function fromIterator(iterator: Iterator<Uint8Array>): ByteSource {
  let cancelled = false;
  const pulled = pulledResults();
  return {
    pull(onChunk, onError) {
      let next: unknown;
      try {
        next = iterator.next();
      } catch (err) {
        next = Promise.reject(err);
      }
      pulled.await(next, onChunk, onError); // answered at once, yet always later (a microtask)
    },
    cancel(reason) {
      if (cancelled) return;
      cancelled = true;
      try {
        iterator.return?.(reason);
      } catch {
        // as above
      }
    },
  };
}

async function fromResponse(response: Response): Promise<ByteSource> {
  if (response.bodyUsed) {
    throw new StreamError(
      "OPTIONS",
      "The Response's body was already read (bodyUsed) or is locked, so no byte of it can reach the reader: give the reader the Response before anything reads it, or a response.clone() made before.",
    );
  }
  if (!response.ok) {
    let preview = "(no body)";
    if (response.body) {
      const head = await readHead(response.body, HTTP_PREVIEW_BYTES).catch(() => new Uint8Array(0));
      preview = previewBytes(head);
    }
    const where = response.url ? ` from ${response.url}` : "";
    throw new StreamError(
      "HTTP",
      `HTTP ${response.status}${response.statusText ? " " + response.statusText : ""}${where}: the server answered with an error instead of a stream. Body: ${preview}`,
      { status: response.status },
    );
  }
  const source = response.body ? fromReadableStream(response.body) : fromIterator([][Symbol.iterator]());
  return Object.assign(source, { contentType: response.headers.get("content-type") });
}

/** Up to `max` bytes from the start of a body, then cancels it. */
async function readHead(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const head = new Uint8Array(max);
  let filled = 0;
  try {
    while (filled < max) {
      const { done, value } = await reader.read();
      if (done) break;
      const bytes = toBytes(value);
      const take = Math.min(bytes.length, max - filled);
      head.set(bytes.subarray(0, take), filled);
      filled += take;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return head.subarray(0, filled);
}

/**
 * fetch fails with a TypeError on a network error, and with its signal's reason when aborted through its own
 * `signal` (an AbortError, or whatever was passed to `abort()`), both before the response and while its body is
 * read: any other failure of a fetch or of its body is such a reason, which the reader passes on as fetch does.
 */
function isFetchAbortReason(err: unknown): boolean {
  return !(err instanceof TypeError);
}

/** A source that is opened on its first pull, e.g. once a fetch Response has arrived. */
function lazy(open: () => Promise<ByteSource>, passesOn: (err: unknown) => boolean): ByteSource {
  let inner: Promise<ByteSource> | undefined;
  let opened: ByteSource | undefined;
  let cancelled: { reason: unknown } | undefined;
  return {
    get contentType() {
      return opened?.contentType;
    },
    pull(onChunk, onError) {
      if (opened !== undefined) return opened.pull(onChunk, onError);
      inner ??= open();
      inner.then((source) => {
        opened = source;
        if (cancelled) source.cancel(cancelled.reason);
        source.pull(onChunk, onError);
      }, onError);
    },
    cancel(reason) {
      if (cancelled) return;
      cancelled = { reason };
      // Even when nothing was read yet, a pending fetch must have its body released once it arrives.
      (inner ??= open()).then((source) => source.cancel(reason), () => {});
    },
    passesOn,
  };
}
