// The Redis store's live tail: one blocking connection per store that reads every followed stream's new parts once, and hands each to all of its readers on this instance.
import type { StoredPart } from "./store.js";

/** A reader of one stream, fed by the tail: parts in order as Redis gives them, or the failure that ends it. */
export interface TailSubscriber {
  part(part: StoredPart): void;
  fail(err: unknown): void;
}

/** What the tail needs of a store: a fresh connection, the XREAD reply decoded, and the check of a quiet stream. */
export interface TailSource {
  /** A new connection for the blocking reads, connected (or rejected with the store's error). */
  connect(): Promise<TailConnection>;
  /** The parts of an XREAD reply, per stream key. */
  entries(reply: unknown): Map<string, StoredPart[]>;
  /** A stream with nothing new for a while: throws its GONE or PRODUCER_LOST, or resolves when all is well. */
  checkQuiet(key: string): Promise<void>;
  /** How long one XREAD BLOCK waits, in ms; also how long a stream may be quiet before it is checked. */
  readonly blockMs: number;
  /** The store's own error for a failed read. */
  storeError(err: unknown): unknown;
}

/** A connection of the tail: commands, its Redis client id (for CLIENT UNBLOCK), and closing. */
export interface TailConnection {
  readonly id: number;
  send(args: string[]): Promise<unknown>;
  close(): void;
}

interface Followed {
  /** The entry id after which the next XREAD reads (`0-<last id + 1>`). */
  cursor: string;
  readonly subscribers: Set<TailSubscriber>;
  /** When a part last arrived (or the stream was followed): quiet streams are checked every blockMs. */
  lastActivity: number;
}

/**
 * Follows the streams that readers on this instance wait on, with one `XREAD BLOCK` over all of their keys at once
 * on one connection: N readers cost one Redis connection and one read per new part, not N. A reader joining with
 * a new key interrupts the wait (`CLIENT UNBLOCK` from the store's client) so that it is read at once. A failed
 * read fails every subscriber with the store's error (each response then reads again, from its position) and
 * closes the connection; the next subscriber opens a new one.
 */
export class RedisTail {
  private readonly streams = new Map<string, Followed>();
  private connection: Promise<TailConnection> | undefined;
  private running = false;
  private blocked = false;

  constructor(
    private readonly source: TailSource,
    /** Sends CLIENT UNBLOCK on a connection that is not blocked. */
    private readonly unblock: (clientId: number) => Promise<unknown>,
  ) {}

  /** Streams followed now. */
  get size(): number {
    return this.streams.size;
  }

  /** Follows `key` for `subscriber` from after `position` (a part id); returns the unsubscribe. */
  subscribe(key: string, position: number, subscriber: TailSubscriber): () => void {
    let followed = this.streams.get(key);
    const isNew = followed === undefined;
    if (followed === undefined) this.streams.set(key, (followed = { cursor: `0-${position + 1}`, subscribers: new Set(), lastActivity: Date.now() }));
    followed.subscribers.add(subscriber);
    if (!this.running) void this.run();
    else if (isNew) this.interrupt();
    return () => {
      followed.subscribers.delete(subscriber);
      if (followed.subscribers.size === 0 && this.streams.get(key) === followed) this.streams.delete(key);
    };
  }

  /** Wakes the blocked XREAD so that the next one includes a new key. */
  private interrupt(): void {
    if (!this.blocked || this.connection === undefined) return;
    this.connection.then((c) => this.unblock(c.id)).catch(() => {});
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.streams.size > 0) {
        let connection: TailConnection;
        try {
          connection = await (this.connection ??= this.source.connect());
        } catch (err) {
          this.connection = undefined;
          this.failAll(this.source.storeError(err));
          continue;
        }
        const keys = [...this.streams.keys()];
        const cursors = keys.map((k) => this.streams.get(k)!.cursor);
        let reply: unknown;
        this.blocked = true;
        try {
          reply = await connection.send(["XREAD", "COUNT", "512", "BLOCK", String(this.source.blockMs), "STREAMS", ...keys, ...cursors]);
        } catch (err) {
          this.blocked = false;
          connection.close();
          this.connection = undefined;
          this.failAll(this.source.storeError(err));
          continue;
        } finally {
          this.blocked = false;
        }
        const now = Date.now();
        for (const [key, parts] of this.source.entries(reply)) {
          const followed = this.streams.get(key);
          if (followed === undefined || parts.length === 0) continue;
          followed.cursor = `0-${parts[parts.length - 1]!.id + 1}`;
          followed.lastActivity = now;
          for (const part of parts) for (const subscriber of [...followed.subscribers]) subscriber.part(part);
        }
        await this.checkQuiet(now);
      }
    } finally {
      this.running = false;
      const connection = this.connection;
      this.connection = undefined;
      connection?.then((c) => c.close()).catch(() => {});
      if (this.streams.size > 0) void this.run(); // a subscriber arrived while it was closing
    }
  }

  /** Streams with nothing new for blockMs: still there, and their producer alive? Those that are not end. */
  private async checkQuiet(now: number): Promise<void> {
    const quiet = [...this.streams].filter(([, f]) => now - f.lastActivity >= this.source.blockMs);
    await Promise.all(
      quiet.map(async ([key, followed]) => {
        followed.lastActivity = now;
        try {
          await this.source.checkQuiet(key);
        } catch (err) {
          for (const subscriber of [...followed.subscribers]) subscriber.fail(err);
          if (this.streams.get(key) === followed) this.streams.delete(key);
        }
      }),
    );
  }

  private failAll(err: unknown): void {
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const followed of streams) for (const subscriber of followed.subscribers) subscriber.fail(err);
  }
}
