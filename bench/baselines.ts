// The baselines: (a) raw msgpackr, the limit; (b) hand-written NDJSON; (c) it-length-prefixed + msgpackr.
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import * as lp from "it-length-prefixed";
import { Packr, Unpackr, type Options as MsgpackrOptions } from "msgpackr";
import type { Contender, PreparedContender } from "./contender.js";
import type { Workload } from "./workloads.js";

/** The options the library's msgpack codec uses (src/codec.ts); a fresh literal each time because msgpackr writes into it. */
const libraryMsgpackOptions = (): MsgpackrOptions => ({ useRecords: false, moreTypes: true });

/**
 * (a) msgpackr Packr/Unpackr, one value at a time, no framing, no validation: what the codec alone costs,
 * the upper bound for any msgpack stream. Reading takes the values' own byte ranges, so no framing is needed.
 */
export function rawMsgpackr(key = "raw-msgpackr", label = "(a) raw msgpackr, no framing/validation", options = libraryMsgpackOptions): Contender {
  return {
    key,
    label,
    framed: false,
    writes: true,
    supports: () => true,
    prepare(w): PreparedContender {
      const packr = new Packr(options());
      const unpackr = new Unpackr(options());
      const extra = (w.header ? 1 : 0) + (w.footer ? 1 : 0);
      return {
        write(items, sink) {
          if (w.header) sink(packr.pack(w.headerValue));
          for (let i = 0; i < items.length; i++) sink(packr.pack(items[i]));
          if (w.footer) sink(packr.pack(w.footerValue!(items.length)));
        },
        async read(values) {
          let count = 0;
          for (const bytes of values as Iterable<Uint8Array>) {
            unpackr.unpack(bytes);
            count++;
          }
          return count - extra;
        },
      };
    },
  };
}

/** Compiled TypeBox checks for a workload's parts, the same validation the library does. */
interface Checks {
  item: (v: unknown) => boolean;
  header?: (v: unknown) => boolean;
  footer?: (v: unknown) => boolean;
}

function compileChecks(w: Workload): Checks {
  const compile = (schema: TSchema) => {
    const c = TypeCompiler.Compile(schema);
    return (v: unknown) => c.Check(v);
  };
  const checks: Checks = { item: compile(w.item) };
  if (w.header) checks.header = compile(w.header);
  if (w.footer) checks.footer = compile(w.footer);
  return checks;
}

/**
 * Header first, footer last, items between, each validated: how a hand-written consumer of an untyped
 * sequence of values tells them apart. The footer is only known at the end, so each value is held back one step.
 */
async function consumeInOrder(values: AsyncIterable<unknown>, w: Workload, checks: Checks, fromJson?: (v: unknown) => unknown): Promise<number> {
  let count = 0;
  let expectHeader = w.header !== undefined;
  let held: unknown;
  let holding = false;
  for await (const raw of values) {
    if (expectHeader) {
      if (!checks.header!(raw)) throw new Error("invalid header");
      expectHeader = false;
      continue;
    }
    const value = fromJson ? fromJson(raw) : raw;
    if (checks.footer) {
      if (holding) {
        if (!checks.item(held)) throw new Error(`invalid item ${count}`);
        count++;
      }
      held = value;
      holding = true;
    } else {
      if (!checks.item(value)) throw new Error(`invalid item ${count}`);
      count++;
    }
  }
  if (checks.footer && !(holding && checks.footer(held))) throw new Error("missing or invalid footer");
  return count;
}

/** NDJSON lines as users write the reader: streaming TextDecoder, split on "\n", JSON.parse each line. */
async function* ndjsonValues(source: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of source) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = lines.pop()!;
    for (const line of lines) if (line.length > 0) yield JSON.parse(line);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield JSON.parse(rest);
}

/** (b) NDJSON as hand-written: JSON.stringify + "\n" + TextEncoder per value; reading validates with the same compiled TypeBox checks. */
export function ndjson(): Contender {
  return {
    key: "ndjson",
    label: "(b) NDJSON, hand-written, validated on read",
    framed: true,
    writes: true,
    // Typed arrays need a JSON stand-in (w.json); raw 1 MiB blobs have none that anyone would stream as JSON.
    supports: (w) => w.id !== "W4",
    prepare(w): PreparedContender {
      const encoder = new TextEncoder();
      const checks = compileChecks(w);
      const toJson = w.json?.toJson;
      const line = (v: unknown) => encoder.encode(JSON.stringify(v) + "\n");
      return {
        write(items, sink) {
          if (w.header) sink(line(w.headerValue));
          for (let i = 0; i < items.length; i++) sink(line(toJson ? toJson(items[i]) : items[i]));
          if (w.footer) sink(line(w.footerValue!(items.length)));
        },
        read: (source) => consumeInOrder(ndjsonValues(source as AsyncIterable<Uint8Array>), w, checks, w.json?.fromJson),
      };
    },
  };
}

/** (c) it-length-prefixed (varint length) around msgpackr payloads, validated on read like the library. */
export function lengthPrefixedMsgpackr(): Contender {
  return {
    key: "lp-msgpackr",
    label: "(c) it-length-prefixed + msgpackr, validated on read",
    framed: true,
    writes: true,
    supports: () => true,
    prepare(w): PreparedContender {
      const packr = new Packr(libraryMsgpackOptions());
      const unpackr = new Unpackr(libraryMsgpackOptions());
      const checks = compileChecks(w);
      const frame = (v: unknown) => lp.encode.single(packr.pack(v)).subarray();
      async function* values(source: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
        for await (const list of lp.decode(source, { maxDataLength: 4 << 20 })) yield unpackr.unpack(list.subarray());
      }
      return {
        write(items, sink) {
          if (w.header) sink(frame(w.headerValue));
          for (let i = 0; i < items.length; i++) sink(frame(items[i]));
          if (w.footer) sink(frame(w.footerValue!(items.length)));
        },
        read: (source) => consumeInOrder(values(source as AsyncIterable<Uint8Array>), w, checks),
      };
    },
  };
}
