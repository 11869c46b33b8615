// The MessagePack codec: msgpackr writes standard MessagePack straight after the frame's header; reading is the strict decoder of msgpack-read-only.ts.
import { Packr, addExtension } from "msgpackr/pack";
import type { Codec } from "./codec.js";
import { msgpackReadOnly } from "./msgpack-read-only.js";
import { hasEncodedSurrogate, replaceNegativeZero, scanForWrite } from "./write-check.js";

/** msgpackr's flag for `pack()`: leave `flags & 0xff` bytes free at the start of the returned buffer. */
const RESERVE_START_SPACE = 2048;
/** msgpackr's flag for `pack()`: return its whole buffer with `start` and `end` set, instead of a view (a Buffer view in Node costs more than the view made here). */
const REUSE_BUFFER_MODE = 512;
/** msgpackr's own buffer size (8 KiB), which it fills with frames one after another. */
const BUFFER_BYTES = 8192;
/** msgpackr writes strings shorter than this (in UTF-16 units) in JS, a lone surrogate as invalid UTF-8; longer ones natively, as U+FFFD. */
const SHORT_STRING_UNITS = 0x40;
/** Frames larger than this are copied into a buffer of their own. */
const LARGE_FRAME_BYTES = 4096;

/** Stands for a `-0` in a value while msgpackr packs it: msgpackr writes -0 as the integer 0, losing the sign. */
class NegativeZero {}
const NEGATIVE_ZERO = new NegativeZero();
let negativeZeroRegistered = false;

/** Teaches msgpackr to write a NegativeZero as float64 -0 (`cb 80 00 …`), as the bytes themselves, with no extension wrapper. */
function registerNegativeZero(): void {
  if (negativeZeroRegistered) return;
  negativeZeroRegistered = true;
  addExtension({
    Class: NegativeZero,
    type: 0x7e, // required by msgpackr for a packing extension; never written, since pack() returns nothing
    pack(_value: unknown, allocate: (size: number) => { target: Uint8Array; targetView: DataView; position: number }) {
      const { target, targetView, position } = allocate(9);
      target[position] = 0xcb;
      targetView.setFloat64(position + 1, -0);
    },
  } as unknown as Parameters<typeof addExtension>[0]);
}

/** `value` with every -0 marked for msgpackr to write as float64 -0 (only the containers on the way are copied). */
function withNegativeZero(value: unknown): unknown {
  registerNegativeZero();
  return replaceNegativeZero(value, NEGATIVE_ZERO);
}

/**
 * MessagePack through msgpackr with `useRecords: false`: standard MessagePack, so every frame decodes alone and
 * any MessagePack library can read it. `moreTypes` carries typed arrays (Float32Array and friends) as msgpackr's
 * typed-array extension, so they come back as typed arrays; Dates travel as timestamps and large integers as
 * bigints; small objects take a one-byte map header (`variableMapSize`); `-0` keeps its sign (float64). A string
 * with a lone surrogate cannot be UTF-8 and is refused. The default codec of the binary framing.
 *
 * @example
 * const STREAM = streamTypes(Item, undefined, undefined, { format: binary(msgpack()) });
 */
export function msgpack(): Codec {
  // msgpackr writes into the options object it is given, so each instance gets a fresh literal.
  const packr = new Packr({ useRecords: false, moreTypes: true, variableMapSize: true });

  let shared: ArrayBufferLike | undefined; // the buffer msgpackr is filling
  return {
    ...msgpackReadOnly(),
    encode(value) {
      const payload = packr.pack(scanForWrite(value, SHORT_STRING_UNITS) ? withNegativeZero(value) : value);
      // Short strings are checked in the output: a surrogate there means a lone one (or a chance match, checked in full).
      if (hasEncodedSurrogate(payload, 0, payload.length)) scanForWrite(value, 0);
      return payload;
    },
    encodeAfter(value, headroom) {
      // A frame whose buffer was transferred to a worker detached msgpackr's buffer with it: start a new one.
      if (shared !== undefined && shared.byteLength === 0) packr.useBuffer(new Uint8Array(BUFFER_BYTES));
      // Packed into msgpackr's own buffer after `headroom` free bytes, for the frame header: no copy. msgpackr never
      // writes over what it has returned (it moves on, or takes a new buffer), so every frame stays valid, and the
      // frames of all writers of a definition share its buffers: an idle writer holds none.
      const packed = scanForWrite(value, SHORT_STRING_UNITS) ? withNegativeZero(value) : value;
      const target = packr.pack(packed, REUSE_BUFFER_MODE | RESERVE_START_SPACE | headroom) as unknown as Uint8Array & { start: number; end: number };
      const start = target.start;
      const length = target.end - start;
      const buffer = target.buffer;
      // The constructor, not subarray(): subarray looks up Symbol.species (and in Node makes a Buffer).
      const frame = new Uint8Array(buffer, target.byteOffset + start, length);
      // Short strings are checked in the output, on the frame (indexOf would search msgpackr's whole buffer).
      if (hasEncodedSurrogate(frame, headroom, length)) scanForWrite(value, 0);
      if (length <= LARGE_FRAME_BYTES) {
        shared = buffer;
        return frame;
      }
      // A large frame gets a buffer of its own, and msgpackr a small one again: small frames kept around would
      // otherwise pin the large buffer msgpackr grew for it.
      packr.useBuffer(new Uint8Array(BUFFER_BYTES));
      shared = undefined;
      return new Uint8Array(frame); // a copy (in Node, the slice method of a Buffer would be a view)
    },
  };
}
