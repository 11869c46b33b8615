// The NDJSON framing: one JSON object per line, {"kind":"item","data":…}, with end, error and keep-alive lines.
import type { Codec, SchemaCodec } from "../codecs/codec.js";
import { FrameSlab } from "./frame-slab.js";
import { json } from "../codecs/json.js";
import { StreamError, previewBytes } from "../errors.js";
import { hasDataFrame, type Format, type Frame, type FrameDecoder, type FrameEncoder } from "../format.js";
import { FrameKind, kindName, kindNamed } from "../protocol.js";
import { ReceivedParts, resumeIndex, resumePosition } from "./positions.js";

/** The media type of NDJSON streams. */
export const NDJSON_MEDIA_TYPE = "application/x-ndjson";

/** The frame kinds an NDJSON line can be, named as in protocol.ts. */
const LINE_KINDS = [FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.END, FrameKind.ERROR, FrameKind.KEEPALIVE, FrameKind.RESUME];
const WITH_DATA: readonly number[] = [FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.ERROR, FrameKind.RESUME];

const utf8 = new TextEncoder();
/** `{"kind":"item","data":` per kind with data, as text and as bytes; a line is prefix + payload + `}`. */
const PREFIX_TEXT: Record<number, string> = {};
const PREFIXES: Record<number, Uint8Array> = {};
/** `{"kind":"end"}\n` for the kinds without data. */
const BARE_LINES: Record<number, Uint8Array> = {};
for (const kind of LINE_KINDS) {
  PREFIX_TEXT[kind] = `{"kind":"${kindName(kind)}","data":`;
  PREFIXES[kind] = utf8.encode(PREFIX_TEXT[kind]!);
  BARE_LINES[kind] = utf8.encode(`{"kind":"${kindName(kind)}"}\n`);
}
/** The longest envelope around a payload (`{"kind":"header","data":` and `}`), for the limit on bytes held. */
const MAX_ENVELOPE_BYTES = Math.max(...WITH_DATA.map((kind) => PREFIXES[kind]!.length)) + 1;
const EMPTY = new Uint8Array(0);
const NEWLINE = 0x0a;
/** Bytes of an unfinished line looked at to tell that it is no JSON object (and enough to recognise in a message). */
const LINE_HEAD = 6;
/** A line buffer larger than this is dropped after its line instead of being kept for the next. */
const KEEP_PARTIAL_BYTES = 64 * 1024;

/**
 * One NDJSON line as the reader sees it: its kind, and its data as JSON text still to decode (this library's
 * line layout) or as the value already decoded with the whole line (any other layout).
 */
export interface NdjsonFrame extends Frame {
  readonly text: string | undefined;
  readonly value: unknown;
  /** The line's size in bytes. */
  readonly size: number;
  /** The line's number on its connection, for messages. */
  readonly line: number;
}

/**
 * NDJSON (JSON Lines): `{"kind":"item","data":{"words":["hi"]}}` per line, `{"kind":"end"}` last. Every line
 * ends with a newline, the last one included: a last line without one was cut, and the stream is `TRUNCATED`.
 *
 * @example
 * import { streamTypes, ndjson } from "streamtypes";
 * const ROWS = streamTypes(Row, undefined, undefined, { format: ndjson() });
 */
export function ndjson(): Format {
  const codec = json();
  return {
    name: "ndjson",
    contentType: NDJSON_MEDIA_TYPE,
    accept: NDJSON_MEDIA_TYPE,
    codec,
    keepAlive: true,
    resumable: true,
    decoder: ({ maxFrameBytes }) => new NdjsonDecoder(maxFrameBytes, codec.decodeText),
    encoder: ({ maxPayloadBytes, resumeAfter }) => new NdjsonEncoder(codec, maxPayloadBytes, resumeIndex(resumeAfter)),
  };
}

/** Writes NDJSON lines: the payload (compact JSON, no raw line breaks) between the kind's prefix and `}`. */
class NdjsonEncoder implements FrameEncoder {
  readonly startIndex: number;
  payloadBytes = 0;
  /** `{"kind":"resume","data":k}` before the first line of a stream resumed after id k. */
  private resumeLine: Uint8Array | undefined;
  /** This writer's buffer, for lines written by a compiled codec. */
  private readonly slab = new FrameSlab();

  /** The writer is idle: its slab goes until the next frame (see FrameSlab.release). */
  releaseBuffers(): void {
    this.slab.release();
  }

  constructor(
    private readonly codec: Codec,
    private readonly maxPayloadBytes: number,
    resumedAfter: number | undefined,
  ) {
    this.startIndex = resumedAfter ?? 0;
    if (resumedAfter !== undefined) this.resumeLine = this.line(FrameKind.RESUME, codec.encode(resumedAfter));
  }

  frameValue(kind: number, value: unknown): Uint8Array {
    const payload = this.codec.encode(value);
    this.payloadBytes = payload.length;
    return payload.length > this.maxPayloadBytes ? EMPTY : this.frame(kind, payload);
  }

  frameChecked(kind: number, compiled: SchemaCodec, value: unknown): Uint8Array | undefined {
    // The compiled JSON writer writes the data in place, after room for the resume line and the kind's prefix.
    const prefix = PREFIXES[kind]!;
    const resume = this.resumeLine;
    const head = (resume === undefined ? 0 : resume.length) + prefix.length;
    const length = this.slab.writeChecked(compiled, value, head);
    if (length === undefined) return undefined;
    this.payloadBytes = length;
    if (length > this.maxPayloadBytes) return EMPTY;
    this.slab.endWith(0x7d, NEWLINE); // }
    const out = this.slab.out;
    if (resume !== undefined) out.bytes.set(resume, out.start);
    out.bytes.set(prefix, out.start + head - prefix.length);
    this.resumeLine = undefined;
    return this.slab.commit(0);
  }

  frame(kind: number, payload: Uint8Array): Uint8Array {
    const line = this.line(kind, payload);
    const resume = this.resumeLine;
    if (resume === undefined) return line;
    this.resumeLine = undefined;
    const both = new Uint8Array(resume.length + line.length);
    both.set(resume, 0);
    both.set(line, resume.length);
    return both;
  }

  private line(kind: number, payload: Uint8Array): Uint8Array {
    const prefix = PREFIXES[kind];
    if (prefix === undefined || !WITH_DATA.includes(kind)) return BARE_LINES[kind]!;
    const line = new Uint8Array(prefix.length + payload.length + 2);
    line.set(prefix, 0);
    line.set(payload, prefix.length);
    line[line.length - 2] = 0x7d; // }
    line[line.length - 1] = NEWLINE;
    return line;
  }
}

/**
 * Splits NDJSON bytes into frames. Lines are found with `indexOf`, kept as a list of pieces until complete, and
 * limited in bytes: a line's data may be at most `maxFrameBytes` (the line less its envelope), and no more than
 * that plus the longest envelope is held while waiting for a newline. Each line must be an object `{kind, data?}`
 * with a known kind; blank lines are skipped. The line's JSON goes through the JSON codec's gate.
 */
class NdjsonDecoder implements FrameDecoder<NdjsonFrame> {
  private readonly queue: Uint8Array[] = []; // chunks not looked at yet
  private queued = 0;
  /** The start of a line that spans chunks, copied: a line arriving a byte per chunk costs its bytes, not an object per byte. */
  private partial: Uint8Array = EMPTY;
  private held = 0;
  private chunk: Uint8Array = EMPTY;
  private at = 0;
  private line = 0;
  // ignoreBOM: a BOM is no JSON whitespace, so a line starting with one is FORMAT whole as in pieces (not stripped when whole).
  private readonly text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  private scanned = 0; // bytes of the unfinished line known to be JSON whitespace, or Infinity once it showed "{"
  private ended = false; // the input ended: an unfinished line is judged with what arrived
  private trailing = false; // hasTrailingData() found data: it consumes lines, so the answer is kept

  /** What the reader has received, across connections. Lines get ids by counting; see positions.ts. */
  readonly resume = new ReceivedParts(() => this.restart());

  constructor(
    private readonly maxFrameBytes: number,
    private readonly parse: (text: string) => unknown,
  ) {}

  /** A new connection: the line state starts over; what was received is kept. */
  private restart(): void {
    this.queue.length = 0;
    this.queued = 0;
    this.partial = EMPTY;
    this.held = 0;
    this.chunk = EMPTY;
    this.at = 0;
    this.scanned = 0;
    this.ended = false;
  }

  get bufferedBytes(): number {
    return this.held + this.chunk.length - this.at + this.queued;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
  }

  next(): NdjsonFrame | undefined {
    for (;;) {
      const frame = this.nextLine();
      if (frame === undefined) return undefined;
      if (frame.kind === FrameKind.RESUME) this.resume.resumedAt(resumePosition(() => this.value(frame)));
      else if (!this.resume.isRepeatCounted(frame.kind)) return frame;
    }
  }

  /** The next line as a frame, repeats included. */
  private nextLine(): NdjsonFrame | undefined {
    for (;;) {
      if (this.at >= this.chunk.length) {
        const chunk = this.queue.shift();
        if (chunk === undefined) {
          if (this.ended && this.held > 0) this.checkLineStart();
          return undefined;
        }
        this.queued -= chunk.length;
        this.chunk = chunk;
        this.at = 0;
      }
      const end = this.chunk.indexOf(NEWLINE, this.at);
      // What is held without a LF stays within the limit; a line's first bytes are judged before its length, so
      // that a line is FORMAT or LIMIT the same whatever the chunking.
      const room = this.maxFrameBytes + MAX_ENVELOPE_BYTES + 1 - this.held;
      if (end < 0) {
        const piece = this.chunk.subarray(this.at);
        this.at = this.chunk.length;
        this.keep(piece.length > room ? piece.subarray(0, room) : piece);
        if (this.held >= LINE_HEAD) this.checkLineStart();
        if (piece.length > room) throw this.tooLong(this.line + 1);
        continue;
      }
      let bytes = this.chunk.subarray(this.at, end);
      this.at = end + 1;
      if (this.held > 0) {
        if (bytes.length > room) {
          this.keep(bytes.subarray(0, room));
          this.checkLineStart();
          throw this.tooLong(this.line + 1);
        }
        this.keep(bytes);
        bytes = this.partial.subarray(0, this.held);
        this.held = 0;
        this.scanned = 0;
        if (this.partial.length > KEEP_PARTIAL_BYTES) this.partial = EMPTY; // the view above stays valid
      }
      this.line++;
      if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
      if (bytes.length === 0) continue;
      if (bytes.length > this.maxFrameBytes + MAX_ENVELOPE_BYTES) {
        if (objectStart(bytes, 0, bytes.length) >= 0) throw this.notObject(this.line, bytes);
        throw this.tooLong(this.line);
      }
      return this.parseLine(bytes);
    }
  }

  value(frame: NdjsonFrame): unknown {
    if (frame.text === undefined) return frame.value;
    try {
      return this.parse(frame.text);
    } catch (err) {
      throw this.extraKeys(frame) ?? err;
    }
  }

  /**
   * Why a line read as `{"kind":…,"data":` + text + `}` has data that does not parse, when the whole line is valid
   * JSON: it has keys besides "kind" and "data" (`{"kind":"item","data":1,"extra":2}`). Undefined otherwise.
   */
  private extraKeys(frame: NdjsonFrame): StreamError | undefined {
    let line: unknown;
    try {
      line = this.parse(`${PREFIX_TEXT[frame.kind]!}${frame.text!}}`);
    } catch {
      return undefined; // the data itself is not JSON: the codec's message says so
    }
    const extra = Object.keys(line as object).find((key) => key !== "kind" && key !== "data");
    if (extra === undefined) return undefined;
    // The key is the stream's text: printable ASCII only in the message, as previewBytes() shows bytes.
    return new StreamError("FORMAT", `NDJSON line ${frame.line} has a key besides "kind" and "data", which is all a line may have: ${JSON.stringify(extra.slice(0, 40)).replace(/[^ -~]/g, "·")}.`);
  }

  payloadSize(frame: NdjsonFrame): number {
    return frame.size;
  }

  atEnd(): undefined {
    this.ended = true;
    return undefined;
  }

  hasTrailingData(): boolean {
    // Blank lines, keep-alive lines and an unfinished last line that may still be one are slack; any other
    // complete line is data. Looking consumes lines: keep the answer.
    this.trailing ||= hasDataFrame(this);
    return this.trailing;
  }

  describePending(): string {
    const held = this.bufferedBytes;
    return held === 0 ? "" : `inside line ${this.line + 1}, which has no newline yet (${held} bytes)`;
  }

  preview(): Uint8Array {
    const first = this.held > 0 ? this.partial.subarray(0, this.held) : this.at < this.chunk.length ? this.chunk.subarray(this.at) : (this.queue[0] ?? EMPTY);
    return first.subarray(0, 48);
  }

  /** Appends to the unfinished line (the caller has checked the limit), growing its buffer by doubling up to the limit. */
  private keep(piece: Uint8Array): void {
    const end = this.held + piece.length;
    if (this.partial.length < end) {
      const grown = new Uint8Array(Math.min(Math.max(end, this.partial.length * 2, 256), this.maxFrameBytes + MAX_ENVELOPE_BYTES + 1));
      grown.set(this.partial.subarray(0, this.held), 0);
      this.partial = grown;
    }
    this.partial.set(piece, this.held);
    this.held = end;
  }

  private parseLine(bytes: Uint8Array): NdjsonFrame {
    let text: string;
    try {
      text = this.text.decode(bytes);
    } catch (err) {
      throw new StreamError("FORMAT", `NDJSON line ${this.line} is not valid UTF-8: ${previewBytes(bytes)}.`, { cause: err });
    }
    // This library's lines, and most others, are `{"kind":"item","data":` + data + `}`: only the data is parsed.
    for (const kind of WITH_DATA) {
      const prefix = PREFIX_TEXT[kind]!;
      if (text.startsWith(prefix) && text.charCodeAt(text.length - 1) === 0x7d) {
        const payloadBytes = bytes.length - PREFIXES[kind]!.length - 1;
        if (payloadBytes > this.maxFrameBytes) throw this.tooLong(this.line);
        // Decoded by value(), so that the reader names the part in errors, as in the other formats.
        return { kind, text: text.slice(prefix.length, -1), value: undefined, size: bytes.length, line: this.line };
      }
    }
    const line = this.decode(text, bytes);
    const kind = typeof line === "object" && line !== null && !Array.isArray(line) ? kindNamed((line as { kind?: unknown }).kind, LINE_KINDS) : undefined;
    if (kind === undefined) {
      throw new StreamError("FORMAT", `NDJSON line ${this.line} is not a streamtypes line {"kind": "header" | "item" | "footer" | "end" | "error", "data": …}: ${previewBytes(bytes)}.`);
    }
    const hasData = Object.hasOwn(line as object, "data");
    if (WITH_DATA.includes(kind) !== hasData) {
      throw new StreamError("FORMAT", `NDJSON line ${this.line}: a ${kindName(kind)} line ${hasData ? "has no" : "needs"} "data".`);
    }
    if (Object.keys(line as object).length !== (hasData ? 2 : 1)) {
      throw new StreamError("FORMAT", `NDJSON line ${this.line}: a ${kindName(kind)} line has "kind"${hasData ? ' and "data"' : ""}, nothing else: ${previewBytes(bytes)}.`);
    }
    return { kind, text: undefined, value: (line as { data?: unknown }).data, size: bytes.length, line: this.line };
  }

  /**
   * `FORMAT` for a line that cannot be a JSON object (an HTML error page, say) before its newline arrives, once
   * LINE_HEAD bytes of it are in or the input ended: a page without a final newline, or a stalled connection,
   * would otherwise look like a cut line (`TRUNCATED`). Complete lines are judged whole.
   */
  private checkLineStart(): void {
    if (this.scanned === Infinity) return;
    const found = objectStart(this.partial, this.scanned, this.held);
    if (found === BRACE) this.scanned = Infinity; // {: the line may be one; its end will tell
    else if (found === BLANK) this.scanned = this.held;
    else throw this.notObject(this.line + 1, this.preview());
  }

  private notObject(line: number, bytes: Uint8Array): StreamError {
    return new StreamError("FORMAT", `NDJSON line ${line} is not a JSON object {"kind": …}: ${previewBytes(bytes)}. Is this an NDJSON streamtypes stream?`);
  }

  private decode(text: string, bytes: Uint8Array): unknown {
    try {
      return this.parse(text);
    } catch (err) {
      throw new StreamError("FORMAT", `NDJSON line ${this.line} does not decode: ${(err as Error).message}. Line: ${previewBytes(bytes)}. Is this an NDJSON streamtypes stream?`, { cause: err });
    }
  }

  private tooLong(line: number): StreamError {
    return new StreamError("LIMIT", `NDJSON line ${line} carries more than ${this.maxFrameBytes} bytes of data (maxFrameBytes). Raise maxFrameBytes if values this large are expected.`);
  }
}

const BRACE = -1;
const BLANK = -2;

/** Looks at `bytes` from `from` to `to`: BRACE at a `{` after JSON whitespace, BLANK when all are whitespace, else where another byte is. */
function objectStart(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if (b === 0x20 || b === 0x09 || b === 0x0d) continue;
    return b === 0x7b ? BRACE : i;
  }
  return BLANK;
}
