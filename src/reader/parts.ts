// Frames → validated parts in wire order: the decoding loop of the reader, run synchronously over the bytes at hand.
import { StreamError, messageOf } from "../errors.js";
import type { Frame, FrameDecoder } from "../format.js";
import { FrameKind, aFrame } from "../protocol.js";
import type { StreamSpec } from "../spec.js";
import { remoteError } from "./messages.js";
import { NO_ITEM, type DecodedItems } from "./iterators.js";
import { PartValues, SKIPPED, type KindFilter } from "./part-values.js";

export { kindFilter, type KindFilter } from "./part-values.js";

/** Where the stream's frames have got to (the reader's order rules; the CLI's inspection uses them too). */
export const enum Wire {
  Start,
  Header,
  Items,
  Footer,
  Ended,
}

/**
 * The most parts decoded ahead of the reader. Decoding stops there and resumes when the reader has taken them,
 * so the reader never holds more than this many decoded values, nor reads past the chunk in hand.
 */
export const QUEUE_PARTS = 256;

/**
 * Decodes the complete frames buffered in a format's decoder into a queue of parts (header, items, footer, end),
 * each decoded by the format's codec and validated, in one synchronous loop: a fast stream pays for one await
 * per chunk, not per item. Frames out of the stream's order, undecodable or invalid values and error frames stop
 * the loop; the error waits behind the parts decoded before it, so nothing good is lost.
 */
export class PartQueue implements DecodedItems {
  private readonly kinds = new Uint8Array(QUEUE_PARTS);
  private readonly values: unknown[] = new Array<unknown>(QUEUE_PARTS).fill(undefined);
  private head = 0;
  private tail = 0;
  /** Where the decoder's fast path puts a run of decoded values before they are validated. */
  private readonly decoded: unknown[] = [];
  private wire = Wire.Start;
  /** The error found after the queued parts; the reader raises it once they are taken. */
  error: unknown = undefined;
  /** Items decoded so far. */
  items = 0;
  /** Items taken by the reader so far. */
  itemsTaken = 0;
  /** Frames and payloads → the values delivered: codec, schema, unknown kinds. */
  private readonly checked: PartValues;

  constructor(
    readonly spec: StreamSpec,
    readonly decoder: FrameDecoder,
    private readonly maxItems: number,
    kindFilter?: KindFilter | undefined,
  ) {
    this.checked = new PartValues(spec, decoder, kindFilter);
  }

  /** Items of unknown kinds skipped so far (the `unknownKinds` option). */
  get itemsSkipped(): number {
    return this.checked.skipped;
  }

  /** Parts decoded and not taken yet. */
  get size(): number {
    return this.tail - this.head;
  }

  /** The kind of the next part; call only when size > 0. */
  peek(): number {
    return this.kinds[this.head]!;
  }

  /** Takes the next part's value. */
  take(): unknown {
    const value = this.values[this.head];
    if (this.kinds[this.head] === FrameKind.ITEM) this.itemsTaken++;
    this.values[this.head] = undefined; // delivered: the queue no longer keeps it alive
    if (++this.head === this.tail) this.reset();
    return value;
  }

  /** The item at the front, taken; NO_ITEM when the front holds no decoded item. */
  takeDecodedItem(): unknown {
    return this.head < this.tail && this.kinds[this.head] === FrameKind.ITEM ? this.take() : NO_ITEM;
  }

  /** Takes up to `max` items from the front into `batch`; stops at any other part. */
  takeItems(batch: unknown[], max: number): void {
    while (batch.length < max && this.head < this.tail && this.kinds[this.head] === FrameKind.ITEM) batch.push(this.take());
  }

  /** Drops every queued part (the reader failed or was cancelled). */
  clear(): void {
    this.reset();
  }

  /**
   * Decodes what is buffered, up to QUEUE_PARTS parts, stopping at the end frame or an error. Given `batch` while
   * the queue is empty, items go straight into it (up to `max`), without passing through the queue; the first
   * other part is queued and ends the batch.
   */
  fill(batch?: unknown[], max = 0): void {
    if (this.error !== undefined || this.wire === Wire.Ended) return;
    const decoder = this.decoder;
    if (decoder.awaitsBytes?.() === true) return;
    const direct = batch !== undefined && this.tail === this.head;
    try {
      for (;;) {
        const room = direct ? max - batch.length : QUEUE_PARTS - this.tail;
        if (room <= 0) return;
        if (this.runOfItems(direct ? batch : undefined, room)) continue;
        const frame = decoder.next();
        if (frame === undefined) return;
        const kind = frame.kind;
        if (kind === FrameKind.ITEM) {
          if (this.wire > Wire.Items) throw afterFooter(kind);
          if (this.items >= this.maxItems) {
            throw new StreamError("LIMIT", `The stream has more than ${this.maxItems} items (maxItems). Raise maxItems if that many are expected.`);
          }
          const value = this.checked.decode(frame, "item", this.items);
          this.items++;
          this.wire = Wire.Items;
          if (value !== SKIPPED) this.deliver(batch, direct, value);
        } else if (!this.other(frame) || (direct && this.tail > this.head)) return;
      }
    } catch (err) {
      this.error = err;
    }
  }

  /**
   * The decoder's fast path (FrameDecoder.nextItems): a run of item frames decoded in one loop, then validated
   * and delivered in order; false when it took none, and the next frame goes the usual way. Values a compiled
   * codec decoded (and so checked) are written straight where they go: the caller's batch, or the queue.
   */
  private runOfItems(batch: unknown[] | undefined, room: number): boolean {
    const decoder = this.decoder;
    if (decoder.nextItems === undefined || this.wire > Wire.Items) return false;
    const max = Math.min(room, this.maxItems - this.items);
    const compiled = this.spec.compiled.item;
    if (compiled?.read !== undefined) {
      const count = batch !== undefined ? decoder.nextItems(batch, batch.length, max, compiled) : decoder.nextItems(this.values, this.tail, max, compiled);
      if (count === 0) return false;
      this.wire = Wire.Items;
      this.items += count;
      if (batch !== undefined) this.itemsTaken += count;
      else {
        const kinds = this.kinds;
        const end = this.tail + count;
        for (let at = this.tail; at < end; at++) kinds[at] = FrameKind.ITEM; // not fill(): a builtin call costs more for the usual run of one
        this.tail = end;
      }
      return true;
    }
    const decoded = this.decoded;
    const count = decoder.nextItems(decoded, 0, max, undefined);
    if (count === 0) return false;
    this.wire = Wire.Items;
    try {
      for (let i = 0; i < count; i++) {
        const value = this.checked.accept(decoded[i], "item", this.items);
        decoded[i] = undefined; // the array holds no value past the run
        this.items++;
        if (value !== SKIPPED) this.deliver(batch, batch !== undefined, value);
      }
    } catch (err) {
      decoded.fill(undefined, 0, count); // the values not taken
      throw err;
    }
    return true;
  }

  /** An item into the caller's batch (`direct`), or into the queue. */
  private deliver(batch: unknown[] | undefined, direct: boolean, value: unknown): void {
    if (direct) {
      batch!.push(value);
      this.itemsTaken++;
    } else {
      this.push(FrameKind.ITEM, value);
    }
  }

  /** The input ended: a format where that is the end (truss) supplies its end frame; a text framing flushes its last line. */
  endOfInput(): void {
    const end = this.decoder.atEnd();
    this.fill();
    if (end !== undefined && this.error === undefined && this.wire !== Wire.Ended) {
      this.push(FrameKind.END, undefined);
      this.wire = Wire.Ended;
    }
  }

  /** Any frame but an item; false when decoding stops here. */
  private other(frame: Frame): boolean {
    const kind = frame.kind;
    switch (kind) {
      case FrameKind.KEEPALIVE:
        return true;
      case FrameKind.HEADER:
        if (!this.spec.hasHeader) {
          throw new StreamError("ORDER", "The stream has a header frame, but these stream types declare no header: add the header schema to streamTypes(Item, Header).");
        }
        if (this.wire !== Wire.Start) throw new StreamError("ORDER", `A header frame after ${this.items} items: the header may only be the first frame.`);
        this.push(kind, this.checked.decode(frame, "header", undefined));
        this.wire = Wire.Header;
        break;
      case FrameKind.FOOTER:
        if (!this.spec.hasFooter) {
          throw new StreamError("ORDER", "The stream has a footer frame, but these stream types declare no footer: add the footer schema to streamTypes(Item, Header, Footer).");
        }
        if (this.wire > Wire.Items) throw afterFooter(kind);
        this.push(kind, this.checked.decode(frame, "footer", undefined));
        this.wire = Wire.Footer;
        break;
      case FrameKind.END:
        this.push(kind, undefined);
        this.wire = Wire.Ended;
        break;
      case FrameKind.ERROR: {
        let info: unknown;
        try {
          info = this.decoder.value(frame);
        } catch (err) {
          throw new StreamError("FORMAT", `The producer sent an error frame that does not decode: ${messageOf(err)}.`, { cause: err });
        }
        throw remoteError(info, this.items);
      }
      default:
        throw new StreamError("FORMAT", `Unexpected ${aFrame(kind)} in the stream.`);
    }
    return this.wire !== Wire.Ended;
  }

  private push(kind: number, value: unknown): void {
    this.kinds[this.tail] = kind;
    this.values[this.tail++] = value;
  }

  private reset(): void {
    if (this.tail > this.head) this.values.fill(undefined, this.head, this.tail);
    this.head = 0;
    this.tail = 0;
  }
}

function afterFooter(kind: number): StreamError {
  return new StreamError("ORDER", `${aFrame(kind, true)} follows the footer; only the end frame may follow it.`);
}
