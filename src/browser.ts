// The browser entry (streamtypes/browser): a reading-only streamTypes() without writers, producers, msgpackr's packer or TypeBox's compiler.
import type { TSchema } from "@sinclair/typebox";
import { jsonCodec, msgpackCodec } from "./codec.js";
import { FrameDecoder } from "./frame.js";
import { NdjsonDecoder } from "./ndjson.js";
import { ReaderTypes } from "./reader-types.js";
import type { StreamTypesOptions, Toolkit } from "./spec.js";
import { SseDecoder } from "./sse.js";
import { interpretedValidator } from "./validate.js";

export { StreamError } from "./errors.js";
export type { StreamErrorCode, StreamPart, ValidationIssue, RemoteErrorInfo } from "./errors.js";
export { ReaderTypes } from "./reader-types.js";
export type { StreamReader, BaseStreamReader } from "./reader-types.js";
export type { StreamTypesOptions, Framing } from "./spec.js";
export type { ReaderOptions } from "./reader.js";
export type { StreamSource } from "./source.js";
export type { ConsumeHandlers, ConsumeSummary } from "./consume.js";
export { eventSourceStream, type EventSourceLike } from "./sse.js";

/**
 * Validation interprets the schemas (TypeBox `Check`): no code generation, so a strict Content-Security-Policy
 * needs no 'unsafe-eval', and no compiler in the bundle. It checks about 5 million small values a second.
 */
const readingToolkit: Toolkit = {
  codec: (name) => (name === "json" ? jsonCodec() : msgpackCodec()),
  validator: interpretedValidator,
  splitter(framing, maxFrameBytes, kinds) {
    if (framing === "sse") return new SseDecoder(maxFrameBytes);
    if (framing === "ndjson") return new NdjsonDecoder(maxFrameBytes);
    return new FrameDecoder({ maxFrameBytes, kinds });
  },
};

/**
 * Defines a stream's types for reading in a browser: same arguments as `streamTypes` from "streamtypes".
 *
 * @example
 * import { streamTypes } from "streamtypes/browser";
 * const TOKENS = streamTypes(Token, RunHeader, RunFooter);
 * for await (const token of TOKENS.reader(fetch("/tokens")).readItems()) render(token);
 */
export function streamTypes<I extends TSchema, H extends TSchema | undefined = undefined, F extends TSchema | undefined = undefined>(
  item: I,
  header?: H,
  footer?: F,
  options?: StreamTypesOptions,
): ReaderTypes<I, H, F> {
  return new ReaderTypes(item, header as H, footer as F, options ?? {}, readingToolkit);
}
