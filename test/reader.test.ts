// The reader: order rules, every error code, sources, abort, limits and no read-ahead.
import { Type } from "@sinclair/typebox";
import { describe, expect, it, vi } from "vitest";
import { FrameKind, StreamError, encodeFrame, streamTypes } from "../src/index.js";
import { FULL, ITEMS_ONLY, WITH_FOOTER, WITH_HEADER, footer, header, items } from "./fixtures.js";
import { chunksOf, concat, readAll, readClean, rejection, streamOf } from "./helpers.js";

function fullStream(): Uint8Array {
  const w = FULL.writer();
  return concat([w.header(header), ...items.map((i) => w.item(i)), w.footer(footer), w.end()]);
}

/** The marker and the first item frame: a stream cut off after its first item. */
function firstItem(): Uint8Array {
  return ITEMS_ONLY.writer().item(items[0]!);
}

function itemsStream(n = items.length): Uint8Array {
  const w = ITEMS_ONLY.writer();
  return concat([...items.slice(0, n).map((i) => w.item(i)), w.end()]);
}

/** A source that records what the reader pulled, and whether it was cancelled. */
function tracked(chunks: Uint8Array[], opts: { hangAtEnd?: boolean } = {}) {
  const log = { pulls: 0, cancelled: false as boolean, reason: undefined as unknown };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        log.pulls++;
        if (log.pulls <= chunks.length) controller.enqueue(chunks[log.pulls - 1]!);
        else if (!opts.hangAtEnd) controller.close();
        else return new Promise(() => {}); // a stalled producer
      },
      cancel(reason) {
        log.cancelled = true;
        log.reason = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, log };
}

describe("reader: round trips", () => {
  it("reads header, items and footer of every type combination", async () => {
    expect(await readAll(FULL, FULL.reader(fullStream()))).toEqual({ header, items, footer });
    expect(await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(itemsStream()))).toEqual({ items });
    const wh = WITH_HEADER.writer();
    expect(await readAll(WITH_HEADER, WITH_HEADER.reader(concat([wh.header(header), wh.item(items[0]!), wh.end()])))).toEqual({ header, items: [items[0]] });
    const wf = WITH_FOOTER.writer();
    expect(await readAll(WITH_FOOTER, WITH_FOOTER.reader(concat([wf.item(items[0]!), wf.footer(footer), wf.end()])))).toEqual({ items: [items[0]], footer });
  });

  it("reads the json codec", async () => {
    const S = streamTypes(Type.Object({ a: Type.Number(), b: Type.Optional(Type.String()) }), undefined, undefined, { codec: "json" });
    const w = S.writer();
    expect(await readAll(S, S.reader(concat([w.item({ a: 1 }), w.item({ a: 2, b: "x" }), w.end()])))).toEqual({ items: [{ a: 1 }, { a: 2, b: "x" }] });
  });

  it("gives the same result for 1-byte chunks, whole-stream chunks and every source type", async () => {
    const bytes = fullStream();
    const expected = { header, items, footer };
    const sources = [
      () => bytes,
      () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      () => chunksOf(bytes, 1),
      () => chunksOf(bytes, 7),
      () => streamOf(chunksOf(bytes, 3)),
      () => (async function* () { yield* chunksOf(bytes, 5); })(),
      () => new Response(streamOf(chunksOf(bytes, 11))),
      () => Promise.resolve(new Response(bytes as Uint8Array<ArrayBuffer>)),
    ];
    for (const make of sources) expect(await readAll(FULL, FULL.reader(make() as any))).toEqual(expected);
  });

  it("keeps the readers' counters", async () => {
    const bytes = itemsStream();
    const r = ITEMS_ONLY.reader(bytes);
    for await (const _ of r.readItems());
    expect(r.itemsRead).toBe(3);
    expect(r.bytesRead).toBe(bytes.length);
    expect(r.completed).toBe(true);
  });
});

describe("reader: order", () => {
  it("readHeader/readFooter on types without them raise ORDER", async () => {
    expect((await rejection((ITEMS_ONLY.reader(itemsStream()) as any).readHeader())).code).toBe("ORDER");
    expect((await rejection((ITEMS_ONLY.reader(itemsStream()) as any).readFooter())).code).toBe("ORDER");
  });

  it("readItems twice, readItems before readHeader, readHeader after readItems raise ORDER", async () => {
    const r = ITEMS_ONLY.reader(itemsStream());
    r.readItems();
    expect((await rejection(() => r.readItems())).message).toMatch(/only once/);
    const f = FULL.reader(fullStream());
    expect((await rejection(() => f.readItems())).message).toMatch(/call readHeader\(\) before readItems/);
    await f.readHeader();
    expect((await rejection(f.readHeader())).code).toBe("ORDER");
  });

  it("a missing header raises ORDER but leaves the items readable", async () => {
    const w = FULL.writer();
    const r = FULL.reader(concat([w.item(items[0]!), w.footer(footer), w.end()]));
    const err = await rejection(r.readHeader());
    expect(err.code).toBe("ORDER");
    expect(err.message).toMatch(/no header: its first frame is an item frame/);
    const got: unknown[] = [];
    for await (const item of r.readItems()) got.push(item);
    expect(got).toEqual([items[0]]);
    expect(await r.readFooter()).toEqual(footer);
  });

  it("a missing footer: readItems ends normally, readFooter raises ORDER", async () => {
    const w = FULL.writer();
    const r = FULL.reader(concat([w.header(header), w.item(items[0]!), w.end()]));
    await r.readHeader();
    const got: unknown[] = [];
    for await (const item of r.readItems()) got.push(item);
    expect(got).toEqual([items[0]]);
    const err = await rejection(r.readFooter());
    expect(err.code).toBe("ORDER");
    expect(err.message).toMatch(/no footer/);
  });

  it("readFooter while items remain raises ORDER without losing them", async () => {
    const r = WITH_FOOTER.reader(concat([WITH_FOOTER.writer().item(items[0]!)].concat([])));
    void r;
    const w = WITH_FOOTER.writer();
    const reader = WITH_FOOTER.reader(concat([w.item(items[0]!), w.footer(footer), w.end()]));
    expect((await rejection(reader.readFooter())).message).toMatch(/still has items/);
    const it = reader.readItems();
    expect((await rejection(reader.readFooter())).message).toMatch(/before readItems\(\) was read to its end/);
    expect((await it.next()).value).toEqual(items[0]);
    expect((await it.next()).done).toBe(true);
    expect(await reader.readFooter()).toEqual(footer);
  });

  it("zero items: readFooter may follow readHeader directly", async () => {
    const w = FULL.writer();
    const r = FULL.reader(concat([w.header(header), w.footer(footer), w.end()]));
    await r.readHeader();
    expect(await r.readFooter()).toEqual(footer);
  });

  function rawStream(frames: [number, Uint8Array][], codecId = 1): Uint8Array {
    const marker = Uint8Array.of(1, 0, 0, 0, 6, 0x53, 0x54, 0x59, 0x50, 1, codecId);
    return concat([marker, ...frames.map(([k, p]) => encodeFrame(k, p))]);
  }
  const enc = (v: unknown) => streamTypes(Type.Any(), undefined, undefined, { validate: false }).writer().item(v).subarray(16);

  it("frames out of order raise ORDER", async () => {
    const cases: [string, any, [number, Uint8Array][], RegExp][] = [
      ["header after an item", FULL, [[2, enc(header)], [3, enc(items[0])], [2, enc(header)]], /header frame after 1 items/],
      ["header on types without header", ITEMS_ONLY, [[2, enc(header)], [5, new Uint8Array()]], /declare no header/],
      ["footer on types without footer", ITEMS_ONLY, [[3, enc(items[0])], [4, enc(footer)], [5, new Uint8Array()]], /declare no footer/],
      ["item after the footer", FULL, [[2, enc(header)], [4, enc(footer)], [3, enc(items[0])]], /follows the footer/],
      ["a frame after the end", ITEMS_ONLY, [[3, enc(items[0])], [5, new Uint8Array()], [3, enc(items[0])]], /follows the end frame/],
    ];
    for (const [name, S, frames, message] of cases) {
      const result = await readAll(S, S.reader(rawStream(frames)));
      expect(result.error?.code, name).toBe("ORDER");
      expect(result.error?.message, name).toMatch(message);
    }
  });

  it("bytes after the end frame raise ORDER, in any chunking", async () => {
    const bytes = concat([itemsStream(), Uint8Array.of(0)]);
    for (const size of [1, 4, bytes.length]) {
      const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(chunksOf(bytes, size)));
      expect(result.items).toEqual(items);
      expect(result.error?.code).toBe("ORDER");
    }
  });

  it("breaking out of readItems cancels the source", async () => {
    const { stream, log } = tracked(chunksOf(itemsStream(), 4), { hangAtEnd: true });
    const r = ITEMS_ONLY.reader(stream);
    for await (const _ of r.readItems()) break;
    expect(log.cancelled).toBe(true);
    expect((await rejection(async () => { for await (const _ of r.readItems()); })).code).toBe("ORDER");
  });

  it("delivers each item as soon as its frame is complete, without reading ahead", async () => {
    const w = ITEMS_ONLY.writer();
    const frames = [w.item(items[0]!), w.item(items[1]!), w.end()];
    const { stream, log } = tracked(frames);
    const it = ITEMS_ONLY.reader(stream).readItems();
    expect((await it.next()).value).toEqual(items[0]);
    expect(log.pulls).toBe(1);
    expect((await it.next()).value).toEqual(items[1]);
    expect(log.pulls).toBe(2);
    expect((await it.next()).done).toBe(true);
  });

  it("serves next() calls made without awaiting, in order", async () => {
    const it = ITEMS_ONLY.reader(chunksOf(itemsStream(), 2)).readItems();
    const results = await Promise.all([it.next(), it.next(), it.next(), it.next()]);
    expect(results.map((r) => r.value)).toEqual([...items, undefined]);
  });
});

describe("reader: error codes", () => {
  it("FORMAT: not a stream, with a printable preview of the bytes", async () => {
    const page = new TextEncoder().encode('{"error":"upstream timed out"}');
    const err = (await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(page))).error!;
    expect(err.code).toBe("FORMAT");
    expect(err.message).toContain('"{\\"error\\":\\"upstream timed out\\"}"'.replace(/\\"/g, '"').slice(0, 10));
    expect(err.message).toMatch(/not a streamtypes stream/); // "not a stream of the binary format (not a streamtypes stream, …)"
  });

  it("FORMAT: a truss_chains stream suggests compat mode", async () => {
    const truss = streamTypes(Type.Any(), undefined, undefined, { compat: "truss" }).writer();
    const err = (await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(truss.item({ words: [] })))).error!;
    expect(err.code).toBe("FORMAT");
    expect(err.message).toMatch(/compat: "truss"/);
  });

  it("FORMAT: wrong magic, version or codec", async () => {
    const good = itemsStream();
    const badMagic = good.slice(); badMagic[5] = 0x58;
    const badVersion = good.slice(); badVersion[9] = 9;
    expect((await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(badMagic))).error?.message).toMatch(/magic bytes/);
    expect((await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(badVersion))).error?.message).toMatch(/protocol version 9/);
    const json = streamTypes(ITEMS_ONLY.item, undefined, undefined, { codec: "json" });
    const err = (await readAll(json, json.reader(good))).error!;
    expect(err.code).toBe("FORMAT");
    expect(err.message).toMatch(/payloads are msgpack, but this reader expects json/);
  });

  it("FORMAT: unknown frame kind, and a payload that does not decode", async () => {
    const marker = itemsStream().subarray(0, 11);
    const unknown = (await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(concat([marker, Uint8Array.of(9, 0, 0, 0, 0)])))).error!;
    expect(unknown.code).toBe("FORMAT");
    expect(unknown.message).toMatch(/Unknown frame kind 9/);
    const garbage = (await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(concat([marker, encodeFrame(3, Uint8Array.of(0xc1, 0x92))])))).error!;
    expect(garbage.code).toBe("FORMAT");
    expect(garbage.message).toMatch(/item 0 payload \(2 bytes\) does not decode as msgpack/);
  });

  it("LIMIT: raised from the frame header, before the payload arrives", async () => {
    const marker = itemsStream().subarray(0, 11);
    const { stream, log } = tracked([concat([marker, Uint8Array.of(3, 0xff, 0xff, 0xff, 0xff)])], { hangAtEnd: true });
    const err = (await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(stream))).error!;
    expect(err.code).toBe("LIMIT");
    expect(err.message).toMatch(/4294967295 payload bytes, over the limit of 16777216/);
    expect(log.cancelled).toBe(true);
    const small = (await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(itemsStream(), { maxFrameBytes: 8 }))).error!;
    expect(small.code).toBe("LIMIT");
  });

  it("TRUNCATED: every way a stream can stop early", async () => {
    const full = itemsStream();
    expect((await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(new Uint8Array(0)))).error?.message).toMatch(/before any bytes arrived/);
    expect((await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(full.subarray(0, full.length - 5)))).error?.message).toMatch(/before the end frame, after 3 items/);
    expect((await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(full.subarray(0, full.length - 7)))).error?.message).toMatch(/inside an item frame/);
    const r = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(full.subarray(0, full.length - 3)));
    expect(r.items).toEqual(items);
    expect(r.error?.code).toBe("TRUNCATED");
    expect(r.error?.message).toMatch(/inside a frame header \(2 of 5 bytes\)/);
  });

  it("TRUNCATED: a failing source is attached as the cause", async () => {
    const bytes = itemsStream();
    const cause = new TypeError("network error");
    const source = (async function* () {
      yield bytes.subarray(0, 20);
      throw cause;
    })();
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(source));
    expect(result.error?.code).toBe("TRUNCATED");
    expect(result.error?.cause).toBe(cause);
    expect(result.error?.message).toMatch(/network error/);
  });

  it("VALIDATION on read names item N and the path; the items before it were delivered", async () => {
    const loose = streamTypes(Type.Any(), undefined, undefined, { validate: false }).writer();
    const bytes = concat([loose.item({ words: ["a"] }), loose.item({ words: [1] }), loose.end()]);
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(bytes));
    expect(result.items).toEqual([{ words: ["a"] }]);
    expect(result.error?.code).toBe("VALIDATION");
    expect(result.error?.index).toBe(1);
    expect(result.error?.message).toMatch(/item 1 does not match its schema: \/words\/0: Expected string/);
  });

  it("VALIDATION: integers beyond 2^53 are never silently accepted", async () => {
    const S = streamTypes(Type.Object({ n: Type.Integer() }));
    for (const n of [2 ** 60, 2n ** 60n]) {
      const loose = streamTypes(Type.Any(), undefined, undefined, { validate: false }).writer();
      const result = await readAll(S, S.reader(concat([loose.item({ n }), Uint8Array.of(5, 0, 0, 0, 0)])));
      expect(result.error?.code).toBe("VALIDATION");
      expect(result.error?.message).toMatch(/2\^53/);
      expect(result.error?.message).toMatch(/Type\.BigInt\(\)/);
    }
    const big = streamTypes(Type.Object({ n: Type.BigInt() }));
    const w = big.writer();
    expect((await readClean(big, big.reader(concat([w.item({ n: 2n ** 60n + 1n }), w.end()])))).items).toEqual([{ n: 2n ** 60n + 1n }]);
  });

  it("errors are terminal: later calls reject with the same error", async () => {
    const w = FULL.writer();
    const bytes = concat([w.header(header), w.item(items[0]!)]);
    const r = FULL.reader(bytes);
    await r.readHeader();
    const first = await rejection(async () => { for await (const _ of r.readItems()); });
    expect(first.code).toBe("TRUNCATED");
    expect(await rejection(r.readFooter())).toBe(first);
  });

  it("a source that yields something other than bytes raises FORMAT", async () => {
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader([itemsStream().subarray(0, 11), "oops" as any]));
    expect(result.error?.code).toBe("FORMAT");
    expect(result.error?.message).toMatch(/yielded a string/);
    expect((await rejection(() => ITEMS_ONLY.reader(42 as any))).code).toBe("FORMAT");
  });
});

describe("reader: abort, limits and timeouts", () => {
  it("abort rejects a pending read with signal.reason and cancels the source", async () => {
    const { stream, log } = tracked([firstItem()], { hangAtEnd: true });
    const controller = new AbortController();
    const it = ITEMS_ONLY.reader(stream, { signal: controller.signal }).readItems();
    expect((await it.next()).value).toEqual(items[0]);
    const pending = it.next();
    const reason = new Error("user left");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(log.cancelled).toBe(true);
  });

  it("an already aborted signal rejects at once", async () => {
    const r = ITEMS_ONLY.reader(itemsStream(), { signal: AbortSignal.abort() });
    await expect(r.readItems().next()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("idleTimeoutMs: a stalled source raises TIMEOUT and is cancelled", async () => {
    const { stream, log } = tracked([firstItem()], { hangAtEnd: true });
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(stream, { idleTimeoutMs: 50 }));
    expect(result.items).toEqual([items[0]]);
    expect(result.error?.code).toBe("TIMEOUT");
    expect(log.cancelled).toBe(true);
  });

  it("a source that stays open after the end frame completes after idleTimeoutMs, not TIMEOUT", async () => {
    const { stream, log } = tracked([itemsStream()], { hangAtEnd: true });
    const r = ITEMS_ONLY.reader(stream, { idleTimeoutMs: 50 });
    const result = await readAll(ITEMS_ONLY, r);
    expect(result).toEqual({ items });
    expect(r.completed).toBe(true);
    expect(log.cancelled).toBe(true);
  });

  it("maxItems and maxTotalBytes raise LIMIT", async () => {
    const a = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(itemsStream(), { maxItems: 2 }));
    expect(a.items).toHaveLength(2);
    expect(a.error?.code).toBe("LIMIT");
    const b = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(chunksOf(itemsStream(), 8), { maxTotalBytes: 30 }));
    expect(b.error?.code).toBe("LIMIT");
    expect(b.error?.message).toMatch(/maxTotalBytes/);
  });

  it("cancel() stops the reader", async () => {
    const { stream, log } = tracked([firstItem()], { hangAtEnd: true });
    const r = ITEMS_ONLY.reader(stream);
    const it = r.readItems();
    await it.next();
    const pending = it.next();
    r.cancel();
    // The loop that was waiting ends quietly (the defects issue, item 14); later reads see the cancellation.
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(log.cancelled).toBe(true);
  });
});

describe("validation without code generation", () => {
  it("falls back to Value.Check when TypeCompiler throws EvalError (a strict CSP)", async () => {
    const { TypeCompiler } = await import("@sinclair/typebox/compiler");
    const spy = vi.spyOn(TypeCompiler, "Compile").mockImplementation(() => {
      throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not allowed");
    });
    try {
      const S = streamTypes(Type.Object({ words: Type.Array(Type.String()) }));
      expect(S.validation).toBe("interpreted");
      const w = S.writer();
      expect((await rejection(() => w.item({ words: [1] } as any))).code).toBe("VALIDATION");
      expect((await readClean(S, S.reader(concat([w.item({ words: ["x"] }), w.end()])))).items).toEqual([{ words: ["x"] }]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("frame decoder", () => {
  it("returns a view, not a copy, for a frame inside one chunk", async () => {
    const { LengthPrefixedDecoder, json } = await import("../src/index.js");
    const d = new LengthPrefixedDecoder({ maxFrameBytes: 1000, kinds: [FrameKind.ITEM], codec: json(), endsAtEof: false });
    const chunk = new Uint8Array(600);
    chunk.set([3, 0, 0, 0, 2, 7, 8], 0);
    chunk.set([3, 0, 0, 2, 0x4d], 7); // a 589-byte frame whose last 3 bytes are still to come
    d.push(chunk);
    const f = d.next()!;
    expect(f.bytes.buffer).toBe(chunk.buffer);
    expect([...f.bytes.subarray(f.start, f.end)]).toEqual([7, 8]);
    expect(d.next()).toBeUndefined();
    d.push(Uint8Array.of(1, 2));
    d.push(Uint8Array.of(3));
    const g = d.next()!;
    expect(g.end - g.start).toBe(589);
  });

  it("gathers tiny chunks instead of keeping one object per byte", async () => {
    const { LengthPrefixedDecoder, json } = await import("../src/index.js");
    const d = new LengthPrefixedDecoder({ maxFrameBytes: 1 << 20, kinds: [FrameKind.ITEM], codec: json(), endsAtEof: false });
    const frame = concat([Uint8Array.of(3, 0, 0, 0x9c, 0x40), new Uint8Array(40_000).fill(9)]);
    for (const byte of frame) d.push(Uint8Array.of(byte));
    const f = d.next()!;
    const payload = f.bytes.subarray(f.start, f.end);
    expect(payload.length).toBe(40_000);
    expect(payload.every((b) => b === 9)).toBe(true);
    expect(d.bufferedBytes).toBe(0);
  });
});


describe("reader: the decoder's fast path (runs of items decoded in one loop)", () => {
  /** 300 items and the end, with item `bad` (not the first, which carries the opening marker) replaced by a frame of `payload`. */
  function runWith(bad: number, payload: Uint8Array): Uint8Array {
    const w = ITEMS_ONLY.writer();
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) frames.push(i === bad ? encodeFrame(FrameKind.ITEM, payload) : w.item({ words: [`w${i}`] }));
    frames.push(w.end());
    return concat(frames);
  }

  /** readAll(), by items or by batches. */
  async function readEvery(source: Uint8Array | ReadableStream<Uint8Array>, batches: boolean, maxItems?: number) {
    const reader = ITEMS_ONLY.reader(source, { maxItems });
    if (!batches) return readAll(ITEMS_ONLY, reader);
    const result: { items: unknown[]; error?: StreamError } = { items: [] };
    try {
      for await (const batch of reader.readItemBatches()) result.items.push(...batch);
    } catch (err) {
      result.error = err as StreamError;
    }
    return result;
  }

  const expected = (n: number) => Array.from({ length: n }, (_, i) => ({ words: [`w${i}`] }));

  for (const batches of [false, true]) {
    const how = batches ? "readItemBatches()" : "readItems()";
    it(`${how}: an undecodable item inside a run: the items before it, then FORMAT naming its index`, async () => {
      const bytes = runWith(200, Uint8Array.of(0xc1));
      for (const source of [bytes, streamOf(chunksOf(bytes, 4096))]) {
        const result = await readEvery(source, batches);
        expect(result.items).toEqual(expected(200));
        expect(result.error?.code).toBe("FORMAT");
        expect(result.error?.message).toMatch(/item 200\b/);
      }
    });

    it(`${how}: an invalid item inside a run: the items before it, then VALIDATION with its index`, async () => {
      const bytes = runWith(120, Uint8Array.of(0x81, 0xa5, ...new TextEncoder().encode("words"), 0x07)); // { words: 7 }
      const result = await readEvery(bytes, batches);
      expect(result.items).toEqual(expected(120));
      expect(result.error?.code).toBe("VALIDATION");
      expect(result.error?.index).toBe(120);
    });

    it(`${how}: maxItems ends a run at the limit`, async () => {
      const bytes = runWith(-1, new Uint8Array(0));
      const result = await readEvery(bytes, batches, 257);
      expect(result.items).toEqual(expected(257));
      expect(result.error?.code).toBe("LIMIT");
    });
  }
});

describe("reader: async iterator sources", () => {
  it("abort ends a read whose next() never settles, and the iterator's return() is called", async () => {
    let returned = false;
    let nexts = 0;
    const first = firstItem();
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => (nexts++ === 0 ? Promise.resolve({ done: false, value: first }) : new Promise<IteratorResult<Uint8Array>>(() => {})),
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const controller = new AbortController();
    const it = ITEMS_ONLY.reader(source, { signal: controller.signal }).readItems();
    expect((await it.next()).value).toEqual(items[0]);
    const pending = it.next();
    const reason = new Error("user left");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(returned).toBe(true);
  });

  it("a chunk that is not bytes is FORMAT; a throwing next() is NETWORK before any byte", async () => {
    const notBytes: AsyncIterable<unknown> = (async function* () {
      yield "text";
    })();
    expect((await rejection(async () => { for await (const _ of ITEMS_ONLY.reader(notBytes as AsyncIterable<Uint8Array>).readItems()); })).code).toBe("FORMAT");
    const throwing: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          throw new Error("socket closed");
        },
      }),
    };
    expect((await rejection(async () => { for await (const _ of ITEMS_ONLY.reader(throwing).readItems()); })).code).toBe("NETWORK");
  });
});

describe("reader: decoding ahead is bounded", () => {
  it("decodes at most 256 items of the chunk in hand ahead of the caller, and the rest as they are taken", async () => {
    let checked = 0;
    const Counted = {
      "~standard": {
        version: 1 as const,
        vendor: "test",
        validate: (value: unknown) => {
          checked++;
          return { value: value as { i: number } };
        },
      },
    };
    const COUNTED = streamTypes(Counted);
    const w = COUNTED.writer();
    const bytes = concat([...Array.from({ length: 1000 }, (_, i) => w.item({ i })), w.end()]);
    checked = 0;
    const it = COUNTED.reader(bytes).readItems(); // one chunk holding all 1,000 items
    expect((await it.next()).value).toEqual({ i: 0 });
    expect(checked).toBeLessThanOrEqual(256);
    for (let i = 1; i < 256; i++) await it.next();
    expect(checked).toBeLessThanOrEqual(512);
    let rest = 0;
    for await (const _ of it) rest++;
    expect(rest).toBe(744);
    expect(checked).toBe(1000);
  });
});
