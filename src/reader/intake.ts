// What a reader takes in from its source: chunks until a part is decoded, reconnection for resumable formats, the idle timer, and the check after the end.
import { StreamError } from "../errors.js";
import { formatHint } from "../formats/sniff.js";
import type { StreamSource } from "../sources/source.js";
import { network, truncated } from "./messages.js";
import type { PartQueue } from "./parts.js";
import { SourceFailure, type ChunkPump } from "./pump.js";

/**
 * Feeds a reader's part queue from its pump. `more()` waits (at most `idleTimeoutMs`, keep-alives or not) until a
 * part is decoded or the stream failed; a connection of a resumable format that drops before the end is reopened
 * through `reconnect` with the reader's position. `confirmEnd()` reads what follows the end frame. Both throw the
 * stream's error for the reader to record.
 */
export class Intake {
  /** The stream's first bytes (up to HEAD_BYTES), until a part is decoded: what a FORMAT error at the start is judged by. */
  private head: Uint8Array | undefined = new Uint8Array(0);

  constructor(
    private readonly pump: ChunkPump,
    private readonly parts: PartQueue,
    private readonly reconnect: ((lastEventId: string | undefined) => StreamSource) | undefined,
    private reconnectsLeft: number,
    private readonly idleTimeoutMs: number | undefined,
    /** Records a terminal failure; returns the one to throw (the first one recorded). */
    private readonly fail: (err: unknown) => unknown,
  ) {}

  /**
   * Reads chunks until a part is decoded, the stream's error is known, or the input ended (then TRUNCATED unless it
   * was the end). What it throws is recorded as the reader's terminal failure (through `fail`), and that is thrown.
   *
   * Driven by callbacks, not a loop of awaits: a stream in small chunks comes here once per few bytes, and one
   * promise per call (per part) with no promise or resumption per chunk is most of what it costs. The promise is
   * this reader's own, so an abort, a cancel or the idle timer settles it through the pump's guard, whatever the
   * source does with its pending read.
   */
  more(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.resolveMore = resolve;
      this.rejectMore = reject;
      const ms = this.idleTimeoutMs;
      if (ms !== undefined) this.timer = setTimeout(() => this.fail(timeout(ms)), ms);
      this.pump.guardWith(this.onInterrupt);
      this.pump.pull(this.onChunk, this.onError);
    });
  }

  private resolveMore: (() => void) | undefined;
  private rejectMore: ((err: unknown) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** A chunk pulled (undefined: the source ended): decoded; then done, or the next pull. Never throws (a source's reaction). */
  private readonly onChunk = (raw: Uint8Array | undefined): void => {
    if (this.resolveMore === undefined) return; // settled already (interrupted): a late read is dropped
    const pump = this.pump;
    try {
      const chunk = pump.accept(raw);
      if (pump.mustYield) {
        pump.yieldTurn().then(() => this.decided(chunk), this.onInterrupt);
        return;
      }
      this.decided(chunk);
    } catch (err) {
      this.settle(err);
    }
  };

  /** A failed pull: reconnects a resumable stream, or settles with what it means. Never throws. */
  private readonly onError = (err: unknown): void => {
    if (this.resolveMore === undefined) return;
    try {
      const failure = this.pump.failure(err);
      if (this.reconnected(failure)) this.pump.pull(this.onChunk, this.onError);
      else this.settle(this.sourceError(failure));
    } catch (e) {
      this.settle(e);
    }
  };

  private readonly onInterrupt = (err: unknown): void => {
    this.settle(err);
  };

  /** After a chunk: settles when it gave a part, an error or the end; else pulls the next one. */
  private decided(chunk: Uint8Array | undefined): void {
    if (this.resolveMore === undefined) return;
    try {
      if (this.took(chunk)) this.settle(undefined, true);
      else this.pump.pull(this.onChunk, this.onError);
    } catch (err) {
      this.settle(err);
    }
  }

  /** Ends the wait of more(): resolved (`ok`), or rejected with the reader's terminal failure for `err`. */
  private settle(err: unknown, ok = false): void {
    const resolve = this.resolveMore;
    const reject = this.rejectMore!;
    if (resolve === undefined) return;
    this.resolveMore = this.rejectMore = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pump.guardWith(undefined);
    if (ok) resolve();
    else reject(this.fail(err));
  }

  /** Decodes a chunk (undefined: the input ended); true when a part or the stream's error came of it, or it ended. */
  private took(chunk: Uint8Array | undefined): boolean {
    const parts = this.parts;
    if (chunk === undefined) {
      if (this.reconnected(undefined)) return false;
      parts.endOfInput();
      if (parts.size === 0 && parts.error === undefined) parts.error = truncated("the source ended", parts.decoder.describePending(), parts.items, this.pump.bytes);
      return true;
    }
    if (this.head !== undefined && this.head.length < HEAD_BYTES) this.head = joinHead(this.head, chunk);
    parts.decoder.push(chunk);
    parts.fill();
    if (parts.size > 0) this.head = undefined;
    else if (parts.error !== undefined) this.hint(parts.error);
    return parts.size > 0 || parts.error !== undefined;
  }

  /** After the end frame: reads to the end of the source (or idleTimeoutMs of silence); anything more than slack is ORDER. */
  async confirmEnd(): Promise<void> {
    const decoder = this.parts.decoder;
    // A producer may keep the connection open after its end frame: the data is complete, so after
    // idleTimeoutMs of silence the reader stops waiting for the source to close and cancels it.
    let quiet: () => void = () => {};
    const silence = new Promise<undefined>((resolve) => (quiet = () => resolve(undefined)));
    const timer = this.idleTimeoutMs === undefined ? undefined : setTimeout(quiet, this.idleTimeoutMs);
    try {
      while (!decoder.hasTrailingData() && !this.pump.done) {
        let chunk: Uint8Array | undefined;
        try {
          chunk = await Promise.race([this.pump.read(), silence]);
        } catch (err) {
          if (err instanceof SourceFailure) break; // the connection broke after the end: nothing is missing
          throw err;
        }
        if (chunk === undefined) break;
        decoder.push(chunk);
      }
      if (decoder.hasTrailingData()) {
        throw new StreamError("ORDER", `Data follows the end frame (${Math.max(1, decoder.bufferedBytes)}+ bytes): a frame after the end, or two streams concatenated.`);
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      quiet();
    }
  }

  /**
   * A FORMAT error before any part: the bytes may be a stream of another format (SSE read as binary, say), which the
   * message then names, with the option that reads it.
   */
  private hint(err: unknown): void {
    if (this.head === undefined || !(err instanceof StreamError) || err.code !== "FORMAT") return;
    err.message += formatHint(this.head, this.pump.contentType, this.parts.spec.format);
    this.head = undefined;
  }

  /** A resumable format whose connection dropped before the end: opens the next one; false when that is not possible. */
  private reconnected(err: unknown): boolean {
    const resume = this.parts.decoder.resume;
    if (resume === undefined || this.reconnectsLeft === 0 || this.reconnect === undefined) return false;
    if (err !== undefined && !(err instanceof SourceFailure)) return false;
    this.reconnectsLeft--;
    this.pump.reopen(this.reconnect(resume.lastEventId));
    resume.reconnected();
    return true;
  }

  /** What a failed read means: the source's own failure is `NETWORK` before any byte, `TRUNCATED` after. */
  private sourceError(err: unknown): unknown {
    if (!(err instanceof SourceFailure)) return err;
    if (this.pump.bytes === 0) return network(err.cause);
    return truncated("the source failed", this.parts.decoder.describePending(), this.parts.items, this.pump.bytes, err.cause);
  }
}

const HEAD_BYTES = 32;

function joinHead(head: Uint8Array, chunk: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.min(HEAD_BYTES, head.length + chunk.length));
  out.set(head);
  out.set(chunk.subarray(0, out.length - head.length), head.length);
  return out;
}

function timeout(ms: number): StreamError {
  return new StreamError(
    "TIMEOUT",
    `Nothing arrived for ${ms} ms (idleTimeoutMs): no header, item, footer or end; the source was cancelled. The producer stalled or the connection hung.`,
  );
}
