// The wire-format contract: what a framing (binary, truss, SSE, NDJSON) provides to the reader, the writer and the HTTP helpers.
import type { Codec, SchemaCodec } from "./codecs/codec.js";
import { FrameKind } from "./protocol.js";

/** What the reader knows about a frame: its kind (see FrameKind). The rest is the format's business. */
export interface Frame {
  readonly kind: number;
}

/**
 * Splits one connection's bytes into frames and turns a frame into a value. One per reader; whatever the
 * chunking, it yields the same frames. The reader holds the order rules; the decoder holds everything about
 * the bytes (markers, names, line or event syntax, size limits).
 */
export interface FrameDecoder<F extends Frame = Frame> {
  /** Adds a chunk. The chunk must not change afterwards while frames may still view it. */
  push(chunk: Uint8Array): void;
  /** The next complete frame, or undefined when more bytes are needed. Throws `FORMAT` or `LIMIT` (a StreamError). */
  next(): F | undefined;
  /**
   * Optional: true when the bytes buffered cannot complete the next frame (its header said how many it needs), so
   * that the reader skips trying; a stream in small chunks asks once per chunk.
   */
  awaitsBytes?(): boolean;
  /** The frame's value, through the format's codec: the only way bytes become a value. Throws DecodeError. */
  value(frame: F): unknown;
  /**
   * Optional: the frame's value through a codec compiled from its part's schema, already valid for it, or MISS
   * when that codec does not take the payload (the reader then calls `value` and validates).
   */
  checkedValue?(frame: F, compiled: SchemaCodec): unknown;
  /**
   * Optional fast path for runs of items: the values of the next item frames that are complete in the bytes at
   * hand, up to `max`, written to `values` from index `at` on (a caller's array: a batch, the reader's queue) without a Frame object each; returns how many. Returns early (0 when
   * it cannot start) at anything it does not take (another kind, a frame across chunks, a payload that does not
   * decode): next() then takes that frame as usual. What it takes is exactly what next() and value() would give.
   * Given the item schema's compiled codec, it decodes with that, and the values are already valid for the schema.
   */
  nextItems?(values: unknown[], at: number, max: number, compiled: SchemaCodec | undefined): number;
  /** The frame's payload size in bytes, for messages. */
  payloadSize(frame: F): number;
  /** The input ended here: a frame that stands for the end (truss, at a frame boundary), or undefined (→ `TRUNCATED`). */
  atEnd(): F | undefined;
  /** After the end frame: is what is buffered data? (binary: any byte; text: a complete event or line, not slack.) */
  hasTrailingData(): boolean;
  /** Where an unfinished frame stands, for `TRUNCATED`: "inside an item frame (3 of 10 payload bytes)"; "" when nothing is held. */
  describePending(): string;
  /** Up to 48 held bytes, for `FORMAT` previews. */
  preview(): Uint8Array;
  /** Bytes held that belong to no complete frame yet. */
  readonly bufferedBytes: number;
  /** Resumable formats only: where to reconnect from, and how to start over on a new connection. */
  readonly resume?: ResumePoint | undefined;
}

/** How a resumable format's decoder continues on a new connection. */
export interface ResumePoint {
  /** The id of the last event delivered, to send as `Last-Event-ID`. */
  readonly lastEventId: string | undefined;
  /** Starts over on a new connection; events already delivered will be skipped when they are sent again. */
  reconnected(): void;
  /**
   * The reader already has every part up to id `position` (the reader's `startAfter`: a non-negative integer or
   * its decimal text, else `OPTIONS`): parts at or before it are skipped, and the first item expected is the one after it.
   */
  startAfter?(position: string | number): void;
}

/** Turns values and payloads into complete frames for one stream. */
export interface FrameEncoder {
  /** One complete frame around an already encoded payload (empty for end and keep-alive). */
  frame(kind: number, payload: Uint8Array): Uint8Array;
  /**
   * One complete frame holding `value`, encoded with the format's codec (already validated). Throws what the codec
   * throws. A payload over `maxPayloadBytes` is not framed (nothing of the stream's state changes): the result is
   * empty, and `payloadBytes` says how large it was.
   */
  frameValue(kind: number, value: unknown): Uint8Array;
  /**
   * Optional: one complete frame holding `value`, written by a codec compiled from the part's schema, which checks
   * the value as it writes it; undefined when that codec does not take the value (the writer then validates it and
   * calls `frameValue`). Over `maxPayloadBytes`: empty, as `frameValue`.
   */
  frameChecked?(kind: number, compiled: SchemaCodec, value: unknown): Uint8Array | undefined;
  /** Optional: the writer is idle for now; drop the buffer small frames are carved from (the next frame takes a new one). */
  releaseBuffers?(): void;
  /** The payload size of the last value `frameValue` or `frameChecked` encoded, in bytes. */
  readonly payloadBytes: number;
  /** The first item's index: 0, or where a resumed stream continues. */
  readonly startIndex: number;
}

/** Options for a new encoder. */
export interface EncoderOptions {
  /** The largest payload `frameValue` frames. */
  readonly maxPayloadBytes: number;
  /** Resumable formats: the `Last-Event-ID` a reconnecting client sent; anything that is not an id of this format starts over. */
  readonly resumeAfter?: string | null | undefined;
}

/** One wire format: how frames look, which codec fills them, and what a stream of it supports. */
export interface Format {
  /** "binary", "truss", "sse", "ndjson": for messages. */
  readonly name: string;
  /** The Content-Type a stream of this format is served with. */
  readonly contentType: string;
  /** The `Accept` header a client asks for this format with. */
  readonly accept: string;
  readonly codec: Codec;
  /** Whether the format has keep-alive frames (truss_chains readers know none). */
  readonly keepAlive: boolean;
  /** Whether a reader can reconnect and continue (`reconnect`, `resumeAfter`). */
  readonly resumable: boolean;
  decoder(limits: { readonly maxFrameBytes: number }): FrameDecoder;
  encoder(options: EncoderOptions): FrameEncoder;
}

/** For text framings' `hasTrailingData`: is a complete frame other than a keep-alive buffered? A frame that does not parse counts. */
export function hasDataFrame(decoder: FrameDecoder): boolean {
  for (;;) {
    let frame: Frame | undefined;
    try {
      frame = decoder.next();
    } catch {
      return true;
    }
    if (frame === undefined) return false;
    if (frame.kind !== FrameKind.KEEPALIVE) return true;
  }
}
