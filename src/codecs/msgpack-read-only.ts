// The MessagePack codec's reading half: strict decoding of untrusted payloads, without msgpackr's packer (for browsers).
import { Unpackr } from "msgpackr/unpack";
import type { Codec } from "./codec.js";
import { checkMessagePack } from "./msgpack-check.js";

/** Codec id of MessagePack in the binary framing's opening marker. */
export const MSGPACK_CODEC_ID = 1;

/**
 * MessagePack for reading only: what the browser entry uses, so that a page carries no packer. Decoding is
 * strict (see msgpack-check.ts for what it rejects); `encode` throws.
 *
 * @example
 * import { readerTypes, binary, msgpackReadOnly } from "streamtypes/browser";
 * const TOKENS = readerTypes(Token, undefined, undefined, { format: binary(msgpackReadOnly()) });
 */
export function msgpackReadOnly(): Codec {
  // msgpackr writes into the options object it is given, so each instance gets a fresh literal.
  const unpackr = new Unpackr({ useRecords: false, moreTypes: true });
  return {
    name: "msgpack",
    id: MSGPACK_CODEC_ID,
    encode() {
      throw new TypeError('This codec only reads MessagePack; use msgpack() from "streamtypes" to write.');
    },
    decode(bytes, start, end) {
      const payload = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
      checkMessagePack(payload);
      return unpackr.unpack(payload);
    },
  };
}
