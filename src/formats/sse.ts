// The Server-Sent Events framing: one event per part with a resumable id, keep-alive comments, JSON data; parsed with eventsource-parser.
import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";
import type { Codec, SchemaCodec } from "../codecs/codec.js";
import { FrameSlab } from "./frame-slab.js";
import { json } from "../codecs/json.js";
import { StreamError, previewBytes } from "../errors.js";
import { hasDataFrame, type EncoderOptions, type Format, type Frame, type FrameDecoder, type FrameEncoder, type ResumePoint } from "../format.js";
import { FrameKind, kindName, kindNamed } from "../protocol.js";
import { PartIds, ReceivedParts, resumeIndex } from "./positions.js";

/** The media type of SSE streams. */
export const SSE_MEDIA_TYPE = "text/event-stream; charset=utf-8";

/** The frame kinds that travel as SSE events, named as in protocol.ts; keep-alives are comments. */
export const SSE_EVENT_KINDS = [FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.END, FrameKind.ERROR];

/** Room for an event's field names and id around its data, when limiting the bytes held for one event. */
const EVENT_OVERHEAD_BYTES = 256;

const utf8 = new TextEncoder();
/** A comment line without the blank line after it: generic SSE clients (fetch-event-source) then see no event at all. */
const KEEPALIVE_COMMENT = utf8.encode(": keep-alive\n");
/** Room for an event's head, `event: <kind>\nid: <id>\ndata: `, with the longest kind name and id. */
const MAX_HEAD_BYTES = 64;
const NULL_DATA = utf8.encode("null");
const EMPTY = new Uint8Array(0);

/** One SSE event as the reader sees it: its kind, its data (JSON text) and its id. */
export interface SseFrame extends Frame {
  readonly text: string;
  readonly id: string | undefined;
}

/**
 * Server-Sent Events: `event: item\nid: 4\ndata: {"words":["hi"]}\n\n` per part, JSON data, keep-alive
 * comments. Readable with `fetch` or, through `eventSourceStream(es)`, the browser's `EventSource`. Resumable:
 * ids say where a dropped connection continues (see docs/framings.md for the grammar and the id rules).
 *
 * @example
 * import { streamTypes, sse } from "streamtypes";
 * const TOKENS = streamTypes(Token, RunHeader, RunFooter, { format: sse() });
 */
export function sse(): Format {
  const codec = json();
  return {
    name: "sse",
    contentType: SSE_MEDIA_TYPE,
    accept: "text/event-stream",
    codec,
    keepAlive: true,
    resumable: true,
    decoder: ({ maxFrameBytes }) => new SseDecoder(maxFrameBytes, codec.decodeText),
    encoder: (options) => new SseEncoder(codec, options),
  };
}

/**
 * Writes SSE events. Ids: the header is 0, item i is i + 1, then the footer, the end or an error take the next
 * ids after the last one written. The payload is compact JSON, which never contains a raw line break, so it is always one
 * `data:` line. The end event carries `null`, because an event without data is not dispatched.
 */
class SseEncoder implements FrameEncoder {
  readonly startIndex: number;
  payloadBytes = 0;
  private readonly ids: PartIds;
  /** This writer's buffer, for events written by a compiled codec. */
  private readonly slab = new FrameSlab();
  private readonly maxPayloadBytes: number;

  constructor(
    private readonly codec: Codec,
    options: EncoderOptions,
  ) {
    this.maxPayloadBytes = options.maxPayloadBytes;
    const after = resumeIndex(options.resumeAfter);
    this.startIndex = after ?? 0;
    // Resumed after the header alone (id 0), a footer or end that follows takes id 1, not 0 (which the reader has).
    this.ids = new PartIds(this.startIndex, after !== undefined);
  }

  frameValue(kind: number, value: unknown): Uint8Array {
    const payload = this.codec.encode(value);
    this.payloadBytes = payload.length;
    return payload.length > this.maxPayloadBytes ? EMPTY : this.frame(kind, payload);
  }

  frameChecked(kind: number, compiled: SchemaCodec, value: unknown): Uint8Array | undefined {
    // The compiled JSON writer writes the data in place; the event's head (its id known only once the data fits) goes right before it.
    const out = this.slab.begin(MAX_HEAD_BYTES);
    if (compiled.write === undefined || !compiled.write(value, out)) return undefined;
    const length = out.pos - out.start - MAX_HEAD_BYTES;
    this.payloadBytes = length;
    if (length > this.maxPayloadBytes) return EMPTY;
    out.ensure(2);
    out.bytes[out.pos++] = 0x0a;
    out.bytes[out.pos++] = 0x0a;
    const head = utf8.encode(`event: ${kindName(kind)}\nid: ${this.ids.next(kind)}\ndata: `);
    const skip = MAX_HEAD_BYTES - head.length;
    out.bytes.set(head, out.start + skip);
    return this.slab.commit(skip);
  }

  frame(kind: number, payload: Uint8Array): Uint8Array {
    if (kind === FrameKind.KEEPALIVE) return KEEPALIVE_COMMENT;
    const id = this.ids.next(kind);
    const data = payload.length === 0 ? NULL_DATA : payload;
    const head = utf8.encode(`event: ${kindName(kind)}\nid: ${id}\ndata: `);
    const event = new Uint8Array(head.length + data.length + 2);
    event.set(head, 0);
    event.set(data, head.length);
    event[event.length - 2] = 0x0a;
    event[event.length - 1] = 0x0a;
    return event;
  }
}

/**
 * Reads SSE bytes into frames with eventsource-parser. Strict where a typed stream needs it: an event name
 * outside the five parts, a line that is not an SSE field, or invalid UTF-8 is `FORMAT`; an event whose data is
 * over `maxFrameBytes` bytes (UTF-8), or more than that held without completing an event, is `LIMIT`.
 * Ids give exactly-once delivery across reconnections: on a resumed connection, parts this reader already has
 * are skipped (the header and footer by kind, items by id), and an item whose id skips ahead is `ORDER`.
 */
class SseDecoder implements FrameDecoder<SseFrame> {
  private readonly frames: (SseFrame | StreamError)[] = [];
  private head = 0;
  private parser: EventSourceParser;
  private text = new TextDecoder("utf-8", { fatal: true });
  private held = 0; // bytes of the event being received: since the last complete event or comment
  private dispatched = false; // an event or comment completed while the current chunk was fed
  private lineHead = ""; // the first characters of the line being received
  private trailing = false; // hasTrailingData() found data: looking consumes frames, so the answer is kept
  private start: Uint8Array = EMPTY; // the first bytes of this connection, for previews
  private endedWithCr = false; // a CR at the end of the input may be the line break it needs
  private readonly received = new ReceivedParts(() => this.restart());

  constructor(
    private readonly maxFrameBytes: number,
    private readonly parse: (text: string) => unknown,
  ) {
    this.parser = this.createParser();
  }

  get resume(): ResumePoint {
    return this.received;
  }

  get bufferedBytes(): number {
    return this.held;
  }

  /** A new connection: the parser and the byte state start over; what was received is kept. */
  private restart(): void {
    this.parser = this.createParser();
    this.text = new TextDecoder("utf-8", { fatal: true });
    this.held = 0;
    this.start = EMPTY;
    this.endedWithCr = false;
    this.lineHead = "";
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.start.length < 48) this.start = concatHead(this.start, chunk, 48);
    this.endedWithCr = chunk[chunk.length - 1] === 0x0d;
    let text: string;
    try {
      text = this.text.decode(chunk, { stream: true });
    } catch (err) {
      this.frames.push(new StreamError("FORMAT", `The event stream is not valid UTF-8. First bytes: ${previewBytes(this.start)}.`, { cause: err }));
      return;
    }
    this.dispatched = false;
    this.parser.feed(text);
    const lastBreak = lastLineBreak(text, text.length - 1);
    // Held of an unfinished event: the whole chunk if nothing completed in it, else what follows the last event or
    // comment (a chunk may end one event and carry most of the next; counted in UTF-16 units, not bytes, there).
    this.held = this.dispatched ? text.length - eventsEnd(text, lastBreak) : this.held + chunk.length;
    this.lineHead = lastBreak < 0 ? (this.lineHead + text.slice(0, LINE_HEAD)).slice(0, LINE_HEAD) : text.slice(lastBreak + 1, lastBreak + 1 + LINE_HEAD);
    if (this.lineHead.length === LINE_HEAD) this.checkLine();
    if (this.held > this.maxFrameBytes + EVENT_OVERHEAD_BYTES) {
      this.frames.push(
        new StreamError("LIMIT", `More than ${this.maxFrameBytes} bytes (maxFrameBytes) arrived without completing an event. Raise maxFrameBytes if events this large are expected.`),
      );
      this.held = 0;
    }
  }

  next(): SseFrame | undefined {
    for (;;) {
      if (this.head === this.frames.length) {
        this.frames.length = 0;
        this.head = 0;
        return undefined;
      }
      const frame = this.frames[this.head++]!;
      if (frame instanceof StreamError) throw frame;
      if (this.received.isRepeat(frame.kind, frame.id)) continue;
      return frame;
    }
  }

  value(frame: SseFrame): unknown {
    return this.parse(frame.text);
  }

  payloadSize(frame: SseFrame): number {
    return utf8.encode(frame.text).length;
  }

  atEnd(): undefined {
    // WHATWG allows a bare CR as a line break; a CR that ends the input cannot wait for an LF any more.
    if (this.endedWithCr) {
      this.endedWithCr = false;
      this.parser.feed("\n");
    }
    this.checkLine();
    return undefined;
  }

  hasTrailingData(): boolean {
    // Blank lines, comments, repeats and an unfinished last line that may be an SSE line are text-protocol slack;
    // a new complete event, or a line no SSE stream has, is data.
    this.trailing ||= hasDataFrame(this);
    return this.trailing;
  }

  describePending(): string {
    return this.held === 0 ? "" : `inside an unfinished event (${this.held} bytes)`;
  }

  preview(): Uint8Array {
    return this.start;
  }

  private createParser(): EventSourceParser {
    return createParser({
      onEvent: (message) => this.onEvent(message),
      onComment: () => {
        this.dispatched = true;
        this.frames.push(KEEPALIVE_FRAME);
      },
      onError: (err) => {
        this.frames.push(new StreamError("FORMAT", `Not a streamtypes event stream: ${err.message}. First bytes: ${previewBytes(this.start)}.`, { cause: err }));
      },
    });
  }

  /**
   * `FORMAT` for an unfinished line that cannot become an SSE field or comment (an HTML error page), once its
   * first LINE_HEAD characters are in or the input ended: without a final line break, or on a stalled connection,
   * it would otherwise pass for a cut event (`TRUNCATED`). Complete lines are the parser's to judge.
   */
  private checkLine(): void {
    const head = this.lineHead;
    if (SSE_LINE_STARTS.some((start) => start.startsWith(head) || head.startsWith(start))) return;
    this.frames.push(new StreamError("FORMAT", `Not a streamtypes event stream: a line starts with ${JSON.stringify(head)}. First bytes: ${previewBytes(this.start)}.`));
    this.lineHead = ":"; // reported once
  }

  private onEvent(message: EventSourceMessage): void {
    this.dispatched = true;
    const name = message.event ?? "message";
    const kind = kindNamed(name, SSE_EVENT_KINDS);
    if (kind === undefined) {
      this.frames.push(new StreamError("FORMAT", `SSE event "${name.slice(0, 40)}" is not part of a streamtypes stream (header, item, footer, end, error).`));
      return;
    }
    const data = message.data;
    // A UTF-16 unit is at least one UTF-8 byte and at most three: count bytes only when it could matter.
    if (data.length > this.maxFrameBytes || (data.length * 3 > this.maxFrameBytes && utf8.encode(data).length > this.maxFrameBytes)) {
      this.frames.push(new StreamError("LIMIT", `An SSE ${name} event carries more than ${this.maxFrameBytes} bytes of data (maxFrameBytes). Raise maxFrameBytes if events this large are expected.`));
      return;
    }
    this.frames.push({ kind, text: data, id: message.id });
  }
}

const KEEPALIVE_FRAME: SseFrame = Object.freeze({ kind: FrameKind.KEEPALIVE, text: "", id: undefined });

/** How the lines this decoder accepts start: a comment, or a field eventsource-parser knows (any other is an error). */
const SSE_LINE_STARTS = [":", "event:", "data:", "id:", "retry:"];
const LINE_HEAD = 6;

/** The index of the last CR or LF in `text` at or before `from`, or -1. */
function lastLineBreak(text: string, from: number): number {
  while (from >= 0 && text.charCodeAt(from) !== 0x0a && text.charCodeAt(from) !== 0x0d) from--;
  return from;
}

/**
 * Where the last event or comment in `text` ended: after its last blank or comment line, looking back from the
 * line break at `lineEnd`; a line begun in an earlier chunk ends at the first line break.
 */
function eventsEnd(text: string, lineEnd: number): number {
  while (lineEnd >= 0) {
    const end = text.charCodeAt(lineEnd) === 0x0a && text.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd;
    const before = lastLineBreak(text, end - 1);
    if (before < 0 || before + 1 === end || text.charCodeAt(before + 1) === 0x3a) break;
    lineEnd = before;
  }
  return lineEnd + 1;
}

function concatHead(head: Uint8Array, chunk: Uint8Array, max: number): Uint8Array {
  const out = new Uint8Array(Math.min(max, head.length + chunk.length));
  out.set(head.subarray(0, out.length), 0);
  if (out.length > head.length) out.set(chunk.subarray(0, out.length - head.length), head.length);
  return out;
}
