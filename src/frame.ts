// The frame format: frame kinds, the 5-byte frame header, and an incremental decoder over a list of chunks.
import { StreamError, previewBytes } from "./errors.js";

/**
 * Frame kinds. 2 to 5 are the values Baseten's truss_chains streaming uses; 1 is truss's never-written
 * NOT_SET, which this format reuses for its opening marker.
 */
export const FrameKind = {
  OPEN: 1,
  HEADER: 2,
  ITEM: 3,
  FOOTER: 4,
  END: 5,
  ERROR: 6,
  KEEPALIVE: 7,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Chunks shorter than this are gathered into a shared buffer instead of being kept one by one. */
const SMALL_CHUNK_BYTES = 256;
const TAIL_BYTES = 16 * 1024;

/** Bytes before every payload: kind (uint8) and payload length (uint32, big-endian). */
export const FRAME_HEADER_BYTES = 5;

/** The largest payload length the 4-byte length field can carry. */
export const MAX_PAYLOAD_LENGTH = 0xffffffff;

const KIND_NAMES: Record<number, string> = {
  1: "open",
  2: "header",
  3: "item",
  4: "footer",
  5: "end",
  6: "error",
  7: "keep-alive",
};

/** A human name for a frame kind, for messages. */
export function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? `unknown (${kind})`;
}

const KINDS_BY_NAME: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(KIND_NAMES).map(([kind, name]) => [name, Number(kind)]));

/** The frame kind with this name ("item", "keep-alive"), if it is one of `allowed`; text framings name their kinds. */
export function kindNamed(name: unknown, allowed: readonly number[]): number | undefined {
  const kind = typeof name === "string" && Object.hasOwn(KINDS_BY_NAME, name) ? KINDS_BY_NAME[name] : undefined;
  return kind !== undefined && allowed.includes(kind) ? kind : undefined;
}

/** "an item frame", "a header frame": a frame kind with its article, for messages. */
export function aFrame(kind: number): string {
  const name = kindName(kind);
  return `${/^[aeiou]/.test(name) ? "an" : "a"} ${name} frame`;
}

/**
 * One decoded frame. `payload` may be a view into a chunk the source delivered: read it before the next chunk
 * is reused. Text framings carry the JSON text instead (`text`, SSE) or the already parsed value (`value`, NDJSON).
 */
export interface Frame {
  kind: number;
  payload: Uint8Array;
  text?: string;
  value?: unknown;
  /** The SSE event id, where there is one. */
  id?: string;
}

/**
 * Splits a byte stream into frames, whatever its chunking: the contract of the binary {@link FrameDecoder} and
 * of the SSE and NDJSON decoders.
 */
export interface FrameSplitter {
  /** Bytes held that belong to no complete frame yet. */
  readonly bufferedBytes: number;
  push(chunk: Uint8Array): void;
  /** The next complete frame, or undefined when more bytes are needed. Throws `FORMAT` or `LIMIT`. */
  next(): Frame | undefined;
  /** What is held of an unfinished frame, for `TRUNCATED` messages. */
  pending(): PendingFrame;
  /** Up to `max` held bytes, for error previews. */
  previewHeld(max?: number): Uint8Array;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
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

export interface FrameDecoderOptions {
  /** Payloads longer than this raise `LIMIT` as soon as the frame header is read. */
  maxFrameBytes: number;
  /** The frame kinds this stream may contain; any other raises `FORMAT`. */
  kinds: readonly number[];
}

/** Where an unfinished frame stands, for `TRUNCATED` messages. */
export interface PendingFrame {
  /** Bytes held that belong to no complete frame. */
  bufferedBytes: number;
  /** Kind and announced length, once the 5-byte header is complete. */
  kind?: number;
  payloadLength?: number;
}

/**
 * Splits a byte stream into frames, whatever its chunking. Chunks are kept in a list, never concatenated:
 * a frame that lies wholly inside one chunk comes out as a view of it, and one that spans chunks is copied
 * once, into a buffer of exactly its size, when its last byte arrives. The length limit is checked from the
 * frame header, before any payload is held for it.
 *
 * @example
 * const decoder = new FrameDecoder({ maxFrameBytes: 1 << 20, kinds: [2, 3, 4, 5] });
 * decoder.push(Uint8Array.of(3, 0, 0, 0, 1, 0x2a, 5, 0));
 * decoder.next(); // { kind: 3, payload: Uint8Array [0x2a] }
 * decoder.next(); // undefined: the end frame's header is not complete yet
 */
export class FrameDecoder implements FrameSplitter {
  private readonly chunks: Uint8Array[] = [];
  private head = 0; // index of the first chunk still in use
  private offset = 0; // read position inside chunks[head]
  private buffered = 0; // bytes held from (head, offset) on
  private readonly maxFrameBytes: number;
  private readonly allowed = new Uint8Array(256);
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  /** Where tiny chunks are gathered; only ever appended to, so views of it stay valid. */
  private tail = new Uint8Array(0);
  private tailUsed = 0;

  constructor(options: FrameDecoderOptions) {
    this.maxFrameBytes = options.maxFrameBytes;
    for (const kind of options.kinds) this.allowed[kind] = 1;
  }

  /** Bytes held that have not been returned in a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds a chunk; it must not be modified afterwards while frames may still view it. */
  push(chunk: Uint8Array): void {
    const length = chunk.length;
    if (length === 0) return;
    this.buffered += length;
    if (length < SMALL_CHUNK_BYTES) {
      // Tiny chunks (a slow or hostile peer sending a byte at a time) are copied into a shared tail buffer, so the
      // memory held stays proportional to the bytes, not to the number of chunk objects.
      const last = this.chunks.length - 1;
      if (last >= this.head && this.chunks[last]!.buffer === this.tail.buffer && this.tailUsed + length <= this.tail.length) {
        this.tail.set(chunk, this.tailUsed);
        const view = this.chunks[last]!;
        this.chunks[last] = this.tail.subarray(view.byteOffset - this.tail.byteOffset, this.tailUsed + length);
        this.tailUsed += length;
        return;
      }
      if (this.tailUsed + length > this.tail.length) {
        this.tail = new Uint8Array(TAIL_BYTES);
        this.tailUsed = 0;
      }
      this.tail.set(chunk, this.tailUsed);
      this.chunks.push(this.tail.subarray(this.tailUsed, this.tailUsed + length));
      this.tailUsed += length;
      return;
    }
    this.chunks.push(chunk);
  }

  /** The next complete frame, or undefined when more bytes are needed. Throws `FORMAT` or `LIMIT` on a bad frame header. */
  next(): Frame | undefined {
    if (this.buffered < FRAME_HEADER_BYTES) return undefined;
    let chunk = this.chunks[this.head]!;
    let at = this.offset;
    let kind: number;
    let length: number;
    if (chunk.length - at >= FRAME_HEADER_BYTES) {
      kind = chunk[at]!;
      length = ((chunk[at + 1]! << 24) | (chunk[at + 2]! << 16) | (chunk[at + 3]! << 8) | chunk[at + 4]!) >>> 0;
    } else {
      const h = this.peek(this.header);
      kind = h[0]!;
      length = ((h[1]! << 24) | (h[2]! << 16) | (h[3]! << 8) | h[4]!) >>> 0;
    }
    this.checkHeader(kind, length);
    const frameBytes = FRAME_HEADER_BYTES + length;
    if (this.buffered < frameBytes) return undefined;
    this.buffered -= frameBytes;
    if (chunk.length - at >= frameBytes) {
      const payload = chunk.subarray(at + FRAME_HEADER_BYTES, at + frameBytes);
      this.advanceWithin(chunk, at + frameBytes);
      return { kind, payload };
    }
    // The frame spans chunks: skip its header, then copy the payload piece by piece.
    this.skip(FRAME_HEADER_BYTES);
    const payload = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      chunk = this.chunks[this.head]!;
      at = this.offset;
      const take = Math.min(length - filled, chunk.length - at);
      payload.set(take === chunk.length - at && at === 0 ? chunk : chunk.subarray(at, at + take), filled);
      filled += take;
      this.advanceWithin(chunk, at + take);
    }
    return { kind, payload };
  }

  /** Up to `max` held bytes from the current position, for error previews. */
  previewHeld(max = 48): Uint8Array {
    return this.peek(new Uint8Array(Math.min(max, this.buffered)));
  }

  /** What is held of an unfinished frame, for a `TRUNCATED` message. */
  pending(): PendingFrame {
    if (this.buffered < FRAME_HEADER_BYTES) return { bufferedBytes: this.buffered };
    const h = this.peek(this.header);
    return { bufferedBytes: this.buffered, kind: h[0]!, payloadLength: ((h[1]! << 24) | (h[2]! << 16) | (h[3]! << 8) | h[4]!) >>> 0 };
  }

  private checkHeader(kind: number, length: number): void {
    if (this.allowed[kind] !== 1) {
      throw new StreamError(
        "FORMAT",
        `Unknown frame kind ${kind}: these bytes are not a stream of this format, or are corrupted. ` +
          `The bytes at this point: ${previewBytes(this.previewHeld())}. ` +
          `If they look like text (an HTML or JSON error page), the server or a proxy answered with something other than a stream.`,
      );
    }
    // The opening marker has a fixed size, checked by the reader; every other frame is held to the limit.
    if (length > this.maxFrameBytes && kind !== FrameKind.OPEN) {
      throw new StreamError(
        "LIMIT",
        `${capitalize(aFrame(kind))} announces ${length} payload bytes, over the limit of ${this.maxFrameBytes} (maxFrameBytes). ` +
          `Raise maxFrameBytes in the options if the producer really sends values this large; nothing of this frame was buffered.`,
      );
    }
  }

  /** Moves the read position to `end` within the current chunk, dropping the chunk when it is used up. */
  private advanceWithin(chunk: Uint8Array, end: number): void {
    if (end < chunk.length) {
      this.offset = end;
      return;
    }
    this.chunks[this.head] = undefined as unknown as Uint8Array; // let the chunk be collected
    this.head++;
    this.offset = 0;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }

  private skip(count: number): void {
    while (count > 0) {
      const chunk = this.chunks[this.head]!;
      const take = Math.min(count, chunk.length - this.offset);
      count -= take;
      this.advanceWithin(chunk, this.offset + take);
    }
  }

  /** Fills `target` with held bytes from the current position, without consuming them. */
  private peek(target: Uint8Array): Uint8Array {
    let filled = 0;
    let at = this.offset;
    for (let i = this.head; i < this.chunks.length && filled < target.length; i++) {
      const chunk = this.chunks[i]!;
      const take = Math.min(target.length - filled, chunk.length - at);
      target.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at = 0;
    }
    return filled === target.length ? target : target.subarray(0, filled);
  }
}
