// Durable streams: a producer that writes its parts into a replay store, and connections that frame them from any position, then live.
import { StreamError } from "../errors.js";
import { resumeIndex } from "../formats/positions.js";
import { checkLimit, type StreamSpec } from "../spec.js";
import { streamResponse, type StreamResponseInit } from "../writer/http.js";
import type { Producer, ProducerOptions } from "../writer/producer.js";
import type { StreamWriterImpl } from "../writer/writer.js";
import { DurableReader, type ReaderSettings } from "./durable-reader.js";
import { MemoryStore } from "./memory-store.js";
import { registerPushBody, type PushBody } from "./push-body.js";
import { isValidStreamId, type ReplayStore } from "./store.js";

/** Options of `STREAM.durable()`. */
export interface DurableOptions extends Omit<ProducerOptions, "highWaterMark"> {
  /** Where the parts wait for their readers. Default: one in-memory store shared by the process (`memoryStore()`'s defaults). */
  store?: ReplayStore | undefined;
  /** The request being answered: its `Last-Event-ID` header is where a reconnecting client resumes. */
  request?: Request | undefined;
  /** Where the client resumes, if not from `request` (e.g. a Node request's `last-event-id` header). Wins over `request`. */
  resumeAfter?: string | null | undefined;
  /**
   * Keep the producer running when its clients leave, so that a client that reconnects, or another that joins,
   * gets every part. With false, the producer is cancelled once no client on the instance that runs it is attached
   * any more; its stream then ends with an error part, code `CANCELLED`. By default (undefined) it continues once a
   * part has been stored, but a stream whose only request went away before its first part is cancelled (a client
   * that starts streams and leaves at once does not run producers to their end); `true` continues in every case.
   */
  continueOnDisconnect?: boolean | undefined;
  /**
   * Whether this request may start the stream when the store does not have it: `false` only reads (an unknown id
   * is then `GONE`), a function decides per id (authorise the caller there). Default true. A request with a
   * position never starts a stream. See docs/security.md.
   */
  start?: boolean | ((streamId: string) => boolean | Promise<boolean>) | undefined;
  /**
   * How long a store outage is ridden out, in ms: the producer's appends are retried with backoff, and each
   * response reads the store again from its position; past it, the stream (or the response) ends with `STORE`.
   * Default 10 000 (a Redis restart of a few seconds).
   */
  retryStoreMs?: number | undefined;
  /**
   * End this response cleanly after this long, between two frames and without the end frame, so that the reader's
   * `reconnect` resumes from its position: for platforms that cut a response after a time limit (serverless
   * functions). The producer is not affected.
   */
  maxDurationMs?: number | undefined;
  /**
   * Bytes a response may have written and its client not yet taken (a slow client, a full socket) before it stops
   * taking the frames shared with the other readers of its stream on this instance; it then reads the store at its
   * client's pace, from its own position, and takes the shared frames again once it has caught up. Bounds the
   * memory a slow client holds. Default 262 144 (256 KiB).
   */
  maxBufferedBytes?: number | undefined;
}

/** How long a store outage is ridden out by default: a Redis restart of a few seconds. */
const DEFAULT_RETRY_STORE_MS = 10_000;
/** Bytes a response may have waiting for its client before it stops taking the shared frames (see maxBufferedBytes). */
const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024;

let sharedStore: MemoryStore | undefined;

/** The process-wide memory store, made on first use: `durable()`'s and `stop()`'s store when none is given. */
export function defaultStore(): ReplayStore {
  return (sharedStore ??= new MemoryStore());
}

/**
 * A durable stream's `Response`: 400 (plain text) for an id that cannot name a stream, else the stream's body (see
 * {@link durableBody}) with its Content-Type and streaming headers.
 */
export function durableResponse(spec: StreamSpec, streamId: string, producer: Producer<StreamWriterImpl>, options: DurableOptions & StreamResponseInit = {}): Response {
  if (!isValidStreamId(streamId)) {
    const id = streamId as unknown;
    const why = typeof id !== "string" ? "it is not a string" : `${id.length} characters${id.length > 0 && id.length <= 256 ? ", with a control or format character" : ""}`;
    return new Response(`Bad request: a durable stream's id is 1 to 256 characters without control or format characters (this one: ${why}).\n`, {
      status: 400,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
  return streamResponse(durableBody(spec, streamId, producer, options), spec.format.contentType, options);
}

/**
 * The body of a durable stream's response: the first request for `streamId` (one across all instances, as the
 * store decides) starts the producer, which writes every part into the store; every response, the first one too,
 * frames the parts after its client's position, then the new ones as they come, until the end. On each instance
 * the live parts of a stream are read from the store once and framed once per format, and the same bytes go to
 * every response that has caught up (see fan-out.ts). A read of the store that fails for a reason that may pass
 * is tried again from the position reached, with backoff, for `retryStoreMs`; then the response ends with a
 * `STORE` error part.
 */
export function durableBody(spec: StreamSpec, streamId: string, producer: Producer<StreamWriterImpl>, options: DurableOptions = {}): ReadableStream<Uint8Array> {
  const format = spec.format;
  if (!format.resumable) {
    throw new StreamError("OPTIONS", `durable() needs a resumable format (binary, SSE, NDJSON), whose readers can reconnect; this stream uses the ${format.name} format.`);
  }
  if (!isValidStreamId(streamId)) {
    throw new StreamError("OPTIONS", "A durable stream's id must be 1 to 256 characters, without control or format characters.");
  }
  const resumeAfter = options.resumeAfter !== undefined ? options.resumeAfter : options.request?.headers.get("last-event-id");
  const retryStoreMs = checkLimit("retryStoreMs", options.retryStoreMs) ?? DEFAULT_RETRY_STORE_MS;
  const settings: ReaderSettings = {
    store: options.store ?? defaultStore(),
    after: resumeIndex(resumeAfter) ?? -1,
    keepAliveMs: checkLimit("keepAliveMs", options.keepAliveMs),
    maxDurationMs: checkLimit("maxDurationMs", options.maxDurationMs),
    retryStoreMs,
    maxBufferedBytes: checkLimit("maxBufferedBytes", options.maxBufferedBytes) ?? DEFAULT_MAX_BUFFERED_BYTES,
    mayStart: (id) => mayStart(options.start, id),
    producerOptions: { includeStack: options.includeStack, onError: options.onError, continueOnDisconnect: options.continueOnDisconnect, retryStoreMs },
  };
  let reader: DurableReader | undefined;
  const body: PushBody = {
    start(sink) {
      reader ??= new DurableReader(spec, streamId, producer, settings);
      reader.start(sink);
    },
    cancel: () => reader?.cancel(),
  };
  // Read as a web stream: its queue is the sink, and a read that waits is the room the reader waits for.
  let room: (() => void) | undefined;
  let closed = false;
  const wake = () => {
    const resolve = room;
    room = undefined;
    resolve?.();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (reader !== undefined) return wake();
        body.start({
          write: (bytes) => {
            if (!closed) controller.enqueue(bytes);
          },
          get buffered() {
            return closed ? 0 : -(controller.desiredSize ?? 0);
          },
          room: () => (closed || (controller.desiredSize ?? 0) >= 0 ? Promise.resolve() : new Promise<void>((resolve) => (room = resolve))),
          close: () => {
            if (closed) return;
            closed = true;
            controller.close();
            wake();
          },
        });
      },
      cancel: () => {
        closed = true;
        wake();
        body.cancel();
      },
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
  registerPushBody(stream, body);
  return stream;
}

/** Whether this request may start the stream if the store does not have it (the `start` option). */
async function mayStart(start: DurableOptions["start"], streamId: string): Promise<boolean> {
  if (start === undefined || start === true) return true;
  if (start === false) return false;
  return (await start(streamId)) === true;
}
