// streamTypes(): the one definition of a stream's types that producer and consumer share, with its typed writer and reader.
import type { Static, TSchema } from "@sinclair/typebox";
import type { ErrorFrameOptions, WriterOptions } from "./writer.js";
import { StreamWriterImpl } from "./writer.js";
import { ReaderTypes } from "./reader-types.js";
import type { StreamTypesOptions } from "./spec.js";
import { fullToolkit } from "./toolkit.js";
import { producerStream, type Producer, type ProducerOptions } from "./producer.js";
import { streamResponse, type StreamResponseInit } from "./http.js";

export type { BaseStreamReader, StreamReader } from "./reader-types.js";

/** The writer's methods that exist for every stream. */
export interface BaseStreamWriter<I extends TSchema> {
  /** One item frame (the first call also carries the opening marker). Validated first: `VALIDATION` on a bad value. */
  item(value: Static<I>): Uint8Array;
  /** The end frame. Nothing may be written after it. */
  end(): Uint8Array;
  /** An error frame carrying the error's name, message and optional code/data; it ends the stream. */
  error(err: unknown, options?: ErrorFrameOptions): Uint8Array;
  /** A keep-alive frame that readers skip (not in truss compat mode). */
  keepAlive(): Uint8Array;
  /** True once end() or error() was written. */
  readonly ended: boolean;
  /** The index of the next item to produce: 0, or where a resumed SSE stream continues (see `resumeAfter`). */
  readonly startIndex: number;
}

/** A writer for the stream types: `header()` exists only when a header schema was given, `footer()` likewise. */
export type StreamWriter<I extends TSchema, H extends TSchema | undefined, F extends TSchema | undefined> = BaseStreamWriter<I> &
  (H extends TSchema ? { /** The header frame; must come first. */ header(value: Static<H>): Uint8Array } : unknown) &
  (F extends TSchema ? { /** The footer frame; after the items, before end(). */ footer(value: Static<F>): Uint8Array } : unknown);

/** A stream definition: schemas, options, and factories for writers and readers (the reading half is {@link ReaderTypes}). */
export class StreamTypes<
  I extends TSchema,
  H extends TSchema | undefined = undefined,
  F extends TSchema | undefined = undefined,
> extends ReaderTypes<I, H, F> {
  constructor(item: I, header: H, footer: F, options: StreamTypesOptions = {}) {
    super(item, header, footer, options, fullToolkit);
  }

  /**
   * A new writer for one stream.
   *
   * @example
   * const w = STREAM.writer();
   * socket.write(w.header({ time: 0, msg: "start" }));
   * socket.write(w.item({ words: ["hi"] }));
   * socket.write(w.end());
   */
  writer(options?: WriterOptions): StreamWriter<I, H, F> {
    return new StreamWriterImpl(this.spec, options) as unknown as StreamWriter<I, H, F>;
  }

  /**
   * A pull-based `ReadableStream` of frames written by a producer generator: it advances only as the consumer
   * reads, ends with the end frame when the generator returns, sends an error frame if it throws, and runs its
   * `finally` blocks when the consumer cancels.
   *
   * @example
   * const body = STREAM.toReadableStream(async function* (w, signal) {
   *   yield w.header({ time: Date.now(), msg: "start" });
   *   for await (const words of source(signal)) yield w.item({ words });
   *   yield w.footer({ time: Date.now(), durationSec: 1, msg: "done" });
   * });
   */
  toReadableStream(producer: Producer<StreamWriter<I, H, F>>, options?: ProducerOptions & WriterOptions): ReadableStream<Uint8Array> {
    return producerStream(this.writer(options), producer, options);
  }

  /**
   * A streaming `Response` for fetch-style handlers (Hono, Deno, Bun, workers; Node via `streamtypes/node`), with
   * the stream's Content-Type, `Cache-Control: no-cache` and `X-Accel-Buffering: no`.
   *
   * @example
   * app.get("/tokens", () => STREAM.toResponse(async function* (w) { yield w.item({ words: ["hi"] }); }));
   */
  toResponse(producer: Producer<StreamWriter<I, H, F>>, options?: ProducerOptions & WriterOptions & StreamResponseInit): Response {
    return streamResponse(this.toReadableStream(producer, options), this.contentType, options);
  }
}

/**
 * Defines a stream's types once, for producer and consumer alike.
 *
 * @example
 * const STREAM = streamTypes(
 *   Type.Object({ words: Type.Array(Type.String()) }),              // item
 *   Type.Object({ time: Type.Number(), msg: Type.String() }),       // header (optional)
 *   Type.Object({ durationSec: Type.Number() }),                    // footer (optional)
 * );
 */
export function streamTypes<I extends TSchema, H extends TSchema | undefined = undefined, F extends TSchema | undefined = undefined>(
  item: I,
  header?: H,
  footer?: F,
  options?: StreamTypesOptions,
): StreamTypes<I, H, F> {
  return new StreamTypes(item, header as H, footer as F, options);
}
