// Differential fuzzing of decodeMessagePack against checkMessagePack + msgpackr's unpack, on generated and mutated payloads.
// Run: node --import tsx bench/fuzz-decoder.ts [count=1000000] [seed=FUZZ_SEED, else a new one, printed]   (exit code 1 on any disagreement)
import { pathToFileURL } from "node:url";
import { Packr } from "msgpackr/pack";
import { Unpackr } from "msgpackr/unpack";
import { DecodeError } from "../src/codecs/codec.js";
import { checkMessagePack } from "../test/msgpack-check.js";
import { decodeMessagePack } from "../src/codecs/msgpack-decode.js";
import { Rng } from "./fuzz-core.js";

// ---- the differential check ----

/** The reader's msgpackr, as src/codecs/msgpack-read-only.ts configures it (and imports it: without the native addon). */
const unpackr = new Unpackr({ useRecords: false, moreTypes: true });

export type Verdict = { kind: "accepted" } | { kind: "rejected"; message: string } | { kind: "disagreement"; detail: string };

/**
 * decodeMessagePack must accept exactly when checkMessagePack accepts and msgpackr's unpack does not throw, give a
 * value deep-equal to msgpackr's then (see {@link differenceOf}), throw nothing but DecodeError, and give the same
 * value or message when the payload sits inside a larger buffer (`bytes[start, end)`).
 */
export function differential(payload: Uint8Array, padding?: Uint8Array): Verdict {
  let checked = true;
  try {
    checkMessagePack(payload);
  } catch (error) {
    if (!(error instanceof DecodeError)) return { kind: "disagreement", detail: `checkMessagePack threw ${String(error)}` };
    checked = false;
  }
  let theirs: unknown;
  let unpacked = false;
  let unpackError: unknown;
  if (checked) {
    try {
      theirs = unpackr.unpack(payload);
      unpacked = true;
    } catch (error) {
      unpackError = error;
    }
  }
  const ours = outcome(payload, 0, payload.length);
  if (ours.error !== undefined && !(ours.error instanceof DecodeError)) return { kind: "disagreement", detail: `decodeMessagePack threw ${describeError(ours.error)}` };
  const expected = checked && unpacked;
  if ((ours.error === undefined) !== expected) {
    const why = expected ? `it threw "${(ours.error as Error).message}"` : `it accepted what ${checked ? `msgpackr rejects (${String(unpackError)})` : "checkMessagePack rejects"}`;
    return { kind: "disagreement", detail: `decodeMessagePack disagrees: ${why}` };
  }
  if (expected) {
    const difference = differenceOf(ours.value, theirs, "value");
    if (difference) return { kind: "disagreement", detail: difference };
  }
  // The same payload inside a larger buffer, with bytes around it that must not be read.
  const pad = padding ?? Uint8Array.of(0xc1, 0x91, 0xdc);
  const big = new Uint8Array(payload.length + 2 * pad.length);
  big.set(pad, 0);
  big.set(payload, pad.length);
  big.set(pad, pad.length + payload.length);
  const inside = outcome(big, pad.length, pad.length + payload.length);
  if (ours.error !== undefined) {
    if (inside.error === undefined || (inside.error as Error).message !== (ours.error as Error).message) {
      return { kind: "disagreement", detail: `inside a larger buffer: ${inside.error === undefined ? "accepted" : describeError(inside.error)} instead of "${(ours.error as Error).message}"` };
    }
    return { kind: "rejected", message: (ours.error as Error).message };
  }
  if (inside.error !== undefined) return { kind: "disagreement", detail: `inside a larger buffer: ${describeError(inside.error)}` };
  const difference = differenceOf(inside.value, ours.value, "value (inside a larger buffer)");
  if (difference) return { kind: "disagreement", detail: difference };
  return { kind: "accepted" };
}

function outcome(bytes: Uint8Array, start: number, end: number): { value?: unknown; error?: unknown } {
  try {
    return { value: decodeMessagePack(bytes, start, end) };
  } catch (error) {
    return { error: error ?? new Error(String(error)) };
  }
}

const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/**
 * Where `ours` (decodeMessagePack's value) differs from `theirs` (msgpackr's), or undefined when they are equal,
 * allowing only the documented differences: a `bin` is a Uint8Array copy where msgpackr gives a Buffer view (compared
 * by contents), and a string of more than 64 bytes keeps a leading U+FEFF that msgpackr's TextDecoder drops.
 * Numbers compare with Object.is (NaN equals NaN, -0 differs from 0), Dates by time, typed arrays by class and
 * bytes; objects must be plain, with the same keys in the same order; arrays must have no holes.
 */
export function differenceOf(ours: unknown, theirs: unknown, path = "value"): string | undefined {
  if (typeof ours !== typeof theirs) return `${path}: ${typeof ours} instead of ${typeof theirs}`;
  if (typeof ours === "string") {
    const t = theirs as string;
    if (ours === t || (ours.charCodeAt(0) === 0xfeff && ours.slice(1) === t && utf8Length(ours) > 64)) return undefined;
    return `${path}: string ${JSON.stringify(ours.slice(0, 80))} instead of ${JSON.stringify(t.slice(0, 80))}`;
  }
  if (typeof ours !== "object" || ours === null || theirs === null) {
    return Object.is(ours, theirs) ? undefined : `${path}: ${String(ours)} instead of ${String(theirs)}`;
  }
  const t = theirs as object;
  if (ours instanceof Date) {
    if (!(t instanceof Date)) return `${path}: a Date instead of ${t.constructor?.name}`;
    return Object.is(ours.getTime(), t.getTime()) ? undefined : `${path}: Date ${ours.getTime()} instead of ${t.getTime()}`;
  }
  if (ArrayBuffer.isView(ours) || ours instanceof ArrayBuffer) {
    if (!(ArrayBuffer.isView(t) || t instanceof ArrayBuffer)) return `${path}: ${ours.constructor.name} instead of ${t.constructor?.name}`;
    const isBin = typeof Buffer !== "undefined" && Buffer.isBuffer(t); // msgpackr's bin: a Buffer view of the payload
    if (isBin ? ours.constructor !== Uint8Array : ours.constructor !== t.constructor) return `${path}: ${ours.constructor.name} instead of ${t.constructor.name}`;
    const a = bytesOf(ours);
    const b = bytesOf(t as ArrayBufferView | ArrayBuffer);
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) return `${path}: ${ours.constructor.name} contents differ`;
    if (ArrayBuffer.isView(ours) && (ours.byteOffset !== 0 || ours.buffer.byteLength !== ours.byteLength)) return `${path}: not a copy in a buffer of its own`;
    return undefined;
  }
  if (Array.isArray(ours)) {
    if (!Array.isArray(t)) return `${path}: an array instead of ${t.constructor?.name}`;
    if (ours.length !== t.length) return `${path}: ${ours.length} elements instead of ${t.length}`;
    for (let i = 0; i < ours.length; i++) {
      if (!(i in ours)) return `${path}[${i}]: a hole`;
      const d = differenceOf(ours[i], t[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (Object.getPrototypeOf(ours) !== Object.prototype) return `${path}: not a plain object`;
  if (Array.isArray(t) || Object.getPrototypeOf(t) !== Object.prototype) return `${path}: an object instead of ${t.constructor?.name}`;
  const ourKeys = Object.keys(ours);
  const theirKeys = Object.keys(t);
  if (ourKeys.length !== theirKeys.length) return `${path}: keys ${JSON.stringify(ourKeys).slice(0, 200)} instead of ${JSON.stringify(theirKeys).slice(0, 200)}`;
  for (let i = 0; i < ourKeys.length; i++) {
    const d = differenceOf(ourKeys[i], theirKeys[i], `${path} key #${i}`);
    if (d) return d;
    const v = differenceOf((ours as Record<string, unknown>)[ourKeys[i]!], (t as Record<string, unknown>)[theirKeys[i]!], `${path}.${ourKeys[i]}`);
    if (v) return v;
  }
  return undefined;
}

function bytesOf(v: ArrayBufferView | ArrayBuffer): Uint8Array {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

// ---- seeded randomness: Rng from fuzz-core.ts ----


// ---- values, packed by msgpackr ----

const STRINGS = [
  "", "a", "id", "words", "score", "__proto__", "__proto_", "constructor", "prototype", "toString", "0", "12", "-1", "1.5",
  "é", "日本語", "😀", "a\u0000b", "\uFFFD", "\uFEFF", "\uFEFFbom", "\uFEFF" + "x".repeat(70), "x".repeat(31), "y".repeat(32),
  "z".repeat(33), "long ".repeat(30), "ü".repeat(20), "𝄞".repeat(9), "\u0800\uFFFF\u{10FFFF}",
];
const INTEGERS = [
  0, 1, -1, 31, 32, 127, 128, 255, 256, -32, -33, -128, -129, 32767, 32768, 65535, 65536, -32768, -32769,
  2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, 2 ** 60,
];
const FLOATS = [0.5, -0.5, -0, NaN, Infinity, -Infinity, 1e308, 5e-324, Math.fround(1.1), 1 / 3, Math.PI, 2 ** 64, -(2 ** 70)];
const BIGINTS = [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n), -(2n ** 63n) - 1n, 2n ** 200n + 1n, -(2n ** 521n) + 7n];
const TYPED = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array] as const;

function randomString(rng: Rng): string {
  if (rng.chance(0.6)) return rng.pick(STRINGS);
  const n = rng.pick([1, 3, 8, 15, 16, 17, 31, 32, 40, 64, 65, 100, 300]);
  let s = "";
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    s += r < 0.7 ? String.fromCharCode(32 + rng.int(95)) : r < 0.85 ? String.fromCharCode(0x80 + rng.int(0x780)) : r < 0.95 ? String.fromCharCode(0x800 + rng.int(0xd000)) : String.fromCodePoint(0x10000 + rng.int(0x100000));
  }
  return s;
}

function randomDate(rng: Rng): Date {
  return new Date(rng.pick([0, 1, -1, 999, -1500, 1_700_000_000_123, -1e12, 2 ** 34 * 1000, 2 ** 34 * 1000 + 5, -(2 ** 40) * 1000, 8.64e15, -8.64e15, NaN, rng.int(2e12) - 1e12]));
}

function randomTyped(rng: Rng): ArrayBufferView | ArrayBuffer {
  const n = rng.pick([0, 1, 2, 3, 5, 8, 33]);
  if (rng.chance(0.1)) return rng.bytes(n).buffer;
  if (rng.chance(0.1)) return new DataView(rng.bytes(n).buffer);
  const type = rng.pick(TYPED);
  return new type(rng.bytes(n * type.BYTES_PER_ELEMENT).buffer);
}

/** A value for msgpackr to pack: the types the reader accepts, and some it must reject (Set, RegExp, Error). */
export function randomValue(rng: Rng, depth = 0): unknown {
  const r = rng.int(depth > 4 ? 14 : 18);
  switch (r) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return undefined;
    case 3: return rng.pick(INTEGERS) * (rng.chance(0.2) ? -1 : 1);
    case 4: return rng.int(2 ** 31) - 2 ** 30;
    case 5: return rng.chance(0.5) ? rng.pick(FLOATS) : (rng.next() - 0.5) * 10 ** rng.int(20);
    case 6: return rng.chance(0.5) ? rng.pick(BIGINTS) : BigInt(rng.int(2 ** 30)) ** BigInt(1 + rng.int(12)) * (rng.chance(0.5) ? -1n : 1n);
    case 7:
    case 8: return randomString(rng);
    case 9: return rng.bytes(rng.pick([0, 1, 5, 255, 256, 300])); // bin (plain Uint8Array packs as bin)
    case 10: return randomTyped(rng);
    case 11: return randomDate(rng);
    case 12: return rng.chance(0.02) ? rng.pick<unknown>([new Set([1]), /x/g, new Error("e")]) : rng.int(100);
    case 13: return rng.pick(STRINGS);
    case 14:
    case 15: {
      const n = rng.chance(0.1) ? 16 + rng.int(20) : rng.int(5);
      return Array.from({ length: n }, () => randomValue(rng, depth + 1));
    }
    case 16: {
      const o: Record<string, unknown> = {};
      const n = rng.chance(0.1) ? 16 + rng.int(5) : rng.int(5);
      for (let i = 0; i < n; i++) {
        Object.defineProperty(o, randomString(rng), { value: randomValue(rng, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    default: {
      // a Map packs as a MessagePack map whose keys may be any value
      const m = new Map<unknown, unknown>();
      for (let i = rng.int(4); i > 0; i--) {
        const key = rng.pick<() => unknown>([() => randomString(rng), () => rng.pick(INTEGERS), () => rng.pick(FLOATS), () => rng.pick(BIGINTS), () => null, () => undefined, () => rng.chance(0.5), () => randomValue(rng, depth + 1)])();
        m.set(key, randomValue(rng, depth + 1));
      }
      return m;
    }
  }
}

const packr = new Packr({ useRecords: false, moreTypes: true });

/** A value packed by msgpackr, or a fallback when msgpackr cannot pack it. */
export function packValue(value: unknown): Uint8Array {
  try {
    return packr.pack(value);
  } catch {
    return Uint8Array.of(0xc0);
  }
}

// ---- tokens written directly: every encoding of every type, and lies ----

const EXT_TYPES = [0x00, 0xff, 0x42, 0x74, 0x72, 0x65, 0x69, 0x70, 0x73, 0x78, 0x62, 0x01, 0x7f, 0x80, 0xfe];

/** Byte sequences at the edges of UTF-8's rules (valid and not), each at the end of some ASCII. */
const UTF8_EDGES = [
  [0xc2, 0x80], [0xdf, 0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0xa0, 0x80], [0xe0, 0x9f, 0xbf], [0xed, 0x9f, 0xbf], [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf], [0xee, 0x80, 0x80], [0xef, 0xbb, 0xbf], [0xef, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf],
  [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff], [0x80], [0xbf], [0xe2, 0x82], [0xf0, 0x9f, 0x98],
  [0xc3], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc],
];

function utf8Edge(rng: Rng): Uint8Array {
  const out: number[] = [];
  for (let i = rng.pick([0, 0, 3, 14, 15, 20, 30, 31, 40, 70]); i > 0; i--) out.push(0x61 + rng.int(26));
  for (let i = 1 + rng.int(2); i > 0; i--) out.push(...rng.pick(UTF8_EDGES));
  if (rng.chance(0.3)) out.push(0x7a);
  return Uint8Array.from(out);
}

/** Appends one MessagePack value with randomly chosen (mostly valid, sometimes lying) encodings to `out`. */
export function writeRandomTokens(rng: Rng, out: number[], depth = 0): void {
  const lie = rng.chance(0.02);
  const len = (n: number) => (lie ? n + rng.int(5) - 2 : n);
  const be = (n: number, size: number) => {
    for (let i = size - 1; i >= 0; i--) out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
  };
  const header = (n: number, fix: number, fixMax: number, t8: number | undefined, t16: number, t32: number) => {
    const choice = rng.int(4);
    if (choice === 0 && n <= fixMax) out.push(fix | n);
    else if (choice <= 1 && t8 !== undefined && n < 256) out.push(t8, n);
    else if (choice <= 2 && n < 65536) (out.push(t16), be(n, 2));
    else (out.push(t32), be(n, 4));
  };
  const r = rng.int(depth > 5 ? 12 : 16);
  switch (r) {
    case 0:
      out.push(rng.pick([0xc0, 0xc2, 0xc3, rng.int(0x80), 0xe0 + rng.int(32), rng.chance(0.05) ? 0xc1 : 0xc0]));
      return;
    case 1: {
      const t = rng.pick([0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3]);
      out.push(t);
      out.push(...rng.bytes([1, 2, 4, 8][t & 3]!));
      return;
    }
    case 2:
      out.push(0xca, ...rng.bytes(4));
      return;
    case 3:
      out.push(0xcb, ...rng.bytes(8));
      return;
    case 4:
    case 5: {
      const bytes = rng.chance(0.7) ? new TextEncoder().encode(randomString(rng)) : rng.chance(0.7) ? utf8Edge(rng) : rng.bytes(rng.int(8));
      header(len(bytes.length), 0xa0, 31, 0xd9, 0xda, 0xdb);
      out.push(...bytes);
      return;
    }
    case 6: {
      const n = rng.pick([0, 1, 4, 300]);
      header(len(n), 0, -1, 0xc4, 0xc5, 0xc6);
      out.push(...rng.bytes(n));
      return;
    }
    case 7:
    case 8: {
      const type = rng.pick(EXT_TYPES);
      let body: Uint8Array;
      if (type === 0xff) body = rng.chance(0.8) ? rng.bytes(rng.pick([1, 4, 8, 12])) : rng.bytes(rng.pick([0, 2, 16]));
      else if (type === 0x74) {
        const code = rng.chance(0.9) ? rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17]) : rng.int(256);
        body = Uint8Array.of(code, ...rng.bytes(rng.pick([0, 1, 2, 4, 8, 15, 16, 24])));
        if (rng.chance(0.05)) body = new Uint8Array(0);
      } else if (type === 0x42) body = rng.bytes(rng.chance(0.02) ? rng.pick([0, 8192, 8193]) : rng.pick([1, 2, 7, 8, 9, 16, 17, 40, 100]));
      else body = rng.bytes(rng.pick([1, 1, 2, 4, 8, 16, 3]));
      const n = len(body.length);
      const fixed = [1, 2, 4, 8, 16].indexOf(n);
      if (fixed >= 0 && rng.chance(0.5)) out.push(0xd4 + fixed);
      else if (n < 256 && rng.chance(0.6)) out.push(0xc7, n);
      else if (n < 65536 && rng.chance(0.7)) (out.push(0xc8), be(n, 2));
      else (out.push(0xc9), be(n, 4));
      out.push(type, ...body);
      return;
    }
    case 9: {
      // map keys that are not strings
      header(1, 0x80, 15, undefined, 0xde, 0xdf);
      writeRandomTokens(rng, out, depth + 1);
      writeRandomTokens(rng, out, depth + 1);
      return;
    }
    case 10: {
      const key = new TextEncoder().encode(rng.pick(["__proto__", "__proto_", "a", "constructor"]));
      out.push(0x81);
      header(key.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
      out.push(...key);
      writeRandomTokens(rng, out, depth + 1);
      return;
    }
    case 11:
      out.push(...packValue(randomValue(rng, 4)));
      return;
    case 12:
    case 13: {
      const n = rng.chance(0.1) ? 16 + rng.int(3) : rng.int(4);
      header(len(n), 0x90, 15, undefined, 0xdc, 0xdd);
      for (let i = 0; i < n; i++) writeRandomTokens(rng, out, depth + 1);
      return;
    }
    default: {
      const n = rng.int(4);
      header(len(n), 0x80, 15, undefined, 0xde, 0xdf);
      for (let i = 0; i < n; i++) {
        if (rng.chance(0.8)) {
          const key = new TextEncoder().encode(randomString(rng));
          header(key.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
          out.push(...key);
        } else writeRandomTokens(rng, out, depth + 1);
        writeRandomTokens(rng, out, depth + 1);
      }
    }
  }
}

/** Arrays or maps nested around a value: just within MAX_DEPTH (1000), just past it, or far past it. */
export function nested(rng: Rng): Uint8Array {
  const levels = rng.pick([999, 1000, 1001, 5000]);
  const open = rng.pick([[0x91], [0x81, 0xa1, 0x6b], [0xdc, 0, 1], [0x81, 0x00]]);
  const out: number[] = [];
  for (let i = 0; i < levels; i++) out.push(...open);
  out.push(rng.pick([0x00, 0x90, 0x80, 0xc0]));
  return Uint8Array.from(out);
}

// ---- mutations ----

const INTERESTING = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc4, 0xc7, 0xc9, 0xca, 0xcb, 0xcf, 0xd3, 0xd4, 0xd8, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x42, 0x74];

/** 1-3 random edits: set or flip a byte, insert or delete bytes, truncate, duplicate a slice. */
export function mutate(rng: Rng, input: Uint8Array): { bytes: Uint8Array; mutation: string } {
  let bytes = Array.from(input);
  const names: string[] = [];
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const at = rng.int(bytes.length + 1);
    const kind = rng.int(8);
    switch (kind) {
      case 0:
        if (at < bytes.length) bytes[at] = rng.int(256);
        names.push("set");
        break;
      case 1:
        if (at < bytes.length) bytes[at] = bytes[at]! ^ (1 << rng.int(8));
        names.push("flip");
        break;
      case 2:
        if (at < bytes.length) bytes[at] = rng.pick(INTERESTING);
        names.push("interesting");
        break;
      case 3:
        bytes.splice(at, 0, ...rng.bytes(1 + rng.int(3)));
        names.push("insert");
        break;
      case 4:
        bytes.splice(at, 1 + rng.int(3));
        names.push("delete");
        break;
      case 5:
        bytes = bytes.slice(0, at);
        names.push("truncate");
        break;
      case 6: {
        const from = rng.int(bytes.length + 1);
        bytes.splice(at, 0, ...bytes.slice(from, from + 1 + rng.int(8)));
        names.push("duplicate");
        break;
      }
      default:
        bytes.push(...rng.bytes(1 + rng.int(2)));
        names.push("append");
    }
  }
  return { bytes: Uint8Array.from(bytes), mutation: names.join("+") };
}

// ---- the run ----

/** One generated payload: msgpackr-packed values, directly written tokens, deep nesting or random bytes, maybe mutated. */
export function makePayload(rng: Rng): { bytes: Uint8Array; source: string } {
  const r = rng.next();
  let bytes: Uint8Array;
  let source: string;
  if (r < 0.45) {
    bytes = packValue(randomValue(rng));
    source = "packed";
  } else if (r < 0.9) {
    const out: number[] = [];
    writeRandomTokens(rng, out);
    bytes = Uint8Array.from(out);
    source = "tokens";
  } else if (r < 0.91) {
    bytes = nested(rng);
    source = "nested";
  } else {
    bytes = rng.bytes(rng.int(12));
    source = "random";
  }
  if (rng.chance(0.5)) {
    const m = mutate(rng, bytes);
    return { bytes: m.bytes, source: `${source}, ${m.mutation}` };
  }
  return { bytes, source };
}

export interface DecoderFuzzReport {
  count: number;
  seed: number;
  accepted: number;
  rejected: number;
  disagreements: number;
  /** Rejections by reason: the decoder's messages with numbers and quoted text left out. */
  reasons: Record<string, number>;
  /** The first few disagreements, with their payloads in hex. */
  examples: { source: string; hex: string; detail: string }[];
  elapsedMs: number;
}

/** Runs the differential check on `count` payloads from `seed`. */
export function runDecoderFuzz(count: number, seed: number, onProgress?: (done: number, report: DecoderFuzzReport) => void): DecoderFuzzReport {
  const rng = new Rng(seed);
  const report: DecoderFuzzReport = { count, seed, accepted: 0, rejected: 0, disagreements: 0, reasons: {}, examples: [], elapsedMs: 0 };
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const { bytes, source } = makePayload(rng);
    const verdict = differential(bytes, rng.bytes(1 + rng.int(3)));
    if (verdict.kind === "accepted") report.accepted++;
    else if (verdict.kind === "rejected") {
      report.rejected++;
      const reason = verdict.message.replace(/"[^"]*"/g, "…").replace(/(?<![\w-])-?\d+(?!\w)/g, "N").split(/[;:]/)[0]!;
      report.reasons[reason] = (report.reasons[reason] ?? 0) + 1;
    }
    else {
      report.disagreements++;
      if (report.examples.length < 10) report.examples.push({ source, hex: Buffer.from(bytes.subarray(0, 400)).toString("hex"), detail: verdict.detail });
    }
    if (onProgress && (i + 1) % 100_000 === 0) onProgress(i + 1, report);
  }
  report.elapsedMs = performance.now() - started;
  return report;
}

function main(): void {
  const count = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(seed)) throw new Error("usage: fuzz-decoder.ts [count] [seed]");
  const report = runDecoderFuzz(count, seed, (done, r) => process.stderr.write(`${done}: ${r.accepted} accepted, ${r.rejected} rejected, ${r.disagreements} disagreements, ${((performance.now() - started) / 1000).toFixed(0)} s\n`));
  console.log(`payloads:      ${report.count} (seed ${report.seed})`);
  console.log(`accepted:      ${report.accepted}`);
  console.log(`rejected:      ${report.rejected}`);
  console.log(`disagreements: ${report.disagreements}`);
  console.log(`elapsed:       ${(report.elapsedMs / 1000).toFixed(1)} s`);
  console.log("rejections by reason:");
  for (const [reason, n] of Object.entries(report.reasons).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(8)}  ${reason}`);
  for (const e of report.examples) console.log(`\n${e.detail}\n  from ${e.source}\n  ${e.hex}`);
  if (report.disagreements > 0) process.exitCode = 1;
}

const started = performance.now();
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
