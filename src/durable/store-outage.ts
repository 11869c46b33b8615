// Riding out a replay store's outage while reading: backoff between attempts, the bound after which it is STORE, and the end a lapsed producer lease calls for.
import { StreamError } from "../errors.js";
import type { Format } from "../format.js";
import { FrameKind } from "../protocol.js";
import { remoteInfo } from "../writer/writer.js";
import { isTransient, storeError, type ReplayStore } from "./store.js";

/** Backoff between attempts to read the store again: the first wait, and the longest. */
const FIRST_REOPEN_MS = 50;
const MAX_REOPEN_MS = 1000;

/**
 * One reader's (or one fan's) view of the store's failures: {@link retry} after a failed read waits before the
 * next attempt, or throws when the failure is final or the outage has lasted `retryMs`; {@link recovered} after
 * a part arrived starts the count afresh.
 *
 * @example
 * const outage = new StoreOutage(store, "chat-1", format, 10_000);
 * try { ... } catch (err) { await outage.retry(err, position); } // then read again from position
 */
export class StoreOutage {
  /** When the current outage began (its first failed read since the last part), or undefined. */
  private since: number | undefined;
  private delay = FIRST_REOPEN_MS;
  private lostReported = false;

  constructor(
    private readonly store: ReplayStore,
    private readonly streamId: string,
    private readonly format: Format,
    private readonly retryMs: number,
  ) {}

  /** A part arrived: the store is back. */
  recovered(): void {
    this.since = undefined;
    this.delay = FIRST_REOPEN_MS;
  }

  /** After a failed read at `position`: resolves when it is time to read again, or throws the error that ends the reader. */
  async retry(err: unknown, position: number): Promise<void> {
    if (err instanceof StreamError && err.code === "PRODUCER_LOST" && !this.lostReported) {
      // The producer's instance died: this reader ends the stream for every reader, with the part after the last
      // (the store puts an error part after any part stored meanwhile), and reads on to deliver it.
      this.lostReported = true;
      const payload = this.format.codec.encode(remoteInfo(err, false));
      await this.store.append(this.streamId, { id: position + 1, kind: FrameKind.ERROR, payload }).catch(() => {
        throw err;
      });
      return;
    }
    if (!isTransient(err)) throw err;
    const now = Date.now();
    const since = (this.since ??= now);
    if (now - since >= this.retryMs) throw storeError(this.streamId, "reading", err, now - since);
    await new Promise((resolve) => setTimeout(resolve, Math.min(this.delay, since + this.retryMs - now)));
    this.delay = Math.min(this.delay * 2, MAX_REOPEN_MS);
  }
}
