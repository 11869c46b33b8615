// Producers: a generator of frames → a pull-based ReadableStream, with the end frame, error frames, cancellation and keep-alive.
import { StreamError } from "../errors.js";
import { checkLimit } from "../spec.js";
import type { FrameWriter } from "./writer.js";

/**
 * Writes one stream: yields the frames its writer returns. Returning ends the stream (the end frame is added
 * if the producer did not write it); throwing sends an error frame. `signal` aborts when the consumer goes away,
 * so the producer can pass it on to what it awaits (an upstream fetch, a database query).
 */
export type Producer<W> = (writer: W, signal: AbortSignal) => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Options for turning a producer into a byte stream. */
export interface ProducerOptions {
  /** Frames produced ahead of the consumer before the producer is paused. Default 1. */
  highWaterMark?: number;
  /** While the producer is idle this long, send a keep-alive frame that readers skip. Off by default; not in truss mode. */
  keepAliveMs?: number;
  /** Put the stack trace of a producer's error into the error frame. Off by default: stacks reveal server internals. */
  includeStack?: boolean;
  /** Called with the producer's error after its error frame has been sent, e.g. for server-side logging. A hook that throws changes nothing for the reader. */
  onError?: (err: unknown) => void;
}

const KEEPALIVE_DUE = Symbol("keep-alive due");

/**
 * A pull-based `ReadableStream` of frames from a producer. The producer advances only when the consumer reads:
 * a slow consumer pauses it instead of making it buffer. When the consumer cancels (a client disconnect, an
 * abort), `signal` aborts and the generator's `return()` runs, so its `finally` blocks release what they hold.
 *
 * @example
 * const body = producerStream(STREAM.writer(), async function* (w, signal) {
 *   yield w.header({ time: Date.now(), msg: "start" });
 *   for await (const token of llm.tokens({ signal })) yield w.item({ words: [token] });
 * });
 */
export function producerStream<W extends FrameWriter>(
  writer: W,
  producer: Producer<W>,
  options: ProducerOptions = {},
): ReadableStream<Uint8Array> {
  const frames: FrameWriter = writer;
  const keepAliveMs = checkLimit("keepAliveMs", options.keepAliveMs);
  if (keepAliveMs !== undefined && !frames.keepAliveSupported) {
    throw new StreamError("OPTIONS", 'keepAliveMs cannot be used with this format: it has no keep-alive frames (the truss format, compat: "truss": truss_chains readers reject them).');
  }
  const highWaterMark = options.highWaterMark ?? 1;
  if (!Number.isSafeInteger(highWaterMark) || highWaterMark < 0) {
    throw new StreamError("OPTIONS", `highWaterMark must be a non-negative integer, got ${String(highWaterMark)}.`);
  }
  const abort = new AbortController();
  let iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | undefined;
  let pending: Promise<IteratorResult<Uint8Array>> | undefined;
  let cancelled = false;

  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, err: unknown) => {
    if (cancelled) return; // the consumer is gone; an error frame would reach nobody
    if (!frames.ended) controller.enqueue(frames.error(err, { includeStack: options.includeStack === true }));
    controller.close();
    try {
      options.onError?.(err);
    } catch {
      // A logging hook that fails must not turn the producer's error, already queued for the reader, into a cut stream.
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (pending === undefined) {
            iterator ??= iterate(producer(writer, abort.signal));
            const it = iterator;
            pending = Promise.resolve().then(() => it.next());
          }
          let result: IteratorResult<Uint8Array> | typeof KEEPALIVE_DUE;
          if (keepAliveMs === undefined) result = await pending;
          else {
            let timer: ReturnType<typeof setTimeout> | undefined;
            const due = new Promise<typeof KEEPALIVE_DUE>((resolve) => (timer = setTimeout(resolve, keepAliveMs, KEEPALIVE_DUE)));
            result = await Promise.race([pending, due]);
            clearTimeout(timer);
          }
          if (cancelled) return;
          if (result === KEEPALIVE_DUE) {
            controller.enqueue(frames.keepAlive()); // the producer's pending step is kept for the next pull
            return;
          }
          pending = undefined;
          if (result.done) {
            if (!frames.ended) controller.enqueue(frames.end());
            controller.close();
            return;
          }
          const frame: unknown = result.value;
          if (!(frame instanceof Uint8Array)) {
            throw new StreamError("ORDER", `A producer must yield the frames its writer returns (Uint8Array), not ${typeof frame}: write \`yield w.item(value)\`.`);
          }
          controller.enqueue(frame);
        } catch (err) {
          pending = undefined;
          fail(controller, err);
          iterator?.return?.();
        }
      },
      async cancel(reason) {
        cancelled = true;
        abort.abort(reason);
        // Runs the producer's finally blocks; it settles once the producer reaches its next yield or await's end.
        try {
          await iterator?.return?.();
        } catch {
          // a producer that throws while closing has released what it could
        }
      },
    },
    { highWaterMark },
  );
}

function iterate(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  if (source && typeof (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === "function") {
    return (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  }
  if (source && typeof (source as Iterable<Uint8Array>)[Symbol.iterator] === "function") return (source as Iterable<Uint8Array>)[Symbol.iterator]();
  throw new StreamError("ORDER", "A producer must be a generator function (async function* (w) { ... }) or return an (async) iterable of frames.");
}
