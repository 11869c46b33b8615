// What a writer checks in a value before encoding it: strings a codec would corrupt, and -0, which codecs lose unless told.
import { MAX_BIGINT_BYTES, MAX_DEPTH } from "./codec.js";

/** Bigints from here on (in magnitude) take a MessagePack body larger than MAX_BIGINT_BYTES, which readers refuse. */
const BIGINT_LIMIT = 1n << BigInt(MAX_BIGINT_BYTES * 8 - 1);

/**
 * Walks a value about to be encoded. Throws a TypeError (the writer reports it as `VALIDATION`) on nesting deeper
 * than MAX_DEPTH (or a cycle), and, with `wellFormedStrings` (MessagePack), on a string with a lone surrogate
 * (MessagePack strings are UTF-8, which cannot hold one: msgpackr would write invalid UTF-8 or U+FFFD) and on a
 * bigint too large for readers. Returns true
 * when the value holds a `-0`, which needs the codec's slow path to keep its sign.
 *
 * @example
 * scanForWrite({ a: [1, -0] }, true); // true
 * scanForWrite({ s: "\ud800" }, true); // throws TypeError
 */
export function scanForWrite(value: unknown, wellFormedStrings: boolean): boolean {
  return scan(value, wellFormedStrings, 0);
}

/** String.prototype.isWellFormed (ES2024; Node 20, current browsers), typed here for the ES2022 library. */
const wellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

function scan(value: unknown, strings: boolean, depth: number): boolean {
  // Ordered by how often each kind occurs in items; the walk runs on every value written.
  if (typeof value === "string") {
    if (strings && !wellFormed(value)) throw loneSurrogate(value);
    return false;
  }
  if (typeof value === "number") return value === 0 && 1 / value < 0;
  if (typeof value === "object" && value !== null) return scanContainer(value, strings, depth);
  if (typeof value === "bigint" && strings && (value >= BIGINT_LIMIT || value < -BIGINT_LIMIT)) {
    throw new TypeError(`a bigint of ${value.toString(2).length} bits is larger than readers accept (${MAX_BIGINT_BYTES} bytes); send it as a string`);
  }
  return false;
}

function scanContainer(value: object, strings: boolean, depth: number): boolean {
  if (depth >= MAX_DEPTH) throw new TypeError(`the value is nested more than ${MAX_DEPTH} levels deep, or refers to itself`);
  let negativeZero = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (scan(value[i], strings, depth + 1)) negativeZero = true;
    return negativeZero;
  }
  if (ArrayBuffer.isView(value) || value instanceof Date) return false;
  for (const key in value) {
    if (strings && !wellFormed(key)) throw loneSurrogate(key);
    if (scan((value as Record<string, unknown>)[key], strings, depth + 1)) negativeZero = true;
  }
  return negativeZero;
}

function loneSurrogate(text: string): TypeError {
  const at = [...text].findIndex((c) => c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff);
  return new TypeError(
    `the string ${JSON.stringify(text.slice(0, 24))}${text.length > 24 ? "…" : ""} has a lone surrogate (at ${at}), which UTF-8 cannot carry; ` +
      `send text as well-formed Unicode (String.prototype.toWellFormed), or the raw data as bytes`,
  );
}

/**
 * A copy of `value` in which every `-0` is replaced by `replacement(-0)`: for codecs that need to mark it.
 * Only the containers on the way to a `-0` are copied.
 */
export function replaceNegativeZero(value: unknown, replacement: unknown): unknown {
  if (typeof value === "number") return value === 0 && 1 / value < 0 ? replacement : value;
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => replaceNegativeZero(v, replacement));
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = replaceNegativeZero((value as Record<string, unknown>)[key], replacement);
  return copy;
}
