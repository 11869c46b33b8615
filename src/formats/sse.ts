// The Server-Sent Events framing: one event per part with a resumable id, keep-alive comments, JSON data; parsed by sse-parser.ts.
import type { Codec, SchemaCodec } from "../codecs/codec.js";
import { FrameSlab } from "./frame-slab.js";
import { json } from "../codecs/json.js";
import { StreamError, previewBytes } from "../errors.js";
import { hasDataFrame, type EncoderOptions, type Format, type Frame, type FrameDecoder, type FrameEncoder, type ResumePoint } from "../format.js";
import { FrameKind, kindName, kindNamed } from "../protocol.js";
import { PartIds, ReceivedParts, resumeIndex } from "./positions.js";
import { createSseParser, type SseMessage, type SseParser } from "./sse-parser.js";

/** The media type of SSE streams. */
export const SSE_MEDIA_TYPE = "text/event-stream; charset=utf-8";

/** The frame kinds that travel as SSE events, named as in protocol.ts; keep-alives are comments. */
export const SSE_EVENT_KINDS = [FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.END, FrameKind.ERROR];

/** Room for a line's field name around its data, when limiting the length of one line. */
const LINE_OVERHEAD_BYTES = 256;

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

  /** The writer is idle: its slab goes until the next frame (see FrameSlab.release). */
  releaseBuffers(): void {
    this.slab.release();
  }
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
    const length = this.slab.writeChecked(compiled, value, MAX_HEAD_BYTES);
    if (length === undefined) return undefined;
    this.payloadBytes = length;
    if (length > this.maxPayloadBytes) return EMPTY;
    this.slab.endWith(0x0a, 0x0a);
    const out = this.slab.out;
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
 * Reads SSE bytes into frames with this library's SSE parser (sse-parser.ts). Strict where a typed stream needs
 * it: an event name outside the five parts, a line that is not an SSE field, or invalid UTF-8 in an event is
 * `FORMAT`; an event whose data is over `maxFrameBytes` bytes, a line over `maxFrameBytes` + 256 bytes or an id over
 * 256 bytes is `LIMIT`, as soon as the byte that crosses the limit arrives (see docs/framings.md).
 * Ids give exactly-once delivery across reconnections: on a resumed connection, parts this reader already has
 * are skipped (the header and footer by kind, items by id), and an item whose id skips ahead is `ORDER`.
 */
class SseDecoder implements FrameDecoder<SseFrame> {
  private readonly frames: (SseFrame | StreamError)[] = [];
  private head = 0;
  private parser: SseParser;
  private trailing = false; // hasTrailingData() found data: looking consumes frames, so the answer is kept
  private start: Uint8Array = EMPTY; // the first bytes of this connection, for previews
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
    return this.parser.pendingBytes;
  }

  /** A new connection: the parser and the byte state start over; what was received is kept. */
  private restart(): void {
    this.parser = this.createParser();
    this.start = EMPTY;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.start.length < 48) this.start = concatHead(this.start, chunk, 48);
    this.parser.feed(chunk);
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
    this.parser.end();
    return undefined;
  }

  hasTrailingData(): boolean {
    // Blank lines, comments, repeats and an unfinished last line that may be an SSE line are text-protocol slack;
    // a new complete event, or a line no SSE stream has, is data.
    this.trailing ||= hasDataFrame(this);
    return this.trailing;
  }

  describePending(): string {
    const pending = this.parser.pendingBytes;
    return pending === 0 ? "" : `inside an unfinished event (${pending} bytes)`;
  }

  preview(): Uint8Array {
    return this.start;
  }

  private createParser(): SseParser {
    return createSseParser({
      maxDataBytes: this.maxFrameBytes,
      maxLineBytes: this.maxFrameBytes + LINE_OVERHEAD_BYTES,
      onEvent: (message) => this.onEvent(message),
      onComment: () => this.frames.push(KEEPALIVE_FRAME),
      // A FORMAT error shows the first bytes, so that an HTML or JSON error page is recognised.
      onError: (err) => this.frames.push(err.code === "FORMAT" ? new StreamError("FORMAT", `${err.message} First bytes: ${previewBytes(this.start)}.`, { cause: err.cause }) : err),
    });
  }

  private onEvent(message: SseMessage): void {
    const name = message.event ?? "message";
    const kind = kindNamed(name, SSE_EVENT_KINDS);
    if (kind === undefined) {
      this.frames.push(new StreamError("FORMAT", `SSE event "${name}" is not part of a streamtypes stream (header, item, footer, end, error).`));
      return;
    }
    this.frames.push({ kind, text: message.data, id: message.id });
  }
}

const KEEPALIVE_FRAME: SseFrame = Object.freeze({ kind: FrameKind.KEEPALIVE, text: "", id: undefined });

function concatHead(head: Uint8Array, chunk: Uint8Array, max: number): Uint8Array {
  const out = new Uint8Array(Math.min(max, head.length + chunk.length));
  out.set(head.subarray(0, out.length), 0);
  if (out.length > head.length) out.set(chunk.subarray(0, out.length - head.length), head.length);
  return out;
}
