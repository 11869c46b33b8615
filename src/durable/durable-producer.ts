// A durable stream's producer: run in the background on the instance whose request started it, its parts appended to the replay store, its clients on this instance counted.
import { FrameKind } from "../protocol.js";
import type { StreamSpec } from "../spec.js";
import { ProducerRun, type Producer, type ProducerOptions } from "../writer/producer.js";
import { StreamWriterImpl, remoteInfo, type FrameWriter } from "../writer/writer.js";
import { Positions, partsFormat, splitPart } from "./parts.js";
import { StoreAppender } from "./store-appender.js";
import type { ReplayStore, StoredPart } from "./store.js";

/** How the producer runs: the options of `STREAM.durable()` it uses. */
export interface DurableProducerOptions extends Pick<ProducerOptions, "includeStack" | "onError"> {
  /** See DurableOptions.continueOnDisconnect: undefined is the default (continue once a part was stored). */
  readonly continueOnDisconnect: boolean | undefined;
  /** How long appends are retried through a store outage before the stream ends with `STORE`. */
  readonly retryStoreMs: number;
}

/** A producer running on this instance, and the clients on this instance attached to its stream. */
interface LocalRun {
  readonly run: ProducerRun;
  readonly continueOnDisconnect: boolean | undefined;
  clients: number;
  /** Whether a part (the header or the first item) has been stored: until then the default does not continue alone. */
  started: boolean;
  finished: boolean;
  /** Why the run was cancelled, for its error part. */
  cancelled: string | undefined;
}

const localRuns = new WeakMap<ReplayStore, Map<string, LocalRun>>();

function report(options: DurableProducerOptions, err: unknown): void {
  try {
    options.onError?.(err);
  } catch {
    // a logging hook that fails changes nothing
  }
}

/** Runs the producer into the store, in the background: it outlives the response that started it. */
export function startProducer(spec: StreamSpec, store: ReplayStore, streamId: string, producer: Producer<StreamWriterImpl>, options: DurableProducerOptions): void {
  const writer = new StreamWriterImpl({ ...spec, format: partsFormat(spec.format) });
  const run = new ProducerRun(writer, producer as unknown as Producer<FrameWriter>, { includeStack: options.includeStack, onError: options.onError });
  const local: LocalRun = { run, continueOnDisconnect: options.continueOnDisconnect, clients: 0, started: false, finished: false, cancelled: undefined };
  let runs = localRuns.get(store);
  if (runs === undefined) localRuns.set(store, (runs = new Map()));
  runs.set(streamId, local);
  const ids = new Positions(-1);
  const appender = new StoreAppender(store, streamId, options.retryStoreMs);
  const done = () => {
    local.finished = true;
    if (runs.get(streamId) === local) runs.delete(streamId);
  };
  const errorPart = (id: number, info: ReturnType<typeof remoteInfo>): StoredPart => ({ id, kind: FrameKind.ERROR, payload: spec.format.codec.encode(info) });
  void (async () => {
    // A store takes part ids only in sequence, so after a refused part every later one is refused too, and the
    // error part takes the id of the first refused one: no gap, ever.
    try {
      for (;;) {
        const frame = await run.next();
        if (frame === undefined) {
          // Cancelled: the stream says so rather than stopping short.
          await appender.flush();
          const message = `The producer was cancelled: ${local.cancelled ?? "it stopped"}.`;
          await appender.add(errorPart(ids.peek(FrameKind.ERROR), { name: "StreamError", message, code: "CANCELLED" }));
          return;
        }
        const { kind, payload } = splitPart(frame);
        if (kind === FrameKind.KEEPALIVE) continue;
        await appender.add({ id: ids.take(kind), kind, payload });
        local.started = true;
        if (isDone(kind)) return;
      }
    } catch (err) {
      // The store refused a part (LIMIT), lost the stream (GONE) or stayed unreachable (STORE): stop the producer, and say why.
      void run.cancel(err);
      report(options, err);
      done();
      await appender.quiesce();
      try {
        // Not bounded: a client that queues commands while Redis is away sends it when Redis is back, ending the stream.
        await store.append(streamId, errorPart(appender.failedAt ?? ids.peek(FrameKind.ERROR), remoteInfo(err, false)));
      } catch {
        // The store cannot take the error part either: readers get GONE or STORE from their side.
      }
    } finally {
      done();
    }
  })();
}

function isDone(kind: number): boolean {
  return kind === FrameKind.END || kind === FrameKind.ERROR;
}

/**
 * A client on this instance reads `streamId`: counted, so that the producer is cancelled when its clients leave
 * (`continueOnDisconnect: false`, or by default while nothing was stored). Returns its detach.
 */
export function attach(store: ReplayStore, streamId: string): () => void {
  const local = localRuns.get(store)?.get(streamId);
  if (local === undefined) return () => {};
  local.clients++;
  let attached = true;
  return () => {
    if (!attached) return;
    attached = false;
    local.clients--;
    if (local.clients > 0 || local.finished || local.continueOnDisconnect === true) return;
    if (local.continueOnDisconnect === false) local.cancelled = "every client left (continueOnDisconnect: false)";
    else if (!local.started) local.cancelled = "its only request was aborted before the first part (set continueOnDisconnect: true to run it anyway)";
    else return;
    void local.run.cancel(new Error(local.cancelled));
  };
}
