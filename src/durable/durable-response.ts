// Durable streams: a producer that writes its parts into a replay store, and connections that frame them from any position, then live.
import { StreamError } from "../errors.js";
import { resumeIndex } from "../formats/positions.js";
import { FrameKind } from "../protocol.js";
import { checkLimit, type StreamSpec } from "../spec.js";
import { streamResponse, type StreamResponseInit } from "../writer/http.js";
import type { Producer, ProducerOptions } from "../writer/producer.js";
import { remoteInfo, type StreamWriterImpl } from "../writer/writer.js";
import { attach, startProducer } from "./durable-producer.js";
import { MemoryStore } from "./memory-store.js";
import { Positions } from "./parts.js";
import { goneError, isTerminal, isTransient, isValidStreamId, storeError, type ReplayStore, type StoredPart } from "./store.js";

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
}

const EMPTY = new Uint8Array(0);
const TIMED_OUT = Symbol("timed out");
/** How long a store outage is ridden out by default: a Redis restart of a few seconds. */
const DEFAULT_RETRY_STORE_MS = 10_000;
/** Backoff between a reader's attempts to read the store again: the first wait, and the longest. */
const FIRST_REOPEN_MS = 50;
const MAX_REOPEN_MS = 1000;

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
 * frames the parts after its client's position, then the new ones as they come, until the end. A read of the
 * store that fails for a reason that may pass is tried again from the position reached, with backoff, for
 * `retryStoreMs`; then the response ends with a `STORE` error part.
 */
export function durableBody(spec: StreamSpec, streamId: string, producer: Producer<StreamWriterImpl>, options: DurableOptions = {}): ReadableStream<Uint8Array> {
  const format = spec.format;
  if (!format.resumable) {
    throw new StreamError("OPTIONS", `durable() needs a resumable format (binary, SSE, NDJSON), whose readers can reconnect; this stream uses the ${format.name} format.`);
  }
  if (!isValidStreamId(streamId)) {
    throw new StreamError("OPTIONS", "A durable stream's id must be 1 to 256 characters, without control or format characters.");
  }
  const keepAliveMs = checkLimit("keepAliveMs", options.keepAliveMs);
  const maxDurationMs = checkLimit("maxDurationMs", options.maxDurationMs);
  const retryStoreMs = checkLimit("retryStoreMs", options.retryStoreMs) ?? DEFAULT_RETRY_STORE_MS;
  const store = options.store ?? defaultStore();
  const codec = format.codec.name;
  const resumeAfter = options.resumeAfter !== undefined ? options.resumeAfter : options.request?.headers.get("last-event-id");
  const after = resumeIndex(resumeAfter) ?? -1;
  const encoder = format.encoder({ resumeAfter: after >= 0 ? String(after) : undefined, maxPayloadBytes: spec.maxFrameBytes });
  const positions = new Positions(after);
  const abort = new AbortController();
  let parts: AsyncIterator<StoredPart> | undefined;
  let pending: Promise<IteratorResult<StoredPart>> | undefined;
  /** The id of the last part this response sent (-1: none): where a read of the store starts again. */
  let position = after;
  /** When the store's current outage began (its first failed read since the last part), or undefined. */
  let outageSince: number | undefined;
  let reopenDelay = FIRST_REOPEN_MS;
  let lostReported = false;
  let allowed: boolean | undefined;
  let opened = false;
  let deadline = Infinity;
  let detach = () => {};
  let done = false;

  const closeParts = () => {
    void Promise.resolve(parts?.return?.()).catch(() => {});
    pending?.catch(() => {});
    parts = undefined;
    pending = undefined;
  };
  const finish = () => {
    if (done) return;
    done = true;
    abort.abort();
    closeParts();
    detach();
  };

  /** A failed read: another try from `position` after a backoff, unless the failure is final or the outage too long. */
  const retryRead = async (err: unknown) => {
    closeParts();
    if (err instanceof StreamError && err.code === "PRODUCER_LOST" && !lostReported) {
      // The producer's instance died: this reader ends the stream for every reader, with the part after the last
      // (the store puts an error part after any part stored meanwhile), and reads on to deliver it.
      lostReported = true;
      await store.append(streamId, { id: position + 1, kind: FrameKind.ERROR, payload: format.codec.encode(remoteInfo(err, false)) }).catch(() => {
        throw err;
      });
      return;
    }
    if (!isTransient(err)) throw err;
    const now = Date.now();
    outageSince ??= now;
    if (now - outageSince >= retryStoreMs) throw storeError(streamId, "reading", err, now - outageSince);
    await new Promise((resolve) => setTimeout(resolve, Math.min(reopenDelay, outageSince! + retryStoreMs - now)));
    reopenDelay = Math.min(reopenDelay * 2, MAX_REOPEN_MS);
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (done) return;
        try {
          for (;;) {
            if (!opened) {
              if (maxDurationMs !== undefined && deadline === Infinity) deadline = Date.now() + maxDurationMs;
              // Only a client without a position may start the stream: one with a position lost it if it is not there.
              allowed ??= after < 0 && (await mayStart(options.start, streamId).catch((err: unknown) => Promise.reject(new StartHookFailure(err))));
              let created: boolean;
              try {
                created = allowed === true && (await store.create(streamId, codec));
              } catch (err) {
                if (done) return;
                await retryRead(err); // the store is away: try again, as a read would
                continue;
              }
              if (done) return;
              opened = true;
              if (created) {
                startProducer(spec, store, streamId, producer, {
                  includeStack: options.includeStack,
                  onError: options.onError,
                  continueOnDisconnect: options.continueOnDisconnect,
                  retryStoreMs,
                });
              }
              detach = attach(store, streamId);
            }
            let result: IteratorResult<StoredPart> | typeof TIMED_OUT;
            try {
              parts ??= store.read(streamId, position, abort.signal, codec)[Symbol.asyncIterator]();
              pending ??= parts.next();
              const wait = Math.min(keepAliveMs ?? Infinity, deadline - Date.now());
              result = wait === Infinity ? await pending : await within(pending, Math.max(0, wait));
            } catch (err) {
              if (done) return;
              await retryRead(err);
              if (done) return;
              continue;
            }
            if (done) return;
            if (result === TIMED_OUT) {
              if (Date.now() >= deadline) {
                // Time is up: end at this frame boundary, without the end frame; the reader reconnects from here.
                finish();
                controller.close();
              } else controller.enqueue(encoder.frame(FrameKind.KEEPALIVE, EMPTY));
              return;
            }
            pending = undefined;
            if (result.done) throw new StreamError("GONE", `The replay store stopped giving the parts of "${streamId}" before its end.`);
            const part = result.value;
            const expected = positions.peek(part.kind);
            if (part.id !== expected) throw goneError(streamId, `the part with id ${expected} is missing: the store gave ${part.id}`);
            positions.take(part.kind);
            position = part.id;
            outageSince = undefined;
            reopenDelay = FIRST_REOPEN_MS;
            controller.enqueue(encoder.frame(part.kind, part.payload));
            if (isTerminal(part.kind) || Date.now() >= deadline) {
              finish();
              controller.close();
            }
            return;
          }
        } catch (err) {
          // The store failed or lost the stream: the reader gets an error frame, never a stream that looks complete.
          finish();
          const failure = err instanceof StartHookFailure ? err.cause : err instanceof StreamError ? err : storeError(streamId, "reading", err);
          controller.enqueue(encoder.frame(FrameKind.ERROR, spec.format.codec.encode(remoteInfo(failure, false))));
          controller.close();
        }
      },
      cancel: () => finish(),
    },
    { highWaterMark: 0 },
  );
}

/** A `start` hook that threw: its error goes to the reader as it is, not as the store's. */
class StartHookFailure {
  constructor(readonly cause: unknown) {}
}

/** Whether this request may start the stream if the store does not have it (the `start` option). */
async function mayStart(start: DurableOptions["start"], streamId: string): Promise<boolean> {
  if (start === undefined || start === true) return true;
  if (start === false) return false;
  return (await start(streamId)) === true;
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const due = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(resolve, ms, TIMED_OUT)));
  try {
    return await Promise.race([promise, due]);
  } finally {
    clearTimeout(timer);
  }
}
