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

  constructor(input: StreamSource) {
    this.source = openSource(input);
  }

  /** The next chunk, or undefined when the source has ended. */
  async read(): Promise<Uint8Array | undefined> {
    if (this.interrupted !== undefined) throw this.interrupted;
    let chunk: Uint8Array | undefined;
    try {
      // A promise per read, not a race against one long-lived promise: every race would leave a reaction on
      // it holding the chunk just read, for as long as the stream lasts (a leak of the whole stream).
      chunk = await new Promise<Uint8Array | undefined>((resolve, reject) => {
        this.rejectRead = reject;
        this.source.read().then(resolve, reject);
      });
    } catch (err) {
      if (this.interrupted !== undefined) throw this.interrupted;
      if (err instanceof StreamError || isAbort(err) || this.source.passesOn?.(err) === true) throw err;
      throw new SourceFailure(err);
    } finally {
      this.rejectRead = undefined;
    }
    if (this.interrupted !== undefined) throw this.interrupted;
    if (chunk === undefined) {
      this.done = true;
      return undefined;
    }
    if (chunk.length === 0) {
      // A source that answers every read at once with nothing would keep the reader on microtasks forever,
      // where neither the idle timer nor an abort could run: give the event loop a turn now and then.
      if (++this.emptyReads % EMPTY_READS_PER_TURN === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.interrupted !== undefined) throw this.interrupted;
      return chunk;
    }
    this.emptyReads = 0;
    this.bytes += chunk.length;
    if (this.bytes > this.maxTotalBytes) {
      throw new StreamError("LIMIT", `The stream is longer than ${this.maxTotalBytes} bytes (maxTotalBytes). Raise maxTotalBytes if streams this long are expected.`);
    }
    return chunk;
  }

  /** Ends the read in progress, and every later one, with `err`; cancels the source. */
  interrupt(err: unknown): void {
    if (this.interrupted !== undefined) return;
    this.interrupted = err;
    this.source.cancel(err);
    this.rejectRead?.(err);
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
