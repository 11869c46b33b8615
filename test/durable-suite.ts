// The behaviour every replay store must give STREAM.durable(), on real node:http instances: run by durable.test.ts (memory, one instance) and redis-store.test.ts (Redis, two instances).
import { expect, it } from "vitest";
import { binary, json, msgpack, ndjson, sse, streamTypes, StreamError, type Format, type ReplayStore } from "../src/index.js";
import { readAll } from "./helpers.js";
import { Footer, Item, definition, expectedItems, readResuming, sleep, startInstances, type Harness } from "./durable-harness.js";

export const FORMATS: [string, () => Format][] = [
  ["binary(msgpack())", () => binary(msgpack())],
  ["binary(json())", () => binary(json())],
  ["sse()", () => sse()],
  ["ndjson()", () => ndjson()],
];

export interface SuiteContext {
  /** How many server instances share the store (Redis: 2; memory: 1). */
  instances: number;
  /** A store for instance i, over the test's shared backend (fresh key space per call of `fresh`). */
  storeFor(instance: number, limits?: { maxParts?: number; maxBytes?: number; ttlMs?: number; maxStreams?: number }): ReplayStore;
  /** Starts a fresh key space (a new memory store, or a new key prefix). */
  fresh(): void;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(5);
  }
}

export function durableSuite(ctx: SuiteContext): void {
  let h: Harness | undefined;
  const start = async (S: ReturnType<typeof definition>, options: Parameters<typeof startInstances>[3], limits?: Parameters<SuiteContext["storeFor"]>[1]) => {
    await h?.close();
    ctx.fresh();
    h = await startInstances(S, (i) => ctx.storeFor(i, limits), ctx.instances, options);
    return h;
  };
  const stop = async () => {
    await h?.close();
    h = undefined;
  };

  for (const [name, format] of FORMATS) {
    it(`${name}: a client cut after N frames reconnects (to the other instance) with Last-Event-ID and gets every item exactly once`, async () => {
      const S = definition(format());
      try {
        for (const cut of [1, 2, 7, 30]) {
          const harness = await start(S, { total: 40, pauseMs: 2, pauseEvery: 2 });
          harness.cuts.set("s", [cut]);
          const result = await readResuming(S, harness, "s");
          expect(result.error).toBeUndefined();
          expect(result.header).toEqual({ run: "s" });
          expect(result.items).toEqual(expectedItems(40));
          expect(result.footer).toEqual({ count: 40 });
          expect(result.urls.length).toBe(2);
          expect(harness.stats.runs.get("s")).toBe(1);
        }
      } finally {
        await stop();
      }
    });
  }

  it("a reader opened with a saved position (startAfter, e.g. a page reload) gets what follows it, in every format", async () => {
    for (const [name, format] of FORMATS) {
      const S = definition(format());
      try {
        const harness = await start(S, { total: 20 });
        const whole = await readResuming(S, harness, "p");
        expect(whole.items).toEqual(expectedItems(20));
        const url = `${harness.servers[harness.servers.length - 1]!.url}/p`;
        // STREAM.fetch sends it as Last-Event-ID; readItems() starts at the next item, without readHeader().
        const reader = S.fetch(url, undefined, { startAfter: "12", idleTimeoutMs: 10_000 });
        const items: unknown[] = [];
        for await (const item of reader.readItems()) items.push(item);
        expect(items, name).toEqual(expectedItems(20, 12));
        expect(await reader.readFooter()).toEqual({ count: 20 });
        expect(reader.completed).toBe(true);
        // A source of your own, with the header sent by hand, and a number.
        const own = S.reader(fetch(url, { headers: { "Last-Event-ID": "1" } }), { startAfter: 1 });
        const rest: unknown[] = [];
        for await (const item of own.readItems()) rest.push(item);
        expect(rest, name).toEqual(expectedItems(20, 1));
        expect(harness.stats.runs.get("p")).toBe(1);
      } finally {
        await stop();
      }
    }
  });

  it("random drops under concurrency: 20 streams, each cut up to 5 times at random frames, every item exactly once", async () => {
    const S = definition(binary(msgpack()));
    const SSE = definition(sse());
    try {
      for (const [T, label] of [[S, "binary"], [SSE, "sse"]] as const) {
        const harness = await start(T, { total: 60, pauseMs: 1, pauseEvery: 3 });
        const ids = Array.from({ length: 20 }, (_, i) => `${label}-${i}`);
        for (const id of ids) {
          const drops = Math.floor(Math.random() * 6);
          harness.cuts.set(id, Array.from({ length: drops }, () => 1 + Math.floor(Math.random() * 25)));
        }
        const started = Date.now();
        const results = await Promise.all(ids.map((id, i) => readResuming(T, harness, id, { start: i, maxReconnects: 8 })));
        for (const [i, result] of results.entries()) {
          expect(result.error, ids[i]).toBeUndefined();
          expect(result.items, ids[i]).toEqual(expectedItems(60));
          expect(result.footer).toEqual({ count: 60 });
          expect(harness.stats.runs.get(ids[i]!)).toBe(1);
        }
        expect(Date.now() - started).toBeLessThan(15_000);
        const connections = results.reduce((n, r) => n + r.urls.length, 0);
        expect(connections).toBeGreaterThan(ids.length + 10); // the drops did happen
      }
    } finally {
      await stop();
    }
  });

  it("continue on disconnect: the client leaves, the producer keeps going to the end, and a later reconnect gets the rest", async () => {
    const S = definition(sse());
    try {
      const harness = await start(S, { total: 50, pauseMs: 2, pauseEvery: 5 });
      harness.cuts.set("c", [6]);
      let reconnectedAt = -1;
      const open = (id: string | undefined, i: number) =>
        fetch(`${harness.servers[i % harness.servers.length]!.url}/c`, { headers: id === undefined ? {} : { "Last-Event-ID": id } });
      const reader = S.reader(open(undefined, 0), {
        maxReconnects: 2,
        reconnect: (id) =>
          until(() => harness.stats.finished.get("c") === 1).then(() => {
            reconnectedAt = harness.stats.produced.get("c") ?? 0;
            return open(id, 1);
          }),
      });
      const result = await readAll(S, reader);
      expect(result.error).toBeUndefined();
      expect(reconnectedAt).toBe(50); // the producer had finished, with no client attached, before the reconnect
      expect(result.items).toEqual(expectedItems(50));
      expect(result.footer).toEqual({ count: 50 });
    } finally {
      await stop();
    }
  });

  it("a second client joining the same stream id mid-way gets everything (from the start, or from its position), once", async () => {
    const S = definition(binary(msgpack()));
    const NoHeader = streamTypes(Item, undefined, Footer, { format: binary(msgpack()) });
    try {
      const harness = await start(S, { total: 40, pauseMs: 2, pauseEvery: 2 });
      const first = readResuming(S, harness, "j");
      await until(() => (harness.stats.produced.get("j") ?? 0) >= 10);
      const second = readResuming(S, harness, "j", { start: 1 });
      // A client that already has the header and items 0..14 (position 15) joins on the other instance.
      const url = `${harness.servers[harness.servers.length - 1]!.url}/j`;
      const third = readAll(NoHeader, NoHeader.reader(fetch(url, { headers: { "Last-Event-ID": "15" } })));
      const [a, b, c] = await Promise.all([first, second, third]);
      expect(a.items).toEqual(expectedItems(40));
      expect(b.error).toBeUndefined();
      expect(b.items).toEqual(expectedItems(40));
      expect(c.error).toBeUndefined();
      expect(c.items).toEqual(expectedItems(40, 15));
      expect(c.footer).toEqual({ count: 40 });
      expect(harness.stats.runs.get("j")).toBe(1);
    } finally {
      await stop();
    }
  });

  it("many first requests for one new stream id at once, on every instance: the producer runs once", async () => {
    const S = definition(sse());
    try {
      const harness = await start(S, { total: 10 });
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => readResuming(S, harness, "once", { start: i })));
      for (const r of results) expect(r.items).toEqual(expectedItems(10));
      expect(harness.stats.runs.get("once")).toBe(1);
    } finally {
      await stop();
    }
  });

  it("continueOnDisconnect: false cancels the producer when its client leaves; the stream ends with a CANCELLED error", async () => {
    const S = definition(sse());
    try {
      const harness = await start(S, { total: 1000, pauseMs: 5, pauseEvery: 1, durable: { continueOnDisconnect: false } });
      const reader = S.reader(fetch(`${harness.servers[0]!.url}/x`));
      await reader.readHeader();
      let n = 0;
      for await (const _ of reader.readItems()) if (++n === 3) break; // leaving the loop cancels the connection
      await until(() => harness.stats.finished.get("x") === 1);
      expect(harness.stats.produced.get("x")!).toBeLessThan(100);
      const late = await readAll(S, S.reader(fetch(`${harness.servers[0]!.url}/x`)));
      expect(late.error?.code).toBe("REMOTE");
      expect(late.error?.remote?.code).toBe("CANCELLED");
    } finally {
      await stop();
    }
  });

  it("start: false only reads (an unknown id is GONE, no producer runs); a start hook decides per id", async () => {
    const S = definition(sse());
    try {
      const harness = await start(S, { total: 3, durable: { start: (id: string) => id.startsWith("ok-") } });
      const denied = await readResuming(S, harness, "no-1");
      expect(denied.error?.remote?.code).toBe("GONE");
      expect(harness.stats.runs.get("no-1")).toBeUndefined();
      const allowed = await readResuming(S, harness, "ok-1");
      expect(allowed.items).toEqual(expectedItems(3));
      const readOnly = await start(S, { total: 3, durable: { start: false } });
      expect((await readResuming(S, readOnly, "any")).error?.remote?.code).toBe("GONE");
      expect(readOnly.stats.runs.size).toBe(0);
    } finally {
      await stop();
    }
  });

  it("a stream whose only request is aborted before its first part is cancelled (CANCELLED), unless continueOnDisconnect: true", async () => {
    const S = definition(binary(msgpack()));
    const abortAtOnce = async (harness: Harness, id: string) => {
      const abort = new AbortController();
      const response = fetch(`${harness.servers[0]!.url}/${id}`, { signal: abort.signal }).catch(() => undefined);
      await until(() => harness.stats.runs.get(id) === 1);
      abort.abort();
      await response;
      await until(() => harness.servers[0]!.open === 0);
    };
    try {
      // By default: the producer's signal aborts, it stops at its first step, and the stream says CANCELLED.
      let harness = await start(S, { total: 50, beforeHeader: (_id, signal) => new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })) });
      await abortAtOnce(harness, "a");
      await until(() => harness.stats.finished.get("a") === 1);
      expect(harness.stats.produced.get("a")).toBeUndefined();
      const late = await readAll(S, S.reader(fetch(`${harness.servers[0]!.url}/a`)));
      expect(late.error?.remote?.code).toBe("CANCELLED");
      expect(late.error?.message).toMatch(/only request was aborted before the first part/);
      // Asked to: it runs to the end with nobody attached.
      let go = () => {};
      const gate = new Promise<void>((resolve) => (go = resolve));
      harness = await start(S, { total: 50, beforeHeader: () => gate, durable: { continueOnDisconnect: true } });
      await abortAtOnce(harness, "b");
      go();
      await until(() => harness.stats.finished.get("b") === 1);
      expect(harness.stats.produced.get("b")).toBe(50);
      expect((await readResuming(S, harness, "b")).items).toEqual(expectedItems(50));
    } finally {
      await stop();
    }
  });

  it("ended streams do not count against maxStreams: one stream at a time, many in a row, all start", async () => {
    const S = definition(ndjson());
    try {
      const harness = await start(S, { total: 2 }, { maxStreams: 2 });
      for (let i = 0; i < 6; i++) {
        const result = await readResuming(S, harness, `m${i}`);
        expect(result.error, `m${i}`).toBeUndefined();
        expect(result.items).toEqual(expectedItems(2));
      }
    } finally {
      await stop();
    }
  });

  it("STREAM.stop() from any instance: the producer's signal aborts, and every reader gets the stored CANCELLED end", async () => {
    const S = definition(sse());
    try {
      const aborted: string[] = [];
      const harness = await start(S, {
        total: 100_000,
        pauseMs: 5,
        pauseEvery: 1,
        beforeHeader: async (id, signal) => signal.addEventListener("abort", () => aborted.push(id)),
      });
      const readers = harness.servers.map((server) => readAll(S, S.reader(fetch(`${server.url}/s`), { idleTimeoutMs: 10_000 })));
      await until(() => (harness.stats.produced.get("s") ?? 0) >= 5);
      // The store of the last instance: on Redis another instance than the one running the producer.
      expect(await S.stop("s", { store: ctx.storeFor(ctx.instances - 1) })).toBe(true);
      for (const result of await Promise.all(readers)) {
        expect(result.error?.remote?.code).toBe("CANCELLED");
        expect(result.error?.message).toMatch(/^The server stopped the stream after \d+ items: .*STREAM\.stop\(\)/);
        expect(result.items).toEqual(expectedItems(result.items.length));
      }
      await until(() => harness.stats.finished.get("s") === 1);
      expect(aborted).toEqual(["s"]);
      expect(await S.stop("s", { store: ctx.storeFor(0) })).toBe(false); // it has ended
      expect(await S.stop("never-started", { store: ctx.storeFor(0) })).toBe(false);
      const late = await readAll(S, S.reader(fetch(`${harness.servers[0]!.url}/s`)));
      expect(late.error?.remote?.code).toBe("CANCELLED");
    } finally {
      await stop();
    }
  });

  it("maxDurationMs: each response ends cleanly before the limit, without the end frame; the reader resumes and completes", async () => {
    for (const [name, format] of [FORMATS[0]!, FORMATS[2]!]) {
      const S = definition(format());
      try {
        const harness = await start(S, { total: 30, pauseMs: 10, pauseEvery: 1, durable: { maxDurationMs: 60 } });
        const result = await readResuming(S, harness, "d", { maxReconnects: 50 });
        expect(result.error, name).toBeUndefined();
        expect(result.items).toEqual(expectedItems(30));
        expect(result.footer).toEqual({ count: 30 });
        expect(result.urls.length).toBeGreaterThan(2);
      } finally {
        await stop();
      }
    }
  });

  it("store limits: a stream that outgrows maxParts or maxBytes stops with LIMIT (the reader gets it), and holds no more", async () => {
    const S = definition(binary(msgpack()));
    try {
      let harness = await start(S, { total: 100 }, { maxParts: 20 });
      let errors: unknown[] = [];
      let result = await readResuming(S, harness, "l");
      expect(result.error?.code).toBe("REMOTE");
      expect(result.error?.remote?.code).toBe("LIMIT");
      expect(result.error?.message).toMatch(/maxParts/);
      expect(result.items).toEqual(expectedItems(19)); // header + 19 items = 20 parts
      harness = await start(S, { total: 100, itemBytes: 1000, durable: { onError: (e) => errors.push(e) } }, { maxBytes: 10_000 });
      errors = [];
      result = await readResuming(S, harness, "b");
      expect(result.error?.remote?.code).toBe("LIMIT");
      expect(result.error?.message).toMatch(/maxBytes/);
      expect(result.items.length).toBeLessThan(10);
      expect((errors[0] as StreamError).code).toBe("LIMIT");
      expect(harness.stats.finished.get("b")).toBe(1); // the producer was stopped
    } finally {
      await stop();
    }
  });

  it("a position the store does not have (an expired or unknown stream) is GONE, not a fresh start", async () => {
    const S = definition(sse());
    try {
      const harness = await start(S, { total: 3 }, { ttlMs: 150 });
      const first = await readResuming(S, harness, "g");
      expect(first.items).toEqual(expectedItems(3));
      await sleep(400);
      const res = await fetch(`${harness.servers[0]!.url}/g`, { headers: { "Last-Event-ID": "2" } });
      const NoHeader = streamTypes(Item, undefined, Footer, { format: sse() });
      const late = await readAll(NoHeader, NoHeader.reader(res));
      expect(late.error?.code).toBe("REMOTE");
      expect(late.error?.remote?.code).toBe("GONE");
      expect(harness.stats.runs.get("g")).toBe(1);
    } finally {
      await stop();
    }
  });
}
