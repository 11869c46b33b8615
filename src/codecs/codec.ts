// The codec contract: one value ↔ one payload, with the limits every codec's decoder enforces on untrusted bytes.
import type { Plan } from "../plan/plan.js";
import type { Output } from "./output.js";

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
   * Like `encode`, written at `out.pos` into a buffer the caller owns (a writer's frame buffer), so a framing
   * writes its frame header before the payload without copying it. Optional: framings fall back to `encode` and a
   * copy. On a throw, what was written does not count.
   */
  encodeInto?(value: unknown, out: Output): void;
  /** The value in `bytes[start, end)`; throws DecodeError on bytes that are not exactly one acceptable value. */
  decode(bytes: Uint8Array, start: number, end: number): unknown;
  /**
   * Optional: this codec specialised to one part's plan (its schema walked once, src/plan/), with the schema's checks
   * fused in; undefined where it has no back end for the plan. Definitions call it once per part.
   */
  compile?(plan: Plan): SchemaCodec | undefined;
}

/** A codec whose values arrive as text (the SSE and NDJSON framings carry JSON text, not payload bytes). */
export interface TextCodec extends Codec {
  /** The value of one JSON text; the same checks as `decode`. */
  decodeText(text: string): unknown;
  /** The JSON text `encode` writes for a value nested `depth` levels deep (undefined: none); throws as `encode` does. */
  encodeText(value: unknown, depth: number): string | undefined;
  /** How this codec spells -0 (JSON.stringify writes 0, losing the sign). */
  readonly negativeZero: string;
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

/**
 * What a compiled codec answers for a value or payload it does not take: one its schema refuses, or one it cannot be
 * sure of (another key order, extra keys, an encoding it does not read). The generic codec and the validator then
 * take it, and give exactly the result they give without a compiled codec. Thrown inside compiled code to unwind.
 */
export const MISS: { readonly miss: true } = Object.freeze({ miss: true as const });

/**
 * A codec compiled from one part's schema (see src/plan/): validation fused into encoding and decoding, one pass
 * each. Correctness never depends on it: anything it does not take is {@link MISS}, and the generic path decides.
 */
export interface SchemaCodec {
  /** "code" (generated), "closures" (CSP-safe): for messages and tests. */
  readonly backend: "code" | "closures";
  /** Writes the payload of a value the schema accepts at `out.pos`; false (what it wrote does not count) for any other value. */
  write?(value: unknown, out: Output): boolean;
  /** The value of `bytes[start, end)`, already valid for the schema, or {@link MISS}. */
  read?(bytes: Uint8Array, start: number, end: number): unknown;
}
