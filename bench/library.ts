// This library as a contender: its writer and reader with the msgpack or json codec, validation on or off.
import { streamTypes, type StreamSource } from "../src/index.js";
import type { Contender, PreparedContender } from "./contender.js";
import type { Workload } from "./workloads.js";

/** The untyped view of a writer/reader the harness needs; the workloads' schemas are only known at run time. */
interface AnyWriter {
  header(v: unknown): Uint8Array;
  item(v: unknown): Uint8Array;
  footer(v: unknown): Uint8Array;
  end(): Uint8Array;
}
interface AnyReader {
  readHeader(): Promise<unknown>;
  readItems(): AsyncIterableIterator<unknown>;
  readItemBatches(): AsyncIterableIterator<unknown[]>;
  readFooter(): Promise<unknown>;
}

export interface LibraryVariant {
  codec: "msgpack" | "json";
  validate: boolean;
  /** The binary framing unless given; the text framings carry JSON. */
  framing?: "sse" | "ndjson";
  /** Read with readItemBatches() instead of readItems(). */
  batches?: boolean;
}

export function libraryKey(v: LibraryVariant): string {
  return `streamtypes-${v.framing ?? v.codec}${v.validate ? "" : "-novalidate"}${v.batches ? "-batches" : ""}`;
}

/** The types for a workload with one of the library's option sets. */
export function typesFor(w: Workload, v: LibraryVariant) {
  const framing = v.framing === undefined ? {} : { framing: v.framing };
  return streamTypes(w.item, w.header, w.footer, { codec: v.codec, validate: v.validate, maxFrameBytes: 4 << 20, ...framing });
}

/** Reads a whole stream the way the README shows: readHeader(), for await readItems() (or readItemBatches()), readFooter(). */
export async function readWithLibrary(types: ReturnType<typeof typesFor>, w: Workload, source: StreamSource, batches = false): Promise<number> {
  const reader = types.reader(source) as unknown as AnyReader;
  if (w.header) await reader.readHeader();
  let count = 0;
  if (batches) for await (const batch of reader.readItemBatches()) count += batch.length;
  else for await (const _ of reader.readItems()) count++;
  if (w.footer) await reader.readFooter();
  return count;
}

export function library(v: LibraryVariant): Contender {
  return {
    key: libraryKey(v),
    label: `streamtypes ${v.framing ?? v.codec}${v.validate ? ", validated" : ", validate: false"}${v.batches ? ", readItemBatches()" : ""}`,
    framed: true,
    writes: !v.batches,
    // Validation changes nothing on the wire, so both variants of a codec read the same bytes.
    readsBytesOf: libraryKey({ ...v, validate: true, batches: false }),
    // JSON cannot carry the typed arrays of W3/W4.
    supports: (w) => (v.codec === "msgpack" && v.framing === undefined) || (w.id !== "W3" && w.id !== "W4"),
    prepare(w): PreparedContender {
      const types = typesFor(w, v);
      return {
        write(items, sink) {
          const writer = types.writer() as unknown as AnyWriter;
          if (w.header) sink(writer.header(w.headerValue));
          for (let i = 0; i < items.length; i++) sink(writer.item(items[i]));
          if (w.footer) sink(writer.footer(w.footerValue!(items.length)));
          sink(writer.end());
        },
        read: (source) => readWithLibrary(types, w, source as AsyncIterable<Uint8Array>, v.batches === true),
      };
    },
  };
}
