// The JSON codec: compact UTF-8 JSON, and the one place where JSON text from any framing becomes a value.
import { DecodeError, MAX_DEPTH, type TextCodec } from "./codec.js";
import { replaceNegativeZero, scanForWrite } from "./write-check.js";

/** Codec id of JSON in the binary framing's opening marker. */
export const JSON_CODEC_ID = 2;

const utf8 = new TextEncoder();

/**
 * Compact UTF-8 JSON, as truss_chains writes it. Every framing that carries JSON (binary with this codec, truss,
 * SSE, NDJSON) turns untrusted text into a value through {@link parseJsonText}, so the same rules hold for all:
 * invalid UTF-8 is an error (not replacement characters), nesting is bounded by MAX_DEPTH, and a `__proto__`
 * key stays an own data property, as `JSON.parse` makes it (it changes no prototype). `-0` is written as `-0`,
 * which JSON.parse reads back with its sign, and a lone surrogate as a `\uXXXX` escape, which reads back exactly.
 * JSON has no `undefined`, `Date`, typed arrays or bigints: those are written as `JSON.stringify` writes them.
 *
 * @example
 * const STREAM = streamTypes(Item, undefined, undefined, { format: binary(json()) });
 */
export function json(): TextCodec {
  return jsonWritingNegativeZeroAs("-0");
}

/**
 * The JSON codec with `-0` written as `negativeZero`: "-0" (JavaScript reads it back as -0), or "-0.0" for the truss
 * format, whose Python readers' `json` module reads "-0" as the integer 0 and "-0.0" as the float -0.0.
 *
 * @example
 * new TextDecoder().decode(jsonWritingNegativeZeroAs("-0.0").encode({ x: -0 })); // '{"x":-0.0}'
 */
export function jsonWritingNegativeZeroAs(negativeZero: "-0" | "-0.0"): TextCodec {
  const text = new TextDecoder("utf-8", { fatal: true });
  /** The text JSON.stringify gives `value` (nested `depth` levels deep in a payload), with -0 kept. Throws TypeError as scanForWrite does. */
  const encodeText = (value: unknown, depth: number): string | undefined =>
    scanForWrite(value, false, depth) ? stringifyKeepingNegativeZero(value, negativeZero) : JSON.stringify(value);
  return {
    name: "json",
    id: JSON_CODEC_ID,
    encode(value) {
      const written = encodeText(value, 0);
      if (written === undefined) throw new TypeError(`${typeof value} has no JSON representation`);
      return utf8.encode(written);
    },
    encodeText,
    negativeZero,
    decode(bytes, start, end) {
      let decoded: string;
      try {
        decoded = text.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
      } catch {
        throw new DecodeError("the payload is not valid UTF-8");
      }
      return parseJsonText(decoded);
    },
    decodeText: parseJsonText,
  };
}

/** Stands for -0 while JSON.stringify runs (it writes -0 as 0); a string no real value holds. */
const NEGATIVE_ZERO_MARK = `\u0000streamtypes:-0:${Math.random().toString(36).slice(2)}\u0000`;
const NEGATIVE_ZERO_TEXT = JSON.stringify(NEGATIVE_ZERO_MARK);

/** JSON text with every `-0` written as `negativeZero`: the slow path, for the rare value that holds one. */
function stringifyKeepingNegativeZero(value: unknown, negativeZero: string): string | undefined {
  return JSON.stringify(replaceNegativeZero(value, NEGATIVE_ZERO_MARK))?.replaceAll(NEGATIVE_ZERO_TEXT, negativeZero);
}

/**
 * The value of one untrusted JSON text: `JSON.parse`, then the checks every JSON-carrying framing shares.
 * Throws {@link DecodeError}.
 *
 * @example
 * parseJsonText('{"a":[1]}'); // { a: [1] }
 */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DecodeError(err instanceof RangeError ? "it is nested too deeply to decode" : `it is not valid JSON (${(err as Error).message})`);
  }
  // Nesting deeper than MAX_DEPTH needs more than 2 * MAX_DEPTH characters ("[" and "]" per level): most texts skip the walk.
  if (text.length > 2 * MAX_DEPTH) checkDepth(value);
  return value;
}

/** Throws when a parsed value nests deeper than MAX_DEPTH; iterative, so it cannot overflow the stack itself. */
function checkDepth(root: unknown): void {
  const values: unknown[] = [root];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_DEPTH) throw new DecodeError(`the value is nested more than ${MAX_DEPTH} levels deep`);
    for (const key in value) {
      const child: unknown = (value as Record<string, unknown>)[key];
      if (typeof child === "object" && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
}
