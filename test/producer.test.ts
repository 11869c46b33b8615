// The producer helper without a network: backpressure, end and error frames, cancellation and keep-alive.
import { describe, expect, it } from "vitest";
import { FrameKind, StreamError } from "../src/index.js";
import { FULL, ITEMS_ONLY, footer, header, items } from "./fixtures.js";
import { CHUNK_BYTES } from "../src/writer/turn-chunks.js";
import { readAll, readClean } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe("toReadableStream", () => {
  it("writes the end frame when the generator returns", async () => {
    const body = FULL.toReadableStream(async function* (w) {
      yield w.header(header);
      for (const item of items) yield w.item(item);
      yield w.footer(footer);
    });
    expect(await readAll(FULL, FULL.reader(body))).toEqual({ header, items, footer });
  });

  it("accepts a sync generator and an explicit end()", async () => {
    const body = ITEMS_ONLY.toReadableStream(function* (w) {
      yield w.item(items[0]!);
      yield w.end();
    });
    expect(await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(body))).toEqual({ items: [items[0]] });
  });

  it("is pull-based: the producer never runs more than the high-water mark (in chunks of at most CHUNK_BYTES) ahead", async () => {
    // A chunk holds the frames of one turn up to CHUNK_BYTES (and one frame more); frames of 1 KiB and more here.
    const word = "w".repeat(1024);
    const framesPerChunk = Math.ceil(CHUNK_BYTES / word.length) + 1;
    for (const highWaterMark of [0, 1, 4]) {
      let produced = 0;
      const body = ITEMS_ONLY.toReadableStream(
        async function* (w) {
          for (let i = 0; i < 1000; i++) {
            yield w.item({ words: [word + i] });
            produced++;
          }
        },
        { highWaterMark },
      );
      const it = ITEMS_ONLY.reader(body).readItems();
      for (let consumed = 1; consumed <= 5 * framesPerChunk; consumed += framesPerChunk) {
        await it.next();
        await sleep(5); // give an eager producer every chance to run ahead
        // The chunk being read, one the reader may hold ahead, the stream's queue, and one frame made for the next.
        expect(produced).toBeLessThanOrEqual(consumed + (highWaterMark + 2) * framesPerChunk + 1);
      }
      await it.return!();
      expect(produced).toBeLessThan(1000);
    }
  });

  it("joins the frames a producer makes in one turn into one chunk, and hands on a turn's frames when it waits", async () => {
    const body = ITEMS_ONLY.toReadableStream(async function* (w) {
      yield w.item(items[0]!);
      yield w.item(items[1]!);
      await sleep(5);
      yield w.item(items[2]!);
    });
    const reader = body.getReader();
    const first = await reader.read(); // the two frames made before the producer waited
    const second = await reader.read(); // the frame after it, with the end frame
    expect((await reader.read()).done).toBe(true);
    const w = ITEMS_ONLY.writer();
    expect(first.value).toEqual(concat(w.item(items[0]!), w.item(items[1]!)));
    expect(second.value).toEqual(concat(w.item(items[2]!), w.end()));
  });

  it("an exception becomes an error frame after the items already written", async () => {
    const errors: unknown[] = [];
    const body = ITEMS_ONLY.toReadableStream(
      async function* (w) {
        for (const item of items) yield w.item(item);
        throw Object.assign(new Error("upstream model failed"), { code: "UPSTREAM" });
      },
      { onError: (e) => errors.push(e) },
    );
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(body));
    expect(result.items).toEqual(items);
    expect(result.error?.code).toBe("REMOTE");
    expect(result.error?.remote).toEqual({ name: "Error", message: "upstream model failed", code: "UPSTREAM" });
    expect(errors).toHaveLength(1);
  });

  it("a validation failure inside the producer reaches the reader as REMOTE with code VALIDATION", async () => {
    const body = ITEMS_ONLY.toReadableStream(async function* (w) {
      yield w.item(items[0]!);
      yield w.item({ words: [42] } as any);
    });
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(body));
    expect(result.items).toEqual([items[0]]);
    expect(result.error?.remote?.code).toBe("VALIDATION");
    expect(result.error?.remote?.name).toBe("StreamError");
  });

  it("yielding something other than a frame is an error frame", async () => {
    const body = ITEMS_ONLY.toReadableStream(async function* () {
      yield { words: [] } as any;
    });
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(body));
    expect(result.error?.remote?.message).toMatch(/yield the frames its writer returns/);
  });

  it("cancelling runs the generator's finally and aborts its signal", async () => {
    let finallyRan = false;
    let signalAborted = false;
    const body = ITEMS_ONLY.toReadableStream(async function* (w, signal) {
      try {
        for (let i = 0; i < 1000; i++) {
          yield w.item({ words: [String(i)] });
          await sleep(1);
        }
      } finally {
        finallyRan = true;
        signalAborted = signal.aborted;
      }
    });
    const r = ITEMS_ONLY.reader(body);
    for await (const _ of r.readItems()) break;
    for (let i = 0; i < 100 && !finallyRan; i++) await sleep(10);
    expect(finallyRan).toBe(true);
    expect(signalAborted).toBe(true);
  });

  it("sends keep-alive frames while the producer is idle; readers skip them", async () => {
    const body = ITEMS_ONLY.toReadableStream(
      async function* (w) {
        await sleep(120);
        yield w.item(items[0]!);
        await sleep(120);
      },
      { keepAliveMs: 20 },
    );
    const [a, b] = body.tee();
    const raw = new Uint8Array(await new Response(a as ReadableStream<Uint8Array<ArrayBuffer>>).arrayBuffer());
    expect(raw[0]).toBe(FrameKind.OPEN); // the first keep-alive carries the opening marker
    expect(raw[11]).toBe(FrameKind.KEEPALIVE);
    const kinds = new Set<number>();
    for (let at = 11; at < raw.length; at += 5 + new DataView(raw.buffer, at + 1, 4).getUint32(0)) kinds.add(raw[at]!);
    expect([...kinds].sort()).toEqual([FrameKind.ITEM, FrameKind.END, FrameKind.KEEPALIVE].sort());
    expect((await readClean(ITEMS_ONLY, ITEMS_ONLY.reader(b, { idleTimeoutMs: 80 }))).items).toEqual([items[0]]);
  });

  it("refuses keep-alive in truss mode, whose readers reject keep-alive frames", async () => {
    const { streamTypes } = await import("../src/index.js");
    const truss = streamTypes(ITEMS_ONLY.item, undefined, undefined, { compat: "truss" });
    expect(() => truss.toReadableStream(function* () {}, { keepAliveMs: 10 })).toThrow(/compat: "truss"/);
  });

  it("rejects a bad producer", async () => {
    const body = ITEMS_ONLY.toReadableStream((() => 42) as any);
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(body));
    expect(result.error?.remote?.message).toMatch(/generator function/);
    expect(() => ITEMS_ONLY.toReadableStream(function* () {}, { highWaterMark: -1 })).toThrow(StreamError);
  });
});

describe("consume", () => {
  it("calls back in order and resolves with a summary", async () => {
    const seen: string[] = [];
    const body = FULL.toReadableStream(async function* (w) {
      yield w.header(header);
      for (const item of items) yield w.item(item);
      yield w.footer(footer);
    });
    const summary = await FULL.consume(body, {
      onHeader: (h) => void seen.push(`header ${h.msg}`),
      onItem: async (item, i) => {
        await sleep(1);
        seen.push(`item ${i} ${item.words.length}`);
      },
      onFooter: (f) => void seen.push(`footer ${f.msg}`),
    });
    expect(seen).toEqual(["header Start of stream", "item 0 2", "item 1 2", "item 2 0", "footer End of stream"]);
    expect(summary.items).toBe(3);
  });

  it("rejects with the reader's errors", async () => {
    const body = FULL.toReadableStream(async function* (w) {
      yield w.header(header);
      throw new Error("nope");
    });
    const err = await FULL.consume(body, {}).catch((e) => e);
    expect(err).toBeInstanceOf(StreamError);
    expect(err.code).toBe("REMOTE");
  });
});

describe("takeProducerRun (how sendResponse drives a producer)", () => {
  it("a stream taken over while its own pull waits, then sent to its end, is garbage once dropped: nothing global keeps it", async () => {
    const { setFlagsFromString } = await import("node:v8");
    const { runInNewContext } = await import("node:vm");
    const { takeProducerRun } = await import("../src/writer/producer.js");
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const refs: WeakRef<object>[] = [];
    /** One stream, sent to its end; nothing of it is referenced once this returns. */
    async function sendOne(): Promise<number> {
      const body = ITEMS_ONLY.toReadableStream(async function* (w) {
        await sleep(2);
        for (const item of items) yield w.item(item);
      });
      refs.push(new WeakRef(body));
      await sleep(0); // the stream's own pull has started, and waits for the producer
      const run = takeProducerRun(body)!;
      let frames = 0;
      while ((await run.next()) !== undefined) frames++;
      return frames;
    }
    for (let i = 0; i < 50; i++) expect(await sendOne()).toBe(items.length + 1);
    for (let i = 0; i < 5 && refs.some((r) => r.deref() !== undefined); i++) {
      await sleep(10);
      gc();
    }
    // Each stream is garbage (at most the last one may still sit in a register).
    expect(refs.filter((r) => r.deref() !== undefined).length).toBeLessThanOrEqual(1);
  });
});

describe("a paused stream's writer", () => {
  it("drops its slab when told the producer waits: the frames made keep their bytes, the next frame takes a new buffer", () => {
    const w = ITEMS_ONLY.writer() as unknown as { item(v: unknown): Uint8Array; releaseBuffers(): void };
    const first = w.item(items[0]!);
    const second = w.item(items[1]!);
    expect(second.buffer).toBe(first.buffer); // carved from one slab
    const kept = first.slice();
    w.releaseBuffers();
    const third = w.item(items[2]!);
    expect(third.buffer).not.toBe(first.buffer);
    expect(first).toEqual(kept); // a slab is never written twice
    const again = ITEMS_ONLY.writer();
    expect(concat(first, second, third)).toEqual(concat(again.item(items[0]!), again.item(items[1]!), again.item(items[2]!)));
  });

  it("over toReadableStream, is told at the end of each turn in which it wrote", async () => {
    let releases = 0;
    const body = ITEMS_ONLY.toReadableStream(async function* (w) {
      const writer = w as unknown as { releaseBuffers(): void };
      const release = writer.releaseBuffers.bind(writer);
      writer.releaseBuffers = () => {
        releases++;
        release();
      };
      for (const item of items) {
        yield w.item(item);
        await sleep(1); // the producer waits: the turn's frames are handed on
      }
    });
    expect((await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(body))).items).toEqual(items);
    expect(releases).toBeGreaterThanOrEqual(items.length - 1);
  });
});
