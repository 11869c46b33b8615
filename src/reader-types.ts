// ReaderTypes: the reading half of a stream definition (readers, consume, content type), shared by the main and browser entries.
import type { Static, TSchema } from "@sinclair/typebox";
import { consume, type ConsumeHandlers, type ConsumeSummary } from "./consume.js";
import { contentTypeOf } from "./http.js";
import { StreamReaderImpl, type ReaderOptions } from "./reader.js";
import type { StreamSource } from "./source.js";
import { resolveSpec, type StreamSpec, type StreamTypesOptions, type Toolkit } from "./spec.js";

/** The reader's methods that exist for every stream. */
export interface BaseStreamReader<I extends TSchema> {
  /** The items, each delivered as soon as its frame is complete. Call once. Leaving the loop early cancels the source. */
  readItems(): AsyncIterableIterator<Static<I>>;
  /**
   * The items in arrays: each array holds every item already complete in the bytes received (at most `maxBatch`,
   * default 1024), decoded in one go. For high-throughput consumers: per-item promise costs are paid per batch.
   * Use instead of readItems(), once.
   */
  readItemBatches(maxBatch?: number): AsyncIterableIterator<Static<I>[]>;
  /** Stops reading and cancels the source. */
  cancel(reason?: unknown): void;
  /** Items delivered so far. */
  readonly itemsRead: number;
  /** Bytes received from the source so far. */
  readonly bytesRead: number;
  /** True once the end frame was read and nothing followed it. */
  readonly completed: boolean;
}

/** A reader for the stream types: `readHeader()` exists only when a header schema was given, `readFooter()` likewise. */
export type StreamReader<I extends TSchema, H extends TSchema | undefined, F extends TSchema | undefined> = BaseStreamReader<I> &
  (H extends TSchema ? { /** The header; call first. `ORDER` if the stream has none. */ readHeader(): Promise<Static<H>> } : unknown) &
  (F extends TSchema ? { /** The footer, after the items; confirms the end. `ORDER` if the stream has none. */ readFooter(): Promise<Static<F>> } : unknown);

/**
 * The reading half of a stream definition. `streamTypes()` from "streamtypes" returns a subclass that also
 * writes; from "streamtypes/browser", this class itself, built with a reading-only toolkit.
 */
export class ReaderTypes<I extends TSchema, H extends TSchema | undefined = undefined, F extends TSchema | undefined = undefined> {
  /** @internal */
  readonly spec: StreamSpec;

  constructor(
    readonly item: I,
    readonly header: H,
    readonly footer: F,
    readonly options: StreamTypesOptions,
    toolkit: Toolkit,
  ) {
    this.spec = resolveSpec(item, header, footer, options, toolkit);
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
   * How values are validated: "compiled" (TypeBox's TypeCompiler), "interpreted" (its `Check`: the browser entry,
   * or a Content-Security-Policy that forbids code generation), or "off" (`validate: false`).
   */
  get validation(): "compiled" | "interpreted" | "off" {
    return this.spec.validators.item?.mode ?? "off";
  }

  /**
   * The Content-Type this stream is served with: `application/vnd.streamtypes; codec=msgpack` (or `codec=json`),
   * `text/event-stream; charset=utf-8` (SSE), `application/x-ndjson` (NDJSON), `application/octet-stream` (truss).
   */
  get contentType(): string {
    return contentTypeOf(this.spec);
  }

  /**
   * Reads a whole stream into callbacks; resolves once it has ended, rejects with the reader's `StreamError`s.
   *
   * @example
   * const { items } = await STREAM.consume(fetch(url), { onItem: (c) => console.log(c.words) });
   */
  consume(
    source: StreamSource,
    handlers: ConsumeHandlers<Static<I>, H extends TSchema ? Static<H> : never, F extends TSchema ? Static<F> : never> & ReaderOptions,
  ): Promise<ConsumeSummary> {
    const reader = new StreamReaderImpl(this.spec, source, handlers);
    return consume(this.spec, reader, handlers as ConsumeHandlers<unknown, unknown, unknown>);
  }
}
