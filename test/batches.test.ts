// readItemBatches(): every buffered item in one array, the same values, order, errors and cancellation as readItems().
import { Type } from "@sinclair/typebox";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { streamTypes } from "../src/index.js";
import { FULL, ITEMS_ONLY, footer, header, items } from "./fixtures.js";
import { chunksOf, concat, rejection, splitAt } from "./helpers.js";

const NUMBERS = streamTypes(Type.Integer());

function numbers(n: number): Uint8Array {
  const w = NUMBERS.writer();
  return concat([...Array.from({ length: n }, (_, i) => w.item(i)), w.end()]);
}

async function collect(source: unknown, maxBatch?: number): Promise<{ batches: number[][]; error?: unknown }> {
  const batches: number[][] = [];
  try {
    for await (const batch of NUMBERS.reader(source as Uint8Array).readItemBatches(maxBatch)) batches.push(batch);
  } catch (error) {
    return { batches, error };
  }
  return { batches };
}

describe("readItemBatches", () => {
  it("delivers the buffered items together, capped at maxBatch", async () => {
    const { batches, error } = await collect(numbers(2500));
    expect(error).toBeUndefined();
    expect(batches.map((b) => b.length)).toEqual([1024, 1024, 452]);
    expect(batches.flat()).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    const capped = await collect(numbers(10), 3);
    expect(capped.error).toBeUndefined();
    expect(capped.batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
  });

  it("gives the same items as readItems() under any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 60 }), fc.array(fc.nat({ max: 400 }), { maxLength: 20 }), fc.integer({ min: 1, max: 8 }), async (n, cuts, max) => {
        const { batches, error } = await collect(splitAt(numbers(n), cuts), max);
        expect(error).toBeUndefined();
        expect(batches.every((b) => b.length >= 1 && b.length <= max)).toBe(true);
        expect(batches.flat()).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
      { numRuns: 100 },
    );
  });

  it("works with a header and footer around it", async () => {
    const w = FULL.writer();
    const r = FULL.reader(chunksOf(concat([w.header(header), ...items.map((i) => w.item(i)), w.footer(footer), w.end()]), 9));
    expect(await r.readHeader()).toEqual(header);
    const got: unknown[] = [];
    for await (const batch of r.readItemBatches()) got.push(...batch);
    expect(got).toEqual(items);
    expect(await r.readFooter()).toEqual(footer);
  });

  it("delivers the good items before a bad one, then the error", async () => {
    const loose = streamTypes(Type.Any(), undefined, undefined, { validate: false }).writer();
    const bytes = concat([loose.item(0), loose.item(1), loose.item("two"), loose.item(3), loose.end()]);
    const { batches, error } = await collect(bytes);
    expect(batches).toEqual([[0, 1]]);
    expect((error as { code: string }).code).toBe("VALIDATION");
    expect((error as { index: number }).index).toBe(2);
    const truncated = await collect(numbers(5).subarray(0, -3));
    expect(truncated.batches.flat()).toEqual([0, 1, 2, 3, 4]);
    expect((truncated.error as { code: string }).code).toBe("TRUNCATED");
  });

  it("is exclusive with readItems(), and leaving it cancels the source", async () => {
    const r = ITEMS_ONLY.reader(chunksOf(numbers(3), 4));
    r.readItemBatches();
    expect((await rejection(() => r.readItems())).code).toBe("ORDER");
    let cancelled = false;
    const endless = NUMBERS.writer();
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(endless.item(i++)),
      cancel: () => void (cancelled = true),
    });
    for await (const _ of NUMBERS.reader(stream).readItemBatches()) break;
    expect(cancelled).toBe(true);
  });
});
