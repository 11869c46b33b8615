// The in-memory replay store: one process, bounded per stream and in streams, with expired streams swept away.
import { StreamError } from "../errors.js";
import { FrameKind } from "../protocol.js";
import { checkCodec, goneError, isNextId, isTerminal, limitError, storeLimits, type ReplayStore, type StoreLimits, type StoredPart } from "./store.js";

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions extends Partial<StoreLimits> {
  /**
   * Streams held at once. Default 1000. Creating one more removes the stream that ended longest ago (ended streams
   * do not hold a place against new ones), or throws `LIMIT` when all are running. Memory is bounded by
   * maxStreams × maxBytes.
   */
  maxStreams?: number | undefined;
}

/** Bytes a stored part costs beyond its payload (the object, its array slot), for `bytesHeld`. */
const PART_OVERHEAD = 64;

interface Entry {
  readonly parts: StoredPart[];
  /** The name of the codec the parts are in (`create`'s), if given. */
  readonly codec: string | undefined;
  bytes: number;
  ended: boolean;
  /** STREAM.stop() was called for it. */
  stopRequested: boolean;
  expiresAt: number;
  /** Readers waiting for the next part, or for the stream's removal. */
  readonly waiters: Set<() => void>;
}

/**
 * A replay store in this process's memory: for a single instance (and for tests). Each stream holds at most
 * `maxParts` parts and `maxBytes` payload bytes, and is removed `ttlMs` after its last part; at most `maxStreams`
 * streams are held. Defaults: 100 000 parts, 32 MiB, 10 minutes, 1000 streams.
 *
 * @example
 * const store = memoryStore({ maxBytes: 4 << 20, ttlMs: 5 * 60_000 });
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  return new MemoryStore(options);
}

export class MemoryStore implements ReplayStore {
  readonly limits: StoreLimits;
  readonly maxStreams: number;
  private readonly streams = new Map<string, Entry>();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.limits = storeLimits(options);
    const maxStreams = options.maxStreams ?? 1000;
    if (!Number.isSafeInteger(maxStreams) || maxStreams <= 0) throw new StreamError("OPTIONS", `maxStreams must be a positive integer, got ${String(maxStreams)}.`);
    this.maxStreams = maxStreams;
  }

  /** Streams held now. */
  get size(): number {
    return this.streams.size;
  }

  /** Payload bytes held now, with a small per-part overhead: what the store's memory amounts to. */
  get bytesHeld(): number {
    let bytes = 0;
    for (const entry of this.streams.values()) bytes += entry.bytes + entry.parts.length * PART_OVERHEAD;
    return bytes;
  }

  async create(streamId: string, codec?: string): Promise<boolean> {
    this.sweep();
    if (this.streams.has(streamId)) return false;
    if (this.streams.size >= this.maxStreams && !this.dropOldestEnded()) {
      throw new StreamError("LIMIT", `The memory replay store holds ${this.maxStreams} running streams (maxStreams); "${streamId}" cannot start until one ends.`);
    }
    this.streams.set(streamId, { parts: [], codec, bytes: 0, ended: false, stopRequested: false, expiresAt: Date.now() + this.limits.ttlMs, waiters: new Set() });
    this.startSweeping();
    return true;
  }

  async append(streamId: string, part: StoredPart): Promise<void> {
    const entry = this.live(streamId);
    if (entry === undefined) throw goneError(streamId, "it expired or was deleted before this part was written");
    const last = entry.parts[entry.parts.length - 1]?.id ?? -1;
    if (part.id <= last && last >= 0) {
      if (part.kind !== FrameKind.ERROR || entry.ended) return; // a retry of a part already stored
      part = { ...part, id: last + 1 }; // an error part after parts the store took late: it goes at the end
    }
    if (entry.ended) throw new StreamError("ORDER", `The durable stream "${streamId}" has ended; nothing may be appended after its end.`);
    if (!isNextId(last, part.id, part.first === true)) throw new StreamError("ORDER", `Part ${part.id} cannot follow part ${last} of "${streamId}": parts are appended in sequence.`);
    const over = limitError(streamId, this.limits, entry.parts.length, entry.bytes, part);
    if (over !== undefined) throw over;
    entry.parts.push(part);
    entry.bytes += part.payload.length;
    entry.ended = isTerminal(part.kind);
    entry.expiresAt = Date.now() + this.limits.ttlMs;
    wake(entry);
  }

  async *read(streamId: string, after: number, signal: AbortSignal, codec?: string): AsyncIterable<StoredPart> {
    let position = after;
    const first = this.live(streamId);
    if (first !== undefined) {
      checkCodec(streamId, first.codec, codec);
      const last = first.parts[first.parts.length - 1]?.id ?? -1;
      if (first.ended && after >= last) throw goneError(streamId, `the position asked for, ${after}, is at or past its end (part ${last})`);
    }
    for (;;) {
      if (signal.aborted) return;
      const entry = this.live(streamId);
      if (entry === undefined) throw goneError(streamId, position === after ? "it expired, was deleted, or never existed" : "it expired while it was read");
      const parts = entry.parts;
      let i = firstAfter(parts, position);
      for (; i < parts.length; i++) {
        const part = parts[i]!;
        yield part;
        position = part.id;
        if (isTerminal(part.kind)) return;
        if (signal.aborted) return;
      }
      if (entry.ended) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          entry.waiters.delete(done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        entry.waiters.add(done);
        signal.addEventListener("abort", done, { once: true });
      });
    }
  }

  async delete(streamId: string): Promise<void> {
    const entry = this.streams.get(streamId);
    if (entry === undefined) return;
    this.streams.delete(streamId);
    wake(entry);
  }

  /** The producer runs in this process: no lease to keep; says whether a stop was requested. */
  async renew(streamId: string): Promise<boolean> {
    return this.live(streamId)?.stopRequested === true;
  }

  async requestStop(streamId: string): Promise<boolean> {
    const entry = this.live(streamId);
    if (entry === undefined || entry.ended) return false;
    entry.stopRequested = true;
    return true;
  }

  async close(): Promise<void> {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const id of [...this.streams.keys()]) await this.delete(id);
  }

  /** Removes the stream that ended longest ago, to make room; false when every stream held is running. */
  private dropOldestEnded(): boolean {
    let oldest: [string, Entry] | undefined;
    for (const pair of this.streams) if (pair[1].ended && (oldest === undefined || pair[1].expiresAt < oldest[1].expiresAt)) oldest = pair;
    if (oldest === undefined) return false;
    this.streams.delete(oldest[0]);
    wake(oldest[1]);
    return true;
  }

  /** The stream, unless it has expired (then it is removed, and its readers woken to find it gone). */
  private live(streamId: string): Entry | undefined {
    const entry = this.streams.get(streamId);
    if (entry === undefined || entry.expiresAt > Date.now()) return entry;
    this.streams.delete(streamId);
    wake(entry);
    return undefined;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.streams) {
      if (entry.expiresAt <= now) {
        this.streams.delete(id);
        wake(entry);
      }
    }
    if (this.streams.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** Expired streams go even when nobody touches the store: a timer that does not keep the process alive. */
  private startSweeping(): void {
    if (this.sweeper !== undefined) return;
    const every = Math.min(30_000, Math.max(50, Math.floor(this.limits.ttlMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    (this.sweeper as { unref?: () => void }).unref?.();
  }
}

function wake(entry: Entry): void {
  for (const waiter of [...entry.waiters]) waiter();
}

/** The index of the first part with an id above `position` (ids only increase). */
function firstAfter(parts: readonly StoredPart[], position: number): number {
  let lo = 0;
  let hi = parts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (parts[mid]!.id <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
