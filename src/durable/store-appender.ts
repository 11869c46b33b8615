// A producer's appends to its replay store: pipelined, and retried with backoff through a store outage, in order and without a gap.
import { StreamError } from "../errors.js";
import { isTerminal, isTransient, storeError, type ReplayStore, type StoredPart } from "./store.js";

/** Appends a producer may have in flight at once. */
const APPEND_WINDOW = 32;
/** Backoff between retries: the first wait, and the longest. */
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1000;

interface Entry {
  readonly part: StoredPart;
  readonly done: Promise<void>;
  /** Sent while earlier parts were still in flight. */
  readonly behind: boolean;
}

/**
 * Appends one stream's parts, up to 32 in flight (one round trip per part would bound a remote store's rate by its
 * latency). When an append fails for a reason that may pass (a lost connection, a Redis loading its data after a
 * restart, a command timeout), the appender waits for the others in flight, then sends again, one by one and in
 * order, every part not confirmed, with backoff, for at most `retryMs` from that failure: a store takes a part it
 * already has (a reply lost with the connection) without change, so nothing is stored twice and nothing skipped.
 * Past `retryMs`, or at an answer a retry cannot change (`LIMIT`, `GONE`, `ORDER`), `add` and `flush` throw, and
 * `failedAt` is the id the stream's error part must take.
 *
 * @example
 * const appender = new StoreAppender(store, "chat-1", 10_000);
 * await appender.add({ id: 0, kind: FrameKind.HEADER, payload });
 */
export class StoreAppender {
  private readonly inflight: Entry[] = [];
  /** The id of the first part the store did not take, once the appender has failed. */
  failedAt: number | undefined;

  constructor(
    private readonly store: ReplayStore,
    private readonly streamId: string,
    private readonly retryMs: number,
  ) {}

  /** Sends `part`; resolves when there is room for the next (at once, mostly), or once a terminal part is stored. */
  async add(part: StoredPart): Promise<void> {
    const done = this.store.append(this.streamId, part);
    done.catch(() => {}); // settled in order below
    this.inflight.push({ part, done, behind: this.inflight.length > 0 });
    if (isTerminal(part.kind)) return this.flush();
    if (this.inflight.length >= APPEND_WINDOW) await this.settleFirst();
  }

  /** Waits until every part sent is stored (or throws why one was not). */
  async flush(): Promise<void> {
    while (this.inflight.length > 0) await this.settleFirst();
  }

  /** Waits for the parts still in flight to settle, whatever their outcome: before an error part is appended. */
  async quiesce(): Promise<void> {
    await Promise.allSettled(this.inflight.map((entry) => entry.done));
  }

  private async settleFirst(): Promise<void> {
    const entry = this.inflight[0]!;
    const started = Date.now();
    try {
      await beforeDeadline(entry.done, started + this.retryMs);
      this.inflight.shift();
    } catch (err) {
      // A part sent while earlier ones were in flight can reach the store before them across a reconnect (the
      // client's queue of commands sent while disconnected) and be refused as out of sequence: sent again in order,
      // it is taken. A refusal of a part sent again in order (in recover) is final.
      if (!isTransient(err) && !(entry.behind && err instanceof StreamError && err.code === "ORDER")) throw this.failed(entry, err);
      await this.recover(err, started);
    }
  }

  /** After a failure that may pass: every part not confirmed, sent again one by one, until stored or out of time. */
  private async recover(first: unknown, started: number): Promise<void> {
    const deadline = started + this.retryMs;
    // Parts sent after the failed one may have failed too: all go again, in order, once the first sends settled.
    await beforeDeadline(this.quiesce(), deadline).catch(() => {});
    let delay = FIRST_RETRY_MS;
    let last = first;
    while (this.inflight.length > 0) {
      const entry = this.inflight[0]!;
      try {
        await beforeDeadline(this.store.append(this.streamId, entry.part), deadline);
        this.inflight.shift();
        delay = FIRST_RETRY_MS;
      } catch (err) {
        if (!isTransient(err)) throw this.failed(entry, err);
        if (err !== OUT_OF_TIME || last === OUT_OF_TIME) last = err;
        if (err === OUT_OF_TIME || Date.now() + delay >= deadline) {
          throw this.failed(entry, storeError(this.streamId, "appending to", last, Date.now() - started));
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
  }

  private failed(entry: Entry, err: unknown): unknown {
    this.failedAt ??= entry.part.id;
    return err;
  }
}

const OUT_OF_TIME = Object.assign(new Error("the store did not answer in time"), { name: "StoreTimeout" });

/** `promise`, or OUT_OF_TIME at `deadline`: a client that queues commands while disconnected may never answer. */
async function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  promise.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const due = new Promise<never>((_, reject) => (timer = setTimeout(reject, Math.max(0, deadline - Date.now()), OUT_OF_TIME)));
  try {
    return await Promise.race([promise, due]);
  } finally {
    clearTimeout(timer);
  }
}
