// streamTypes(): the one definition of a stream's types that producer and consumer share, with its typed writer and reader.
import type { Static, TSchema } from "@sinclair/typebox";
import type { ErrorFrameOptions } from "./writer.js";
import { StreamWriterImpl } from "./writer.js";
import { StreamReaderImpl, type ReaderOptions } from "./reader.js";
import { resolveSpec, type StreamSpec, type StreamTypesOptions } from "./spec.js";
import type { StreamSource } from "./source.js";

/** The writer's methods that exist for every stream. */
export interface BaseStreamWriter<I extends TSchema> {
  /** One item frame (the first call also carries the opening marker). Validated first: `VALIDATION` on a bad value. */
  item(value: Static<I>): Uint8Array;
  /** The end frame. Nothing may be written after it. */
  end(): Uint8Array;
  /** An error frame carrying the error's name, message and optional code/data; it ends the stream. */
  error(err: unknown, options?: ErrorFrameOptions): Uint8Array;
  /** True once end() or error() was written. */
  readonly ended: boolean;
}

/** A writer for the stream types: `header()` exists only when a header schema was given, `footer()` likewise. */
export type StreamWriter<I extends TSchema, H extends TSchema | undefined, F extends TSchema | undefined> = BaseStreamWriter<I> &
  (H extends TSchema ? { /** The header frame; must come first. */ header(value: Static<H>): Uint8Array } : unknown) &
  (F extends TSchema ? { /** The footer frame; after the items, before end(). */ footer(value: Static<F>): Uint8Array } : unknown);

/** The reader's methods that exist for every stream. */
export interface BaseStreamReader<I extends TSchema> {
  /** The items, each delivered as soon as its frame is complete. Call once. Leaving the loop early cancels the source. */
  readItems(): AsyncIterableIterator<Static<I>>;
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

/** A stream definition: schemas, options, and factories for writers and readers. */
export class StreamTypes<I extends TSchema, H extends TSchema | undefined = undefined, F extends TSchema | undefined = undefined> {
  /** @internal */
  readonly spec: StreamSpec;

  constructor(
    readonly item: I,
    readonly header: H,
    readonly footer: F,
    readonly options: StreamTypesOptions = {},
  ) {
    this.spec = resolveSpec(item, header, footer, options);
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
  writer(): StreamWriter<I, H, F> {
    return new StreamWriterImpl(this.spec) as unknown as StreamWriter<I, H, F>;
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
