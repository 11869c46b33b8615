// A durable stream's producer: run in the background on the instance whose request started it, its parts appended to the replay store, its clients on this instance counted.
import { FrameKind } from "../protocol.js";
import type { StreamSpec } from "../spec.js";
import { ProducerRun, reportProducerError, type Producer, type ProducerOptions } from "../writer/producer.js";
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
  /** Cancels the run now, for `reason`: its loop stores the CANCELLED part without waiting for the producer's step. */
  stop(reason: string): void;
}

/** The longest time between two renewals of a producer's lease (which also carry a stop requested elsewhere). */
const MAX_RENEW_EVERY_MS = 500;
const STOPPED = Symbol("stopped");

/** A stream id for a log line: quoted, with anything but printable ASCII escaped (it came from a client). */
const quoted = (id: string): string => `"${id.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;

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
  // Failures of the producer and of the store, reported once each: to onError, or else on the console.
  const context = `durable ${spec.format.name} stream ${quoted(streamId)}`;
  options = { ...options, onError: options.onError ?? ((err: unknown) => reportProducerError(err, context)) };
  const run = new ProducerRun(writer, producer as unknown as Producer<FrameWriter>, { includeStack: options.includeStack, onError: options.onError });
  let stopped: (value: typeof STOPPED) => void = () => {};
  const stopping = new Promise<typeof STOPPED>((resolve) => (stopped = resolve));
  const local: LocalRun = {
    run,
    continueOnDisconnect: options.continueOnDisconnect,
    clients: 0,
    started: false,
    finished: false,
    cancelled: undefined,
    stop(reason) {
      if (local.finished || local.cancelled !== undefined) return;
      local.cancelled = reason;
      stopped(STOPPED);
      void run.cancel(new Error(reason));
    },
  };
  let runs = localRuns.get(store);
  if (runs === undefined) localRuns.set(store, (runs = new Map()));
  runs.set(streamId, local);
  const ids = new Positions(-1);
  const appender = new StoreAppender(store, streamId, options.retryStoreMs);
  const renewing = renewLease(store, streamId, local);
  const done = () => {
    clearInterval(renewing);
    local.finished = true;
    if (runs.get(streamId) === local) runs.delete(streamId);
  };
  const errorPart = (id: number, info: ReturnType<typeof remoteInfo>): StoredPart => ({ id, kind: FrameKind.ERROR, payload: spec.format.codec.encode(info) });
  void (async () => {
    // A store takes part ids only in sequence, so after a refused part every later one is refused too, and the
    // error part takes the id of the first refused one: no gap, ever.
    try {
      for (;;) {
        const frame = await Promise.race([run.next(), stopping]);
        if (frame === undefined || frame === STOPPED) {
          // Cancelled: the stream says so rather than stopping short.
          await appender.flush();
          const message = `The producer was cancelled: ${local.cancelled ?? "it stopped"}.`;
          await appender.add(errorPart(ids.peek(FrameKind.ERROR), { name: "StreamError", message, code: "CANCELLED" }));
          return;
        }
        const { kind, payload } = splitPart(frame);
        if (kind === FrameKind.KEEPALIVE) continue;
        await appender.add({ id: ids.take(kind), kind, payload, first: !local.started });
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

/**
 * Renews the producer's lease while it runs (stores shared by instances: readers elsewhere learn from a lapsed
 * lease that this instance died), and stops it when a stop was requested from any instance. A failed renewal is
 * not retried here: the appends ride out outages, and a lease that lapses meanwhile is what readers must see.
 */
function renewLease(store: ReplayStore, streamId: string, local: LocalRun): ReturnType<typeof setInterval> | undefined {
  if (store.renew === undefined) return undefined;
  let inFlight = false;
  const every = Math.max(1, Math.min(MAX_RENEW_EVERY_MS, Math.floor((store.leaseMs ?? Infinity) / 3)));
  const timer = setInterval(() => {
    if (inFlight || local.finished) return;
    inFlight = true;
    store.renew!(streamId).then(
      (stop) => {
        inFlight = false;
        if (stop) local.stop("STREAM.stop() was called for it");
      },
      () => (inFlight = false),
    );
  }, every);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * Stops the producer of `streamId` wherever it runs: at once when it runs here, else through the store (the
 * instance running it learns at its next lease renewal). Its signal aborts and the stream ends with a `CANCELLED`
 * error part, which every reader gets. False when the stream is not running (unknown, ended, or a store without
 * `requestStop`).
 */
export async function stopDurable(store: ReplayStore, streamId: string): Promise<boolean> {
  const local = localRuns.get(store)?.get(streamId);
  if (local !== undefined && !local.finished) {
    local.stop("STREAM.stop() was called for it");
    return true;
  }
  return (await store.requestStop?.(streamId)) === true;
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
    if (local.continueOnDisconnect === false) local.stop("every client left (continueOnDisconnect: false)");
    else if (!local.started) local.stop("its only request was aborted before the first part (set continueOnDisconnect: true to run it anyway)");
  };
}
