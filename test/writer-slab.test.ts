// The writer's frames are views of shared slabs: each stays intact after later writes, and large frames get buffers of their own.
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { streamTypes } from "../src/index.js";
import { concat, readAll } from "./helpers.js";

const STREAM = streamTypes(Type.Object({ n: Type.Integer(), text: Type.String() }));

describe("writer frames", () => {
  it("stay unchanged after later writes, across many slabs, and read back in order", async () => {
    const w = STREAM.writer();
    const values = Array.from({ length: 5000 }, (_, n) => ({ n, text: "x".repeat(n % 300) }));
    const frames = values.map((v) => w.item(v));
    const snapshots = frames.map((f) => f.slice());
    frames.push(w.end());
    snapshots.forEach((copy, i) => expect(frames[i]).toEqual(copy));
    const { items, error } = await readAll(STREAM, STREAM.reader(concat(frames)));
    expect(error).toBeUndefined();
    expect(items).toEqual(values);
  });

  it("gives a large frame a buffer of its own", () => {
    const w = STREAM.writer();
    const big = w.item({ n: 1, text: "y".repeat(100_000) });
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(big.length);
  });

  it("goes on writing correct frames after a frame's buffer was transferred away", async () => {
    const w = STREAM.writer();
    const first = w.item({ n: 0, text: "a" }).slice();
    const sent = w.item({ n: 1, text: "b" });
    structuredClone(sent.buffer, { transfer: [sent.buffer] }); // detaches the slab, as postMessage would
    const rest = [w.item({ n: 2, text: "c" }), w.end()];
    const { items, error } = await readAll(STREAM, STREAM.reader(concat([first, ...rest])));
    // Item 1 was transferred away, so the reader sees items 0 and 2 only: what matters is that item 2's frame is whole.
    expect(error).toBeUndefined();
    expect(items).toEqual([
      { n: 0, text: "a" },
      { n: 2, text: "c" },
    ]);
  });
});
