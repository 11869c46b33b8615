// The fast-path figures' contenders, browser-safe (no Node imports): bench/fast-path.ts runs them in Node, and
// bench/browser-fast-path-page.ts in Chromium. Each returns what it read or wrote (items or bytes), which the caller checks.
import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { Packr, Unpackr } from "msgpackr";
import { joinBytes } from "./contender.js";
import type { Workload } from "./workloads.js";

/** The untyped view of a reader and a writer; the workloads' schemas are only known at run time. */
interface AnyReader {
  readHeader(): Promise<unknown>;
  readItems(): AsyncIterableIterator<unknown>;
  readItemBatches(): AsyncIterableIterator<unknown[]>;
  readFooter(): Promise<unknown>;
}
/** What the contenders need of a definition: the main entry's StreamTypes or the browser entry's ReaderTypes. */
export interface AnyTypes {
  reader(source: AsyncIterable<Uint8Array>): unknown;
  writer?(): unknown;
}
interface AnyWriter {
  header(v: unknown): Uint8Array;
  item(v: unknown): Uint8Array;
  footer(v: unknown): Uint8Array;
  end(): Uint8Array;
}

/** Reads a whole stream the way the README shows: readHeader(), for await readItems() (or readItemBatches()), readFooter(). */
export async function libraryRead(types: AnyTypes, w: Workload, source: AsyncIterable<Uint8Array>, batches: boolean): Promise<number> {
  const reader = types.reader(source) as unknown as AnyReader;
  if (w.header) await reader.readHeader();
  let count = 0;
  if (batches) for await (const batch of reader.readItemBatches()) count += batch.length;
  else for await (const _ of reader.readItems()) count++;
  if (w.footer) await reader.readFooter();
  return count;
}

/** Writes header, every item, footer and end; keeps only the byte count (frames are not kept). */
export function libraryWrite(types: AnyTypes, w: Workload, items: readonly unknown[]): number {
  const writer = types.writer!() as AnyWriter;
  let bytes = 0;
  if (w.header) bytes += writer.header(w.headerValue).length;
  for (let i = 0; i < items.length; i++) bytes += writer.item(items[i]).length;
  if (w.footer) bytes += writer.footer(w.footerValue!(items.length)).length;
  return bytes + writer.end().length;
}

/** The whole stream the writer makes, as one buffer. */
export function libraryBytes(types: AnyTypes, w: Workload, items: readonly unknown[]): Uint8Array {
  const writer = types.writer!() as AnyWriter;
  const parts: Uint8Array[] = [];
  if (w.header) parts.push(writer.header(w.headerValue));
  for (const item of items) parts.push(writer.item(item));
  if (w.footer) parts.push(writer.footer(w.footerValue!(items.length)));
  parts.push(writer.end());
  return joinBytes(parts);
}

/** Every value of the stream (header, items, footer) packed alone: what Packr.pack returned, kept as returned. */
export function packValues(packr: Packr, w: Workload, items: readonly unknown[]): Uint8Array[] {
  const values: Uint8Array[] = [];
  if (w.header) values.push(packr.pack(w.headerValue));
  for (const item of items) values.push(packr.pack(item));
  if (w.footer) values.push(packr.pack(w.footerValue!(items.length)));
  return values;
}

/** Packs every value, keeping only the byte count (as the writer's task does): `Packr.pack(value)` per value. */
export function packAll(packr: Packr, w: Workload, items: readonly unknown[]): number {
  let bytes = 0;
  if (w.header) bytes += packr.pack(w.headerValue).length;
  for (let i = 0; i < items.length; i++) bytes += packr.pack(items[i]).length;
  if (w.footer) bytes += packr.pack(w.footerValue!(items.length)).length;
  return bytes;
}

export function unpackAll(unpackr: Unpackr, values: readonly Uint8Array[]): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (unpackr.unpack(values[i]!) !== undefined) n++;
  }
  return n;
}

/** NDJSON as written by hand: JSON.stringify(value) + "\n" per value, header first, footer last. */
export function ndjsonBytes(w: Workload, items: readonly unknown[]): Uint8Array {
  const lines: string[] = [];
  if (w.header) lines.push(JSON.stringify(w.headerValue));
  for (const item of items) lines.push(JSON.stringify(item));
  if (w.footer) lines.push(JSON.stringify(w.footerValue!(items.length)));
  return new TextEncoder().encode(lines.join("\n") + "\n");
}

/**
 * The strongest hand-written NDJSON reader: per chunk, TextDecoder.decode(chunk, { stream: true }) appended to the
 * leftover, split("\n"), JSON.parse and a compiled TypeBox Check per line, synchronously inside the chunk loop.
 * The first value is the header; the footer is only known at the end, so each value is held back one step.
 */
export function ndjsonReader(w: Workload) {
  const item = TypeCompiler.Compile(w.item);
  const header = w.header ? TypeCompiler.Compile(w.header) : undefined;
  const footer = w.footer ? TypeCompiler.Compile(w.footer) : undefined;
  return async (source: AsyncIterable<Uint8Array>): Promise<number> => {
    const decoder = new TextDecoder();
    let rest = "";
    let count = 0;
    let expectHeader = header !== undefined;
    let held: unknown;
    let holding = false;
    const take = (line: string) => {
      const value: unknown = JSON.parse(line);
      if (expectHeader) {
        if (!header!.Check(value)) throw new Error("invalid header");
        expectHeader = false;
      } else if (footer) {
        if (holding) {
          if (!item.Check(held)) throw new Error(`invalid item ${count}`);
          count++;
        }
        held = value;
        holding = true;
      } else {
        if (!item.Check(value)) throw new Error(`invalid item ${count}`);
        count++;
      }
    };
    for await (const chunk of source) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = lines.pop()!;
      for (let i = 0; i < lines.length; i++) if (lines[i]!.length > 0) take(lines[i]!);
    }
    rest += decoder.decode();
    if (rest.length > 0) take(rest);
    if (footer && !(holding && footer.Check(held))) throw new Error("missing or invalid footer");
    return count;
  };
}

/** Drains a chunked source without a reader: the source's own per-chunk cost. */
export async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of source) n += chunk.length;
  return n;
}

/**
 * The hand-written NDJSON writer with validation, per line: a compiled TypeBox Check, JSON.stringify and
 * TextEncoder.encode (the compiled-codec issue's W2 baseline). Returns the bytes written.
 */
export function ndjsonWriter(w: Workload) {
  const check = TypeCompiler.Compile(w.item);
  const encoder = new TextEncoder();
  return (items: readonly unknown[]): number => {
    let bytes = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!check.Check(item)) throw new Error(`invalid item ${i}`);
      bytes += encoder.encode(JSON.stringify(item) + "\n").length;
    }
    return bytes;
  };
}

/** Reads a ReadableStream to its end; returns the bytes. */
export async function drainStream(stream: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.length;
  }
}

/**
 * The hand-written NDJSON pull stream a producer service would write: a ReadableStream whose pull() validates
 * the next item (compiled Check), stringifies and encodes it (the compiled-codec issue's producing baseline).
 */
export function ndjsonPullStream(w: Workload, items: readonly unknown[]): ReadableStream<Uint8Array> {
  const check = TypeCompiler.Compile(w.item);
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === items.length) return controller.close();
      const item = items[i++];
      if (!check.Check(item)) throw new Error(`invalid item ${i - 1}`);
      controller.enqueue(encoder.encode(JSON.stringify(item) + "\n"));
    },
  });
}
