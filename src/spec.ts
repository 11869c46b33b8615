// The resolved definition a writer and reader share: codec, validators, limits, and value ↔ payload with validation.
import type { TSchema } from "@sinclair/typebox";
import type { Codec, CodecName } from "./codec.js";
import { StreamError, describeThrown, partLabel, previewBytes, type StreamPart, type ValidationIssue } from "./errors.js";
import { FrameKind, type Frame, type FrameSplitter } from "./frame.js";
import type { Validator } from "./validate.js";

/**
 * What a build brings to a definition: codecs, validators and frame splitters. The main entry brings all of them
 * (toolkit.ts); the browser entry brings a reading-only set, so that its bundle stays small.
 */
export interface Toolkit {
  codec(name: CodecName): Codec;
  validator(schema: TSchema): Validator;
  splitter(framing: Framing, maxFrameBytes: number, kinds: readonly number[]): FrameSplitter;
}

/** Options of a stream definition, shared by its writers and readers. */
export interface StreamTypesOptions {
  /** Payload codec: "msgpack" (default) or "json". */
  codec?: CodecName;
  /**
   * "truss": Baseten truss_chains' wire format: JSON payloads, no opening marker, no keep-alive frames,
   * and a clean end of input at a frame boundary counts as the end.
   */
  compat?: "truss";
  /**
   * How values are framed on the wire: "binary" (default: length-prefixed frames), "sse" (Server-Sent Events)
   * or "ndjson" (one JSON object per line). The text framings carry JSON.
   */
  framing?: Framing;
  /** Validate every value against its schema, when written and when read. Default true. */
  validate?: boolean;
  /** Largest payload accepted or produced, in bytes. Default 16 MiB. */
  maxFrameBytes?: number;
}

export type Framing = "binary" | "sse" | "ndjson";

/** 16 MiB: room for large items, small enough that one hostile length cannot exhaust memory. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface StreamSpec {
  readonly codec: Codec;
  readonly framing: Framing;
  /** truss_chains compat: no marker, and a clean end of input at a frame boundary is the end. */
  readonly truss: boolean;
  /** The binary framing opens with the marker frame; truss and the text framings do not. */
  readonly marker: boolean;
  readonly maxFrameBytes: number;
  readonly hasHeader: boolean;
  readonly hasFooter: boolean;
  readonly validators: { readonly [P in StreamPart]: Validator | undefined };
  /** A frame splitter for one reader. */
  splitter(maxFrameBytes: number): FrameSplitter;
}

export function resolveSpec(
  item: TSchema,
  header: TSchema | undefined,
  footer: TSchema | undefined,
  options: StreamTypesOptions,
  toolkit: Toolkit,
): StreamSpec {
  const truss = options.compat === "truss";
  if (options.compat !== undefined && !truss) {
    throw new StreamError("OPTIONS", `Unknown compat mode ${JSON.stringify(options.compat)}; the only one is "truss".`);
  }
  if (truss && options.codec !== undefined && options.codec !== "json") {
    throw new StreamError("OPTIONS", `compat: "truss" streams carry JSON payloads; remove codec: ${JSON.stringify(options.codec)}.`);
  }
  const framing = options.framing ?? "binary";
  if (framing !== "binary" && framing !== "sse" && framing !== "ndjson") {
    throw new StreamError("OPTIONS", `Unknown framing ${JSON.stringify(framing)}; use "binary", "sse" or "ndjson".`);
  }
  const text = framing !== "binary";
  if (text && truss) throw new StreamError("OPTIONS", `compat: "truss" is a binary framing; remove framing: "${framing}".`);
  if (text && options.codec !== undefined && options.codec !== "json") {
    throw new StreamError("OPTIONS", `The ${framing} framing carries JSON; remove codec: ${JSON.stringify(options.codec)}.`);
  }
  const codecName = truss || text ? "json" : (options.codec ?? "msgpack");
  if (codecName !== "msgpack" && codecName !== "json") {
    throw new StreamError("OPTIONS", `Unknown codec ${JSON.stringify(codecName)}; use "msgpack" or "json".`);
  }
  const maxFrameBytes = checkLimit("maxFrameBytes", options.maxFrameBytes) ?? DEFAULT_MAX_FRAME_BYTES;
  if (maxFrameBytes > 0xffffffff) throw new StreamError("OPTIONS", "maxFrameBytes cannot exceed 4294967295, the largest length a frame header holds.");
  const validate = options.validate !== false;
  const check = (schema: TSchema | undefined) => (validate && schema !== undefined ? toolkit.validator(schema) : undefined);
  const kinds = truss
    ? [FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.END, FrameKind.ERROR]
    : [FrameKind.OPEN, FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.END, FrameKind.ERROR, FrameKind.KEEPALIVE];
  return {
    codec: toolkit.codec(codecName),
    framing,
    truss,
    marker: !truss && !text,
    maxFrameBytes,
    hasHeader: header !== undefined,
    hasFooter: footer !== undefined,
    validators: { item: check(item), header: check(header), footer: check(footer) },
    splitter: (max) => toolkit.splitter(framing, max, kinds),
  };
}

/** A positive integer limit from the options, or undefined when not given. */
export function checkLimit(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new StreamError("OPTIONS", `${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

/** Validates then encodes a value the producer is writing. */
export function encodePart(spec: StreamSpec, part: StreamPart, index: number | undefined, value: unknown): Uint8Array {
  const validator = spec.validators[part];
  if (validator !== undefined && !validator.check(value)) throw validationError(validator, part, index, value, "cannot be written");
  let payload: Uint8Array;
  try {
    payload = spec.codec.encode(value);
  } catch (err) {
    throw new StreamError(
      "VALIDATION",
      `The ${partLabel(part, index)} cannot be encoded as ${spec.codec.name}: ${describeThrown(err)}.`,
      { cause: err, part, ...(index === undefined ? {} : { index }) },
    );
  }
  if (payload.length > spec.maxFrameBytes) {
    throw new StreamError(
      "LIMIT",
      `The ${partLabel(part, index)} encodes to ${payload.length} bytes, over maxFrameBytes (${spec.maxFrameBytes}); ` +
        `readers would reject it. Split the value, or raise maxFrameBytes on both ends.`,
      { part, ...(index === undefined ? {} : { index }) },
    );
  }
  return payload;
}

/** The value a frame carries: already parsed (NDJSON), JSON text (SSE), or a payload for the codec. Throws on bad bytes. */
export function frameValue(spec: StreamSpec, frame: Frame): unknown {
  if (spec.framing === "binary") return spec.codec.decode(frame.payload);
  if ("value" in frame) return frame.value;
  return JSON.parse(frame.text ?? "");
}

/** Decodes then validates a value the reader received. */
export function decodePart(spec: StreamSpec, part: StreamPart, index: number | undefined, frame: Frame): unknown {
  let value: unknown;
  try {
    value = frameValue(spec, frame);
  } catch (err) {
    const payload = frame.text !== undefined ? new TextEncoder().encode(frame.text) : frame.payload;
    throw new StreamError(
      "FORMAT",
      `The ${partLabel(part, index)} payload (${payload.length} bytes) does not decode as ${spec.codec.name}: ${describeDecodeFailure(err)}. ` +
        `Payload: ${previewBytes(payload)}. Check that producer and consumer use the same streamTypes options.`,
      { cause: err, part, ...(index === undefined ? {} : { index }) },
    );
  }
  const validator = spec.validators[part];
  if (validator === undefined) return value;
  let valid: boolean;
  try {
    valid = validator.check(value);
  } catch (err) {
    // The codec bounds depth and rejects cycles, so this is a last line of defence, e.g. for a schema whose own check recurses too far.
    throw new StreamError("VALIDATION", `The ${partLabel(part, index)} could not be checked against its schema: ${describeThrown(err)}.`, {
      cause: err,
      part,
      ...(index === undefined ? {} : { index }),
    });
  }
  if (!valid) throw validationError(validator, part, index, value, "does not match its schema");
  return value;
}

function describeDecodeFailure(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return "it is nested too deeply to decode";
  return describeThrown(err);
}

function validationError(validator: Validator, part: StreamPart, index: number | undefined, value: unknown, what: string): StreamError {
  let issues: ValidationIssue[];
  try {
    issues = validator.issues(value);
  } catch {
    issues = [];
  }
  const list = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  return new StreamError("VALIDATION", `The ${partLabel(part, index)} ${what}: ${list || "it was rejected by its schema"}.`, {
    part,
    issues,
    ...(index === undefined ? {} : { index }),
  });
}
