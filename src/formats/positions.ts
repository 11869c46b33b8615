// Stream positions shared by the resumable formats: the id of every part, where a resumed stream starts, and which repeats a reader skips.
import { StreamError, messageOf } from "../errors.js";
import type { ResumePoint } from "../format.js";
import { FrameKind } from "../protocol.js";

/**
 * Where a resumed stream continues: after `Last-Event-ID: k` the next item is index k (item k − 1 had id k).
 * Anything that is not an id this library writes (a client's garbage, an id from another server) starts over
 * from the beginning (undefined): the reader skips what it already has, so nothing is delivered twice.
 *
 * @example
 * resumeIndex("4"); // 4
 * resumeIndex("abc"); // undefined
 */
export function resumeIndex(resumeAfter: string | null | undefined): number | undefined {
  if (typeof resumeAfter !== "string" || !/^\d{1,15}$/.test(resumeAfter)) return undefined;
  return Number(resumeAfter);
}

/**
 * The position a resume frame carries (the id of the last part the reader has), decoded by `decode`; `FORMAT`
 * when it does not decode or is not a non-negative integer.
 *
 * @example
 * resumePosition(() => 4); // 4
 */
export function resumePosition(decode: () => unknown): number {
  let value: unknown;
  try {
    value = decode();
  } catch (err) {
    throw new StreamError("FORMAT", `A resume frame's payload does not decode: ${messageOf(err)}.`, { cause: err });
  }
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new StreamError("FORMAT", `A resume frame must carry the id of the last part the reader has (a non-negative integer), not ${JSON.stringify(String(value)).slice(0, 40)}.`);
}

/**
 * The ids a writer gives its parts: the header is 0, item i is i + 1 (whatever was resumed), and the footer, the
 * end and an error take the next ids after the last one written. A writer resumed after id k starts its items at
 * index k.
 */
export class PartIds {
  private items: number;
  private last: number;

  /** `resumed`: the stream continues after id `startIndex` (also after id 0, the header), so later parts follow it. */
  constructor(
    readonly startIndex: number,
    resumed = startIndex > 0,
  ) {
    this.items = startIndex;
    this.last = resumed ? startIndex : -1;
  }

  /** The id of the next part of this kind. */
  next(kind: number): number {
    let id: number;
    if (kind === FrameKind.HEADER) id = 0;
    else if (kind === FrameKind.ITEM) id = ++this.items;
    else id = this.last + 1;
    if (id > this.last) this.last = id;
    return id;
  }
}

/**
 * What a reader has received, across the connections of one stream: its position (`lastEventId`, sent as
 * `Last-Event-ID` when it reconnects) and which parts a producer sends again are repeats to skip. Parts carry
 * ids: explicitly (SSE `id:` fields) or implicitly, counted on each connection from where its resume frame says
 * it starts (binary, NDJSON). A repeat is a part with an id at or before the last delivered, a second header,
 * or a second footer. A gap is `FORMAT`: an item whose id skips ahead, a footer or end whose id is past the
 * next one, a resume frame anywhere but first on its connection (it would renumber the parts after it).
 */
export class ReceivedParts implements ResumePoint {
  private items = 0;
  private lastId = -1;
  /** The highest numeric id received, repeats included: a part past the next one means parts are missing. */
  private highestId = -1;
  private headerSeen = false;
  private footerSeen = false;
  private lastText: string | undefined;
  /** Implicit ids on this connection: items so far (from the resume frame), and the last id. */
  private connectionItems = 0;
  private connectionLast = -1;
  /** Counted ids repeat only on a connection after the first: on the first one, the stream's order is the reader's to judge. */
  private resumed = false;
  /** Whether this connection has had a part (or a resume frame) yet: a resume frame may only open it. */
  private connectionStarted = false;

  constructor(private readonly onReconnect: () => void) {}

  get lastEventId(): string | undefined {
    return this.lastText ?? (this.lastId < 0 ? undefined : String(this.lastId));
  }

  /** The reader starts with every part up to `position` (header 0, item i at i + 1): ids are judged from the first connection on. */
  startAfter(given: string | number): void {
    const position = typeof given === "number" || /^\d{1,15}$/.test(given) ? Number(given) : -1;
    if (!(Number.isSafeInteger(position) && position >= 0)) throw new StreamError("OPTIONS", "startAfter must be a Last-Event-ID: an integer ≥ 0.");
    this.resumed = true;
    this.lastId = position;
    this.items = position;
    this.headerSeen = true;
  }

  reconnected(): void {
    this.resumed = true;
    this.connectionItems = 0;
    this.connectionLast = -1;
    this.connectionStarted = false;
    this.onReconnect();
  }

  /** A resume frame: this connection continues after id `after`, so its next item is index `after`. */
  resumedAt(after: number): void {
    if (this.connectionStarted) {
      throw new StreamError("FORMAT", `A resume frame (after id ${after}) in the middle of a connection, where it would renumber the parts after it: it may only open one.`);
    }
    this.connectionStarted = true;
    this.connectionItems = after;
    this.connectionLast = after;
  }

  /** True on the first connection, where counted items are never repeats: a decoder may count a run of them at once. */
  get firstConnection(): boolean {
    return !this.resumed;
  }

  /** `count` items on the first connection, counted as isRepeatCounted counts them one by one. */
  countItems(count: number): void {
    this.connectionStarted = true;
    const id = (this.connectionItems += count);
    if (id > this.connectionLast) this.connectionLast = id;
    this.items = id;
    this.delivered(id, undefined);
  }

  /** For formats with implicit ids: the part's id on this connection, then whether it is a repeat. */
  isRepeatCounted(kind: number): boolean {
    let id: number;
    this.connectionStarted = true;
    if (kind === FrameKind.KEEPALIVE) return false;
    if (kind === FrameKind.HEADER) id = 0;
    else if (kind === FrameKind.ITEM) id = ++this.connectionItems;
    else id = this.connectionLast + 1;
    if (id > this.connectionLast) this.connectionLast = id;
    if (this.resumed) return this.isRepeatId(kind, id, undefined);
    // The first connection: note what was delivered, for where to resume; judge nothing.
    if (kind === FrameKind.HEADER) this.headerSeen = true;
    else if (kind === FrameKind.FOOTER) this.footerSeen = true;
    else if (kind === FrameKind.ITEM) this.items = id;
    return this.delivered(id, undefined);
  }

  /** Whether a part with this id (as received; undefined when it has none) is one the reader already has. */
  isRepeat(kind: number, id: string | undefined): boolean {
    if (id === undefined) return false; // parts without ids carry no order: the reader judges them
    return this.isRepeatId(kind, /^\d{1,15}$/.test(id) ? Number(id) : -1, id);
  }

  /** `numeric`: the id as a number, or -1 when it is not one; `text`: the id as received (undefined: counted). */
  private isRepeatId(kind: number, numeric: number, text: string | undefined): boolean {
    const id = text;
    // Past the next id: parts are missing, before an item, the footer or the end. Not an error part, which ends the
    // stream short anyway and says why (a store's GONE, say), nor a header, whose other ids the reader judges.
    const past = numeric > this.highestId + 1;
    if (past && (kind === FrameKind.FOOTER || kind === FrameKind.END)) throw this.gap(kind, numeric);
    if (numeric > this.highestId) this.highestId = numeric;
    if (numeric >= 0 && numeric <= this.lastId) return true;
    if (kind === FrameKind.HEADER) {
      // This library's header is always id 0: a header with another id is not a repeat, and the reader judges it.
      const repeat = this.headerSeen && numeric === 0;
      this.headerSeen = true;
      return repeat || this.delivered(numeric, id);
    }
    if (kind === FrameKind.FOOTER) {
      const repeat = this.footerSeen;
      this.footerSeen = true;
      return repeat || this.delivered(numeric, id);
    }
    if (kind !== FrameKind.ITEM || numeric < 0) return this.delivered(numeric, id);
    if (numeric <= this.items) return true;
    if (numeric !== this.items + 1) {
      if (past) throw this.gap(kind, numeric);
      // The ids run on, but not as items: an item after the footer, say. The order rules judge it (ORDER).
      this.items = numeric - 1;
    }
    this.items++;
    return this.delivered(numeric, id);
  }

  /** Parts are missing before the one with id `numeric`: FORMAT, since the stream would otherwise complete short. */
  private gap(kind: number, numeric: number): StreamError {
    const item = kind === FrameKind.ITEM;
    return new StreamError(
      "FORMAT",
      `Parts are missing: expected the ${item ? "item" : kind === FrameKind.END ? "end" : "footer"} with id ${item ? this.items + 1 : this.highestId + 1}, got id ${numeric}. The producer skipped parts or resumed from the wrong place.`,
    );
  }

  private delivered(numeric: number, id: string | undefined): false {
    if (numeric > this.lastId) this.lastId = numeric;
    if (numeric > this.highestId) this.highestId = numeric;
    this.lastText = id;
    return false;
  }
}
