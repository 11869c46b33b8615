// What the writers do with values codecs get wrong by default: -0 keeps its sign, and lone surrogates round-trip exactly or are refused.
import { Type } from "@sinclair/typebox";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binary, json, msgpack, ndjson, sse, streamTypes, truss } from "../src/index.js";
import { concat, readAll, rejection } from "./helpers.js";

const FORMATS = {
  "binary+msgpack": () => binary(msgpack()),
  "binary+json": () => binary(json()),
  truss: () => truss(),
  sse: () => sse(),
  ndjson: () => ndjson(),
};

async function roundTrip(format: () => ReturnType<typeof sse>, value: unknown): Promise<unknown> {
  const S = streamTypes(Type.Unknown(), undefined, undefined, { format: format() });
  const w = S.writer();
  const { items, error } = await readAll(S, S.reader(concat([w.item(value), w.end()])));
  if (error) throw error;
  return items[0];
}

describe.each(Object.entries(FORMATS))("%s", (name, format) => {
  it("-0 keeps its sign, alone and deep inside a value, and 0 stays 0", async () => {
    expect(Object.is(await roundTrip(format, -0), -0)).toBe(true);
    const deep = (await roundTrip(format, { a: [1, { b: -0, c: 0 }], d: -0 })) as { a: [number, { b: number; c: number }]; d: number };
    expect(Object.is(deep.a[1].b, -0)).toBe(true);
    expect(Object.is(deep.a[1].c, 0)).toBe(true);
    expect(Object.is(deep.d, -0)).toBe(true);
  });

  const msgpackFormat = name === "binary+msgpack";
  it(msgpackFormat ? "a lone surrogate is refused by the writer (VALIDATION), in short and long strings and keys" : "a lone surrogate round-trips exactly (JSON escapes it)", async () => {
    const values = ["\ud800", "a\udc00b", "x".repeat(100) + "\ud83d", { ["k\udfff"]: 1 }, ["ok", "\ud800".repeat(70)]];
    for (const value of values) {
      if (msgpackFormat) {
        const S = streamTypes(Type.Unknown(), undefined, undefined, { format: format() });
        const err = await rejection(() => S.writer().item(value));
        expect(err.code).toBe("VALIDATION");
        expect(err.message).toMatch(/lone surrogate/);
      } else {
        expect(await roundTrip(format, value)).toEqual(value);
      }
    }
  });

  it("any string (lone surrogates included) round-trips exactly or is refused, never written in a form the reader rejects", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: "binary", maxLength: 80 }), { maxLength: 4 }), async (strings) => {
        const S = streamTypes(Type.Unknown(), undefined, undefined, { format: format() });
        let frame: Uint8Array;
        try {
          frame = S.writer().item(strings);
        } catch (err) {
          expect((err as { code?: string }).code).toBe("VALIDATION");
          return;
        }
        const w = S.writer();
        const { items, error } = await readAll(S, S.reader(concat([w.item(strings), w.end()])));
        expect(error).toBeUndefined();
        expect(items[0]).toEqual(strings);
        void frame;
      }),
      { numRuns: 200 },
    );
  });
});
