// MessagePack writing for compiled codecs: numbers, strings and headers into an Output, byte for byte as msgpackr writes them.
import { MISS } from "../codecs/codec.js";
import { Output } from "../codecs/output.js";

/*
 * Every function here writes exactly the bytes msgpackr (useRecords: false, variableMapSize: true) writes for the
 * same value, so that a compiled writer and the generic one agree byte for byte, with the two rules of the
 * generic writer on top: -0 is float64 -0 (msgpackr writes the integer 0), and a string with a lone surrogate is
 * not written (MISS: the generic path reports it, as UTF-8 cannot carry it).
 */

const scratch = new Float64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One byte (nil, true, false, a fixint). */
export function writeByte(out: Output, byte: number): void {
  out.ensure(1);
  out.bytes[out.pos++] = byte;
}

/** Bytes known in advance: a map header with its first key, a key, a literal's encoding. */
export function writeRaw(out: Output, raw: Uint8Array): void {
  const n = raw.length;
  out.ensure(n);
  const b = out.bytes;
  const p = out.pos;
  if (n <= 16) for (let i = 0; i < n; i++) b[p + i] = raw[i]!;
  else b.set(raw, p);
  out.pos = p + n;
}

/** A number: the smallest integer form for 32-bit integers, float64 for anything else (and for -0). */
export function writeNumber(out: Output, v: number): void {
  out.ensure(9);
  const b = out.bytes;
  let p = out.pos;
  if (v >>> 0 === v) {
    if (v < 0x80) {
      if (v === 0 && 1 / v < 0) return writeFloat64(out, v);
      b[p++] = v;
    } else if (v < 0x100) {
      b[p] = 0xcc;
      b[p + 1] = v;
      p += 2;
    } else if (v < 0x10000) {
      b[p] = 0xcd;
      b[p + 1] = v >> 8;
      b[p + 2] = v & 0xff;
      p += 3;
    } else {
      b[p] = 0xce;
      b[p + 1] = v >>> 24;
      b[p + 2] = (v >> 16) & 0xff;
      b[p + 3] = (v >> 8) & 0xff;
      b[p + 4] = v & 0xff;
      p += 5;
    }
  } else if (v >> 0 === v) {
    if (v >= -0x20) {
      b[p++] = 0x100 + v;
    } else if (v >= -0x80) {
      b[p] = 0xd0;
      b[p + 1] = v + 0x100;
      p += 2;
    } else if (v >= -0x8000) {
      b[p] = 0xd1;
      b[p + 1] = (v >> 8) & 0xff;
      b[p + 2] = v & 0xff;
      p += 3;
    } else {
      b[p] = 0xd2;
      b[p + 1] = (v >> 24) & 0xff;
      b[p + 2] = (v >> 16) & 0xff;
      b[p + 3] = (v >> 8) & 0xff;
      b[p + 4] = v & 0xff;
      p += 5;
    }
  } else {
    return writeFloat64(out, v);
  }
  out.pos = p;
}

function writeFloat64(out: Output, v: number): void {
  const b = out.bytes;
  const p = out.pos;
  scratch[0] = v;
  b[p] = 0xcb;
  if (LITTLE_ENDIAN) {
    b[p + 1] = scratchBytes[7]!;
    b[p + 2] = scratchBytes[6]!;
    b[p + 3] = scratchBytes[5]!;
    b[p + 4] = scratchBytes[4]!;
    b[p + 5] = scratchBytes[3]!;
    b[p + 6] = scratchBytes[2]!;
    b[p + 7] = scratchBytes[1]!;
    b[p + 8] = scratchBytes[0]!;
  } else {
    for (let i = 0; i < 8; i++) b[p + 1 + i] = scratchBytes[i]!;
  }
  out.pos = p + 9;
}

const utf8 = new TextEncoder();
/** Strings of this many UTF-16 units and more are encoded by TextEncoder.encodeInto; shorter ones here, as msgpackr does. */
const NATIVE_UNITS = 0x40;

/** A string, with the header msgpackr gives it (the smallest for its UTF-8 length); MISS on a lone surrogate. */
export function writeString(out: Output, s: string): void {
  const n = s.length;
  // The header's size is guessed from the length in units, then corrected once the bytes are known, as msgpackr does.
  const headerSize = n < 0x20 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  // Room for the largest header: the bytes may need a larger one than the guess, and move right to make room.
  out.ensure(5 + n * 3);
  const b = out.bytes;
  const at = out.pos;
  let p = at + headerSize;
  if (n < NATIVE_UNITS) {
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        b[p++] = c;
      } else if (c < 0x800) {
        b[p] = (c >> 6) | 0xc0;
        b[p + 1] = (c & 0x3f) | 0x80;
        p += 2;
      } else if ((c & 0xf800) !== 0xd800) {
        b[p] = (c >> 12) | 0xe0;
        b[p + 1] = ((c >> 6) & 0x3f) | 0x80;
        b[p + 2] = (c & 0x3f) | 0x80;
        p += 3;
      } else {
        const c2 = s.charCodeAt(i + 1);
        if (c >= 0xdc00 || (c2 & 0xfc00) !== 0xdc00) throw MISS; // a lone surrogate
        i++;
        c = 0x10000 + ((c & 0x3ff) << 10) + (c2 & 0x3ff);
        b[p] = (c >> 18) | 0xf0;
        b[p + 1] = ((c >> 12) & 0x3f) | 0x80;
        b[p + 2] = ((c >> 6) & 0x3f) | 0x80;
        b[p + 3] = (c & 0x3f) | 0x80;
        p += 4;
      }
    }
  } else {
    if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) throw MISS;
    p += utf8.encodeInto(s, new Uint8Array(b.buffer, b.byteOffset + p, b.length - p)).written;
  }
  const length = p - at - headerSize;
  if (length < 0x20) {
    b[at] = 0xa0 | length;
    out.pos = p;
    return;
  }
  const needed = length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
  if (needed > headerSize) b.copyWithin(at + needed, at + headerSize, p);
  if (needed === 2) {
    b[at] = 0xd9;
    b[at + 1] = length;
  } else if (needed === 3) {
    b[at] = 0xda;
    b[at + 1] = length >> 8;
    b[at + 2] = length & 0xff;
  } else {
    b[at] = 0xdb;
    b[at + 1] = length >>> 24;
    b[at + 2] = (length >> 16) & 0xff;
    b[at + 3] = (length >> 8) & 0xff;
    b[at + 4] = length & 0xff;
  }
  out.pos = at + needed + length;
}

/** An array header for `n` elements. */
export function writeArrayHeader(out: Output, n: number): void {
  writeHeader(out, n, 0x90, 0xdc);
}

/** A map header for `n` entries. */
export function writeMapHeader(out: Output, n: number): void {
  writeHeader(out, n, 0x80, 0xde);
}

function writeHeader(out: Output, n: number, fix: number, sized: number): void {
  out.ensure(5);
  const b = out.bytes;
  const p = out.pos;
  if (n < 0x10) {
    b[p] = fix | n;
    out.pos = p + 1;
  } else if (n < 0x10000) {
    b[p] = sized;
    b[p + 1] = n >> 8;
    b[p + 2] = n & 0xff;
    out.pos = p + 3;
  } else {
    b[p] = sized + 1;
    b[p + 1] = n >>> 24;
    b[p + 2] = (n >> 16) & 0xff;
    b[p + 3] = (n >> 8) & 0xff;
    b[p + 4] = n & 0xff;
    out.pos = p + 5;
  }
}

/**
 * The MessagePack bytes of a map header or a literal, written once when a codec is compiled.
 *
 * @example
 * constantBytes({ literal: 1 }); // Uint8Array [0x01]
 */
export function constantBytes(what: { map: number } | { literal: string | number | boolean }): Uint8Array {
  const out = new Output();
  out.reset(new Uint8Array(16), 0, 0);
  if ("map" in what) writeMapHeader(out, what.map);
  else if (typeof what.literal === "string") writeString(out, what.literal);
  else if (typeof what.literal === "number") writeNumber(out, what.literal);
  else writeByte(out, what.literal ? 0xc3 : 0xc2);
  return out.bytes.slice(out.start, out.pos);
}
