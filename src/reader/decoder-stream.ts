// A transform stream from a stream's bytes to its typed parts, built on the reader: the same checks, limits and errors.
import type { Input, Output, SchemaLike } from "../schema/infer.js";
import type { StreamSpec } from "../spec.js";
import { StreamReaderImpl, type ReaderOptions } from "./reader.js";

/** One part of a stream as the decoder stream delivers it: the header, an item with its index, or the footer. */
export type TypedPart<I extends SchemaLike, H extends SchemaLike | undefined, F extends SchemaLike | undefined> =
  | (H extends SchemaLike ? { part: "header"; value: Output<H> } : never)
  | { part: "item"; value: Output<I>; index: number }
  | (F extends SchemaLike ? { part: "footer"; value: Output<F> } : never);

/** One part of a stream as the encoder stream takes it: the header, an item (its index, if given, is not used), or the footer. */
export type TypedPartInput<I extends SchemaLike, H extends SchemaLike | undefined, F extends SchemaLike | undefined> =
  | (H extends SchemaLike ? { part: "header"; value: Input<H> } : never)
  | { part: "item"; value: Input<I>; index?: number | undefined }
  | (F extends SchemaLike ? { part: "footer"; value: Input<F> } : never);

/** A writable side and a readable side, as `pipeThrough()` takes them (like `TextDecoderStream`). */
export interface PartTransform<W, R> {
  readonly writable: WritableStream<W>;
  readonly readable: ReadableStream<R>;
}

/** Reader options that make sense for a piped stream: no reconnection, which needs a new source. */
export type DecoderStreamOptions = Omit<ReaderOptions, "reconnect" | "maxReconnects">;

/**
 * Bytes in, parts out: the writable side feeds a ReadableStream that a reader reads, and the readable side pulls
 * the reader's parts in order (header, items, footer), one per pull, so that backpressure reaches the byte source.
 * A bad or cut stream errors the readable side with the reader's StreamError, after the parts before it;
 * cancelling the readable side cancels the reader, which errors the writable side (and so a pipe's source).
 */
export function decoderStream(spec: StreamSpec, options: DecoderStreamOptions = {}): PartTransform<Uint8Array, { part: string; value: unknown; index?: number }> {
  const bytes = new TransformStream<Uint8Array, Uint8Array>();
  const { reconnect: _r, maxReconnects: _m, ...readerOptions } = options as ReaderOptions;
  const reader = new StreamReaderImpl(spec, bytes.readable, readerOptions);
  let phase: "header" | "items" | "footer" = spec.hasHeader ? "header" : "items";
  let items: AsyncIterator<unknown> | undefined;
  let index = 0;
  const readable = new ReadableStream<{ part: string; value: unknown; index?: number }>(
    {
      async pull(controller) {
        if (phase === "header") {
          const value = await reader.readHeader();
          phase = "items";
          controller.enqueue({ part: "header", value });
          return;
        }
        if (phase === "items") {
          items ??= reader.readItems();
          const next = await items.next();
          if (!next.done) {
            controller.enqueue({ part: "item", value: next.value, index: index++ });
            return;
          }
          if (reader.failure !== undefined) throw reader.failure; // cancelled through the signal: not a quiet end
          phase = "footer";
        }
        if (spec.hasFooter) controller.enqueue({ part: "footer", value: await reader.readFooter() });
        controller.close();
      },
      cancel(reason) {
        reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { writable: bytes.writable, readable };
}
