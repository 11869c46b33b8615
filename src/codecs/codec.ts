// The codec contract: one value ↔ one payload, with the limits every codec's decoder enforces on untrusted bytes.

/**
 * Turns one value into one payload and back. Each payload decodes on its own. `decode` is the only place where
 * untrusted bytes become a value for that codec, whatever framing carried them: it throws {@link DecodeError}
 * on anything that is not exactly one acceptable value.
 */
export interface Codec {
  /** "msgpack", "json": for messages and the binary framing's content type. */
  readonly name: string;
  /** The codec id in the binary framing's opening marker. */
  readonly id: number;
  /** Throws on a value the codec cannot represent. */
  encode(value: unknown): Uint8Array;
  /**
   * Like `encode`, with `headroom` (at most 255) free bytes before the value in the same buffer, where a framing
   * writes its frame header without copying the payload. Optional: framings fall back to `encode` and a copy.
   */
  encodeAfter?(value: unknown, headroom: number): Uint8Array;
  /** The value in `bytes[start, end)`; throws DecodeError on bytes that are not exactly one acceptable value. */
  decode(bytes: Uint8Array, start: number, end: number): unknown;
}

/** A codec whose values arrive as text (the SSE and NDJSON framings carry JSON text, not payload bytes). */
export interface TextCodec extends Codec {
  /** The value of one JSON text; the same checks as `decode`. */
  decodeText(text: string): unknown;
}

/**
 * The deepest nesting of arrays and maps/objects a decoded value may have. Deeper input is rejected before it
 * is delivered, so neither the decoder, nor a validator with a recursive schema, nor the consumer's own recursive
 * code (JSON.stringify, structuredClone) can overflow the stack on it. Python's json module, which truss_chains
 * producers use, cannot write values much deeper than this.
 */
export const MAX_DEPTH = 1000;

/** The largest MessagePack bigint extension accepted: 8 KiB, a 65,536-bit integer. Larger ones cost superlinear time to decode. */
export const MAX_BIGINT_BYTES = 8192;

/** A payload a strict decoder rejects; the reader reports it as a `FORMAT` error with this message. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecodeError";
  }
}
