// Stream definitions: the schemas and format a producer and consumer share, with factories for typed readers and writers.
import type { Input, Output, SchemaLike } from "./schema/infer.js";
import type { Format } from "./format.js";
import { StreamReaderImpl, type ReaderOptions } from "./reader/reader.js";
import type { Validator } from "./schema/validator.js";
import type { Plan } from "./plan/plan.js";
import type { Codec, SchemaCodec } from "./codecs/codec.js";
import type { StreamSource } from "./sources/source.js";
import { resolveSpec, type StreamSpec } from "./spec.js";
import { streamResponse, type StreamResponseInit } from "./writer/http.js";
import { producerStream, type Producer, type ProducerOptions } from "./writer/producer.js";
import { StreamWriterImpl, type ErrorFrameOptions, type WriterOptions } from "./writer/writer.js";
import { startFetch } from "./sources/fetch.js";
import { decoderStream, type DecoderStreamOptions, type PartTransform, type TypedPart, type TypedPartInput } from "./reader/decoder-stream.js";
import { encoderStream, type EncoderStreamOptions } from "./writer/encoder-stream.js";
import { ChannelImpl, type Channel, type ChannelOptions } from "./writer/channel.js";
import { partJsonSchema, type JsonSchemaOptions, type StreamJsonSchemas } from "./schema/json-schema.js";
import { defaultStore, durableResponse, type DurableOptions } from "./durable/durable-response.js";
import { stopDurable } from "./durable/durable-producer.js";
import type { ReplayStore } from "./durable/store.js";

/** Options of a stream definition, shared by its writers and readers. */
export interface DefinitionOptions {
  /** The wire format: `binary(msgpack())` (the default), `binary(json())`, `sse()`, `ndjson()` or `truss()`. */
  format?: Format | undefined;
  /** Validate every value against its schema, when written and when read. Default true. */
  validate?: boolean | undefined;
  /** Largest payload accepted or produced, in bytes. Default 16 MiB. */
  maxFrameBytes?: number | undefined;
}

/** What an entry point decides for its definitions: the format when none is given, and how schemas are checked. */
export interface EntryDefaults {
  format(options: DefinitionOptions): Format;
  validatorFor(schema: unknown): Validator;
  /** The walk of a schema into a plan, for codecs compiled from it; absent or undefined: the generic codec. */
  planFor?(schema: unknown): Plan | undefined;
  /** The back ends for a plan, given the part's validator (writing entries: compileForWriting); absent: the codec's own `compile`. */
  compile?(codec: Codec, plan: Plan, validator: Validator): SchemaCodec | undefined;
}

/** The reader's methods that exist for every stream. */
export interface BaseStreamReader<I extends SchemaLike> {
  /** The items, each delivered as soon as its frame is complete. Call once. Leaving the loop early cancels the source. */
  readItems(): AsyncIterableIterator<Output<I>>;
  /**
   * The items in arrays: each array holds every item already complete in the bytes received (at most `maxBatch`,
   * default 1024), decoded in one go. For high-throughput consumers. Use instead of readItems(), once.
   */
  readItemBatches(maxBatch?: number): AsyncIterableIterator<Output<I>[]>;
  /** Stops reading and cancels the source; a running item loop ends quietly. */
  cancel(reason?: unknown): void;
  /** Items delivered so far. */
  readonly itemsRead: number;
  /** Bytes received from the source so far. */
  readonly bytesRead: number;
  /** True once the end frame was read and nothing followed it. */
  readonly completed: boolean;
  /** Items of unknown kinds skipped so far (the `unknownKinds` option; counted as they are decoded). */
  readonly itemsSkipped: number;
}

/** A reader for the stream types: `readHeader()` exists only when a header schema was given, `readFooter()` likewise. */
export type StreamReader<I extends SchemaLike, H extends SchemaLike | undefined, F extends SchemaLike | undefined> = BaseStreamReader<I> &
  (H extends SchemaLike ? { /** The header; call first. `ORDER` if the stream has none. */ readHeader(): Promise<Output<H>> } : unknown) &
  (F extends SchemaLike ? { /** The footer, after the items; confirms the end. `ORDER` if the stream has none. */ readFooter(): Promise<Output<F>> } : unknown);

/** The writer's methods that exist for every stream. */
export interface BaseStreamWriter<I extends SchemaLike> {
  /** One item frame. Validated first: `VALIDATION` on a bad value. */
  item(value: Input<I>): Uint8Array;
  /** The end frame. Nothing may be written after it. */
  end(): Uint8Array;
  /** An error frame carrying the error's name, message and optional code/data; it ends the stream. */
  error(err: unknown, options?: ErrorFrameOptions): Uint8Array;
  /** A keep-alive frame that readers skip (not in the truss format). */
  keepAlive(): Uint8Array;
  /** True once end() or error() was written. */
  readonly ended: boolean;
  /** Whether the format has keep-alive frames (the truss format has none). */
  readonly keepAliveSupported: boolean;
  /** The index of the next item to produce: 0, or where a resumed stream continues (see `resumeAfter`). */
  readonly startIndex: number;
}

/** A writer for the stream types: `header()` exists only when a header schema was given, `footer()` likewise. */
export type StreamWriter<I extends SchemaLike, H extends SchemaLike | undefined, F extends SchemaLike | undefined> = BaseStreamWriter<I> &
  (H extends SchemaLike ? { /** The header frame; must come first. */ header(value: Input<H>): Uint8Array } : unknown) &
  (F extends SchemaLike ? { /** The footer frame; after the items, before end(). */ footer(value: Input<F>): Uint8Array } : unknown);

/** Callbacks for {@link ReaderTypes.consume}; each may return a promise, which is awaited before reading on (backpressure). */
export interface ConsumeHandlers<I, H, F> {
  onHeader?: ((header: H) => void | Promise<void>) | undefined;
  onItem?: ((item: I, index: number) => void | Promise<void>) | undefined;
  onFooter?: ((footer: F) => void | Promise<void>) | undefined;
}

/** What a consumed stream amounted to. */
export interface ConsumeSummary {
  items: number;
  bytes: number;
}

/**
 * The reading half of a stream definition. `streamTypes()` from "streamtypes" returns a {@link StreamTypes}, which
 * also writes; "streamtypes/browser" returns this class itself.
 */
export class ReaderTypes<I extends SchemaLike, H extends SchemaLike | undefined = undefined, F extends SchemaLike | undefined = undefined> {
  /**
   * The resolved definition: format, validators, limits.
   * @internal
   */
  protected readonly spec: StreamSpec;

  /** @internal Definitions come from `streamTypes()` (or `readerTypes()` in streamtypes/browser). */
  constructor(
    readonly item: I,
    readonly header: H,
    readonly footer: F,
    options: DefinitionOptions,
    defaults: EntryDefaults,
  ) {
    this.spec = resolveSpec({ item, header, footer }, { ...options, format: options.format ?? defaults.format(options), planFor: defaults.planFor, compile: defaults.compile }, defaults.validatorFor);
  }

  /** The wire format of this definition. */
  get format(): Format {
    return this.spec.format;
  }

  /**
   * A new reader over one stream's bytes.
   *
   * @example
   * const r = STREAM.reader(await fetch(url), { signal });
   * const header = await r.readHeader();
   * for await (const item of r.readItems()) console.log(item);
   * const footer = await r.readFooter();
   */
  reader(source: StreamSource, options?: ReaderOptions): StreamReader<I, H, F> {
    return new StreamReaderImpl(this.spec, source, options) as unknown as StreamReader<I, H, F>;
  }

  /**
   * How values are validated: "compiled" (TypeBox's TypeCompiler), "interpreted" (no code generation: the browser
   * entry's check through the schema's plan, or TypeBox's `Check` under a Content-Security-Policy that forbids
   * code generation), "standard" (a Standard Schema library's own
   * check), or "off" (`validate: false`).
   */
  get validation(): "compiled" | "interpreted" | "standard" | "off" {
    return this.spec.validators.item?.mode ?? "off";
  }

  /**
   * How the item's codec runs: "code" (compiled from the schema into generated code that checks as it writes and
   * reads), "closures" (the same, without code generation: a Content-Security-Policy, or the browser entry), or
   * "generic" (a schema the compiled codecs do not cover, a Standard Schema, a format without a compiled back end,
   * or `validate: false`: the format's codec, then the validator).
   *
   * @example
   * streamTypes(Type.Object({ id: Type.Integer() })).codec; // "code"
   */
  get codec(): "code" | "closures" | "generic" {
    return this.spec.compiled.item?.backend ?? "generic";
  }

  /**
   * The Content-Type this stream is served with: `application/vnd.streamtypes; codec=msgpack` (or `codec=json`),
   * `text/event-stream; charset=utf-8` (SSE), `application/x-ndjson` (NDJSON), `application/octet-stream` (truss).
   */
  get contentType(): string {
    return this.spec.format.contentType;
  }

  /**
   * Reads a whole stream into callbacks: resolves once the end frame has been read, rejects with the reader's
   * `StreamError`s (a missing declared header or footer is `ORDER`).
   *
   * @example
   * const { items } = await STREAM.consume(fetch(url), { onItem: (c) => console.log(c.words) });
   */
  async consume(
    source: StreamSource,
    handlers: ConsumeHandlers<Output<I>, H extends SchemaLike ? Output<H> : never, F extends SchemaLike ? Output<F> : never> & ReaderOptions,
  ): Promise<ConsumeSummary> {
    const reader = new StreamReaderImpl(this.spec, source, handlers);
    const on = handlers as ConsumeHandlers<unknown, unknown, unknown>;
    if (this.spec.hasHeader) {
      const header = await reader.readHeader();
      await on.onHeader?.(header);
    }
    let index = 0;
    for await (const item of reader.readItems()) await on.onItem?.(item, index++);
    if (this.spec.hasFooter) {
      const footer = await reader.readFooter();
      await on.onFooter?.(footer);
    }
    return { items: reader.itemsRead, bytes: reader.bytesRead };
  }

  /**
   * Fetches a stream and reads it: one AbortSignal for the request and the reader (`options.signal` and
   * `init.signal`, combined when both are given), the format's `Accept` header unless `init` sets one, and
   * `options.startAfter` as `Last-Event-ID` (the reader then starts after that position). A non-2xx
   * response is `HTTP`, a failed request `NETWORK`, and an abort rejects with the signal's reason.
   *
   * @example
   * const r = STREAM.fetch("/tokens", { method: "POST", body }, { signal, idleTimeoutMs: 30_000 });
   * for await (const item of r.readItems()) render(item);
   */
  fetch(input: string | URL | Request, init?: RequestInit, options?: ReaderOptions): StreamReader<I, H, F> {
    const { response, signal } = startFetch(input, init, this.spec.format.accept, options?.signal, options?.startAfter);
    return new StreamReaderImpl(this.spec, response, { ...options, signal }) as unknown as StreamReader<I, H, F>;
  }

  /**
   * A transform stream from this stream's bytes to its typed parts, `{ part: "header" | "item" | "footer", value }`
   * (items with their `index`), with the reader's checks, limits and errors: a bad stream errors the readable side
   * after the parts before it; cancelling the readable side cancels the source.
   *
   * @example
   * const parts = (await fetch(url)).body!.pipeThrough(STREAM.decoderStream());
   * for await (const p of parts) if (p.part === "item") render(p.value);
   */
  decoderStream(options?: DecoderStreamOptions): PartTransform<Uint8Array, TypedPart<I, H, F>> {
    return decoderStream(this.spec, options) as unknown as PartTransform<Uint8Array, TypedPart<I, H, F>>;
  }
}

/** A stream definition that reads and writes: schemas, format, and factories for writers, readers and responses. */
export class StreamTypes<
  I extends SchemaLike,
  H extends SchemaLike | undefined = undefined,
  F extends SchemaLike | undefined = undefined,
> extends ReaderTypes<I, H, F> {
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
  toReadableStream<Y = Uint8Array>(producer: Producer<StreamWriter<I, H, F>, Y>, options?: ProducerOptions & WriterOptions): ReadableStream<Uint8Array> {
    const writer = new StreamWriterImpl(this.spec, options);
    return producerStream(writer, producer as unknown as Producer<StreamWriterImpl>, options);
  }

  /**
   * A streaming `Response` for fetch-style handlers (Hono, Deno, Bun, workers; Node via `streamtypes/node`), with
   * the stream's Content-Type, `Cache-Control: no-cache` and `X-Accel-Buffering: no`.
   *
   * @example
   * app.get("/tokens", () => STREAM.toResponse(async function* (w) { yield w.item({ words: ["hi"] }); }));
   */
  toResponse<Y = Uint8Array>(producer: Producer<StreamWriter<I, H, F>, Y>, options?: ProducerOptions & WriterOptions & StreamResponseInit): Response {
    return streamResponse(this.toReadableStream(producer, options), this.contentType, options);
  }

  /**
   * A durable stream's `Response`: the first request for `streamId` (once across instances sharing `store`) starts
   * the producer, which writes every part into the replay store and, by default, keeps running when its client
   * leaves; every response (the first one too) sends the parts after the client's position (`Last-Event-ID` of
   * `request`, or `resumeAfter`), then the new ones live, until the end. A client that reconnects with its
   * position, or a second client with the same stream id, gets what it missed, each part once. `maxDurationMs` ends
   * a response early at a frame boundary, without the end frame, so that the reader's `reconnect` continues it.
   * Failures of the store reach the reader as an error frame (`GONE`: the stream or position is no longer stored;
   * `LIMIT`: the stream outgrew the store's limits). See docs/resume.md.
   *
   * @example
   * app.get("/chat/:id", (req) =>
   *   STREAM.durable(req.params.id, async function* (w) {
   *     for await (const token of llm.tokens()) yield w.item({ words: [token] });
   *   }, { store, request: req }),
   * );
   */
  durable<Y = Uint8Array>(streamId: string, producer: Producer<StreamWriter<I, H, F>, Y>, options?: DurableOptions & StreamResponseInit): Response {
    return durableResponse(this.spec, streamId, producer as unknown as Producer<StreamWriterImpl>, options);
  }

  /**
   * Stops a durable stream's producer wherever it runs (this instance, or another one sharing `store`, within
   * about 500 ms on Redis): its `signal` aborts and the stream ends with an error part, code `CANCELLED`, that every
   * reader gets. Resolves false when the stream is not running (unknown, or already ended). Check the caller's
   * right to the stream first, as for reading it (docs/security.md).
   *
   * @example
   * app.post("/chat/:id/stop", async (req) => Response.json({ stopped: await STREAM.stop(req.params.id, { store }) }));
   */
  stop(streamId: string, options: { store?: ReplayStore | undefined } = {}): Promise<boolean> {
    return stopDurable(options.store ?? defaultStore(), streamId);
  }

  /**
   * A transform stream from typed parts to this stream's frames, the inverse of `decoderStream()`: closing the
   * writable side adds the end frame; a part the writer refuses, or an upstream error, sends an error frame as a
   * throwing producer does.
   *
   * @example
   * const body = partsStream.pipeThrough(STREAM.encoderStream());
   */
  encoderStream(options?: EncoderStreamOptions): PartTransform<TypedPartInput<I, H, F>, Uint8Array> {
    return encoderStream(this.spec, options) as PartTransform<TypedPartInput<I, H, F>, Uint8Array>;
  }

  /**
   * A channel: a producer fed by synchronous callbacks (an SDK's `onToken`, an EventEmitter, a worker's `message`).
   * Each call validates at once (`VALIDATION` where the caller sees it) and queues its frame; at most `maxBuffered`
   * frames wait for the reader, then `onFull` decides (`"error"`: the call throws `LIMIT`; `"close"`: the stream
   * ends with a `LIMIT` error frame). `ready` / `desiredSize` say when there is room; `onCancel` runs when the
   * reader leaves, after which calls are ignored. Serve `readable` or `response()`; keep-alive and error frames work
   * as with `toResponse()`.
   *
   * @example
   * const ch = STREAM.channel({ maxBuffered: 256 });
   * const job = sdk.run({ onToken: (t) => ch.item({ words: [t] }), onDone: () => ch.end(), onError: (e) => ch.fail(e) });
   * ch.onCancel(() => job.abort());
   * return ch.response();
   */
  channel(options?: ChannelOptions): Channel<I, H, F> {
    return new ChannelImpl(new StreamWriterImpl(this.spec, options), this.contentType, options) as unknown as Channel<I, H, F>;
  }

  /**
   * The JSON Schemas of the header, item and footer (for OpenAPI, docs, other languages). TypeBox schemas are JSON
   * Schema already (TypeBox's symbol keys are left out; `TypedArray()` becomes an array of numbers marked
   * `x-typedArray`); a Standard Schema gives its own through Standard JSON Schema (`~standard.jsonSchema`: zod 4,
   * arktype 2). `OPTIONS`, naming the part, for a schema that has none. See docs/openapi.md.
   *
   * @example
   * const { item } = STREAM.jsonSchema(); // { type: "object", properties: { words: … }, required: ["words"] }
   */
  jsonSchema(options?: JsonSchemaOptions): StreamJsonSchemas {
    const out: StreamJsonSchemas = { item: partJsonSchema(this.item, "item", options) };
    if (this.header !== undefined) out.header = partJsonSchema(this.header, "header", options);
    if (this.footer !== undefined) out.footer = partJsonSchema(this.footer, "footer", options);
    return out;
  }
}
