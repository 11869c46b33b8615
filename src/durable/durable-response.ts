// Durable streams: a producer that writes its parts into a replay store, and connections that frame them from any position, then live.
import { StreamError } from "../errors.js";
import { resumeIndex } from "../formats/positions.js";
import { FrameKind } from "../protocol.js";
import { checkLimit, type StreamSpec } from "../spec.js";
import { ProducerRun, reportProducerError, type Producer, type ProducerOptions } from "../writer/producer.js";
import { StreamWriterImpl, remoteInfo, type FrameWriter } from "../writer/writer.js";
import { MemoryStore } from "./memory-store.js";
import { Positions, partsFormat, splitPart } from "./parts.js";
import { goneError, isTerminal, type ReplayStore, type StoredPart } from "./store.js";

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
   * gets every part. Default true. With false, the producer is cancelled once no client on the instance that runs
   * it is attached any more; its stream then ends with an error part, code `CANCELLED`.
   */
  continueOnDisconnect?: boolean | undefined;
  /**
   * End this response cleanly after this long, between two frames and without the end frame, so that the reader's
   * `reconnect` resumes from its position: for platforms that cut a response after a time limit (serverless
   * functions). The producer is not affected.
   */
  maxDurationMs?: number | undefined;
}

const EMPTY = new Uint8Array(0);
const TIMED_OUT = Symbol("timed out");
/** Appends a producer may have in flight at once. */
const APPEND_WINDOW = 32;

let sharedStore: MemoryStore | undefined;

/** The process-wide memory store, made on first use. */
function defaultStore(): ReplayStore {
  return (sharedStore ??= new MemoryStore());
}

/** A producer running on this instance, and the clients on this instance attached to its stream. */
interface LocalRun {
  readonly run: ProducerRun;
  readonly continueOnDisconnect: boolean;
  clients: number;
  finished: boolean;
}

const localRuns = new WeakMap<ReplayStore, Map<string, LocalRun>>();

/**
 * The body of a durable stream's response: the first request for `streamId` (one across all instances, as the
 * store decides) starts the producer, which writes every part into the store; every response, the first one too,
 * frames the parts after its client's position, then the new ones as they come, until the end.
 */
export function durableBody(spec: StreamSpec, streamId: string, producer: Producer<StreamWriterImpl>, options: DurableOptions = {}): ReadableStream<Uint8Array> {
  const format = spec.format;
  if (!format.resumable) {
    throw new StreamError("OPTIONS", `durable() needs a resumable format (binary, SSE, NDJSON), whose readers can reconnect; this stream uses the ${format.name} format.`);
  }
  const invalid = invalidStreamId(streamId);
  if (invalid !== undefined) throw new StreamError("OPTIONS", invalid);
  const keepAliveMs = checkLimit("keepAliveMs", options.keepAliveMs);
  const maxDurationMs = checkLimit("maxDurationMs", options.maxDurationMs);
  const store = options.store ?? defaultStore();
  const resumeAfter = options.resumeAfter !== undefined ? options.resumeAfter : options.request?.headers.get("last-event-id");
  const after = resumeIndex(resumeAfter) ?? -1;
  const encoder = format.encoder({ resumeAfter: after >= 0 ? String(after) : undefined, maxPayloadBytes: spec.maxFrameBytes });
  const positions = new Positions(after);
  const abort = new AbortController();
  let parts: AsyncIterator<StoredPart> | undefined;
  let pending: Promise<IteratorResult<StoredPart>> | undefined;
  let deadline = Infinity;
  let detach = () => {};
  let done = false;

  const finish = () => {
    if (done) return;
    done = true;
    abort.abort();
    void Promise.resolve(parts?.return?.()).catch(() => {});
    pending?.catch(() => {});
    detach();
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (done) return;
        try {
          if (parts === undefined) {
            if (maxDurationMs !== undefined) deadline = Date.now() + maxDurationMs;
            // Only a client without a position may start the stream: one with a position lost it if it is not there.
            if (after < 0 && (await store.create(streamId))) startProducer(spec, store, streamId, producer, options);
            detach = attach(store, streamId);
            parts = store.read(streamId, after, abort.signal)[Symbol.asyncIterator]();
          }
          pending ??= parts.next();
          const wait = Math.min(keepAliveMs ?? Infinity, deadline - Date.now());
          const result = wait === Infinity ? await pending : await within(pending, Math.max(0, wait));
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
          controller.enqueue(encoder.frame(part.kind, part.payload));
          if (isTerminal(part.kind) || Date.now() >= deadline) {
            finish();
            controller.close();
          }
        } catch (err) {
          // The store failed or lost the stream: the reader gets an error frame, never a stream that looks complete.
          finish();
          controller.enqueue(encoder.frame(FrameKind.ERROR, spec.format.codec.encode(remoteInfo(err, false))));
          controller.close();
        }
      },
      cancel: () => finish(),
    },
    { highWaterMark: 0 },
  );
}

/** Runs the producer into the store, in the background: it outlives the response that started it. */
function startProducer(spec: StreamSpec, store: ReplayStore, streamId: string, producer: Producer<StreamWriterImpl>, options: DurableOptions): void {
  const writer = new StreamWriterImpl({ ...spec, format: partsFormat(spec.format) });
  // Failures of the producer and of the store, reported once each: to onError, or else on the console.
  const context = `durable ${spec.format.name} stream ${quoted(streamId)}`;
  const onError = options.onError ?? ((err: unknown) => reportProducerError(err, context));
  const run = new ProducerRun(writer, producer as unknown as Producer<FrameWriter>, { includeStack: options.includeStack, onError });
  const local: LocalRun = { run, continueOnDisconnect: options.continueOnDisconnect !== false, clients: 0, finished: false };
  let runs = localRuns.get(store);
  if (runs === undefined) localRuns.set(store, (runs = new Map()));
  runs.set(streamId, local);
  const ids = new Positions(-1);
  const report = (err: unknown) => {
    try {
      onError(err);
    } catch {
      // a logging hook that fails changes nothing
    }
  };
  void (async () => {
    // Appends are pipelined, up to APPEND_WINDOW in flight (one round trip per part would bound a remote store's
    // rate by its latency). A store takes part ids only in sequence, so after a refused part every later one is
    // refused too, and the error part takes the id of the first refused one: no gap, ever.
    const inflight: { id: number; done: Promise<void> }[] = [];
    let failedAt: number | undefined;
    const settle = async (entry: { id: number; done: Promise<void> }) => {
      try {
        await entry.done;
      } catch (err) {
        failedAt ??= entry.id;
        throw err;
      }
    };
    try {
      for (;;) {
        const frame = await run.next();
        if (frame === undefined) {
          // Cancelled (every client left, continueOnDisconnect: false): the stream says so rather than stopping short.
          while (inflight.length > 0) await settle(inflight.shift()!);
          const message = "The producer was cancelled: every client left (continueOnDisconnect: false).";
          await store.append(streamId, errorPart(spec, ids.peek(FrameKind.ERROR), { name: "StreamError", message, code: "CANCELLED" }));
          return;
        }
        const { kind, payload } = splitPart(frame);
        if (kind === FrameKind.KEEPALIVE) continue;
        const id = ids.take(kind);
        const done = store.append(streamId, { id, kind, payload });
        done.catch(() => {}); // settled in order below
        inflight.push({ id, done });
        if (isTerminal(kind)) {
          while (inflight.length > 0) await settle(inflight.shift()!);
          return;
        }
        if (inflight.length >= APPEND_WINDOW) await settle(inflight.shift()!);
      }
    } catch (err) {
      // The store refused a part (LIMIT), lost the stream (GONE) or cannot be reached: stop the producer, and say why.
      void run.cancel(err);
      report(err);
      for (const entry of inflight) await entry.done.catch(() => {});
      try {
        await store.append(streamId, errorPart(spec, failedAt ?? ids.peek(FrameKind.ERROR), remoteInfo(err, false)));
      } catch {
        // The store cannot take the error part either: readers get GONE or the store's error from their side.
      }
    } finally {
      local.finished = true;
      if (runs.get(streamId) === local) runs.delete(streamId);
    }
  })();
}

/**
 * Why `streamId` cannot name a durable stream, or undefined when it can. Ids often come from a request's URL, so
 * `durable()` answers an invalid one with 400 rather than throwing.
 *
 * @example
 * invalidStreamId(""); // "A durable stream's id must be a non-empty string of at most 256 characters, got …"
 */
export function invalidStreamId(streamId: unknown): string | undefined {
  if (typeof streamId === "string" && streamId.length > 0 && streamId.length <= 256) return undefined;
  const got = typeof streamId === "string" ? `a string of ${streamId.length} characters` : typeof streamId;
  return `A durable stream's id must be a non-empty string of at most 256 characters, got ${got}.`;
}

/** A stream id for a log line: quoted, with anything but printable ASCII escaped (it came from a client). */
const quoted = (id: string): string => `"${id.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;

function errorPart(spec: StreamSpec, id: number, info: ReturnType<typeof remoteInfo>): StoredPart {
  return { id, kind: FrameKind.ERROR, payload: spec.format.codec.encode(info) };
}

/** A client on this instance reads `streamId`: counted for `continueOnDisconnect: false`. Returns its detach. */
function attach(store: ReplayStore, streamId: string): () => void {
  const local = localRuns.get(store)?.get(streamId);
  if (local === undefined) return () => {};
  local.clients++;
  let attached = true;
  return () => {
    if (!attached) return;
    attached = false;
    local.clients--;
    if (local.clients === 0 && !local.continueOnDisconnect && !local.finished) void local.run.cancel(new Error("every client left"));
  };
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
