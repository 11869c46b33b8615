// Producers: a generator of frames → a pull-based ReadableStream, with the end frame, error frames, cancellation and keep-alive.
import { StreamError } from "../errors.js";
import { checkLimit } from "../spec.js";
import { TurnChunks } from "./turn-chunks.js";
import type { FrameWriter } from "./writer.js";

/**
 * Writes one stream: yields the frames its writer returns. Returning ends the stream (the end frame is added
 * if the producer did not write it); throwing sends an error frame. `signal` aborts when the consumer goes away,
 * so the producer can pass it on to what it awaits (an upstream fetch, a database query).
 *
 * `Y` is what the producer yields, inferred where a producer is passed. Anything but frames (`Uint8Array`) makes
 * the return type {@link YieldFrames}, so that `yield value` is a two-line type error that says what to write.
 * (`unknown`, as in `Parameters<typeof STREAM.toResponse>[0]`, stands for frames.)
 */
export type Producer<W, Y = Uint8Array> = (
  writer: W,
  signal: AbortSignal,
) => [Y] extends [Uint8Array] ? AsyncIterable<Y> | Iterable<Y> : unknown extends Y ? AsyncIterable<Uint8Array> | Iterable<Uint8Array> : YieldFrames;

/** What a producer that yields plain values must return instead, as a type error: `yield w.item(value)`, not `yield value`. */
export interface YieldFrames {
  "a producer yields the frames its writer returns: `yield w.item(value)`, not `yield value`": never;
}

/** Options for turning a producer into a byte stream. */
export interface ProducerOptions {
  /**
   * Chunks produced ahead of the consumer before the producer is paused. Default 1. A chunk holds the frames the
   * producer makes in one turn of the event loop, up to 16 KiB (and one frame more).
   */
  highWaterMark?: number | undefined;
  /** While the producer is idle this long, send a keep-alive frame that readers skip. Off by default; not in truss mode. */
  keepAliveMs?: number | undefined;
  /** Put the stack trace of a producer's error into the error frame. Off by default: stacks reveal server internals. */
  includeStack?: boolean | undefined;
  /**
   * Called with the producer's error once its error frame is made, for your server-side logging. Without it, the
   * error is logged with `console.error`, once, saying which stream failed; the reader gets `REMOTE` either way.
   * A hook that throws changes nothing for the reader.
   */
  onError?: ((err: unknown) => void) | undefined;
}

/** How a run treats the code that feeds it: a user's producer gets its frames checked and its failures reported by default. */
export interface RunChecks {
  /** Fail the run when a frame the writer made is not yielded, or is yielded out of order. */
  readonly checkFrames: boolean;
  /** Log a failure with `console.error` when no `onError` is given. */
  readonly reportByDefault: boolean;
}

/** A producer written by a user: toReadableStream, toResponse, durable. */
export const USER_PRODUCER: RunChecks = { checkFrames: true, reportByDefault: true };
/** A producer of the library's own (a channel, an encoder stream): its frames are yielded as made, and its failures were handed to it by its caller. */
export const LIBRARY_PRODUCER: RunChecks = { checkFrames: false, reportByDefault: false };

/** The default `onError`: one line on the server's console, with the stream's context, then the error. */
export function reportProducerError(err: unknown, context: string): void {
  console.error(`streamtypes: the producer of a ${context} failed; its reader gets REMOTE with the error's message. Pass onError to report it your own way.`, err);
}

const KEEPALIVE_DUE = Symbol("keep-alive due");

/** Where a producer stream keeps its run, so that an HTTP adapter can drive it without the stream's machinery. A global symbol: the ESM and CJS builds must agree. */
const RUN = Symbol.for("streamtypes.producerRun");

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
export function producerStream<W extends FrameWriter, Y = Uint8Array>(
  writer: W,
  producer: Producer<W, Y>,
  options: ProducerOptions = {},
  checks: RunChecks = USER_PRODUCER,
): ReadableStream<Uint8Array> {
  const highWaterMark = options.highWaterMark ?? 1;
  if (!Number.isSafeInteger(highWaterMark) || highWaterMark < 0) {
    throw new StreamError("OPTIONS", `highWaterMark must be a non-negative integer, got ${String(highWaterMark)}.`);
  }
  const run = new ProducerRun(writer, producer as unknown as Producer<FrameWriter>, options, checks);
  const source = new RunSource(run);
  const stream = new ReadableStream<Uint8Array>(source, { highWaterMark });
  source.stream = stream;
  Object.defineProperty(stream, RUN, { value: run });
  return stream;
}

/** A producer stream's underlying source: methods, not closures made per stream (see ProducerRun's constructor). */
class RunSource implements UnderlyingDefaultSource<Uint8Array> {
  stream: ReadableStream<Uint8Array> | undefined;

  constructor(private readonly run: ProducerRun) {}

  pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    return this.run.pullInto(controller, this.stream!);
  }

  cancel(reason: unknown): Promise<void> {
    return this.run.cancel(reason);
  }
}

/** The run behind a stream from {@link producerStream} (for its `signal`); undefined for any other stream. */
export function producerRunOf(stream: ReadableStream<Uint8Array> | null | undefined): ProducerRun | undefined {
  if (stream === null || stream === undefined) return undefined;
  const run = (stream as unknown as Record<symbol, unknown>)[RUN];
  // Not instanceof: the main and the node entry may each bundle their own copy of this class (the CJS build does).
  return typeof run === "object" && run !== null && typeof (run as ProducerRun).takeOver === "function" ? (run as ProducerRun) : undefined;
}

/**
 * Takes over the run behind a stream from {@link producerStream}, for adapters that write frames straight to a
 * socket (see `sendResponse` in streamtypes/node): the same frames and pacing, without a promise chain through
 * the stream per frame. Frames the stream already pulled ahead come first; the stream is locked from then on.
 * Undefined for any other stream, or once the stream has a reader.
 */
export function takeProducerRun(stream: ReadableStream<Uint8Array> | null | undefined): DirectRun | undefined {
  const run = producerRunOf(stream);
  if (run === undefined || stream!.locked) return undefined;
  stream!.getReader(); // its queue holds frames that now belong to the run's new consumer: nobody else may read them
  return run.takeOver();
}

/** A run taken over from its stream: its frames one by one, and cancellation. */
export interface DirectRun {
  next(): Promise<Uint8Array | undefined>;
  cancel(reason: unknown): Promise<void>;
  /** The frames of a turn are handed on and the producer waits: its writer drops its slab until the next frame. */
  releaseBuffers(): void;
}

/**
 * What a pull returns once the run is driven directly, so that the stream is never pulled again: a promise of its
 * own each time, which goes with the stream (one shared promise would keep every such stream alive through its reactions).
 */
const never = (): Promise<void> => new Promise<void>(() => {});

/**
 * One run of a producer: its frames one at a time, on demand, ending with the end frame (or an error frame when
 * it throws), with keep-alive frames while it is quiet, and cancellation that aborts its signal and runs its
 * `finally` blocks.
 */
export class ProducerRun {
  private readonly keepAliveMs: number | undefined;
  private readonly abort = new AbortController();
  private iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | undefined;
  private pending: Promise<IteratorResult<Uint8Array>> | undefined;
  private cancelled = false;
  private finished = false;
  /** Frames the stream pulled ahead while it had no reader: unread, so a consumer taking over gets them first. */
  private unread: Uint8Array[] = [];
  /** What the stream's pulls take frames from, joined per turn (made at the first pull). */
  private chunks: TurnChunks | undefined;
  /** The stream's pull in progress (a consumer taking over waits for it), and whether one has taken over. */
  private pulling: Promise<Uint8Array | undefined> | undefined;
  private direct = false;
  /** Frames the writer made that the producer has not yielded yet, oldest first (with checkFrames). */
  private readonly made = new FramesMade();
  /** Frames handed on so far (keep-alives too): none, and an error frame must open the stream itself. */
  private sent = 0;
  /** The reactions on each step of the producer (made once per run). */
  private readonly onStep: (result: IteratorResult<Uint8Array>) => Uint8Array | undefined;
  private readonly onStepFailed: (err: unknown) => Uint8Array | undefined;

  constructor(
    private readonly writer: FrameWriter,
    private readonly producer: Producer<FrameWriter>,
    private readonly options: ProducerOptions,
    private readonly checks: RunChecks = USER_PRODUCER,
  ) {
    this.keepAliveMs = checkLimit("keepAliveMs", options.keepAliveMs);
    if (this.keepAliveMs !== undefined && !writer.keepAliveSupported) {
      throw new StreamError("OPTIONS", 'keepAliveMs cannot be used with this format: it has no keep-alive frames (the truss format, compat: "truss": truss_chains readers reject them).');
    }
    if (checks.checkFrames) writer.onFrame = (frame, what) => this.made.add(frame, what);
    // Assigned, not class fields: a build that keeps function names (tsx, esbuild's keepNames) gives every named
    // closure a property table of its own, which thousands of open streams would each hold.
    this.onStep = (result) => this.stepped(result);
    this.onStepFailed = (err) => this.failed(err);
  }

  /**
   * The next frame to send, or undefined once the stream is complete (its end or error frame was the last). Without
   * keep-alive, one reaction on the producer's step per frame (no async function's state of its own per frame).
   */
  next(): Promise<Uint8Array | undefined> {
    if (this.keepAliveMs !== undefined || this.pending !== undefined || this.finished || this.cancelled) return this.nextWaiting();
    try {
      this.iterator ??= iterate(this.producer(this.writer, this.abort.signal));
      this.pending = Promise.resolve(this.iterator.next());
    } catch (err) {
      return Promise.resolve(this.failed(err)); // a synchronous throw, like a rejection
    }
    return this.pending.then(this.onStep, this.onStepFailed);
  }

  private stepped(result: IteratorResult<Uint8Array>): Uint8Array | undefined {
    try {
      return this.cancelled ? undefined : this.frameOf(result);
    } catch (err) {
      return this.failed(err);
    }
  }

  /** next() with keep-alive frames while the producer is quiet (or a step already under way). */
  private async nextWaiting(): Promise<Uint8Array | undefined> {
    if (this.finished || this.cancelled) return undefined;
    const writer = this.writer;
    try {
      if (this.pending === undefined) {
        this.iterator ??= iterate(this.producer(writer, this.abort.signal));
        this.pending = Promise.resolve(this.iterator.next()); // a synchronous throw is caught below, like a rejection
      }
      let result: IteratorResult<Uint8Array> | typeof KEEPALIVE_DUE;
      const keepAliveMs = this.keepAliveMs;
      if (keepAliveMs === undefined) result = await this.pending;
      else {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const due = new Promise<typeof KEEPALIVE_DUE>((resolve) => (timer = setTimeout(resolve, keepAliveMs, KEEPALIVE_DUE)));
        result = await Promise.race([this.pending, due]);
        clearTimeout(timer);
      }
      if (this.cancelled) return undefined;
      if (result !== KEEPALIVE_DUE) return this.frameOf(result);
      this.sent++;
      return writer.keepAlive(); // the producer's pending step is kept for the next call
    } catch (err) {
      return this.failed(err);
    }
  }

  /** The frame for a step of the producer: what it yielded (checked), or the end frame once it returns. */
  private frameOf(result: IteratorResult<Uint8Array>): Uint8Array | undefined {
    this.pending = undefined;
    if (result.done) {
      this.made.checkAllYielded();
      this.finished = true;
      return this.writer.ended ? undefined : this.writer.end();
    }
    const frame: unknown = result.value;
    if (!(frame instanceof Uint8Array)) {
      throw new StreamError("ORDER", `A producer must yield the frames its writer returns (Uint8Array), not ${typeof frame}: write \`yield w.item(value)\`.`);
    }
    this.made.yielded(frame);
    this.sent++;
    return frame;
  }

  /** The producer failed (or yielded what is not a frame): its error frame, reported; undefined once the consumer is gone. */
  private failed(err: unknown): Uint8Array | undefined {
    const writer = this.writer;
    this.pending = undefined;
    this.finished = true;
    void Promise.resolve(this.iterator?.return?.()).catch(() => {});
    if (this.cancelled) return undefined; // the consumer is gone; an error frame would reach nobody
    const frame = writer.ended ? undefined : writer.error(err, { includeStack: this.options.includeStack === true }, this.sent === 0);
    try {
      if (this.options.onError !== undefined) this.options.onError(err);
      else if (this.checks.reportByDefault) reportProducerError(err, `${writer.formatName ?? "streamtypes"} stream, after ${this.sent} frame${this.sent === 1 ? "" : "s"}`);
    } catch {
      // A logging hook that fails must not turn the producer's error, already framed for the reader, into a cut stream.
    }
    return frame;
  }

  /** The stream's pull: one frame into its queue, unless a consumer has taken the run over (see takeProducerRun). */
  async pullInto(controller: ReadableStreamDefaultController<Uint8Array>, stream: ReadableStream<Uint8Array>): Promise<void> {
    if (this.direct) return never();
    // Nobody reads yet (the stream's own first pull): the producer starts when a consumer does, so that a response
    // whose body is never read (HEAD, a handler that answers otherwise) runs no step of it. A read pulls again.
    if (!stream.locked) return;
    if (stream.locked) this.unread = []; // a reader takes frames from the queue: none stays unread
    // The frames of one turn as one chunk: a chunk through the stream costs more than encoding a small frame.
    const pending = (this.chunks ??= new TurnChunks(() => this.next(), () => this.releaseBuffers())).next();
    this.pulling = pending;
    const chunk = await pending;
    this.pulling = undefined;
    if (this.direct) {
      if (chunk !== undefined) this.unread.push(chunk); // made for the stream, due to the consumer that took over
      return never();
    }
    if (chunk === undefined) return controller.close();
    controller.enqueue(chunk);
    if (!stream.locked) this.unread.push(chunk);
  }

  /** Hands the run to one consumer: the frames the stream holds unread, then the rest. */
  takeOver(): DirectRun {
    this.direct = true;
    return new TakenRun(this);
  }

  /** The next frame for the consumer that took the run over: those the stream pulled for nobody first. */
  nextTaken(): Promise<Uint8Array | undefined> {
    if (this.pulling !== undefined) return this.pulling.then(() => this.nextTaken()); // the frame it makes joins `unread` first
    if (this.unread.length > 0) return Promise.resolve(this.unread.shift());
    // Once the stream has pulled, its chunks may hold a frame made after the last one handed on: they come first.
    return this.chunks !== undefined ? this.chunks.next() : this.next();
  }

  /** The frames of a turn are handed on and the producer waits: its writer drops its slab until the next frame. */
  releaseBuffers(): void {
    this.writer.releaseBuffers?.();
  }

  /** Aborts when the consumer goes away (before the producer has started, too): what a producer's `signal` is. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** The consumer has gone: aborts the producer's signal and runs its `finally` blocks. */
  async cancel(reason?: unknown): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    this.abort.abort(reason);
    // Runs the producer's finally blocks; it settles once the producer reaches its next yield or await's end.
    try {
      await this.iterator?.return?.();
    } catch {
      // a producer that throws while closing has released what it could
    }
  }
}

/** A run taken over from its stream (see takeProducerRun): methods, not closures made per stream. */
class TakenRun implements DirectRun {
  constructor(private readonly run: ProducerRun) {}

  next(): Promise<Uint8Array | undefined> {
    return this.run.nextTaken();
  }

  cancel(reason: unknown): Promise<void> {
    return this.run.cancel(reason);
  }

  releaseBuffers(): void {
    this.run.releaseBuffers();
  }
}

/**
 * The frames a writer made and its producer has not yielded yet, in the order made. A producer must yield each,
 * in that order: a frame made and dropped (a forgotten `yield`, `forEach` with a callback) would otherwise be an
 * item silently missing from a stream that completes. Checked per frame, so it makes no garbage in the usual
 * case (each frame yielded as soon as it is made): two arrays reused from their start, slots cleared once yielded.
 */
class FramesMade {
  private readonly frames: (Uint8Array | undefined)[] = [];
  /** What each frame is: an item's index, or "the header", "the footer", "the end". */
  private readonly whats: (number | string)[] = [];
  private head = 0;
  private tail = 0;

  add(frame: Uint8Array, what: number | string): void {
    this.frames[this.tail] = frame;
    this.whats[this.tail++] = what;
  }

  /** A frame the producer yielded: the oldest one made, or one not of this writer (passed through as it is). */
  yielded(frame: Uint8Array): void {
    const frames = this.frames;
    if (this.head === this.tail) return;
    if (frames[this.head] === frame) {
      frames[this.head] = undefined; // a yielded frame is not kept alive here
      if (++this.head === this.tail) this.head = this.tail = 0;
      return;
    }
    for (let i = this.head + 1; i < this.tail; i++) {
      if (frames[i] !== frame) continue;
      throw new StreamError(
        "ORDER",
        `The producer yielded ${label(this.whats[i]!)} before ${label(this.whats[this.head]!)}, which its writer made earlier and which was not yielded: ` +
          "a producer must yield every frame its writer returns, in the order it made them (`yield w.item(value)` at each call).",
      );
    }
  }

  /** At the producer's return: every frame made was yielded. */
  checkAllYielded(): void {
    const missing = this.tail - this.head;
    if (missing === 0) return;
    throw new StreamError(
      "ORDER",
      `The producer returned without yielding ${missing} frame${missing === 1 ? "" : "s"} its writer made (${label(this.whats[this.head]!)} first), which its reader would never get: ` +
        "write `yield w.item(value)`, not `w.item(value)`; a callback (`forEach`, `then`) cannot yield, so loop with `for … of` instead.",
    );
  }
}

/** "item 2" for an item's index; the header's, footer's and end's own words. */
function label(what: number | string): string {
  return typeof what === "number" ? `item ${what}` : what;
}

function iterate(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  if (source && typeof (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === "function") {
    return (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  }
  if (source && typeof (source as Iterable<Uint8Array>)[Symbol.iterator] === "function") return (source as Iterable<Uint8Array>)[Symbol.iterator]();
  throw new StreamError("ORDER", "A producer must be a generator function (async function* (w) { ... }) or return an (async) iterable of frames.");
}
