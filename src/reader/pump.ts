// Pulls chunks from a reader's source: one promise per read that a failure can interrupt, byte limits, and a fair share of the event loop.
import { StreamError } from "../errors.js";
import { openSource, type ByteSource, type StreamSource } from "../sources/source.js";

/** Empty chunks read in a row before the pump lets timers and aborts run. */
const EMPTY_READS_PER_TURN = 1000;

/** The source itself failed (a network error, a throwing iterator): the reader names it `NETWORK` or `TRUNCATED`. */
export class SourceFailure {
  constructor(readonly cause: unknown) {}
}

/**
 * Reads one stream's chunks, across reconnections. `read()` rejects with a StreamError the source raised (`HTTP`),
 * `LIMIT` past `maxTotalBytes`, an abort's reason as the source gave it, a {@link SourceFailure}, or whatever
 * `interrupt()` was called with.
 */
export class ChunkPump {
  /** Bytes received from every connection so far. */
  bytes = 0;
  /** True once the current source has ended. */
  done = false;
  /** More bytes than this in all → `LIMIT`. */
  maxTotalBytes = Infinity;
  private source: ByteSource;
  private emptyReads = 0;
  private interrupted: unknown;
  private rejectRead: ((err: unknown) => void) | undefined;
  /** Called by interrupt() while a pull() is pending: the puller's guard (a pull is not settled by cancel). */
  private guard: ((err: unknown) => void) | undefined;

  constructor(input: StreamSource) {
    this.source = openSource(input);
  }

  /** The current source's Content-Type, when it is a Response. */
  get contentType(): string | null | undefined {
    return this.source.contentType;
  }

  /** The next chunk, or undefined when the source has ended: `next()` and `accept()` in one, for the reader's slow paths. */
  async read(): Promise<Uint8Array | undefined> {
    let chunk: Uint8Array | undefined;
    try {
      chunk = await this.next();
    } catch (err) {
      throw this.failure(err);
    }
    chunk = this.accept(chunk);
    if (this.mustYield) await this.yieldTurn();
    return chunk;
  }

  /**
   * The source's next chunk, unchecked: pass it to `accept()`, and a failure to `failure()`. A promise per read
   * that `interrupt()` can reject, so that an abort or a timeout ends a read that would never settle (and not a
   * race against one long-lived promise: every race would leave a reaction on it holding the chunk just read, for
   * as long as the stream lasts). The intake's hot loop pulls instead, with a guard per wait (see pull()).
   */
  next(): Promise<Uint8Array | undefined> {
    return new Promise<Uint8Array | undefined>((resolve, reject) => {
      this.rejectRead = reject; // cleared by accept() or failure()
      this.pull(resolve, reject);
    });
  }

  /**
   * The source's next chunk to `onChunk` (undefined at the end), or its failure (or the interruption) to `onError`:
   * one of them, always later, with no promise per read: pass the chunk to `accept()` and a failure to
   * `failure()`, and set a guard with `guardWith()`, since interrupt() does not settle a pull.
   */
  pull(onChunk: (chunk: Uint8Array | undefined) => void, onError: (err: unknown) => void): void {
    if (this.interrupted !== undefined) Promise.reject(this.interrupted).then(undefined, onError);
    else this.source.pull(onChunk, onError);
  }

  /** What interrupt() calls while a pull() is pending (undefined: nothing). */
  guardWith(guard: ((err: unknown) => void) | undefined): void {
    this.guard = guard;
  }

  /** Checks a chunk `next()` gave: counts its bytes against maxTotalBytes (`LIMIT`), or marks the end. Throws once interrupted. */
  accept(chunk: Uint8Array | undefined): Uint8Array | undefined {
    this.rejectRead = undefined;
    if (this.interrupted !== undefined) throw this.interrupted;
    if (chunk === undefined) {
      this.done = true;
      return undefined;
    }
    if (chunk.length === 0) {
      this.emptyReads++;
      return chunk;
    }
    this.emptyReads = 0;
    this.bytes += chunk.length;
    if (this.bytes > this.maxTotalBytes) {
      throw new StreamError("LIMIT", `The stream is longer than ${this.maxTotalBytes} bytes (maxTotalBytes). Raise maxTotalBytes if streams this long are expected.`);
    }
    return chunk;
  }

  /** True every EMPTY_READS_PER_TURN empty chunks in a row: the reader should then `yieldTurn()`. */
  get mustYield(): boolean {
    return this.emptyReads > 0 && this.emptyReads % EMPTY_READS_PER_TURN === 0;
  }

  /**
   * Lets timers and aborts run: a source that answers every read at once with nothing would otherwise keep the
   * reader on microtasks forever.
   */
  async yieldTurn(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (this.interrupted !== undefined) throw this.interrupted;
  }

  /** What a failed read means: a StreamError or an abort as it is, the source's own failure as a {@link SourceFailure}. */
  failure(err: unknown): unknown {
    this.rejectRead = undefined;
    if (this.interrupted !== undefined) return this.interrupted;
    if (err instanceof StreamError || isAbort(err) || this.source.passesOn?.(err) === true) return err;
    return new SourceFailure(err);
  }

  /** Ends the read in progress, and every later one, with `err`; cancels the source. */
  interrupt(err: unknown): void {
    if (this.interrupted !== undefined) return;
    this.interrupted = err;
    this.source.cancel(err);
    this.rejectRead?.(err);
    this.guard?.(err);
  }

  /** Cancels the source after a complete stream (its end frame arrived); later reads find it ended. */
  close(): void {
    if (!this.done) this.source.cancel();
    this.done = true;
  }

  /** Continues on a new connection (a resumable format's reconnect). */
  reopen(input: StreamSource): void {
    this.source.cancel();
    this.source = openSource(input);
    this.done = false;
  }
}

/** An abort as fetch reports it: the reader passes it on as is, as fetch itself does. */
function isAbort(err: unknown): boolean {
  return typeof DOMException !== "undefined" && err instanceof DOMException && (err.name === "AbortError" || err.name === "TimeoutError");
}
