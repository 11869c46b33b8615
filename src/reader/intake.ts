// What a reader takes in from its source: chunks until a part is decoded, reconnection for resumable formats, the idle timer, and the check after the end.
import { StreamError } from "../errors.js";
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
  constructor(
    private readonly pump: ChunkPump,
    private readonly parts: PartQueue,
    private readonly reconnect: ((lastEventId: string | undefined) => StreamSource) | undefined,
    private reconnectsLeft: number,
    private readonly idleTimeoutMs: number | undefined,
    private readonly fail: (err: unknown) => void,
  ) {}

  /** Reads chunks until a part is decoded, the stream's error is known, or the input ended (then TRUNCATED unless it was the end). */
  async more(): Promise<void> {
    const ms = this.idleTimeoutMs;
    const timer = ms === undefined ? undefined : setTimeout(() => this.fail(timeout(ms)), ms);
    const parts = this.parts;
    const pump = this.pump;
    try {
      for (;;) {
        let chunk: Uint8Array | undefined;
        try {
          chunk = await pump.next();
        } catch (err) {
          const failure = pump.failure(err);
          if (this.reconnected(failure)) continue;
          throw this.sourceError(failure);
        }
        chunk = pump.accept(chunk);
        if (pump.mustYield) await pump.yieldTurn();
        if (chunk === undefined) {
          if (this.reconnected(undefined)) continue;
          parts.endOfInput();
          if (parts.size === 0 && parts.error === undefined) parts.error = truncated("the source ended", parts.decoder.describePending(), parts.items, pump.bytes);
          return;
        }
        parts.decoder.push(chunk);
        parts.fill();
        if (parts.size > 0 || parts.error !== undefined) return;
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
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

function timeout(ms: number): StreamError {
  return new StreamError(
    "TIMEOUT",
    `Nothing arrived for ${ms} ms (idleTimeoutMs): no header, item, footer or end; the source was cancelled. The producer stalled or the connection hung.`,
  );
}
