// What a writer checks in a value before encoding it: strings a codec would corrupt, and -0, which codecs lose unless told.
import { MAX_BIGINT_BYTES, MAX_DEPTH } from "./codec.js";

/** Bigints from here on (in magnitude) take a MessagePack body larger than MAX_BIGINT_BYTES, which readers refuse. */
const BIGINT_LIMIT = 1n << BigInt(MAX_BIGINT_BYTES * 8 - 1);

/**
 * Walks a value about to be encoded. Throws a TypeError (the writer reports it as `VALIDATION`) on nesting deeper
 * than MAX_DEPTH (or a cycle), and, for MessagePack (`utf8` a number), on a bigint too large for readers and on a
 * string of at least `utf8` UTF-16 units with a lone surrogate: MessagePack strings are UTF-8, which cannot hold
 * one (msgpackr writes U+FFFD for it in a long string; in a short one it writes invalid UTF-8, which
 * {@link hasEncodedSurrogate} finds in the output at less cost than a check of every string). Returns true when
 * the value holds a `-0`, which needs the codec's slow path to keep its sign. `depth`: how deep the value already
 * sits in the payload (a compiled codec hands over the values its schema leaves open).
 *
 * @example
 * scanForWrite({ a: [1, -0] }, 0); // true
 * scanForWrite({ s: "\ud800" }, 0); // throws TypeError
 */
export function scanForWrite(value: unknown, utf8: number | false, depth = 0): boolean {
  return scan(value, utf8 === false ? Infinity : utf8, utf8 !== false, depth);
}

/**
 * Whether `bytes[start, end)` hold a UTF-16 surrogate encoded as UTF-8 (searched up to the end of `bytes`: pass a view
 * that ends at `end`) (`ED A0`–`ED BF`), as msgpackr writes a
 * lone surrogate in a short string. A number's or a binary value's bytes can match by chance: a match only means
 * that the value must be checked string by string.
 */
export function hasEncodedSurrogate(bytes: Uint8Array, start: number, end: number): boolean {
  for (let at = bytes.indexOf(0xed, start); at >= 0 && at + 1 < end; at = bytes.indexOf(0xed, at + 1)) {
    const next = bytes[at + 1]!;
    if (next >= 0xa0 && next <= 0xbf) return true;
  }
  return false;
}

/** String.prototype.isWellFormed (ES2024; Node 20, current browsers), typed here for the ES2022 library. */
const wellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

function scan(value: unknown, minString: number, bigints: boolean, depth: number): boolean {
  // Ordered by how often each kind occurs in items; the walk runs on every value written.
  if (typeof value === "string") {
    if (value.length >= minString && !wellFormed(value)) throw loneSurrogate(value);
    return false;
  }
  if (typeof value === "number") return value === 0 && 1 / value < 0;
  if (typeof value === "object" && value !== null) return scanContainer(value, minString, bigints, depth);
  if (typeof value === "bigint" && bigints && (value >= BIGINT_LIMIT || value < -BIGINT_LIMIT)) {
    throw new TypeError(`a bigint of ${value.toString(2).length} bits is larger than readers accept (${MAX_BIGINT_BYTES} bytes); send it as a string`);
  }
  return false;
}

function scanContainer(value: object, minString: number, bigints: boolean, depth: number): boolean {
  if (depth >= MAX_DEPTH) throw new TypeError(`the value is nested more than ${MAX_DEPTH} levels deep, or refers to itself`);
  let negativeZero = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (scan(value[i], minString, bigints, depth + 1)) negativeZero = true;
    return negativeZero;
  }
  if (ArrayBuffer.isView(value) || value instanceof Date) return false;
  for (const key in value) {
    if (key.length >= minString && !wellFormed(key)) throw loneSurrogate(key);
    if (scan((value as Record<string, unknown>)[key], minString, bigints, depth + 1)) negativeZero = true;
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
