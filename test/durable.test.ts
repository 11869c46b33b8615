// Durable streams over the in-memory replay store: the shared behaviours on one node:http instance, and the store's own bounds.
import { describe, expect, it } from "vitest";
import { FrameKind, MemoryStore, StreamError, memoryStore } from "../src/index.js";
import { durableSuite } from "./durable-suite.js";

describe("durable streams over the memory store (one instance)", () => {
  let store = new MemoryStore();
  durableSuite({
    instances: 1,
    fresh: () => {
      void store.close();
      store = new MemoryStore();
    },
    storeFor: (_i, limits) => {
      if (limits !== undefined) {
        void store.close();
        store = new MemoryStore(limits);
      }
      return store;
    },
  });
});

describe("resumed after the header alone (position 0)", () => {
  it("SSE: a footer and end that follow take ids 1 and 2, so a reader that has the header keeps them", async () => {
    const { Type } = await import("@sinclair/typebox");
    const { streamTypes, sse } = await import("../src/index.js");
    const S = streamTypes(Type.Object({ n: Type.Integer() }), Type.Object({ r: Type.String() }), Type.Object({ c: Type.Integer() }), { format: sse() });
    const w = S.writer({ resumeAfter: "0" });
    const text = new TextDecoder().decode(w.footer({ c: 0 })) + new TextDecoder().decode(w.end());
    expect(text).toBe('event: footer\nid: 1\ndata: {"c":0}\n\nevent: end\nid: 2\ndata: null\n\n');
  });
});

describe("memoryStore()", () => {
  const part = (id: number, kind: number = FrameKind.ITEM, size = 3) => ({ id, kind, payload: new Uint8Array(size).fill(id), ...(id === 1 ? { first: true } : {}) });
  const collect = async (it: AsyncIterable<unknown>) => {
    const out: unknown[] = [];
    for await (const p of it) out.push(p);
    return out;
  };

  it("replays from a position, then tails live parts until the end; payload bytes round-trip", async () => {
    const store = memoryStore();
    expect(await store.create("a")).toBe(true);
    expect(await store.create("a")).toBe(false);
    await store.append("a", part(0, FrameKind.HEADER));
    await store.append("a", part(1));
    const reading = collect(store.read("a", 0, new AbortController().signal));
    await store.append("a", part(2));
    await store.append("a", { id: 3, kind: FrameKind.END, payload: new Uint8Array(0) });
    expect(await reading).toEqual([part(1), part(2), { id: 3, kind: FrameKind.END, payload: new Uint8Array(0) }]);
    await store.append("a", part(2)); // a retry of a part it has: taken without change
    await expect(collect(store.read("a", 3, new AbortController().signal))).rejects.toMatchObject({ code: "GONE" }); // at its end
    await expect(store.append("a", part(4))).rejects.toMatchObject({ code: "ORDER" });
    await store.close();
  });

  it("bounded: maxParts and maxBytes per stream (LIMIT), maxStreams in all (LIMIT); a terminal part still fits", async () => {
    const store = memoryStore({ maxParts: 3, maxBytes: 100, maxStreams: 2 });
    await store.create("p");
    for (let i = 1; i <= 3; i++) await store.append("p", part(i));
    await expect(store.append("p", part(4))).rejects.toMatchObject({ code: "LIMIT" });
    await store.append("p", { id: 4, kind: FrameKind.ERROR, payload: new Uint8Array(20) });
    await store.create("b");
    await expect(store.append("b", part(1, FrameKind.ITEM, 101))).rejects.toMatchObject({ code: "LIMIT" });
    // "p" has ended: it does not hold a place against a new stream ("c" takes it); with "b" and "c" running, "d" is refused.
    expect(await store.create("c")).toBe(true);
    await expect(collect(store.read("p", -1, new AbortController().signal))).rejects.toMatchObject({ code: "GONE" });
    await expect(store.create("d")).rejects.toSatisfy((e: unknown) => e instanceof StreamError && e.code === "LIMIT");
    expect(store.bytesHeld).toBeLessThanOrEqual(2 * 100 + 2 * 4 * 64);
    await store.close();
  });

  it("expired streams are swept (their waiting readers get GONE), freeing their memory", async () => {
    const store = memoryStore({ ttlMs: 100 });
    await store.create("e");
    await store.append("e", part(1, FrameKind.ITEM, 1000));
    const reading = collect(store.read("e", -1, new AbortController().signal));
    await expect(reading).rejects.toMatchObject({ code: "GONE" });
    expect(store.size).toBe(0);
    await expect(collect(store.read("e", 1, new AbortController().signal))).rejects.toMatchObject({ code: "GONE" });
    await store.close();
  });

  it("a stream without a header starts at id 1 only with the producer's first part; an error part numbered late goes at the end", async () => {
    const store = memoryStore();
    await store.create("h");
    await expect(store.append("h", { id: 1, kind: FrameKind.ITEM, payload: new Uint8Array(1) })).rejects.toMatchObject({ code: "ORDER" });
    await store.append("h", { id: 0, kind: FrameKind.HEADER, payload: new Uint8Array(1) });
    await store.append("h", { id: 1, kind: FrameKind.ITEM, payload: new Uint8Array(1) });
    await store.append("h", { id: 2, kind: FrameKind.ITEM, payload: new Uint8Array(1) });
    await store.append("h", { id: 1, kind: FrameKind.ERROR, payload: new Uint8Array(1) });
    const ids = (await collect(store.read("h", -1, new AbortController().signal))) as { id: number; kind: number }[];
    expect(ids.map((p) => [p.id, p.kind])).toEqual([[0, FrameKind.HEADER], [1, FrameKind.ITEM], [2, FrameKind.ITEM], [3, FrameKind.ERROR]]);
    await store.close();
  });

  it("an aborted read ends quietly", async () => {
    const store = memoryStore();
    await store.create("q");
    const abort = new AbortController();
    const reading = collect(store.read("q", -1, abort.signal));
    setTimeout(() => abort.abort(), 20);
    expect(await reading).toEqual([]);
    await store.close();
  });
});
