// A Server-Sent Events parser over bytes (the grammar in docs/framings.md): linear time for any chunking, memory bounded by its limits.
import { StreamError } from "../errors.js";

/** One dispatched event, as eventsource-parser gives it: `event` undefined for a `message` event. */
export interface SseMessage {
  readonly event: string | undefined;
  readonly id: string | undefined;
  readonly data: string;
}

/** What the parser reports, and its limits in bytes. */
export interface SseParserOptions {
  onEvent(message: SseMessage): void;
  /** A comment line (a keep-alive); its text is never looked at. */
  onComment?(): void;
  /** `FORMAT` or `LIMIT`; the parser takes no more input after it. */
  onError(error: StreamError): void;
  /** The most bytes of data one event carries, its data lines joined with LF: more is `LIMIT` as soon as it arrives. */
  readonly maxDataBytes: number;
  /** The longest line, without its line break: longer is `LIMIT` as soon as it arrives. */
  readonly maxLineBytes: number;
}

/** The longest id kept (a `Last-Event-ID` to send back): longer is `LIMIT`. */
export const MAX_ID_BYTES = 256;
/** Event names longer than this match no part; only this much is kept, for the message. */
const MAX_NAME_KEPT = 40;

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const BOM = [0xef, 0xbb, 0xbf];
const EMPTY = new Uint8Array(0);
/** A data buffer larger than this is dropped after its event instead of being kept for the next. */
const KEEP_BUFFER_BYTES = 64 * 1024;

/** What the line being received is, once its field name is known. */
const NAME = 0;
const COMMENT = 1;
const DATA = 2;
const EVENT = 3;
const ID = 4;
const RETRY = 5;
const FIELDS: Record<string, number> = { "": COMMENT, data: DATA, event: EVENT, id: ID, retry: RETRY };
const LF_BYTE = Uint8Array.of(LF);

/** The field a name is (its bytes), or -1: compared byte by byte, as a line costs no string. */
function fieldOf(name: Uint8Array, length: number): number {
  const b = name[0];
  if (length === 0) return COMMENT;
  if (length === 4 && b === 0x64 && name[1] === 0x61 && name[2] === 0x74 && name[3] === 0x61) return DATA;
  if (length === 5 && b === 0x65 && name[1] === 0x76 && name[2] === 0x65 && name[3] === 0x6e && name[4] === 0x74) return EVENT;
  if (length === 2 && b === 0x69 && name[1] === 0x64) return ID;
  if (length === 5 && b === 0x72 && name[1] === 0x65 && name[2] === 0x74 && name[3] === 0x72 && name[4] === 0x79) return RETRY;
  return -1;
}

/**
 * Parses SSE bytes into events, like eventsource-parser's `createParser` but over bytes and for untrusted input:
 * every byte is looked at a constant number of times whatever the chunking (eventsource-parser 3.0 searches for a CR
 * from every line start, and joins a line's fragments again at every chunk), and what it holds is bounded:
 * an event's data (at most `maxDataBytes`), an id (at most 256 bytes), 40 bytes of an event name, and a few counters;
 * comment lines are skipped as they arrive. Every error is raised at the byte that causes it, so the result does
 * not depend on how the input was cut into chunks. A UTF-8 BOM at the start is skipped; lines end with CR LF, LF or CR.
 *
 * @example
 * const parser = createSseParser({ onEvent: (e) => console.log(e.event, e.data), onError: (e) => { throw e; }, maxDataBytes: 1 << 20, maxLineBytes: (1 << 20) + 256 });
 * parser.feed(new TextEncoder().encode("event: item\ndata: 1\n\n")); // item 1
 */
export function createSseParser(options: SseParserOptions): SseParser {
  return new SseParser(options);
}

/** The parser behind {@link createSseParser}: one per connection; see there. */
export class SseParser {
  private failed = false;
  private started = false; // past a BOM, or sure there is none
  private bomMatched = 0;
  private afterCr = false; // the last line ended with CR: an LF right after it belongs to that line break
  private field = NAME;
  private lineBytes = 0;
  private readonly name = new Uint8Array(5);
  private nameLength = 0;
  private atValue = false; // right after the colon: one space is skipped
  private readonly value = new Uint8Array(MAX_ID_BYTES); // the start of an id or event name being received
  private lastValue = ""; // the last event name, reused when the next one has the same bytes
  private valueLength = 0; // bytes of it kept in `value`
  private valueBytes = 0; // bytes of it received
  private retryDigits = true;
  // The event being built.
  private readonly data: EventData;
  private dataLines = 0;
  private event: string | undefined;
  private id: string | undefined;
  /** Bytes since the last event or comment completed: what an unfinished event has received. */
  pendingBytes = 0;
  private readonly text = new TextDecoder("utf-8", { fatal: true });

  constructor(private readonly options: SseParserOptions) {
    this.data = new EventData(options.maxDataBytes);
  }

  /** Bytes of data held for the event being built. */
  get heldBytes(): number {
    return this.data.size;
  }

  feed(chunk: Uint8Array): void {
    if (this.failed || chunk.length === 0) return;
    let from = 0;
    if (!this.started) {
      while (from < chunk.length && this.bomMatched < 3 && chunk[from] === BOM[this.bomMatched]) from++, this.bomMatched++;
      if (this.bomMatched < 3 && from === chunk.length) return; // all a BOM's beginning so far
      this.started = true;
      if (this.bomMatched < 3 && this.bomMatched > 0) this.scan(Uint8Array.from(BOM.slice(0, this.bomMatched)), 0); // not a BOM after all
    }
    this.scan(chunk, from);
    this.data.own(); // the chunk is not ours to keep
  }

  /** The input ended: an unfinished line that cannot become an SSE line is `FORMAT` (else the caller reports it as cut). */
  end(): void {
    if (!this.started && this.bomMatched > 0 && !this.failed) {
      this.started = true;
      this.scan(Uint8Array.from(BOM.slice(0, this.bomMatched)), 0);
    }
    if (this.failed || this.field !== NAME || this.nameLength === 0) return;
    const head = String.fromCharCode(...this.name.subarray(0, this.nameLength));
    if (!Object.keys(FIELDS).some((name) => name.startsWith(head))) this.fail("FORMAT", notSse(head));
  }

  private scan(chunk: Uint8Array, from: number): void {
    const n = chunk.length;
    let lf = -1;
    let cr = -1;
    let at = from;
    while (at < n && !this.failed) {
      if (this.afterCr) {
        this.afterCr = false;
        if (chunk[at] === LF) {
          at++;
          continue;
        }
      }
      // Each search runs once past every byte: a position found is reused until the scan passes it.
      if (lf < at) lf = indexOrEnd(chunk, LF, at);
      if (cr < at) cr = indexOrEnd(chunk, CR, at);
      const end = lf < cr ? lf : cr;
      this.segment(chunk, at, end, end < n);
      if (end === n || this.failed) return;
      this.pendingBytes++;
      this.lineEnd();
      at = end + 1;
      if (chunk[end] === CR) this.afterCr = true;
    }
  }

  /** Bytes `from`–`to` of the current line; `complete`: its line break follows in this chunk. */
  private segment(chunk: Uint8Array, from: number, to: number, complete: boolean): void {
    this.pendingBytes += to - from;
    let at = from;
    if (this.field === NAME) {
      for (; at < to; at++) {
        const b = chunk[at]!;
        if (b === COLON) {
          at++;
          if (!this.startField()) return;
          this.lineBytes += this.nameLength + 1;
          this.atValue = true;
          break;
        }
        if (this.nameLength === 5) return this.fail("FORMAT", notSse(this.nameText() + String.fromCharCode(b)));
        this.name[this.nameLength++] = b;
      }
      if (this.field === NAME) return;
    }
    if (this.atValue && at < to) {
      this.atValue = false;
      if (chunk[at] === SPACE) at++, this.lineBytes++;
    }
    const length = to - at;
    if (length === 0) return;
    const field = this.field;
    if (field === DATA) {
      const size = this.heldBytes + length;
      if (size > this.options.maxDataBytes) return this.fail("LIMIT", `An SSE event carries more than ${this.options.maxDataBytes} bytes of data (maxFrameBytes). Raise maxFrameBytes if events this large are expected.`);
      if (complete && this.dataLines === 1 && size === length) this.data.view(chunk.subarray(at, to));
      else this.data.append(chunk.subarray(at, to));
    } else if (field === ID || field === EVENT) {
      if (field === ID && this.valueBytes + length > MAX_ID_BYTES) return this.fail("LIMIT", `An SSE id is longer than ${MAX_ID_BYTES} bytes.`);
      const keep = Math.min(length, MAX_ID_BYTES - this.valueLength);
      const value = this.value;
      let kept = this.valueLength;
      for (let i = at; i < at + keep; i++) value[kept++] = chunk[i]!; // short: a loop beats a view and a copy
      this.valueLength = kept;
      this.valueBytes += length;
    } else if (field === RETRY) {
      for (let i = at; i < to; i++) if (chunk[i]! < 0x30 || chunk[i]! > 0x39) this.retryDigits = false;
      this.valueBytes += length;
    }
    this.lineBytes += length;
    if (this.lineBytes > this.options.maxLineBytes) this.fail("LIMIT", `An SSE line is longer than ${this.options.maxLineBytes} bytes (maxFrameBytes + 256). Raise maxFrameBytes if lines this long are expected.`);
  }

  /** The line's field name is known (at its colon or its end): false after an error. */
  private startField(): boolean {
    const field = fieldOf(this.name, this.nameLength);
    if (field < 0) {
      this.fail("FORMAT", `Not a streamtypes event stream: a line has the field "${this.nameText()}" (SSE fields are event, data, id and retry).`);
      return false;
    }
    this.field = field;
    if (field === DATA) {
      if (this.dataLines++ > 0) {
        if (this.heldBytes + 1 > this.options.maxDataBytes) {
          this.fail("LIMIT", `An SSE event carries more than ${this.options.maxDataBytes} bytes of data (maxFrameBytes). Raise maxFrameBytes if events this large are expected.`);
          return false;
        }
        this.data.append(LF_BYTE);
      }
    }
    return true;
  }

  private lineEnd(): void {
    if (this.field === NAME) {
      if (this.nameLength === 0) return this.dispatch();
      if (!this.startField()) return;
    }
    const field = this.field;
    if (field === COMMENT) {
      this.pendingBytes = 0;
      this.options.onComment?.();
    } else if (field === EVENT && this.valueBytes > MAX_NAME_KEPT) {
      // No part has a name this long: it is kept only for the message that the event will get.
      this.event = `${new TextDecoder().decode(this.value.subarray(0, MAX_NAME_KEPT))}…`;
    } else if (field === EVENT || field === ID) {
      let value: string;
      try {
        value = sameText(this.value, this.valueLength, this.lastValue) ?? asciiText(this.value, this.valueLength) ?? this.text.decode(this.value.subarray(0, this.valueLength));
        if (field === EVENT) this.lastValue = value; // the next event most likely has the same name
      } catch (err) {
        return this.fail("FORMAT", `An SSE ${field === ID ? "id" : "event name"} is not valid UTF-8.`, err);
      }
      if (field === EVENT) this.event = value === "" ? undefined : value;
      else if (!value.includes("\0")) this.id = value; // an id with NUL is ignored, as the SSE standard says
    } else if (field === RETRY && (!this.retryDigits || this.valueBytes === 0)) {
      return this.fail("FORMAT", "Not a streamtypes event stream: a retry field that is not a number.");
    }
    this.field = NAME;
    this.nameLength = 0;
    this.lineBytes = 0;
    this.valueLength = 0;
    this.valueBytes = 0;
    this.atValue = false;
    this.retryDigits = true;
  }

  /** A blank line: the event is dispatched if it has data, and every field starts afresh. */
  private dispatch(): void {
    this.pendingBytes = 0;
    const lines = this.dataLines;
    const bytes = this.data.take();
    const { event, id } = this;
    this.dataLines = 0;
    this.event = undefined;
    this.id = undefined;
    if (lines === 0) return;
    let data: string;
    try {
      data = this.text.decode(bytes);
    } catch (err) {
      return this.fail("FORMAT", "The event stream is not valid UTF-8: an event's data.", err);
    } finally {
      this.data.shrink();
    }
    this.options.onEvent({ event, id, data });
  }

  private nameText(): string {
    return String.fromCharCode(...this.name.subarray(0, this.nameLength));
  }

  private fail(code: "FORMAT" | "LIMIT", message: string, cause?: unknown): void {
    this.failed = true;
    this.options.onError(new StreamError(code, message, cause === undefined ? {} : { cause }));
  }
}

/**
 * An event's data as it arrives: a view of the chunk being fed while it is one line inside it (no copy, the common
 * case), else a buffer of its own that grows by doubling up to the limit.
 */
class EventData {
  private bytes: Uint8Array = EMPTY;
  private length = 0;
  private viewed: Uint8Array | undefined;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.viewed?.length ?? this.length;
  }

  /** Its only line, in the chunk being fed: kept as a view until `own()` or another line. */
  view(line: Uint8Array): void {
    this.viewed = line;
  }

  append(bytes: Uint8Array): void {
    this.own();
    const end = this.length + bytes.length;
    if (this.bytes.length < end) this.bytes = grow(this.bytes, this.length, Math.min(Math.max(end, this.bytes.length * 2, 64), this.max));
    this.bytes.set(bytes, this.length);
    this.length = end;
  }

  /** Copies a line still viewed in a chunk into the buffer: the chunk is about to go. */
  own(): void {
    const viewed = this.viewed;
    if (viewed === undefined) return;
    this.viewed = undefined;
    this.length = 0;
    this.append(viewed);
  }

  /** The data, and the event's data starts over; valid until the next append. */
  take(): Uint8Array {
    const out = this.viewed ?? this.bytes.subarray(0, this.length);
    this.viewed = undefined;
    this.length = 0;
    return out;
  }

  /** Drops a large buffer after its event instead of keeping it for the next. */
  shrink(): void {
    if (this.bytes.length > KEEP_BUFFER_BYTES) this.bytes = EMPTY;
  }
}

function notSse(head: string): string {
  return `Not a streamtypes event stream: a line starts with ${JSON.stringify(head)}.`;
}

/** `text` when the first `length` bytes are its characters, all ASCII; else undefined. */
function sameText(bytes: Uint8Array, length: number, text: string): string | undefined {
  if (length !== text.length) return undefined;
  for (let i = 0; i < length; i++) if (bytes[i] !== text.charCodeAt(i) || bytes[i]! >= 0x80) return undefined;
  return text;
}

/** The first `length` bytes as a string when all are ASCII, without a TextDecoder call (ids and names are short). */
function asciiText(bytes: Uint8Array, length: number): string | undefined {
  let text = "";
  for (let i = 0; i < length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) return undefined;
    text += String.fromCharCode(b);
  }
  return text;
}

function indexOrEnd(chunk: Uint8Array, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at < 0 ? chunk.length : at;
}

function grow(buffer: Uint8Array, used: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(buffer.subarray(0, used), 0);
  return out;
}
