// The browser entry (streamtypes/browser): a reading-only streamTypes() without writers, producers, msgpackr's packer or TypeBox's compiler.
import type { Static, TSchema } from "@sinclair/typebox";
import { jsonCodec, msgpackCodec } from "./codec.js";
import { consume, type ConsumeHandlers, type ConsumeSummary } from "./consume.js";
import { FrameDecoder } from "./frame.js";
import { contentTypeOf } from "./http.js";
import { NdjsonDecoder } from "./ndjson.js";
import { StreamReaderImpl, type ReaderOptions } from "./reader.js";
import type { StreamSource } from "./source.js";
import { resolveSpec, type StreamSpec, type StreamTypesOptions, type Toolkit } from "./spec.js";
import { SseDecoder } from "./sse.js";
import type { StreamReader } from "./stream-types.js";
import { interpretedValidator } from "./validate.js";

export { StreamError } from "./errors.js";
export type { StreamErrorCode, StreamPart, ValidationIssue, RemoteErrorInfo } from "./errors.js";
export type { StreamReader, BaseStreamReader } from "./stream-types.js";
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

/** A stream definition for reading: the same schemas and options as the full `streamTypes`, with readers only. */
export class ReaderTypes<I extends TSchema, H extends TSchema | undefined = undefined, F extends TSchema | undefined = undefined> {
  /** @internal */
  readonly spec: StreamSpec;

  constructor(
    readonly item: I,
    readonly header: H,
    readonly footer: F,
    readonly options: StreamTypesOptions = {},
  ) {
    this.spec = resolveSpec(item, header, footer, options, readingToolkit);
  }

  /** The Content-Type the producer serves this stream with, e.g. for an `Accept` header. */
  get contentType(): string {
    return contentTypeOf(this.spec);
  }

  /**
   * A reader over one stream's bytes, as in the full build.
   *
   * @example
   * const r = STREAM.reader(fetch("/tokens"), { signal: controller.signal });
   * for await (const token of r.readItems()) output.append(token.text);
   */
  reader(source: StreamSource, options?: ReaderOptions): StreamReader<I, H, F> {
    return new StreamReaderImpl(this.spec, source, options) as unknown as StreamReader<I, H, F>;
  }

  /**
   * Reads a whole stream into callbacks, as in the full build.
   *
   * @example
   * await STREAM.consume(fetch("/tokens"), { onItem: (t) => output.append(t.text) });
   */
  consume(
    source: StreamSource,
    handlers: ConsumeHandlers<Static<I>, H extends TSchema ? Static<H> : never, F extends TSchema ? Static<F> : never> & ReaderOptions,
  ): Promise<ConsumeSummary> {
    return consume(this.spec, new StreamReaderImpl(this.spec, source, handlers), handlers as ConsumeHandlers<unknown, unknown, unknown>);
  }
}

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
  return new ReaderTypes(item, header as H, footer as F, options);
}
