// Payload codecs: MessagePack (msgpackr, standard records) and JSON, behind one small interface.
import { Packr, Unpackr } from "msgpackr";
import { CODEC_IDS } from "./marker.js";

/** Turns one value into one payload and back. Each payload decodes on its own. */
export interface Codec {
  readonly name: CodecName;
  readonly id: number;
  /** Throws on a value the codec cannot represent. */
  encode(value: unknown): Uint8Array;
  /** Throws on bytes that are not exactly one value. */
  decode(payload: Uint8Array): unknown;
}

export type CodecName = keyof typeof CODEC_IDS;

/**
 * MessagePack through msgpackr with `useRecords: false`: standard MessagePack, so every frame decodes alone
 * and any MessagePack library can read it. `moreTypes` carries typed arrays (Float32Array and friends) as
 * msgpackr's typed-array extension, so they come back as typed arrays.
 */
export function msgpackCodec(): Codec {
  // msgpackr writes into the options object it is given, so each instance gets a fresh literal.
  const packr = new Packr({ useRecords: false, moreTypes: true });
  const unpackr = new Unpackr({ useRecords: false, moreTypes: true });
  return {
    name: "msgpack",
    id: CODEC_IDS.msgpack,
    encode: (value) => packr.pack(value),
    decode: (payload) => unpackr.unpack(payload),
  };
}

/** Compact UTF-8 JSON, as truss_chains writes it. Invalid UTF-8 is an error, not replacement characters. */
export function jsonCodec(): Codec {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  return {
    name: "json",
    id: CODEC_IDS.json,
    encode: (value) => {
      const text = JSON.stringify(value);
      if (text === undefined) throw new TypeError(`${typeof value} has no JSON representation`);
      return encoder.encode(text);
    },
    decode: (payload) => JSON.parse(decoder.decode(payload)),
  };
}

/** The codec for a name. */
export function codecFor(name: CodecName): Codec {
  return name === "json" ? jsonCodec() : msgpackCodec();
}
