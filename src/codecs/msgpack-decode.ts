// The strict MessagePack decoder of the read path: builds one payload's value and enforces every rule of checkMessagePack in the same pass.
import { DecodeError, MAX_BIGINT_BYTES, MAX_DEPTH } from "./codec.js";

/*
 * What comes out, and how it relates to msgpackr (`new Unpackr({ useRecords: false, moreTypes: true })`, which the
 * reader used before): for every payload that checkMessagePack accepts and msgpackr decodes without throwing, the
 * value is deep-equal to msgpackr's, except for these deliberate differences:
 *
 * - `bin` values are Uint8Array copies, never views of the input (msgpackr returns a view, a Buffer in Node): frames
 *   are views of network chunks, and a view would keep the whole chunk alive and change with it.
 * - A string longer than 64 bytes that starts with U+FEFF keeps it. msgpackr (without its native addon, as the
 *   reader loads it) decodes such strings with a default TextDecoder, which drops a leading byte-order mark.
 *
 * Everything else follows msgpackr: maps become plain objects, created with `{}` and filled in order; keys that
 * are not strings become strings as msgpackr turns them (numbers, booleans, bigints with toString, nil and
 * undefined as "null" and "undefined"), and keys that are arrays, maps, binary, Dates or typed arrays are rejected
 * (msgpackr throws on them). int 64 and uint 64 are always bigints (msgpackr's default `int64AsType`), float 32 is
 * the float's exact value as a number, timestamps are Dates computed with msgpackr's arithmetic, and the typed
 * array extension gives the same class (or ArrayBuffer, DataView) over an aligned copy of the bytes.
 *
 * The rejection rules are checkMessagePack's (msgpack-check.ts): a length (string, binary, array, map, extension)
 * running past the payload's end; bytes after the value; nesting deeper than MAX_DEPTH; the byte 0xC1; invalid
 * UTF-8 in a string; a map key "__proto__"; extensions other than undefined (0), timestamp (-1), bigint (0x42) and
 * msgpackr's typed array (0x74), or one of those with a malformed body; plus the keys msgpackr cannot turn into a
 * property name. A container that declares more children than the bytes left could hold is rejected before
 * anything is allocated for it.
 *
 * Written for the JIT, after msgpackr's unpack.js: recursive descent over module-level state (decoding is
 * synchronous; a call made while one runs, from a setter on Object.prototype, say, saves and restores it), with
 * recursion bounded by MAX_DEPTH, so no input can overflow the stack (MAX_DEPTH levels take under 300 KB of stack
 * even in the interpreter, a third of Node's default). Short map keys and short string values come from tables
 * keyed by their bytes, so a repeated one costs no new string; other short ASCII strings come from
 * String.fromCharCode, other short strings from a strict UTF-8 decoder written here, long ones from a fatal TextDecoder. Numbers are read byte by byte, through
 * a small typed-array scratch buffer for floats and 64-bit integers: no DataView, no per-call allocation.
 */

/** Payloads are read from here; reset to EMPTY after each call so the decoder keeps no input alive. */
const EMPTY = new Uint8Array(0);
let src: Uint8Array = EMPTY;
/** The next byte to read. */
let pos = 0;
/** The end of the payload in `src`: no byte at or after it is read. */
let end = 0;
/** Where the payload starts in `src`: positions in messages are counted from it. */
let base = 0;
/** Arrays and maps open around the value being read. */
let depth = 0;
/** A decode is running (a nested call must save the state above). */
let busy = false;

/** The one MessagePack value in bytes[start, end), built and checked in one pass. Throws DecodeError. */
export function decodeMessagePack(bytes: Uint8Array, start: number, end_: number): unknown {
  return decodeAt(bytes, start, end_, 0, true);
}

/** Where the value read by the last {@link decodeValueAt} ended. */
let valueEnd = 0;

/**
 * The one value that starts at `bytes[start]` and ends at or before `end`, as if nested `depth` levels deep in a
 * payload (the depth limit counts them): for compiled decoders, which hand the values their schema leaves open to
 * this decoder. Where the value ended is {@link lastValueEnd}. Throws DecodeError.
 *
 * @example
 * decodeValueAt(Uint8Array.of(0x91, 0x01, 0xc0), 0, 3, 0); // [1]; lastValueEnd() === 2
 */
export function decodeValueAt(bytes: Uint8Array, start: number, end_: number, depth_: number): unknown {
  return decodeAt(bytes, start, end_, depth_, false);
}

/** Where the value read by the last {@link decodeValueAt} ended. */
export function lastValueEnd(): number {
  return valueEnd;
}

function decodeAt(bytes: Uint8Array, start: number, end_: number, depth_: number, whole: boolean): unknown {
  if (busy) return decodeNested(bytes, start, end_, depth_, whole);
  if (!(start >= 0 && start <= end_ && end_ <= bytes.length)) {
    throw new RangeError(`decodeMessagePack: [${start}, ${end_}) is not a range of a ${bytes.length}-byte array`);
  }
  busy = true;
  src = bytes;
  pos = start;
  end = end_;
  base = start;
  depth = depth_;
  try {
    const value = read();
    if (whole && pos !== end) throw new DecodeError(`${end - pos} bytes follow the value; a payload must hold exactly one value`);
    valueEnd = pos;
    return value;
  } finally {
    src = EMPTY;
    busy = false;
  }
}

/** A decode started while another one runs: the outer one's state is saved and restored around it. */
function decodeNested(bytes: Uint8Array, start: number, end_: number, depth_: number, whole: boolean): unknown {
  const savedSrc = src;
  const savedPos = pos;
  const savedEnd = end;
  const savedBase = base;
  const savedDepth = depth;
  busy = false;
  try {
    return decodeAt(bytes, start, end_, depth_, whole);
  } finally {
    src = savedSrc;
    pos = savedPos;
    end = savedEnd;
    base = savedBase;
    depth = savedDepth;
    busy = true;
  }
}

// ---- values ----

function read(): unknown {
  if (pos >= end) throw truncated(pos);
  const token = src[pos++]!;
  if (token < 0xa0) {
    if (token < 0x80) return token; // positive fixint
    if (token < 0x90) return readMap(token & 0x0f, pos - 1);
    return readArray(token & 0x0f, pos - 1);
  }
  if (token < 0xc0) return readString(token & 0x1f, pos - 1); // fixstr
  if (token >= 0xe0) return token - 0x100; // negative fixint
  return readToken(token);
}

/** Tokens 0xC0-0xDF. */
function readToken(token: number): unknown {
  const at = pos - 1;
  switch (token) {
    case 0xc0:
      return null;
    case 0xc1:
      throw new DecodeError(`byte 0xC1 at ${at - base} is never used in MessagePack`);
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return readBinary(readLength1(), at);
    case 0xc5:
      return readBinary(readLength2(), at);
    case 0xc6:
      return readBinary(readLength4(), at);
    case 0xc7:
      return readExtension(readLength1(), at);
    case 0xc8:
      return readExtension(readLength2(), at);
    case 0xc9:
      return readExtension(readLength4(), at);
    case 0xca:
      return readFloat32(at);
    case 0xcb:
      return readFloat64(at);
    case 0xcc: {
      if (pos >= end) throw truncated(at);
      return src[pos++]!;
    }
    case 0xcd: {
      const p = pos;
      if (end - p < 2) throw truncated(at);
      pos = p + 2;
      return (src[p]! << 8) | src[p + 1]!;
    }
    case 0xce: {
      const p = pos;
      if (end - p < 4) throw truncated(at);
      pos = p + 4;
      return ((src[p]! << 24) | (src[p + 1]! << 16) | (src[p + 2]! << 8) | src[p + 3]!) >>> 0;
    }
    case 0xcf:
      return readInt64(at, false);
    case 0xd0: {
      if (pos >= end) throw truncated(at);
      return (src[pos++]! << 24) >> 24;
    }
    case 0xd1: {
      const p = pos;
      if (end - p < 2) throw truncated(at);
      pos = p + 2;
      return (((src[p]! << 8) | src[p + 1]!) << 16) >> 16;
    }
    case 0xd2: {
      const p = pos;
      if (end - p < 4) throw truncated(at);
      pos = p + 4;
      return (src[p]! << 24) | (src[p + 1]! << 16) | (src[p + 2]! << 8) | src[p + 3]!;
    }
    case 0xd3:
      return readInt64(at, true);
    case 0xd4:
      return readExtension(1, at);
    case 0xd5:
      return readExtension(2, at);
    case 0xd6:
      return readExtension(4, at);
    case 0xd7:
      return readExtension(8, at);
    case 0xd8:
      return readExtension(16, at);
    case 0xd9:
      return readString(readLength1(), at);
    case 0xda:
      return readString(readLength2(), at);
    case 0xdb:
      return readString(readLength4(), at);
    case 0xdc:
      return readArray(readLength2(), at);
    case 0xdd:
      return readArray(readLength4(), at);
    case 0xde:
      return readMap(readLength2(), at);
    default: // 0xdf
      return readMap(readLength4(), at);
  }
}

function readLength1(): number {
  if (pos >= end) throw truncatedLength(pos);
  return src[pos++]!;
}

function readLength2(): number {
  const p = pos;
  if (end - p < 2) throw truncatedLength(p);
  pos = p + 2;
  return (src[p]! << 8) | src[p + 1]!;
}

function readLength4(): number {
  const p = pos;
  if (end - p < 4) throw truncatedLength(p);
  pos = p + 4;
  return ((src[p]! << 24) | (src[p + 1]! << 16) | (src[p + 2]! << 8) | src[p + 3]!) >>> 0;
}

/** An array of `length` elements whose header starts at `at`. */
function readArray(length: number, at: number): unknown[] {
  // Every element takes at least one byte: a longer count is a lie, rejected before the array is allocated.
  if (length > end - pos) {
    throw new DecodeError(`an array at byte ${at - base} declares ${length} elements, more than the ${end - pos} bytes left could hold`);
  }
  if (depth >= MAX_DEPTH) throw tooDeep();
  depth++;
  const array = new Array<unknown>(length);
  for (let i = 0; i < length; i++) array[i] = read();
  depth--;
  return array;
}

/** A map of `length` entries whose header starts at `at`, as a plain object. */
function readMap(length: number, at: number): Record<string, unknown> {
  // Every entry takes at least two bytes.
  if (length * 2 > end - pos) {
    throw new DecodeError(`a map at byte ${at - base} declares ${length} entries, more than the ${end - pos} bytes left could hold`);
  }
  if (depth >= MAX_DEPTH) throw tooDeep();
  depth++;
  // "__proto__" is rejected as a key, so assignment creates own data properties only.
  const object: Record<string, unknown> = {};
  for (let i = 0; i < length; i++) {
    const key = readKey();
    object[key] = read();
  }
  depth--;
  return object;
}

/** A `length`-byte binary value whose header starts at `at`: a copy, not a view of the input. */
function readBinary(length: number, at: number): Uint8Array {
  const p = pos;
  if (length > end - p) throw pastEnd("a binary value", at, length, end - p);
  pos = p + length;
  return copyBytes(p, length);
}

// ---- numbers ----

/** Scratch space for reading floats and 64-bit integers: the bytes are copied in machine order and read back. */
const scratch = new ArrayBuffer(8);
const scratchBytes = new Uint8Array(scratch);
const scratchFloat64 = new Float64Array(scratch);
const scratchFloat32 = new Float32Array(scratch, 0, 1);
const scratchInt64 = new BigInt64Array(scratch);
const scratchUint64 = new BigUint64Array(scratch);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copies the `size` big-endian bytes at `pos` into the scratch buffer in machine order. */
function loadScratch(size: number): void {
  const b = src;
  const p = pos;
  pos = p + size;
  if (LITTLE_ENDIAN) {
    for (let i = 0, j = p + size - 1; i < size; i++, j--) scratchBytes[i] = b[j]!;
  } else {
    for (let i = 0; i < size; i++) scratchBytes[i] = b[p + i]!;
  }
}

function readFloat64(at: number): number {
  const p = pos;
  if (end - p < 8) throw truncated(at);
  pos = p + 8;
  return float64At(src, p);
}

/**
 * The big-endian float 64 at `b[p]` (the caller checked the bounds); the compiled decoders read theirs here too.
 *
 * @example
 * float64At(Uint8Array.of(0x3f, 0xf0, 0, 0, 0, 0, 0, 0), 0); // 1
 */
export function float64At(b: Uint8Array, p: number): number {
  if (LITTLE_ENDIAN) {
    scratchBytes[0] = b[p + 7]!;
    scratchBytes[1] = b[p + 6]!;
    scratchBytes[2] = b[p + 5]!;
    scratchBytes[3] = b[p + 4]!;
    scratchBytes[4] = b[p + 3]!;
    scratchBytes[5] = b[p + 2]!;
    scratchBytes[6] = b[p + 1]!;
    scratchBytes[7] = b[p]!;
  } else {
    for (let i = 0; i < 8; i++) scratchBytes[i] = b[p + i]!;
  }
  return scratchFloat64[0]!;
}

function readFloat32(at: number): number {
  if (end - pos < 4) throw truncated(at);
  loadScratch(4);
  return scratchFloat32[0]!;
}

/** int 64 and uint 64: bigints, as msgpackr returns them with its default options. */
function readInt64(at: number, signed: boolean): bigint {
  if (end - pos < 8) throw truncated(at);
  loadScratch(8);
  return signed ? scratchInt64[0]! : scratchUint64[0]!;
}

// ---- strings ----

const fromCharCode = String.fromCharCode;

/** Strings up to this many bytes are decoded in JS; longer ones by the fatal TextDecoder (a call costs ~100 ns). */
const JS_STRING_BYTES = 32;

/** charArrays[n]: an n-element array that ASCII bytes or UTF-16 units are copied into for String.fromCharCode.apply. */
const charArrays: number[][] = Array.from({ length: JS_STRING_BYTES + 1 }, (_, n) => new Array<number>(n).fill(0));
/** The UTF-16 units of the short non-ASCII string being decoded (never more than its byte count). */
const units: number[] = new Array<number>(JS_STRING_BYTES).fill(0);

/** ignoreBOM: a leading U+FEFF is part of the string, not a byte-order mark to drop. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A string of `length` bytes at `pos` whose header starts at `at`. */
function readString(length: number, at: number): string {
  const p = pos;
  if (length > end - p) throw pastEnd("a string", at, length, end - p);
  if (length <= VALUE_CACHE_BYTES) {
    if (valuesUntabled === 0) {
      if (++valueLookups === TABLE_WINDOW) judgeValues();
      return cachedString(VALUES, length, at);
    }
    valuesUntabled--;
  }
  return decodeString(p, length, at);
}

/**
 * The string of the `length` UTF-8 bytes at `bytes[p]` (the caller has checked the bounds), by the same strict
 * rules as the strings of a payload, short ones from the same table of values; throws DecodeError on invalid
 * UTF-8. For compiled decoders, outside a decode.
 *
 * @example
 * decodeTextAt(Uint8Array.of(0xc3, 0xa9), 0, 2); // "é"
 */
export function decodeTextAt(bytes: Uint8Array, p: number, length: number): string {
  if (busy) throw new RangeError("decodeTextAt: called while a payload is being decoded");
  src = bytes;
  pos = p;
  end = p + length;
  base = p;
  // No try/finally on this hot path: after a throw, src holds the input until releaseInput() or the next decode.
  const text = readString(length, p);
  src = EMPTY;
  return text;
}

/**
 * decodeTextAt (bounds already checked), where a short string (up to VALUE_CACHE_BYTES bytes) the table holds comes
 * straight from it, without taking the input as the decoder's own (the compiled decoders' common case).
 *
 * @example
 * shortTextAt(Uint8Array.of(0x61, 0x62), 0, 2); // "ab"
 */
export function shortTextAt(bytes: Uint8Array, p: number, length: number): string {
  if (valuesUntabled !== 0 || busy || length > VALUE_CACHE_BYTES || length === 0) return decodeTextAt(bytes, p, length);
  if (++valueLookups === TABLE_WINDOW) judgeValues();
  const table = VALUES;
  const slot = slotOf(bytes, p, length);
  const row = slot << 4;
  const held = table.bytes;
  if (table.lengths[slot] === length + 1) {
    let i = 0;
    while (i < length && held[row + i] === bytes[p + i]) i++;
    if (i === length) return table.strings[slot]!;
  }
  src = bytes;
  pos = p;
  end = p + length;
  base = p;
  const text = decodeString(p, length, p);
  src = EMPTY;
  remember(table, slot, bytes, p, length, text);
  return text;
}

/** Lets go of the input after decodeTextAt threw. */
export function releaseInput(): void {
  if (!busy) src = EMPTY;
}

/** A string of `length` bytes at `p` (already bounds-checked), decoded without the caches. */
function decodeString(p: number, length: number, at: number): string {
  if (length <= 16) {
    const b = src;
    let bits = 0;
    for (let i = p, e = p + length; i < e; i++) bits |= b[i]!;
    if (bits < 0x80) {
      pos = p + length;
      return asciiString(b, p, length);
    }
    return decodeUtf8(p, length, at);
  }
  return readLongerString(p, length, at);
}

function readLongerString(p: number, length: number, at: number): string {
  if (length > JS_STRING_BYTES) return decodeNative(p, length, at);
  const b = src;
  let bits = 0;
  for (let i = p, e = p + length; i < e; i++) bits |= b[i]!;
  if (bits >= 0x80) return decodeUtf8(p, length, at);
  const chars = charArrays[length]!;
  for (let i = 0; i < length; i++) chars[i] = b[p + i]!;
  pos = p + length;
  return fromCharCode.apply(null, chars);
}

/** The string of `length` (≤ 16) ASCII bytes at `p` (the caller has checked that they are ASCII). */
export function asciiString(b: Uint8Array, p: number, length: number): string {
  switch (length) {
    case 0:
      return "";
    case 1:
      return fromCharCode(b[p]!);
    case 2:
      return fromCharCode(b[p]!, b[p + 1]!);
    case 3:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!);
    case 4:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
    case 5:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!);
    case 6:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!);
    case 7:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!);
    case 8:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
    case 9:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!);
    case 10:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!);
    case 11:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!);
    case 12:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!);
    case 13:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!);
    case 14:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!);
    case 15:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!);
    case 16:
      return fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!);
    default:
      return "";
  }
}

/** Strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF, no truncated sequence) of ≤ JS_STRING_BYTES bytes. */
function decodeUtf8(p: number, length: number, at: number): string {
  if (length > JS_STRING_BYTES) return decodeNative(p, length, at);
  const b = src;
  const e = p + length;
  let n = 0;
  while (p < e) {
    const c = b[p++]!;
    if (c < 0x80) {
      units[n++] = c;
    } else if (c < 0xe0) {
      // 2 bytes: C2-DF (C0 and C1 only start overlongs; 80-BF are continuation bytes)
      if (c < 0xc2 || p >= e) throw invalidUtf8(at);
      const c2 = b[p++]!;
      if ((c2 & 0xc0) !== 0x80) throw invalidUtf8(at);
      units[n++] = ((c & 0x1f) << 6) | (c2 & 0x3f);
    } else if (c < 0xf0) {
      // 3 bytes: E0 needs A0-BF next (no overlongs), ED needs 80-9F (no surrogates)
      if (e - p < 2) throw invalidUtf8(at);
      const c2 = b[p]!;
      const c3 = b[p + 1]!;
      p += 2;
      if ((c2 & 0xc0) !== 0x80 || (c3 & 0xc0) !== 0x80 || (c === 0xe0 && c2 < 0xa0) || (c === 0xed && c2 >= 0xa0)) throw invalidUtf8(at);
      units[n++] = ((c & 0x0f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
    } else {
      // 4 bytes: F0 needs 90-BF next (no overlongs), F4 needs 80-8F (nothing past U+10FFFF), F5-FF never occur
      if (c > 0xf4 || e - p < 3) throw invalidUtf8(at);
      const c2 = b[p]!;
      const c3 = b[p + 1]!;
      const c4 = b[p + 2]!;
      p += 3;
      if ((c2 & 0xc0) !== 0x80 || (c3 & 0xc0) !== 0x80 || (c4 & 0xc0) !== 0x80 || (c === 0xf0 && c2 < 0x90) || (c === 0xf4 && c2 >= 0x90)) {
        throw invalidUtf8(at);
      }
      const cp = (((c & 0x07) << 18) | ((c2 & 0x3f) << 12) | ((c3 & 0x3f) << 6) | (c4 & 0x3f)) - 0x10000;
      units[n++] = 0xd800 | (cp >> 10);
      units[n++] = 0xdc00 | (cp & 0x3ff);
    }
  }
  pos = e;
  const chars = charArrays[n]!;
  for (let i = 0; i < n; i++) chars[i] = units[i]!;
  return fromCharCode.apply(null, chars);
}

/** A string through the fatal TextDecoder, which rejects what decodeUtf8 rejects. */
function decodeNative(p: number, length: number, at: number): string {
  let text: string;
  try {
    text = utf8.decode(new Uint8Array(src.buffer, src.byteOffset + p, length));
  } catch {
    // Browsers' TextDecoder refuses views of a SharedArrayBuffer: decode a copy. Any other failure is the bytes'.
    if (src.buffer instanceof ArrayBuffer) throw invalidUtf8(at);
    try {
      text = utf8.decode(copyBytes(p, length));
    } catch {
      throw invalidUtf8(at);
    }
  }
  pos = p + length;
  return text;
}

// ---- short strings: map keys and values ----

/**
 * Tables of short strings by their bytes: a string met again is returned from its slot instead of being built
 * anew, which saves its allocation and, for keys, V8's lookup of the property name. Keys and values have a table
 * each, so that many distinct values do not push the few keys out. V8's JSON.parse does the same for keys and
 * string values of up to 10 characters. A slot holds a string's bytes (at slot × 16), its length + 1 (0: empty)
 * and the string; a hash of the bytes picks the slot, and a full comparison decides, so a collision costs a
 * decode, never a wrong string.
 */
interface StringTable {
  readonly bytes: Uint8Array;
  readonly lengths: Uint8Array;
  readonly strings: string[];
  /** Misses so far in the current window (counted on the slow path only). */
  misses: number;
}

const STRING_TABLE_SLOTS = 4096; // a power of two
/** Fixstr keys up to this many bytes are looked up in KEYS (every key of a typical object). */
const KEY_CACHE_BYTES = 16;
/** String values up to this many bytes are looked up in VALUES (V8's JSON.parse internalizes values up to 10 characters). */
const VALUE_CACHE_BYTES = 10;

function stringTable(): StringTable {
  return {
    bytes: new Uint8Array(STRING_TABLE_SLOTS * 16),
    lengths: new Uint8Array(STRING_TABLE_SLOTS),
    strings: new Array<string>(STRING_TABLE_SLOTS).fill(""),
    misses: 0,
  };
}
const KEYS = stringTable();
const VALUES = stringTable();

/**
 * Values that rarely repeat (ids, names) would pay for the table without gaining from it (a lookup, a store, and a
 * string kept alive past the young generation: 36 % slower on unique strings). So the table of values judges
 * itself every TABLE_WINDOW lookups: when fewer than one in 8 hit, the next TABLE_REST string values are decoded
 * without it, then it is tried again.
 */
const TABLE_WINDOW = 4096;
const TABLE_REST = 65536;
/** Value lookups in the current window, and string values left to decode without the table. */
let valueLookups = 0;
let valuesUntabled = 0;

function judgeValues(): void {
  if (VALUES.misses * 8 > TABLE_WINDOW * 7) valuesUntabled = TABLE_REST;
  valueLookups = 0;
  VALUES.misses = 0;
}

/** The string of `length` (1 to 16) bytes at `pos`, already bounds-checked: from `table` when the same bytes were seen before. */
function cachedString(table: StringTable, length: number, at: number): string {
  const b = src;
  const p = pos;
  if (length === 0) return "";
  const slot = slotOf(b, p, length);
  const row = slot << 4;
  const bytes = table.bytes;
  if (table.lengths[slot] === length + 1) {
    let i = 0;
    while (i < length && bytes[row + i] === b[p + i]) i++;
    if (i === length) {
      pos = p + length;
      return table.strings[slot]!;
    }
  }
  // A miss: decode (which checks the UTF-8: the bytes in a slot are known to be valid), then remember.
  const text = decodeString(p, length, at);
  remember(table, slot, b, p, length, text);
  return text;
}

/** The table slot of the `length` (1 to 16) bytes at `b[p]`. */
function slotOf(b: Uint8Array, p: number, length: number): number {
  return Math.imul(b[p]! ^ (b[p + length - 1]! << 8) ^ (b[p + (length >> 1)]! << 16) ^ (length << 24), 0x9e3779b1) >>> 20;
}

/** Puts a string decoded on a miss into its slot. */
function remember(table: StringTable, slot: number, b: Uint8Array, p: number, length: number, text: string): void {
  const row = slot << 4;
  table.misses++;
  for (let i = 0; i < length; i++) table.bytes[row + i] = b[p + i]!;
  table.lengths[slot] = length + 1;
  table.strings[slot] = text;
}

/** A map key as a property name. */
function readKey(): string {
  const p = pos;
  if (p >= end) throw truncated(p);
  const token = src[p]!;
  if ((token & 0xe0) === 0xa0) {
    pos = p + 1;
    const length = token & 0x1f;
    if (length > end - p - 1) throw pastEnd("a string", p, length, end - p - 1);
    if (length > KEY_CACHE_BYTES) return decodeString(p + 1, length, p); // 17-31 bytes: cannot be "__proto__"
    const key = cachedString(KEYS, length, p);
    if (length === 9 && key === "__proto__") throw protoKey(p);
    return key;
  }
  return readOtherKey(token, p);
}

/** A key that is not a fixstr: str 8/16/32, or a value msgpackr turns into a string (it throws on the others). */
function readOtherKey(token: number, at: number): string {
  if (token >= 0xd9 && token <= 0xdb) {
    pos = at + 1;
    const length = token === 0xd9 ? readLength1() : token === 0xda ? readLength2() : readLength4();
    const key = readString(length, at);
    if (key === "__proto__") throw protoKey(at);
    return key;
  }
  if (token >= 0x80 && token < 0xa0) throw badKey(at, token < 0x90 ? "a map" : "an array");
  if (token >= 0xdc && token <= 0xdf) throw badKey(at, token < 0xde ? "an array" : "a map");
  if (token >= 0xc4 && token <= 0xc6) throw badKey(at, "a binary value");
  const key = read(); // nil, a boolean, a number or an extension
  if (typeof key === "object" && key !== null) throw badKey(at, key instanceof Date ? "a Date" : "a typed array");
  return String(key);
}

// ---- extensions ----

const EXT_UNDEFINED = 0x00;
const EXT_BIGINT = 0x42;
const EXT_TYPED_ARRAY = 0x74;
const EXT_TIMESTAMP = 0xff; // -1

/** msgpackr's other extensions, named in messages. */
const REJECTED_EXT_NAMES: Record<number, string> = {
  0x62: "msgpackr bundled strings",
  0x65: "msgpackr Error",
  0x69: "msgpackr structured-clone reference",
  0x70: "msgpackr structured-clone pointer",
  0x72: "msgpackr record definition",
  0x73: "msgpackr Set",
  0x78: "msgpackr RegExp",
};

/** msgpackr's typed-array codes 0-10; 16 is ArrayBuffer, 17 DataView. */
const TYPED_ARRAYS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as unknown as ReadonlyArray<{ new (buffer: ArrayBuffer): ArrayBufferView; readonly BYTES_PER_ELEMENT: number }>;

/** An extension of `length` body bytes (after the type byte at `pos`) whose header starts at `at`. */
function readExtension(length: number, at: number): unknown {
  const p = pos;
  if (length >= end - p) throw pastEnd("an extension", at, length + 1, end - p);
  const type = src[p]!;
  const body = p + 1;
  pos = body + length;
  switch (type) {
    case EXT_UNDEFINED:
      if (length === 1) return undefined;
      break;
    case EXT_TIMESTAMP:
      // 4, 8 and 12 bytes are the standard timestamps; 1 byte is how msgpackr writes an invalid Date.
      if (length === 4 || length === 8 || length === 12 || length === 1) return readTimestamp(body, length);
      break;
    case EXT_BIGINT:
      if (length >= 1 && length <= MAX_BIGINT_BYTES) return readBigInt(body, length);
      if (length > MAX_BIGINT_BYTES) throw new DecodeError(`a bigint of ${length} bytes is over the limit of ${MAX_BIGINT_BYTES} bytes`);
      break;
    case EXT_TYPED_ARRAY:
      if (length >= 1) return readTypedArray(body, length);
      break;
    default: {
      const name = REJECTED_EXT_NAMES[type];
      throw new DecodeError(
        `MessagePack extension type ${type > 127 ? type - 256 : type}${name ? ` (${name})` : ""} is not accepted; ` +
          `this reader accepts only undefined, Date (timestamp), typed arrays and bigints`,
      );
    }
  }
  throw new DecodeError(`a MessagePack extension of type ${type > 127 ? type - 256 : type} has a malformed body of ${length} bytes`);
}

/**
 * A timestamp body of 4, 8 or 12 bytes (any other length: msgpackr's invalid Date), with msgpackr's arithmetic to
 * the digit, so that out-of-spec fields (nanoseconds ≥ 10^9, 12-byte seconds beyond 48 bits) give its Dates too.
 */
function readTimestamp(p: number, length: number): Date {
  const d = src;
  if (length === 4) return new Date(uint32At(p) * 1000);
  // Every sum below is of integers under 2^53, so it is exact, as msgpackr's own sums are: the same Dates.
  if (length === 8) return new Date((uint32At(p) >>> 2) / 1000000 + ((d[p + 3]! & 0x3) * 0x100000000 + uint32At(p + 4)) * 1000);
  if (length === 12) {
    // msgpackr reads the nanoseconds as signed and skips the seconds' second byte.
    const seconds = (d[p + 4]! & 0x80 ? -0x1000000000000 : 0) + d[p + 6]! * 0x10000000000 + d[p + 7]! * 0x100000000 + uint32At(p + 8);
    return new Date((uint32At(p) | 0) / 1000000 + seconds * 1000);
  }
  return new Date(NaN);
}

/** The big-endian uint32 at `p` of the payload (bounds already checked). */
function uint32At(p: number): number {
  const d = src;
  return d[p]! * 0x1000000 + (d[p + 1]! << 16) + (d[p + 2]! << 8) + d[p + 3]!;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A bigint body: big-endian two's complement of 1 to MAX_BIGINT_BYTES bytes. */
function readBigInt(p: number, length: number): bigint {
  const b = src;
  if (length <= 8) {
    // sign-extended to 8 bytes and read as an int64
    const fill = b[p]! & 0x80 ? 0xff : 0;
    for (let i = 0; i < 8; i++) {
      const k = LITTLE_ENDIAN ? i : 7 - i; // significance of scratch byte i
      scratchBytes[i] = k < length ? b[p + length - 1 - k]! : fill;
    }
    return scratchInt64[0]!;
  }
  const digits = new Array<string>(length);
  for (let i = 0; i < length; i++) digits[i] = HEX[b[p + i]!]!;
  const value = BigInt("0x" + digits.join("")); // linear in the length: the radix is a power of two
  return b[p]! & 0x80 ? value - (1n << BigInt(length * 8)) : value;
}

/** msgpackr's typed-array body: a type code, then the elements' bytes, copied so that they are aligned. */
function readTypedArray(p: number, length: number): ArrayBufferView | ArrayBuffer {
  const code = src[p]!;
  if (code === 16) return copyBytes(p + 1, length - 1).buffer;
  if (code === 17) return new DataView(copyBytes(p + 1, length - 1).buffer);
  const type = code < TYPED_ARRAYS.length ? TYPED_ARRAYS[code] : undefined;
  if (type === undefined || (length - 1) % type.BYTES_PER_ELEMENT !== 0) {
    throw new DecodeError(`a typed-array extension has type code ${code} and ${length - 1} data bytes, which is not a typed array`);
  }
  return new type(copyBytes(p + 1, length - 1).buffer);
}

/** A copy of `length` bytes at `p` in a new ArrayBuffer of its own; a plain Uint8Array even when the input is a Node Buffer (a subclass of Uint8Array). */
function copyBytes(p: number, length: number): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(length);
  if (length > 32) {
    copy.set(new Uint8Array(src.buffer, src.byteOffset + p, length));
  } else {
    const b = src;
    for (let i = 0; i < length; i++) copy[i] = b[p + i]!;
  }
  return copy;
}

// ---- errors ----

function truncated(at: number): DecodeError {
  return new DecodeError(`the payload ends in the middle of a value (at byte ${at - base})`);
}

function truncatedLength(at: number): DecodeError {
  return new DecodeError(`the payload ends inside a length field (at byte ${at - base})`);
}

function pastEnd(what: string, at: number, length: number, left: number): DecodeError {
  return new DecodeError(`${what} at byte ${at - base} declares ${length} bytes, but only ${left} remain in the payload`);
}

function invalidUtf8(at: number): DecodeError {
  return new DecodeError(`the string at byte ${at - base} is not valid UTF-8`);
}

function protoKey(at: number): DecodeError {
  return new DecodeError(
    `a map has the key "__proto__" (at byte ${at - base}), which is not accepted: msgpackr would rename it, and as an own property it can change an object's prototype when merged`,
  );
}

function badKey(at: number, what: string): DecodeError {
  return new DecodeError(
    `a map key at byte ${at - base} is ${what}, which cannot be a property name; keys must be strings, or numbers, booleans, nil or bigints (which become strings)`,
  );
}

function tooDeep(): DecodeError {
  return new DecodeError(`the value is nested more than ${MAX_DEPTH} levels deep`);
}
