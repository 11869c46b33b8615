// The MessagePack codec: msgpackr writes standard MessagePack; reading is the strict decoder of msgpack-read-only.ts.
import { Packr } from "msgpackr/pack";
import type { Codec } from "./codec.js";
import { msgpackReadOnly } from "./msgpack-read-only.js";

/**
 * MessagePack through msgpackr with `useRecords: false`: standard MessagePack, so every frame decodes alone and
 * any MessagePack library can read it. `moreTypes` carries typed arrays (Float32Array and friends) as msgpackr's
 * typed-array extension, so they come back as typed arrays; Dates travel as timestamps and large integers as
 * bigints. The default codec of the binary framing.
 *
 * @example
 * const STREAM = streamTypes(Item, undefined, undefined, { format: binary(msgpack()) });
 */
export function msgpack(): Codec {
  // msgpackr writes into the options object it is given, so each instance gets a fresh literal.
  const packr = new Packr({ useRecords: false, moreTypes: true });
  return { ...msgpackReadOnly(), encode: (value) => packr.pack(value) };
}
