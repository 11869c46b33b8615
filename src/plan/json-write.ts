// JSON text writing for compiled codecs: strings, numbers and raw bytes into an Output, as the generic JSON codec writes them.
import { MISS } from "../codecs/codec.js";
import type { Output } from "../codecs/output.js";

/*
 * Every function writes the UTF-8 bytes of exactly the text the generic JSON codec writes for the same value
 * (JSON.stringify, with -0 spelled as the codec spells it): a string with nothing to escape is copied byte by
 * byte, anything else goes through JSON.stringify itself, so escaping can never differ.
 */

const utf8 = new TextEncoder();

/** A JSON string: ASCII with nothing to escape copied directly, any other through JSON.stringify (escapes, lone surrogates as \uXXXX). */
export function writeJsonString(out: Output, s: string): void {
  const n = s.length;
  out.ensure(n + 2);
  const b = out.bytes;
  const at = out.pos;
  let p = at + 1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return writeJsonText(out, JSON.stringify(s));
    b[p++] = c;
  }
  b[at] = 0x22;
  b[p] = 0x22;
  out.pos = p + 1;
}

/** Text already in JSON form (from JSON.stringify or String(number)), as UTF-8. */
export function writeJsonText(out: Output, text: string): void {
  out.ensure(text.length * 3);
  out.pos += utf8.encodeInto(text, new Uint8Array(out.bytes.buffer, out.bytes.byteOffset + out.pos, out.bytes.length - out.pos)).written;
}

/** A finite number as JSON.stringify writes it, and -0 as `negativeZero` (the codec's spelling). */
export function writeJsonNumber(out: Output, v: number, negativeZero: string): void {
  if (v === 0 && 1 / v < 0) return writeAscii(out, negativeZero);
  writeAscii(out, "" + v);
}

/** ASCII text (a number's digits, a key, punctuation). */
export function writeAscii(out: Output, text: string): void {
  const n = text.length;
  out.ensure(n);
  const b = out.bytes;
  const p = out.pos;
  for (let i = 0; i < n; i++) b[p + i] = text.charCodeAt(i);
  out.pos = p + n;
}

/** Bytes known in advance (`{"key":`, `,"key":`, a literal). */
export function writeJsonRaw(out: Output, raw: Uint8Array): void {
  const n = raw.length;
  out.ensure(n);
  const b = out.bytes;
  const p = out.pos;
  for (let i = 0; i < n; i++) b[p + i] = raw[i]!;
  out.pos = p + n;
}

/** JSON text's bytes, known in advance. */
export function jsonBytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** One byte of punctuation. */
export function writeJsonByte(out: Output, byte: number): void {
  out.ensure(1);
  out.bytes[out.pos++] = byte;
}

/** A value the plan leaves open, through `encode` (the generic codec's text); MISS for undefined, which JSON drops or turns into null by context. */
export function writeJsonGeneric(out: Output, value: unknown, encode: (value: unknown, depth: number) => string | undefined, depth: number): void {
  if (value === undefined) throw MISS;
  let text: string | undefined;
  try {
    text = encode(value, depth);
  } catch {
    throw MISS;
  }
  if (text === undefined) throw MISS;
  writeJsonText(out, text);
}
