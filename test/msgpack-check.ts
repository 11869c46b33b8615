// The reference strict MessagePack checker (the reader's rules before the fused decoder): differential tests hold the decoder to it.
import { DecodeError, MAX_BIGINT_BYTES, MAX_DEPTH } from "../src/codecs/codec.js";


/** Extension types the reader accepts, as msgpackr writes them with `moreTypes`: what the schemas can describe. */
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

/** Element size of msgpackr's typed-array codes 0-10 (Int8Array … BigUint64Array); 16 is ArrayBuffer, 17 DataView. */
const TYPED_ARRAY_ELEMENT_BYTES = [1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8];

/** Strings up to this many bytes are checked for non-ASCII bytes in JS; longer ones go to a native UTF-8 check. */
const SHORT_STRING_BYTES = 32;

/** Per level: values still to read in the enclosing container, and whether it is a map. Reused: decoding is synchronous. */
const pendingStack = new Int32Array(MAX_DEPTH + 1); // counts fit: they are checked against the payload length, under 2 GiB
const mapStack = new Uint8Array(MAX_DEPTH + 1);

/** True when the bytes are well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
const isUtf8: (bytes: Uint8Array) => boolean = nativeUtf8Check();

function nativeUtf8Check(): (bytes: Uint8Array) => boolean {
  // Node ≥ 20.16 / 22.3: buffer.isUtf8 validates without building a string. Browsers: a fatal TextDecoder.
  try {
    const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    const check = (getBuiltin?.("buffer") as { isUtf8?: (b: Uint8Array) => boolean } | undefined)?.isUtf8;
    if (typeof check === "function") return (bytes) => check(bytes);
  } catch {
    // fall through to the portable check
  }
  const fatal = new TextDecoder("utf-8", { fatal: true });
  return (bytes) => {
    try {
      fatal.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };
}

/**
 * Checks that a payload is exactly one MessagePack value this reader accepts, without building it and without
 * recursion, so that msgpackr only ever sees well-formed input. Throws a {@link DecodeError} on:
 * a length (string, binary, array, map, extension) running past the payload's end; bytes after the value;
 * nesting deeper than {@link MAX_DEPTH}; the never-used byte 0xC1; invalid UTF-8 in a string; a map key
 * `__proto__` (msgpackr would silently rename it); an extension other than undefined, timestamp (Date), typed
 * array and bigint, or one of those with a malformed body. It walks tokens, skipping string and binary bodies by
 * their length; only string bodies are looked at, and short ASCII ones cost one pass of a tight loop.
 */
export function checkMessagePack(b: Uint8Array): void {
  const end = b.length;
  let pos = 0;
  let depth = 0;
  let pending = 1; // values still to read at this level
  let inMap = 0;
  for (;;) {
    if (pending === 0) {
      if (depth === 0) break;
      depth--;
      pending = pendingStack[depth]!;
      inMap = mapStack[depth]!;
      continue;
    }
    // In a map, values alternate key, value from an even count: a key is read when the count is still even.
    const parity = pending & 1;
    pending--;
    if (pos >= end) throw new DecodeError(`the payload ends in the middle of a value (at byte ${pos})`);
    const token = b[pos++]!;
    let children = -1; // array/map: number of values inside
    let map = 0;
    let strLength = -1;
    if (token < 0x80 || token >= 0xe0) continue; // fixints
    if (token >= 0xa0 && token < 0xc0) {
      // fixstr, the commonest token after fixints: checked inline
      const start = pos;
      pos += token & 0x1f;
      if (pos > end) throw new DecodeError(`a string at byte ${start} declares ${token & 0x1f} bytes, but only ${end - start} remain in the payload`);
      let bits = 0;
      for (let i = start; i < pos; i++) bits |= b[i]!;
      if (bits >= 0x80 && !isUtf8(b.subarray(start, pos))) throw invalidUtf8(start);
      if (pos - start === 9 && inMap === 1 && parity === 0 && isProtoKey(b, start)) throw protoKey(start);
      continue;
    }
    if (token < 0x90) {
      children = (token & 0x0f) * 2;
      map = 1;
    } else if (token < 0xa0) {
      children = token & 0x0f;
    } else {
      let extLength = -1;
      switch (token) {
        case 0xc0: // nil
        case 0xc2: // false
        case 0xc3: // true
          continue;
        case 0xc1:
          throw new DecodeError(`byte 0xC1 at ${pos - 1} is never used in MessagePack`);
        case 0xc4:
        case 0xc5:
        case 0xc6: {
          const size = token === 0xc4 ? 1 : token === 0xc5 ? 2 : 4;
          const length = readLength(b, pos, size);
          pos += size;
          need(b, pos, length, "a binary value");
          pos += length;
          continue;
        }
        case 0xc7:
        case 0xc8:
        case 0xc9: {
          const size = token === 0xc7 ? 1 : token === 0xc8 ? 2 : 4;
          extLength = readLength(b, pos, size);
          pos += size;
          break;
        }
        case 0xca:
          pos += 4;
          continue;
        case 0xcb:
          pos += 8;
          continue;
        case 0xcc:
        case 0xd0:
          pos += 1;
          continue;
        case 0xcd:
        case 0xd1:
          pos += 2;
          continue;
        case 0xce:
        case 0xd2:
          pos += 4;
          continue;
        case 0xcf:
        case 0xd3:
          pos += 8;
          continue;
        case 0xd4:
          extLength = 1;
          break;
        case 0xd5:
          extLength = 2;
          break;
        case 0xd6:
          extLength = 4;
          break;
        case 0xd7:
          extLength = 8;
          break;
        case 0xd8:
          extLength = 16;
          break;
        case 0xd9:
          strLength = readLength(b, pos, 1);
          pos += 1;
          break;
        case 0xda:
          strLength = readLength(b, pos, 2);
          pos += 2;
          break;
        case 0xdb:
          strLength = readLength(b, pos, 4);
          pos += 4;
          break;
        case 0xdc:
          children = readLength(b, pos, 2);
          pos += 2;
          break;
        case 0xdd:
          children = readLength(b, pos, 4);
          pos += 4;
          break;
        case 0xde:
          children = readLength(b, pos, 2) * 2;
          map = 1;
          pos += 2;
          break;
        case 0xdf:
          children = readLength(b, pos, 4) * 2;
          map = 1;
          pos += 4;
          break;
      }
      if (extLength >= 0) {
        need(b, pos, extLength + 1, "an extension");
        checkExtension(b, b[pos]!, pos + 1, extLength);
        pos += extLength + 1;
        continue;
      }
    }
    if (strLength >= 0) {
      need(b, pos, strLength, "a string");
      const start = pos;
      pos += strLength;
      if (strLength <= SHORT_STRING_BYTES) {
        let bits = 0;
        for (let i = start; i < pos; i++) bits |= b[i]!;
        if (bits >= 0x80 && !isUtf8(b.subarray(start, pos))) throw invalidUtf8(start);
        if (strLength === 9 && inMap === 1 && parity === 0 && isProtoKey(b, start)) throw protoKey(start);
      } else if (!isUtf8(b.subarray(start, pos))) {
        throw invalidUtf8(start);
      }
      continue;
    }
    // An array or a map; an element takes at least one byte, so a count beyond the remaining bytes is a lie.
    if (children > end - pos) {
      throw new DecodeError(`${map ? "a map" : "an array"} at byte ${pos - 1} declares ${map ? children / 2 : children} ${map ? "entries" : "elements"}, more than the ${end - pos} bytes left could hold`);
    }
    if (depth >= MAX_DEPTH) throw tooDeep();
    if (children > 0x7fffffff) throw new DecodeError(`a container at byte ${pos - 1} declares ${children} values`); // only in payloads over 2 GiB
    if (children === 0) continue;
    pendingStack[depth] = pending;
    mapStack[depth] = inMap;
    depth++;
    pending = children;
    inMap = map;
  }
  if (pos > end) throw new DecodeError(`the payload ends in the middle of a value (${pos - end} bytes missing)`);
  if (pos < end) throw new DecodeError(`${end - pos} bytes follow the value; a payload must hold exactly one value`);
}

/** A big-endian unsigned length of `size` bytes at `pos`; a header cut short reads as a length past the end. */
function readLength(b: Uint8Array, pos: number, size: number): number {
  if (pos + size > b.length) throw new DecodeError(`the payload ends inside a length field (at byte ${pos})`);
  if (size === 1) return b[pos]!;
  if (size === 2) return (b[pos]! << 8) | b[pos + 1]!;
  return ((b[pos]! << 24) | (b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!) >>> 0;
}

function need(b: Uint8Array, pos: number, length: number, what: string): void {
  if (length > b.length - pos) {
    throw new DecodeError(`${what} at byte ${pos} declares ${length} bytes, but only ${Math.max(0, b.length - pos)} remain in the payload`);
  }
}

function checkExtension(b: Uint8Array, type: number, start: number, length: number): void {
  switch (type) {
    case EXT_UNDEFINED:
      if (length === 1) return;
      break;
    case EXT_TIMESTAMP:
      // 4, 8 and 12 bytes are the standard timestamps; 1 byte is how msgpackr writes an invalid Date.
      if (length === 4 || length === 8 || length === 12 || length === 1) return;
      break;
    case EXT_BIGINT:
      if (length >= 1 && length <= MAX_BIGINT_BYTES) return;
      if (length > MAX_BIGINT_BYTES) throw new DecodeError(`a bigint of ${length} bytes is over the limit of ${MAX_BIGINT_BYTES} bytes`);
      break;
    case EXT_TYPED_ARRAY: {
      if (length === 0) break;
      const code = b[start]!;
      if (code === 16 || code === 17) return; // ArrayBuffer, DataView
      const size = TYPED_ARRAY_ELEMENT_BYTES[code];
      if (size !== undefined && (length - 1) % size === 0) return;
      throw new DecodeError(`a typed-array extension has type code ${code} and ${length - 1} data bytes, which is not a typed array`);
    }
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

/** "__proto__" as bytes. */
const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f];

function isProtoKey(b: Uint8Array, start: number): boolean {
  for (let i = 0; i < 9; i++) if (b[start + i] !== PROTO[i]) return false;
  return true;
}

function invalidUtf8(at: number): DecodeError {
  return new DecodeError(`the string at byte ${at} is not valid UTF-8`);
}

function protoKey(at: number): DecodeError {
  return new DecodeError(`a map has the key "__proto__" (at byte ${at}), which is not accepted: msgpackr would rename it, and as an own property it can change an object's prototype when merged`);
}

function tooDeep(): DecodeError {
  return new DecodeError(`the value is nested more than ${MAX_DEPTH} levels deep`);
}
