// Channels: a producer fed by synchronous callbacks (an SDK's onToken, an EventEmitter, a worker's message), with a bounded buffer.
import { StreamError } from "../errors.js";
import type { Input, SchemaLike } from "../schema/infer.js";
import { streamResponse, type StreamResponseInit } from "./http.js";
import { LIBRARY_PRODUCER, producerRunOf, producerStream, type ProducerOptions } from "./producer.js";
import type { StreamWriterImpl, WriterOptions } from "./writer.js";

/**
 * What a channel does when a value arrives while its buffer is full (`maxBuffered` frames, or `maxBufferedBytes`
 * bytes, wait for the reader):
 * - `"error"` (the default): the call throws `LIMIT`; nothing is queued and the stream goes on, so the caller can
 *   wait for `ready` and try again, or stop its source.
 * - `"close"`: the call returns, the frames already buffered are delivered, then the stream ends with a `LIMIT`
 *   error frame (the reader gets `REMOTE`); the `onCancel` callbacks run, and later calls are ignored.
 *
 * Values are never dropped silently: a consumer that is slower than the source either makes the source wait or
 * gets a stream that says it was cut short.
 */
export type OnFull = "error" | "close";

/** Options of a channel: its buffer, and those of a producer stream (keep-alive, error frames) and of its writer. */
export interface ChannelOptions extends ProducerOptions, WriterOptions {
  /** The most frames waiting for the reader (header, items, footer; the end or error frame is always taken). Default 1024. */
  maxBuffered?: number;
  /**
   * The most bytes of frames waiting for the reader: a value is taken while fewer wait, so at most this plus one
   * frame is held. Default 16 MiB.
   */
  maxBufferedBytes?: number;
  /** When the buffer is full: `"error"` (default, the call throws `LIMIT`) or `"close"` (the stream ends with a `LIMIT` error frame). */
  onFull?: OnFull;
}

/** The channel methods every stream has. */
export interface BaseChannel<I extends SchemaLike> {
  /** Validates and queues an item: `VALIDATION` on a bad value, `ORDER` after the footer or end, `LIMIT` when full (onFull "error"). */
  item(value: Input<I>): void;
  /** Queues the end frame; the stream is complete once the reader has the frames before it. Always accepted. */
  end(): void;
  /** Ends the stream with an error frame for `err` after the frames already queued (as a producer that throws). Always accepted. */
  fail(err: unknown): void;
  /** Resolves when the buffer has room for a frame (in frames and bytes), or once the channel takes no more values (see `closed`). */
  readonly ready: Promise<void>;
  /** Frames that fit before the buffer is full (0 when its bytes are, and once the channel takes no more values). */
  readonly desiredSize: number;
  /** Frames waiting for the reader. */
  readonly buffered: number;
  /** True once the reader has left, or the channel closed itself (onFull "close"): later calls are ignored. */
  readonly cancelled: boolean;
  /** True once the channel takes no more values: after end(), fail(), or a cancel. */
  readonly closed: boolean;
  /**
   * Runs `callback(reason)` when the stream stops taking values before end() or fail(): the reader left (a client
   * disconnect, an abort), or the buffer overflowed with onFull "close". Stop the source there. Runs at once if
   * that has already happened; never runs for a stream that ended normally.
   */
  onCancel(callback: (reason: unknown) => void): void;
  /** The stream's frames. Use it or `response()`, once. */
  readonly readable: ReadableStream<Uint8Array>;
  /** A streaming `Response` of `readable`, with the stream's Content-Type (as `toResponse()`); works with `sendResponse`. */
  response(init?: StreamResponseInit): Response;
}

/** A channel for the stream types: `header()` exists only when a header schema was given, `footer()` likewise. */
export type Channel<I extends SchemaLike, H extends SchemaLike | undefined, F extends SchemaLike | undefined> = BaseChannel<I> &
  (H extends SchemaLike ? { /** Validates and queues the header; must come first. */ header(value: Input<H>): void } : unknown) &
  (F extends SchemaLike ? { /** Validates and queues the footer; after the items, before end(). */ footer(value: Input<F>): void } : unknown);

const DEFAULT_MAX_BUFFERED = 1024;
const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const RESOLVED = Promise.resolve();

/** The channel behind `STREAM.channel()`: writer calls → a bounded queue of frames → a producer that yields them. */
export class ChannelImpl {
  readonly readable: ReadableStream<Uint8Array>;
  private readonly maxBuffered: number;
  private readonly maxBufferedBytes: number;
  private readonly onFull: OnFull;
  private queue: Uint8Array[] = [];
  private head = 0;
  /** Bytes of the frames in `queue` from `head` on. */
  private queuedBytes = 0;
  /** Set by end() or fail(): the channel takes no more values. */
  private finished = false;
  /** The error fail() or an overflow ended the stream with, thrown by the producer after the queued frames. */
  private failure: { err: unknown } | undefined;
  /** Why the channel stopped taking values before end()/fail(): the reader left, or an overflow with onFull "close". */
  private cancelReason: { reason: unknown } | undefined;
  /** The reader has left: the producer returns, and nothing queued is delivered. */
  private gone = false;
  private readonly cancelCallbacks: ((reason: unknown) => void)[] = [];
  private wakeProducer: (() => void) | undefined;
  private readyWait: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    private readonly writer: StreamWriterImpl,
    private readonly contentType: string,
    options: ChannelOptions = {},
  ) {
    const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    for (const [name, value] of [["maxBuffered", maxBuffered], ["maxBufferedBytes", maxBufferedBytes]] as const) {
      if (!Number.isSafeInteger(value) || value <= 0) throw new StreamError("OPTIONS", `${name} must be a positive integer, got ${String(value)}.`);
    }
    this.maxBufferedBytes = maxBufferedBytes;
    if (options.onFull !== undefined && options.onFull !== "error" && options.onFull !== "close") {
      throw new StreamError("OPTIONS", `onFull must be "error" or "close", got ${JSON.stringify(options.onFull)}.`);
    }
    this.maxBuffered = maxBuffered;
    this.onFull = options.onFull ?? "error";
    const self = this;
    this.readable = producerStream(
      writer,
      async function* () {
        for (;;) {
          if (self.gone) return;
          if (self.head < self.queue.length) {
            const frame = self.queue[self.head]!;
            self.queue[self.head++] = undefined as unknown as Uint8Array;
            self.queuedBytes -= frame.length;
            if (self.head === self.queue.length) {
              self.queue = [];
              self.head = 0;
            }
            self.roomMade();
            yield frame;
            continue;
          }
          if (self.failure !== undefined) throw self.failure.err;
          if (self.finished) return;
          await new Promise<void>((resolve) => (self.wakeProducer = resolve));
          self.wakeProducer = undefined;
        }
      },
      options,
      LIBRARY_PRODUCER,
    );
    // The run's signal aborts when the reader leaves, also before the producer above has started.
    const signal = producerRunOf(this.readable)!.signal;
    signal.addEventListener("abort", () => this.cancel(signal.reason), { once: true });
  }

  get buffered(): number {
    return this.queue.length - this.head;
  }

  get desiredSize(): number {
    return this.closed || !this.hasRoom ? 0 : this.maxBuffered - this.buffered;
  }

  /** Whether a frame may be queued: fewer than maxBuffered frames and maxBufferedBytes bytes wait. */
  private get hasRoom(): boolean {
    return this.buffered < this.maxBuffered && this.queuedBytes < this.maxBufferedBytes;
  }

  get cancelled(): boolean {
    return this.cancelReason !== undefined;
  }

  get closed(): boolean {
    return this.finished || this.cancelReason !== undefined;
  }

  get ready(): Promise<void> {
    if (this.closed || this.hasRoom) return RESOLVED;
    if (this.readyWait === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.readyWait = { promise, resolve };
    }
    return this.readyWait.promise;
  }

  header(value: unknown): void {
    if (this.accepts("header")) this.push(this.writer.header(value));
  }

  item(value: unknown): void {
    if (this.accepts("item")) this.push(this.writer.item(value));
  }

  footer(value: unknown): void {
    if (this.accepts("footer")) this.push(this.writer.footer(value));
  }

  end(): void {
    if (this.cancelReason !== undefined) return;
    if (this.finished) throw this.closedError("end");
    this.push(this.writer.end());
    this.finished = true;
    this.cancelCallbacks.length = 0;
    this.releaseReady();
  }

  fail(err: unknown): void {
    if (this.cancelReason !== undefined) return;
    if (this.finished) throw this.closedError("fail");
    this.failure = { err };
    this.finished = true;
    this.cancelCallbacks.length = 0;
    this.releaseReady();
    this.wakeProducer?.();
  }

  onCancel(callback: (reason: unknown) => void): void {
    if (this.cancelReason !== undefined) callback(this.cancelReason.reason);
    else if (!this.finished) this.cancelCallbacks.push(callback);
  }

  response(init?: StreamResponseInit): Response {
    return streamResponse(this.readable, this.contentType, init);
  }

  /** Whether a value is to be written: false after a cancel (ignored); throws after end()/fail(), or when full with onFull "error". */
  private accepts(call: "header" | "item" | "footer"): boolean {
    if (this.cancelReason !== undefined) return false;
    if (this.finished) throw this.closedError(call);
    if (this.hasRoom) return true;
    const full = this.buffered >= this.maxBuffered ? `${this.maxBuffered} frames wait for the reader (maxBuffered)` : `${this.queuedBytes} bytes of frames wait for the reader (maxBufferedBytes ${this.maxBufferedBytes})`;
    const limit = new StreamError(
      "LIMIT",
      `The channel's buffer is full: ${full}, so the consumer is slower than the source. ` +
        `Wait for channel.ready (or check channel.desiredSize) before writing, pause the source, or raise ${this.buffered >= this.maxBuffered ? "maxBuffered" : "maxBufferedBytes"}.`,
    );
    if (this.onFull === "error") throw limit;
    // onFull "close": the frames already queued go out, then the LIMIT error frame; the source is told to stop.
    this.failure = { err: limit };
    this.finished = true;
    this.wakeProducer?.();
    this.runCancelCallbacks(limit);
    return false;
  }

  private push(frame: Uint8Array): void {
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    this.wakeProducer?.();
  }

  /** A frame was taken by the reader: a writer waiting for room may go on. */
  private roomMade(): void {
    if (this.readyWait !== undefined && this.hasRoom) this.releaseReady();
  }

  private releaseReady(): void {
    const wait = this.readyWait;
    this.readyWait = undefined;
    wait?.resolve();
  }

  /** The reader has left: drop what is queued, wake the producer so that it returns, tell the source. */
  private cancel(reason: unknown): void {
    if (this.gone) return;
    this.gone = true;
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.wakeProducer?.();
    this.runCancelCallbacks(reason);
  }

  /** The channel takes no more values: once, with the first reason; the source's callbacks are told (not after end()/fail()). */
  private runCancelCallbacks(reason: unknown): void {
    this.releaseReady();
    if (this.cancelReason !== undefined) return;
    this.cancelReason = { reason };
    const callbacks = this.cancelCallbacks.splice(0);
    for (const callback of callbacks) {
      try {
        callback(reason);
      } catch {
        // One failing callback must not keep the others from stopping their part of the source.
      }
    }
  }

  private closedError(call: string): StreamError {
    return new StreamError("ORDER", `Cannot call ${call}() on a channel after ${this.failure !== undefined ? "fail()" : "end()"}: the stream is over.`);
  }
}
