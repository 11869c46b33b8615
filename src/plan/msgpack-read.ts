// MessagePack reading for compiled codecs: numbers, strings and headers from an Input, by the strict decoder's rules; anything else is MISS.
import { MISS } from "../codecs/codec.js";
import { releaseInput, decodeValueAt, lastValueEnd, shortTextAt, float64At } from "../codecs/msgpack-decode.js";

/*
 * A compiled decoder takes only what it is sure of: any token, length or byte it does not expect is MISS, and the
 * generic strict decoder (msgpack-decode.ts) reads the payload again and reports what is wrong, with its message.
 * So these functions never build an error; what they accept, they accept by the strict decoder's rules (lengths
 * within the payload, strict UTF-8), and give the same value it gives.
 */

/** The payload being read: `bytes[pos, end)`. One per compiled decoder; a nested call makes its own. */
export class Input {
  bytes: Uint8Array = EMPTY;
  pos = 0;
  end = 0;
}

const EMPTY = new Uint8Array(0);
const scratch = new Float64Array(1);
const scratch32 = new Float32Array(scratch.buffer, 0, 1);
const scratchBytes = new Uint8Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A number token (not int 64 / uint 64, which the strict decoder gives as bigints). */
export function readNumber(input: Input): number {
  const b = input.bytes;
  const p = input.pos;
  if (p >= input.end) throw MISS;
  const t = b[p]!;
  if (t < 0x80) {
    input.pos = p + 1;
    return t;
  }
  if (t >= 0xe0) {
    input.pos = p + 1;
    return t - 0x100;
  }
  if (t === 0xcb && input.end - p >= 9) {
    input.pos = p + 9;
    return float64At(b, p + 1);
  }
  return readNumberToken(input, b, p, t);
}

function readNumberToken(input: Input, b: Uint8Array, p: number, t: number): number {
  const left = input.end - p - 1;
  switch (t) {
    case 0xcb:
      if (left < 8) throw MISS;
      input.pos = p + 9;
      return float64At(b, p + 1);
    case 0xca:
      if (left < 4) throw MISS;
      input.pos = p + 5;
      if (LITTLE_ENDIAN) for (let i = 0; i < 4; i++) scratchBytes[i] = b[p + 4 - i]!;
      else for (let i = 0; i < 4; i++) scratchBytes[i] = b[p + 1 + i]!;
      return scratch32[0]!;
    case 0xcc:
      if (left < 1) throw MISS;
      input.pos = p + 2;
      return b[p + 1]!;
    case 0xcd:
      if (left < 2) throw MISS;
      input.pos = p + 3;
      return (b[p + 1]! << 8) | b[p + 2]!;
    case 0xce:
      if (left < 4) throw MISS;
      input.pos = p + 5;
      return ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
    case 0xd0:
      if (left < 1) throw MISS;
      input.pos = p + 2;
      return (b[p + 1]! << 24) >> 24;
    case 0xd1:
      if (left < 2) throw MISS;
      input.pos = p + 3;
      return (((b[p + 1]! << 8) | b[p + 2]!) << 16) >> 16;
    case 0xd2:
      if (left < 4) throw MISS;
      input.pos = p + 5;
      return (b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!;
    default:
      throw MISS;
  }
}

/** A string token. */
export function readString(input: Input): string {
  const b = input.bytes;
  let p = input.pos;
  const t = b[p]!;
  let length: number;
  if ((t & 0xe0) === 0xa0 && p < input.end) {
    length = t & 0x1f;
    p += 1;
  } else if (t === 0xd9 && input.end - p >= 2) {
    length = b[p + 1]!;
    p += 2;
  } else if (t === 0xda && input.end - p >= 3) {
    length = (b[p + 1]! << 8) | b[p + 2]!;
    p += 3;
  } else if (t === 0xdb && input.end - p >= 5) {
    length = ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
    p += 5;
  } else {
    throw MISS;
  }
  if (length > input.end - p) throw MISS;
  input.pos = p + length;
  return textAt(b, p, length);
}

/** The string of the `length` UTF-8 bytes at `b[p]` (bounds checked by the caller), by the strict decoder's rules; MISS when they are not valid. */
export function textAt(b: Uint8Array, p: number, length: number): string {
  try {
    return shortTextAt(b, p, length); // short strings from the decoder's table of values, the rest as decodeTextAt
  } catch {
    releaseInput();
    throw MISS;
  }
}

/** An array header: the element count, MISS when more than the bytes left could hold. */
export function readArrayHeader(input: Input): number {
  const n = readHeader(input, 0x90, 0xdc);
  if (n > input.end - input.pos) throw MISS;
  return n;
}

/** A map header: the entry count, MISS when more than the bytes left could hold. */
export function readMapHeader(input: Input): number {
  const n = readHeader(input, 0x80, 0xde);
  if (n * 2 > input.end - input.pos) throw MISS;
  return n;
}

function readHeader(input: Input, fix: number, sized: number): number {
  const b = input.bytes;
  const p = input.pos;
  if (p >= input.end) throw MISS;
  const t = b[p]!;
  if ((t & 0xf0) === fix) {
    input.pos = p + 1;
    return t & 0x0f;
  }
  if (t === sized && input.end - p >= 3) {
    input.pos = p + 3;
    return (b[p + 1]! << 8) | b[p + 2]!;
  }
  if (t === sized + 1 && input.end - p >= 5) {
    input.pos = p + 5;
    return ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
  }
  throw MISS;
}

/** True (and past them) when the next bytes are exactly `raw` (a key, a literal), else false with nothing read. */
export function readRaw(input: Input, raw: Uint8Array): boolean {
  const b = input.bytes;
  const p = input.pos;
  const n = raw.length;
  if (input.end - p < n) return false;
  for (let i = 0; i < n; i++) if (b[p + i] !== raw[i]) return false;
  input.pos = p + n;
  return true;
}

/** true, false, or MISS. */
export function readBoolean(input: Input): boolean {
  const t = input.pos < input.end ? input.bytes[input.pos] : 0;
  if (t !== 0xc2 && t !== 0xc3) throw MISS;
  input.pos++;
  return t === 0xc3;
}

/** nil, or MISS. */
export function readNull(input: Input): null {
  if (input.pos >= input.end || input.bytes[input.pos] !== 0xc0) throw MISS;
  input.pos++;
  return null;
}

/** Any value, through the generic strict decoder, nested `depth` levels deep. */
export function readGeneric(input: Input, depth: number): unknown {
  let value: unknown;
  try {
    value = decodeValueAt(input.bytes, input.pos, input.end, depth);
  } catch {
    throw MISS;
  }
  input.pos = lastValueEnd();
  return value;
}

/** The reading helpers, as compiled back ends take them (see msgpack-helpers.ts). */
export const READ_HELPERS = { MISS, readNumber, readString, readRaw, readArrayHeader, readMapHeader, readBoolean, readNull, readGeneric, textAt, float64At };
