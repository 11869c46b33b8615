// consume(): the callback style of reading a stream, resolving when it has ended.
import type { StreamReaderImpl } from "./reader.js";
import type { StreamSpec } from "./spec.js";

/** Callbacks for {@link consume}; each may return a promise, which is awaited before reading on (backpressure). */
export interface ConsumeHandlers<I, H, F> {
  onHeader?: (header: H) => void | Promise<void>;
  onItem?: (item: I, index: number) => void | Promise<void>;
  onFooter?: (footer: F) => void | Promise<void>;
}

/** What a consumed stream amounted to. */
export interface ConsumeSummary {
  items: number;
  bytes: number;
}

/**
 * Reads a whole stream into callbacks: resolves once the end frame has been read, rejects with the same
 * `StreamError`s as the reader (a missing declared header or footer is `ORDER`).
 *
 * @example
 * await STREAM.consume(fetch(url), {
 *   onHeader: (h) => console.log("run", h.runId),
 *   onItem: (item) => process.stdout.write(item.token),
 *   onFooter: (f) => console.log(`\n${f.tokens} tokens`),
 * });
 */
export async function consume(spec: StreamSpec, reader: StreamReaderImpl, handlers: ConsumeHandlers<unknown, unknown, unknown>): Promise<ConsumeSummary> {
  if (spec.hasHeader) {
    const header = await reader.readHeader();
    await handlers.onHeader?.(header);
  }
  let index = 0;
  for await (const item of reader.readItems()) await handlers.onItem?.(item, index++);
  if (spec.hasFooter) {
    const footer = await reader.readFooter();
    await handlers.onFooter?.(footer);
  }
  return { items: reader.itemsRead, bytes: reader.bytesRead };
}
