// The main entry's toolkit: both codecs with encoders, compiled validation, and every framing's splitter.
import { Packr } from "msgpackr/pack";
import { jsonCodec, msgpackCodec } from "./codec.js";
import { FrameDecoder } from "./frame.js";
import { NdjsonDecoder } from "./ndjson.js";
import type { Toolkit } from "./spec.js";
import { SseDecoder } from "./sse.js";
import { createValidator } from "./validate-compiled.js";

export const fullToolkit: Toolkit = {
  codec(name) {
    if (name === "json") return jsonCodec();
    // msgpackr writes into the options object it is given, so each instance gets a fresh literal.
    const packr = new Packr({ useRecords: false, moreTypes: true });
    return msgpackCodec((value) => packr.pack(value));
  },
  validator: (schema) => createValidator(schema),
  splitter(framing, maxFrameBytes, kinds) {
    if (framing === "sse") return new SseDecoder(maxFrameBytes);
    if (framing === "ndjson") return new NdjsonDecoder(maxFrameBytes);
    return new FrameDecoder({ maxFrameBytes, kinds });
  },
};
