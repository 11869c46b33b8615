// The MessagePack codec: codecs compiled from the schema write and read the parts they cover; msgpackr's public pack() writes the values a schema leaves open.
import { Packr, addExtension } from "msgpackr/pack";
import { MISS, type Codec } from "./codec.js";
import type { Output } from "./output.js";
import { msgpackReadOnly } from "./msgpack-read-only.js";
import { hasEncodedSurrogate, replaceNegativeZero, scanForWrite } from "./write-check.js";
import { closureReader } from "../plan/closures-msgpack-read.js";
import { closureWriter } from "../plan/closures-msgpack-write.js";
import { generatedFunctions } from "../plan/compile-msgpack.js";
import { msgpackHelpers } from "../plan/msgpack-helpers.js";
import { schemaCodec } from "../plan/schema-codec.js";

/** msgpackr writes strings shorter than this (in UTF-16 units) in JS, a lone surrogate as invalid UTF-8; longer ones natively, as U+FFFD. */
const SHORT_STRING_UNITS = 0x40;

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
 * A definition compiles a codec from each part's schema (`compile`): generated code, or closures where a
 * Content-Security-Policy forbids it, that check and write (or read and check) in one pass, into the writer's own
 * buffer. msgpackr writes only what a schema leaves open (Unknown, Any, Dates, typed arrays, bigints) and parts
 * without a compiled codec, through its public `pack()`, whose bytes are copied out at once: no buffer of ours is
 * ever handed to it, and its module-wide state does not reach our frames.
 *
 * @example
 * const STREAM = streamTypes(Item, undefined, undefined, { format: binary(msgpack()) });
 */
export function msgpack(): Codec {
  // msgpackr writes into the options object it is given, so each instance gets a fresh literal.
  const packr = new Packr({ useRecords: false, moreTypes: true, variableMapSize: true });

  /** msgpackr's bytes for a value (a view of its own buffer: copy before anything else packs). Throws TypeError on what readers refuse. */
  const pack = (value: unknown, depth: number): Uint8Array => {
    const payload: Uint8Array = packr.pack(scanForWrite(value, SHORT_STRING_UNITS, depth) ? withNegativeZero(value) : value);
    // Short strings are checked in the output: a surrogate there means a lone one (or a chance match, checked in full).
    if (hasEncodedSurrogate(payload, 0, payload.length)) scanForWrite(value, 0, depth);
    return payload;
  };
  const encodeInto = (value: unknown, out: Output, depth = 0): void => {
    const payload = pack(value, depth);
    out.ensure(payload.length);
    out.bytes.set(payload, out.pos);
    out.pos += payload.length;
  };
  const helpers = msgpackHelpers((out, value, depth) => {
    try {
      encodeInto(value, out, depth);
    } catch {
      throw MISS; // the generic path reports it
    }
  });
  return {
    ...msgpackReadOnly(),
    encode: (value) => new Uint8Array(pack(value, 0)), // a copy: msgpackr's buffer is its own
    encodeInto,
    compile(plan) {
      const generated = generatedFunctions(plan, helpers);
      if (generated !== undefined) return schemaCodec("code", generated.read, generated.write);
      return schemaCodec("closures", closureReader(plan, helpers), closureWriter(plan, helpers));
    },
  };
}
