// Length-prefixed frames (kind, uint32 length, payload), shared by the binary and truss framings: the chunk-list decoder and the slab encoder.
import { MISS, type Codec, type SchemaCodec } from "../codecs/codec.js";
import type { Output } from "../codecs/output.js";
import { FrameSlab } from "./frame-slab.js";
import { StreamError, previewBytes } from "../errors.js";
import type { Frame, FrameDecoder, FrameEncoder } from "../format.js";
import { FRAME_HEADER_BYTES, FrameKind, aFrame } from "../protocol.js";
import { ChunkList } from "./chunk-list.js";
import { ReceivedParts, resumePosition } from "./positions.js";

/** A frame of the length-prefixed framings: its payload is `bytes[start, end)`, often a view of a chunk the source delivered. */
export interface LengthPrefixedFrame extends Frame {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/** Writes a frame header at `offset` of `target`. */
export function writeFrameHeader(target: Uint8Array, offset: number, kind: number, length: number): void {
  target[offset] = kind;
  target[offset + 1] = length >>> 24;
  target[offset + 2] = (length >>> 16) & 0xff;
  target[offset + 3] = (length >>> 8) & 0xff;
  target[offset + 4] = length & 0xff;
}

/**
 * One complete frame as a fresh Uint8Array.
 *
 * @example
 * encodeFrame(FrameKind.END, new Uint8Array(0)); // Uint8Array [5, 0, 0, 0, 0]
 */
export function encodeFrame(kind: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, 0, kind, payload.length);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** How a length-prefixed framing differs: which kinds it has, its codec, and what its first frame and its end look like. */
export interface LengthPrefixedOptions {
  /** Payloads longer than this raise `LIMIT` as soon as the frame header is read, before any of it is held. */
  readonly maxFrameBytes: number;
  /** The frame kinds this stream may contain; any other raises `FORMAT`. */
  readonly kinds: readonly number[];
  readonly codec: Codec;
  /**
   * Checks the first frame before anything else is decoded (the binary framing's opening marker): given the
   * first frame's kind and length once its header is complete (to reject foreign bytes early), then its payload.
   * The opening frame is not returned. Absent: the stream starts with its first part (truss).
   */
  readonly opening?: {
    checkHeader(kind: number, length: number, preview: Uint8Array): void;
    checkPayload(payload: Uint8Array): void;
  };
  /** A clean end of input at a frame boundary stands for the end frame (truss_chains streams have no end frame). */
  readonly endsAtEof: boolean;
  /**
   * Resumable (the binary framing): parts get ids by counting, a resume frame (kind 8) says where a resumed
   * connection starts, and parts the reader already has are skipped. See positions.ts.
   */
  readonly resumable?: boolean;
}

/**
 * Splits a byte stream into length-prefixed frames, whatever its chunking. Chunks are kept in a list, never
 * concatenated: a frame that lies wholly inside one chunk comes out as a view of it, and one that spans chunks
 * is copied once, into a buffer of exactly its size, when its last byte arrives. The length limit is checked
 * from the frame header, before any payload is held for it.
 *
 * @example
 * const decoder = new LengthPrefixedDecoder({ maxFrameBytes: 1 << 20, kinds: [2, 3, 4, 5], codec: json(), endsAtEof: true });
 * decoder.push(Uint8Array.of(3, 0, 0, 0, 1, 0x37, 5, 0));
 * decoder.value(decoder.next()!); // 7
 * decoder.next(); // undefined: the end frame's header is not complete yet
 */
export class LengthPrefixedDecoder implements FrameDecoder<LengthPrefixedFrame> {
  /** What the reader has received, across connections; only for a resumable format. */
  readonly resume: ReceivedParts | undefined;
  /** The bytes held: see chunk-list.ts. */
  private readonly list = new ChunkList();
  private readonly maxFrameBytes: number;
  private readonly allowed = new Uint8Array(256);
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private readonly codec: Codec;
  private opening: LengthPrefixedOptions["opening"];
  private readonly firstOpening: LengthPrefixedOptions["opening"];
  private readonly hadOpening: boolean;
  private readonly endsAtEof: boolean;
  /** Bytes that must be buffered before the next frame can be complete: its header, or the whole frame once its header was read. */
  private wanted = FRAME_HEADER_BYTES;

  constructor(options: LengthPrefixedOptions) {
    this.maxFrameBytes = options.maxFrameBytes;
    for (const kind of options.kinds) this.allowed[kind] = 1;
    this.codec = options.codec;
    this.opening = options.opening;
    this.hadOpening = options.opening !== undefined;
    this.endsAtEof = options.endsAtEof;
    this.firstOpening = options.opening;
    this.resume = options.resumable === true ? new ReceivedParts(() => this.restart()) : undefined;
  }

  /** A new connection: the chunks and the opening check start over; what was received is kept. */
  private restart(): void {
    this.list.clear();
    this.wanted = FRAME_HEADER_BYTES;
    this.opening = this.firstOpening;
  }

  get bufferedBytes(): number {
    return this.list.buffered;
  }

  push(chunk: Uint8Array): void {
    this.list.push(chunk);
  }

  awaitsBytes(): boolean {
    return this.list.buffered < this.wanted;
  }

  next(): LengthPrefixedFrame | undefined {
    const received = this.resume;
    if (received === undefined) return this.nextFrame();
    for (;;) {
      const frame = this.nextFrame();
      if (frame === undefined) return undefined;
      if (frame.kind === FrameKind.RESUME) received.resumedAt(resumePosition(() => this.codec.decode(frame.bytes, frame.start, frame.end)));
      else if (!received.isRepeatCounted(frame.kind)) return frame;
    }
  }

  /** The next frame on the wire, repeats included. */
  private nextFrame(): LengthPrefixedFrame | undefined {
    // A frame arriving in many small chunks has its header read and checked once, not again with every chunk.
    const list = this.list;
    if (list.buffered < this.wanted) return undefined;
    list.seal();
    const chunk = list.chunks[list.head]!;
    const at = list.offset;
    let kind: number;
    let length: number;
    if (chunk.length - at >= FRAME_HEADER_BYTES) {
      kind = chunk[at]!;
      length = ((chunk[at + 1]! << 24) | (chunk[at + 2]! << 16) | (chunk[at + 3]! << 8) | chunk[at + 4]!) >>> 0;
    } else {
      const h = list.peek(this.header);
      kind = h[0]!;
      length = ((h[1]! << 24) | (h[2]! << 16) | (h[3]! << 8) | h[4]!) >>> 0;
    }
    if (this.opening !== undefined) this.opening.checkHeader(kind, length, this.preview());
    else this.checkHeader(kind, length);
    if (kind === FrameKind.END && length !== 0) throw new StreamError("FORMAT", `The end frame carries ${length} payload bytes; it must be empty.`);
    const frameBytes = FRAME_HEADER_BYTES + length;
    if (list.buffered < frameBytes) {
      this.wanted = frameBytes;
      return undefined;
    }
    this.wanted = FRAME_HEADER_BYTES;
    let frame: LengthPrefixedFrame;
    if (chunk.length - at >= frameBytes) {
      frame = { kind, bytes: chunk, start: at + FRAME_HEADER_BYTES, end: at + frameBytes };
      list.buffered -= frameBytes;
      list.advanceWithin(chunk, at + frameBytes);
    } else {
      // The frame spans chunks: skip its header, then copy the payload once, into a buffer of its size.
      list.skip(FRAME_HEADER_BYTES);
      frame = { kind, bytes: list.take(length), start: 0, end: length };
    }
    if (this.opening !== undefined) {
      this.opening.checkPayload(frame.bytes.subarray(frame.start, frame.end));
      this.opening = undefined;
      return this.nextFrame();
    }
    return frame;
  }

  /**
   * The fast path of the reader: item frames that lie whole in the current chunk, decoded in one loop with no
   * Frame objects. Anything else (the opening marker, another kind, a frame over the limit or across chunks, a
   * payload that does not decode, a resumed connection whose repeats are judged frame by frame) is left to next().
   */
  nextItems(values: unknown[], first: number, max: number, compiled: SchemaCodec | undefined): number {
    const received = this.resume;
    const list = this.list;
    if (list.buffered < this.wanted || this.opening !== undefined || this.allowed[FrameKind.ITEM] !== 1) return 0;
    if (received !== undefined && !received.firstConnection) return 0;
    list.seal();
    const chunk = list.chunks[list.head]!;
    const codec = this.codec;
    const limit = this.maxFrameBytes;
    const start = list.offset;
    let at = start;
    let count = 0;
    while (count < max && chunk.length - at >= FRAME_HEADER_BYTES && chunk[at] === FrameKind.ITEM) {
      const length = ((chunk[at + 1]! << 24) | (chunk[at + 2]! << 16) | (chunk[at + 3]! << 8) | chunk[at + 4]!) >>> 0;
      const next = at + FRAME_HEADER_BYTES + length;
      if (length > limit || next > chunk.length) break;
      if (compiled !== undefined) {
        const value = compiled.read!(chunk, at + FRAME_HEADER_BYTES, next);
        if (value === MISS) break; // next() takes this frame again, and the reader decides
        values[first + count] = value;
      } else {
        try {
          values[first + count] = codec.decode(chunk, at + FRAME_HEADER_BYTES, next);
        } catch {
          break; // next() takes this frame again, and the reader reports it
        }
      }
      at = next;
      count++;
    }
    if (count > 0) {
      this.wanted = FRAME_HEADER_BYTES;
      list.buffered -= at - start;
      list.advanceWithin(chunk, at);
      received?.countItems(count);
    }
    return count;
  }

  value(frame: LengthPrefixedFrame): unknown {
    return this.codec.decode(frame.bytes, frame.start, frame.end);
  }

  checkedValue(frame: LengthPrefixedFrame, compiled: SchemaCodec): unknown {
    return compiled.read!(frame.bytes, frame.start, frame.end);
  }

  payloadSize(frame: LengthPrefixedFrame): number {
    return frame.end - frame.start;
  }

  atEnd(): LengthPrefixedFrame | undefined {
    // truss_chains writers never send the end frame: a clean end of input after a whole frame stands for it.
    return this.endsAtEof && this.list.buffered === 0 ? END_AT_EOF : undefined;
  }

  hasTrailingData(): boolean {
    return this.list.buffered > 0;
  }

  preview(): Uint8Array {
    return this.list.peek(new Uint8Array(Math.min(48, this.list.buffered)));
  }

  describePending(): string {
    const buffered = this.list.buffered;
    if (buffered === 0) return "";
    if (buffered < FRAME_HEADER_BYTES) return `inside a frame header (${buffered} of ${FRAME_HEADER_BYTES} bytes)`;
    const h = this.list.peek(this.header);
    const length = ((h[1]! << 24) | (h[2]! << 16) | (h[3]! << 8) | h[4]!) >>> 0;
    const which = this.opening !== undefined ? "the opening frame" : aFrame(h[0]!);
    return `inside ${which} (${buffered - FRAME_HEADER_BYTES} of ${length} payload bytes)`;
  }

  private checkHeader(kind: number, length: number): void {
    if (kind === FrameKind.OPEN && this.hadOpening) {
      throw new StreamError("FORMAT", "A second opening marker inside the stream: two streams were concatenated, or the bytes are corrupted.");
    }
    if (this.allowed[kind] !== 1) {
      throw new StreamError(
        "FORMAT",
        `Unknown frame kind ${kind}: these bytes are not a stream of this format, or are corrupted. ` +
          `The bytes at this point: ${previewBytes(this.preview())}. ` +
          `If they look like text (an HTML or JSON error page), the server or a proxy answered with something other than a stream.`,
      );
    }
    if (length > this.maxFrameBytes) {
      throw new StreamError(
        "LIMIT",
        `${aFrame(kind, true)} announces ${length} payload bytes, over the limit of ${this.maxFrameBytes} (maxFrameBytes). ` +
          `Raise maxFrameBytes in the options if the producer really sends values this large; nothing of this frame was buffered.`,
      );
    }
  }
}

const NO_BYTES = new Uint8Array(0);
/** Stands for the end where a clean end of input is the end (truss). */
const END_AT_EOF: LengthPrefixedFrame = Object.freeze({ kind: FrameKind.END, bytes: NO_BYTES, start: 0, end: 0 });

/**
 * Writes length-prefixed frames. A small frame is a view of a larger buffer the encoder owns: use it as a
 * Uint8Array (its byteOffset and length), and copy it before transferring its `.buffer` to a worker, which would
 * take the neighbouring frames along. `prefix` (the binary framing's opening marker) goes before the first frame.
 *
 * @example
 * const encoder = new LengthPrefixedEncoder();
 * encoder.frame(FrameKind.END, new Uint8Array(0)); // Uint8Array [5, 0, 0, 0, 0]
 */
export class LengthPrefixedEncoder implements FrameEncoder {
  payloadBytes = 0;
  /** This writer's frame buffer: codecs write into it, never into a buffer shared with another writer. */
  private readonly slab = new FrameSlab();

  /** The writer is idle: its slab goes until the next frame (see FrameSlab.release). */
  releaseBuffers(): void {
    this.slab.release();
  }

  /**
   * `prefix` goes before the first frame (the binary framing's marker); a stream resumed after id `resumedAfter`
   * also starts with a resume frame, and its items with index `resumedAfter`.
   */
  constructor(
    private readonly codec: Codec,
    private readonly maxPayloadBytes: number,
    private prefix?: Uint8Array,
    resumedAfter?: number,
  ) {
    this.startIndex = resumedAfter ?? 0;
    if (resumedAfter !== undefined) {
      const resume = encodeFrame(FrameKind.RESUME, codec.encode(resumedAfter));
      this.prefix = prefix === undefined ? resume : joinTwo(prefix, resume);
    }
  }

  /** The index of the first item: 0, or where a resumed stream continues. */
  readonly startIndex: number;

  frameValue(kind: number, value: unknown): Uint8Array {
    const codec = this.codec;
    if (codec.encodeInto === undefined) {
      const payload = codec.encode(value);
      this.payloadBytes = payload.length;
      return payload.length > this.maxPayloadBytes ? NO_BYTES : this.frame(kind, payload);
    }
    // The codec writes after room for the frame header (and the marker, before the first frame): no copy of the payload.
    codec.encodeInto(value, this.begin());
    return this.finish(kind);
  }

  frameChecked(kind: number, compiled: SchemaCodec, value: unknown): Uint8Array | undefined {
    if (compiled.write === undefined || !compiled.write(value, this.begin())) return undefined;
    return this.finish(kind);
  }

  /** Starts a frame in the slab, after room for the prefix and the frame header. */
  private begin(): Output {
    return this.slab.begin((this.prefix === undefined ? 0 : this.prefix.length) + FRAME_HEADER_BYTES);
  }

  /** The frame the output holds, with its header (and the prefix, before the first frame). */
  private finish(kind: number): Uint8Array {
    const out = this.slab.out;
    const prefix = this.prefix;
    const offset = prefix === undefined ? 0 : prefix.length;
    const length = out.pos - out.start - offset - FRAME_HEADER_BYTES;
    this.payloadBytes = length;
    if (length > this.maxPayloadBytes) return NO_BYTES;
    if (prefix !== undefined) {
      out.bytes.set(prefix, out.start);
      this.prefix = undefined;
    }
    writeFrameHeader(out.bytes, out.start + offset, kind, length);
    return this.slab.commit(0);
  }

  frame(kind: number, payload: Uint8Array): Uint8Array {
    const prefix = this.prefix;
    const offset = prefix === undefined ? 0 : prefix.length;
    const frame = this.slab.allocate(offset + FRAME_HEADER_BYTES + payload.length);
    if (prefix !== undefined) {
      frame.set(prefix, 0);
      this.prefix = undefined;
    }
    writeFrameHeader(frame, offset, kind, payload.length);
    frame.set(payload, offset + FRAME_HEADER_BYTES);
    return frame;
  }
}

function joinTwo(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
