// Fan-out of a durable stream's live parts on one instance: one read of the store per stream, each part framed once per format, the same bytes written to every caught-up reader.
import type { Format, FrameEncoder } from "../format.js";
import { FrameKind } from "../protocol.js";
import { goneError, isTerminal, type ReplayStore, type StoredPart } from "./store.js";
import { Positions } from "./parts.js";
import { enqueueDelivery } from "./delivery-queue.js";
import { StoreOutage } from "./store-outage.js";

const EMPTY = new Uint8Array(0);
/** The latest parts a fan keeps, so that a reader a few parts behind (it connected as a part arrived) catches up without a read of the store. */
const RECENT_PARTS = 32;

/** A reader that a fan writes to: its position, its format, and what it does with each frame. */
export interface FanMember {
  /** The id of the last part this reader has. */
  readonly position: number;
  readonly format: Format;
  /** Keep-alive frames after this long without a part (undefined: none). Readers of one format and interval share a group. */
  readonly keepAliveMs: number | undefined;
  /** The group's frame of `part`, the same bytes for every caught-up reader of this format: write it, and take `part.id` as the position. */
  take(frame: Uint8Array, part: StoredPart): void;
  /** The group's keep-alive frame. */
  keepAlive(frame: Uint8Array): void;
  /** The fan's read failed for good (GONE, FORMAT, STORE after its retries): the reader ends with it. */
  fail(err: unknown): void;
}

/** How the fan reads: the bound on an outage, the largest payload its encoders frame, and a format of its codec (for the error part a lapsed lease calls for). */
export interface FanOptions {
  readonly retryStoreMs: number;
  readonly maxPayloadBytes: number;
  readonly format: Format;
}

/** The caught-up readers of one format (and keep-alive interval): one encoder, one frame per part for all of them. */
class Group {
  readonly members = new Set<FanMember>();
  /** When a frame was last written to the group: keep-alives go out when it was keepAliveMs ago. */
  lastWrite = Date.now();
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly format: Format,
    readonly keepAliveMs: number | undefined,
    /** Framed every part of the stream since the group began, so its ids are where the fan is. */
    readonly encoder: FrameEncoder,
  ) {
    if (keepAliveMs !== undefined) {
      this.timer = setInterval(() => this.keepAlive(), keepAliveMs);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  private keepAlive(): void {
    const now = Date.now();
    if (now - this.lastWrite < this.keepAliveMs!) return;
    this.lastWrite = now;
    const frame = this.encoder.frame(FrameKind.KEEPALIVE, EMPTY);
    for (const member of this.members) member.keepAlive(frame);
  }

  close(): void {
    clearInterval(this.timer);
  }
}

const fans = new WeakMap<ReplayStore, Map<string, StreamFan>>();

/**
 * One stream's live parts on this instance, for every reader of it here: a single read of the store (which, on
 * Redis, is one subscriber of the store's shared tail), and per format one encoder whose frame of each part is
 * written, as the same bytes, to every reader of that format that has caught up. A reader behind the fan reads the
 * store from its own position until it has caught up, then joins; one ahead of it (it began further on) waits
 * until the fan reaches its position. The fan rides out store outages once for all of its readers (retryStoreMs),
 * and ends when its stream ends or its last reader leaves.
 *
 * @example
 * const fan = StreamFan.at(store, "chat-1", "msgpack", reader.position, { retryStoreMs: 10_000, maxPayloadBytes });
 * if (fan.join(reader) === "behind") await readFromStore(reader); // then join again
 */
export class StreamFan {
  /** The id of the last part the fan has handed out (where it began, before the first). */
  last: number;
  private readonly groups: Group[] = [];
  /** Readers further on than the fan: they join their group when the fan reaches them. */
  private readonly ahead = new Set<FanMember>();
  private readonly abort = new AbortController();
  private readonly positions: Positions;
  /** The latest parts handed out, oldest first: every part after `recentAfter`. */
  private readonly recent: StoredPart[] = [];
  private recentAfter: number;
  private closed = false;

  private constructor(
    private readonly store: ReplayStore,
    private readonly streamId: string,
    private readonly codec: string,
    private readonly key: string,
    start: number,
    private readonly options: FanOptions,
  ) {
    this.last = start;
    this.recentAfter = start;
    this.positions = new Positions(start);
  }

  /** The fan of `streamId` in `codec` on this instance, or undefined when no reader here follows it live. */
  static of(store: ReplayStore, streamId: string, codec: string): StreamFan | undefined {
    return fans.get(store)?.get(fanKey(streamId, codec));
  }

  /** The fan of `streamId` in `codec`: the one there is, or a new one that reads the store from after `start`. */
  static at(store: ReplayStore, streamId: string, codec: string, start: number, options: FanOptions): StreamFan {
    let byStream = fans.get(store);
    if (byStream === undefined) fans.set(store, (byStream = new Map()));
    const key = fanKey(streamId, codec);
    let fan = byStream.get(key);
    if (fan === undefined) {
      byStream.set(key, (fan = new StreamFan(store, streamId, codec, key, start, options)));
      void fan.run();
    }
    return fan;
  }

  /** Readers written to (caught up or waiting ahead): for tests and the bench. */
  get readers(): number {
    let n = this.ahead.size;
    for (const group of this.groups) n += group.members.size;
    return n;
  }

  /**
   * Adds `member` if it has caught up ("live": it gets every part after `last`) or is further on ("ahead"). A
   * reader behind the fan is not added ("behind"): it reads the store up to the fan, then joins again.
   */
  join(member: FanMember): "live" | "ahead" | "behind" {
    if (member.position < this.last) return "behind";
    if (member.position > this.last) {
      this.ahead.add(member);
      return "ahead";
    }
    this.groupOf(member).members.add(member);
    return "live";
  }

  /** The parts after `position` up to `last`, when the fan still has them all in memory; else undefined (read the store). */
  since(position: number): readonly StoredPart[] | undefined {
    if (position < this.recentAfter) return undefined;
    return this.recent.filter((part) => part.id > position);
  }

  /** Removes `member` (it ended, left, or fell behind); the fan ends with its last reader. */
  leave(member: FanMember): void {
    this.ahead.delete(member);
    for (let i = 0; i < this.groups.length; i++) {
      const group = this.groups[i]!;
      if (!group.members.delete(member) || group.members.size > 0) continue;
      group.close();
      this.groups.splice(i, 1);
      break;
    }
    if (this.readers === 0) this.close();
  }

  private groupOf(member: FanMember): Group {
    for (const group of this.groups) if (group.format === member.format && group.keepAliveMs === member.keepAliveMs) return group;
    const group = new Group(member.format, member.keepAliveMs, alignedEncoder(member.format, this.last, this.options.maxPayloadBytes));
    this.groups.push(group);
    return group;
  }

  /**
   * Reads the store once for every reader here, from after `last`, and queues each part for delivery (see
   * delivery-queue.ts): the read runs ahead of the deliveries when they lag, the parts waiting in order.
   */
  private async run(): Promise<void> {
    const outage = new StoreOutage(this.store, this.streamId, this.options.format, this.options.retryStoreMs);
    let fetched = this.last;
    for (;;) {
      try {
        for await (const part of this.store.read(this.streamId, fetched, this.abort.signal, this.codec)) {
          if (this.closed) return;
          const expected = this.positions.peek(part.kind);
          if (part.id !== expected) throw goneError(this.streamId, `the part with id ${expected} is missing: the store gave ${part.id}`);
          this.positions.take(part.kind);
          outage.recovered();
          fetched = part.id;
          enqueueDelivery(() => this.deliver(part));
          if (isTerminal(part.kind)) return;
        }
        if (this.closed) return;
        throw goneError(this.streamId, "the replay store stopped giving its parts before its end");
      } catch (err) {
        if (this.closed) return;
        try {
          await outage.retry(err, fetched);
        } catch (final) {
          enqueueDelivery(() => this.fail(final));
          return;
        }
        if (this.closed) return;
      }
    }
  }

  /** Hands `part` to every reader (those waiting ahead whose next part it is join first); returns the writes made. */
  private deliver(part: StoredPart): number {
    if (this.closed) return 0;
    for (const member of this.ahead) {
      if (member.position >= part.id) continue;
      this.ahead.delete(member);
      this.groupOf(member).members.add(member);
    }
    this.last = part.id;
    this.recent.push(part);
    if (this.recent.length > RECENT_PARTS) this.recentAfter = this.recent.shift()!.id;
    const now = Date.now();
    let writes = 0;
    for (const group of [...this.groups]) {
      const frame = group.encoder.frame(part.kind, part.payload);
      group.lastWrite = now;
      writes += group.members.size;
      for (const member of group.members) member.take(frame, part);
    }
    if (isTerminal(part.kind)) this.close();
    return writes;
  }

  private fail(err: unknown): number {
    if (this.closed) return 0;
    const members = [...this.ahead];
    for (const group of this.groups) members.push(...group.members);
    this.close();
    for (const member of members) member.fail(err);
    return members.length;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    for (const group of this.groups) group.close();
    const byStream = fans.get(this.store);
    if (byStream?.get(this.key) === this) byStream.delete(this.key);
  }
}

function fanKey(streamId: string, codec: string): string {
  return `${codec}\u0000${streamId}`;
}

/**
 * An encoder of `format` for a stream whose readers have every part up to `position`: ids continue from there,
 * and the opening bytes (the binary marker, a resume frame) are already taken, since they are each reader's own.
 */
export function alignedEncoder(format: Format, position: number, maxPayloadBytes: number): FrameEncoder {
  const encoder = format.encoder({ resumeAfter: position >= 0 ? String(position) : undefined, maxPayloadBytes });
  encoder.frame(FrameKind.KEEPALIVE, EMPTY); // keep-alive frames carry no id: this only takes the opening
  return encoder;
}

/**
 * The bytes a response of `encoder` (fresh, nothing framed yet) opens with before its first part: the binary
 * marker and resume frame, the NDJSON resume line, nothing for SSE. The encoder is aligned afterwards.
 */
export function openingBytes(encoder: FrameEncoder): Uint8Array {
  const first = encoder.frame(FrameKind.KEEPALIVE, EMPTY);
  const keepAlive = encoder.frame(FrameKind.KEEPALIVE, EMPTY);
  return first.subarray(0, first.length - keepAlive.length);
}
