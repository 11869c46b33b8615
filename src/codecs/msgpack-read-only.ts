// The MessagePack codec's reading half: the fused strict decoder, without msgpackr (for browsers, and for every reader).
import type { Codec } from "./codec.js";
import { decodeMessagePack } from "./msgpack-decode.js";
import { closureReader } from "../plan/closures-msgpack-read.js";
import { READ_HELPERS } from "../plan/msgpack-read.js";
import { schemaCodec } from "../plan/schema-codec.js";

/** Codec id of MessagePack in the binary framing's opening marker. */
export const MSGPACK_CODEC_ID = 1;

/**
 * MessagePack for reading only: what the browser entry uses, so that a page carries no packer. Decoding is
 * strict and fused (see msgpack-decode.ts for what it rejects); `encode` throws.
 *
 * @example
 * import { readerTypes, binary, msgpackReadOnly } from "streamtypes/browser";
 * const TOKENS = readerTypes(Token, undefined, undefined, { format: binary(msgpackReadOnly()) });
 */
export function msgpackReadOnly(): Codec {
  return {
    name: "msgpack",
    id: MSGPACK_CODEC_ID,
    encode() {
      throw new TypeError('This codec only reads MessagePack; use msgpack() from "streamtypes" to write.');
    },
    decode: decodeMessagePack,
    // Reading pages often run under a strict CSP: closures, never generated code (msgpack() generates it where allowed).
    compile: (plan) => schemaCodec("closures", closureReader(plan, READ_HELPERS), undefined),
  };
}
