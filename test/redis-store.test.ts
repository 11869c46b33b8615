// Durable streams over the Redis replay store: two node:http instances share a private redis-server; cuts, drops, joins, limits, a Redis restart mid-stream.
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FrameKind, binary, msgpack, sse, type ReplayStore } from "../src/index.js";
import { redisStore, type RedisClientLike } from "../src/redis.js";
import { readAll } from "./helpers.js";
import { definition, expectedItems, sleep, startInstances } from "./durable-harness.js";
import { durableSuite } from "./durable-suite.js";
import { REDIS_SERVER, startRedis, type TestRedis } from "./redis.js";
import { skipWithout } from "./required-program.js";

/** What the tests use of a node-redis client; a real one is passed to redisStore() as it is (see the check below). */
type Client = RedisClientLike & { destroy(): void };

describe.skipIf(skipWithout(REDIS_SERVER, "the Redis store tests", "apt-get install redis-server"))("durable streams over the Redis store (two instances, one Redis)", () => {
  let redis: TestRedis;
  const clients: Client[] = [];
  let prefix = "t0:";
  let round = 0;

  const client = async (): Promise<Client> => {
    const c = createClient({ url: redis.url });
    c.on("error", () => {}); // reconnects on its own; the store reports what fails
    await c.connect();
    redisStore({ client: c }); // a real client fits RedisClientLike as it is
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startRedis();
    await client();
    await client();
  }, 20_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await redis?.stop();
  });

  durableSuite({
    instances: 2,
    fresh: () => {
      prefix = `t${++round}:`;
    },
    storeFor: (i, limits) => redisStore({ client: clients[i]!, keyPrefix: prefix, blockMs: 500, ...limits }),
  });

  it("binary payloads round-trip byte for byte, and parts replay from any position", async () => {
    const store = redisStore({ client: clients[0]!, keyPrefix: "rt:" });
    const bytes = new Uint8Array(256).map((_, i) => i);
    expect(await store.create("b")).toBe(true);
    expect(await store.create("b")).toBe(false);
    await store.append("b", { id: 0, kind: FrameKind.HEADER, payload: bytes });
    await store.append("b", { id: 1, kind: FrameKind.ITEM, payload: bytes.subarray(7, 9) });
    await store.append("b", { id: 2, kind: FrameKind.END, payload: new Uint8Array(0) });
    const read = async (after: number) => {
      const out: { id: number; kind: number; payload: number[] }[] = [];
      for await (const p of store.read("b", after, new AbortController().signal)) out.push({ id: p.id, kind: p.kind, payload: [...p.payload] });
      return out;
    };
    expect(await read(-1)).toEqual([
      { id: 0, kind: FrameKind.HEADER, payload: [...bytes] },
      { id: 1, kind: FrameKind.ITEM, payload: [7, 8] },
      { id: 2, kind: FrameKind.END, payload: [] },
    ]);
    expect((await read(0)).map((p) => p.id)).toEqual([1, 2]);
    await expect(store.append("b", { id: 3, kind: FrameKind.ITEM, payload: bytes })).rejects.toMatchObject({ code: "ORDER" });
    await store.delete("b");
    await expect(read(-1)).rejects.toMatchObject({ code: "GONE" });
  });

  it("Redis restarts mid-stream (its data gone): the producer fails with GONE and the reader gets an error, never a short stream", async () => {
    for (const format of [binary(msgpack()), sse()]) {
      const S = definition(format);
      const errors: unknown[] = [];
      const stores: ReplayStore[] = [0, 1].map((i) => redisStore({ client: clients[i]!, keyPrefix: `restart${round++}:`, blockMs: 200 }));
      const h = await startInstances(S, (i) => stores[i]!, 2, { total: 400, pauseMs: 5, pauseEvery: 1, durable: { onError: (e) => errors.push(e) } });
      try {
        let at = 0;
        const open = (id: string | undefined) =>
          fetch(`${h.servers[at++ % 2]!.url}/r`, { headers: id === undefined ? {} : { "Last-Event-ID": id } }).catch(() => {
            throw new TypeError("fetch failed");
          });
        const reader = S.reader(open(undefined), { reconnect: open, maxReconnects: 5, idleTimeoutMs: 10_000 });
        const reading = readAll(S, reader);
        for (let waited = 0; (h.stats.produced.get("r") ?? 0) < 20 && waited < 5000; waited += 10) await sleep(10);
        await redis.restart();
        const result = await reading;
        expect(result.error, "the reader must fail").toBeDefined();
        expect(result.error?.code).toBe("REMOTE"); // an error frame from the instance that was reading Redis for it
        expect(["NETWORK", "GONE"]).toContain(result.error?.remote?.code);
        expect(reader.completed).toBe(false);
        expect(result.items.length).toBeLessThan(400);
        // What it did get is a prefix, without gaps.
        expect(result.items).toEqual(expectedItems(result.items.length));
        for (let waited = 0; h.stats.finished.get("r") !== 1 && waited < 5000; waited += 10) await sleep(10);
        expect(h.stats.finished.get("r")).toBe(1); // the producer was stopped
        expect(errors.length).toBeGreaterThan(0);
        expect(errors.some((e) => (e as { code?: string }).code === "GONE" || /Socket|closed|ECONNRE/i.test(String(e)))).toBe(true);
      } finally {
        await h.close();
      }
    }
  }, 30_000);

  it("a position past the end of an ended stream is GONE, not a wait until the TTL", async () => {
    const store = redisStore({ client: clients[0]!, keyPrefix: "past:", blockMs: 100 });
    await store.create("p");
    await store.append("p", { id: 0, kind: FrameKind.HEADER, payload: new Uint8Array([0xc0]) });
    await store.append("p", { id: 1, kind: FrameKind.END, payload: new Uint8Array(0) });
    const reading = (async () => {
      for await (const _ of store.read("p", 5, new AbortController().signal));
    })();
    await expect(reading).rejects.toMatchObject({ code: "GONE" });
  });

  it("one tail connection per store: 300 tailing readers over 3 streams on one instance hold 2 Redis connections, each reader exact", async () => {
    const S = definition(binary(msgpack()));
    const info = async () => Number(/connected_clients:(\d+)/.exec(String(await clients[0]!.sendCommand(["INFO", "clients"])))![1]);
    const before = await info();
    const dedicated = await client(); // the store's own client, so that its connections can be counted
    const h = await startInstances(S, () => redisStore({ client: dedicated, keyPrefix: `fan${round++}:` }), 1, { total: 40, pauseMs: 10, pauseEvery: 1 });
    try {
      const ids = ["a", "b", "c"];
      const readers = Array.from({ length: 300 }, (_, i) => readAll(S, S.reader(fetch(`${h.servers[0]!.url}/${ids[i % 3]}`), { idleTimeoutMs: 15_000 })));
      for (let waited = 0; ids.some((id) => (h.stats.produced.get(id) ?? 0) < 10) && waited < 10_000; waited += 10) await sleep(10);
      const during = await info();
      for (const result of await Promise.all(readers)) {
        expect(result.error).toBeUndefined();
        expect(result.items).toEqual(expectedItems(40));
      }
      // The client given and the tail's one duplicate (and, for a moment, its successor while it closes): not one per reader.
      expect(during - before).toBeLessThanOrEqual(3);
    } finally {
      await h.close();
    }
  }, 30_000);

  it("bounded in streams (maxStreams): a stream over the bound is LIMIT, an ended or deleted one frees its place", async () => {
    const store = redisStore({ client: clients[0]!, keyPrefix: "bound:", maxStreams: 2 });
    expect(await store.create("a")).toBe(true);
    expect(await store.create("b")).toBe(true);
    await expect(store.create("c")).rejects.toMatchObject({ code: "LIMIT", message: expect.stringMatching(/maxStreams/) });
    await expect(store.create("c")).rejects.toMatchObject({ code: "LIMIT" }); // refused again: it left no keys that would say it exists
    await store.append("a", { id: 1, kind: FrameKind.END, payload: new Uint8Array(0), first: true });
    await store.delete("c");
    expect(await store.create("d")).toBe(true);
    await expect(store.create("e")).rejects.toMatchObject({ code: "LIMIT" });
    await store.delete("b");
    expect(await store.create("e")).toBe(true);
  });

  it("a reader on a quiet stream whose keys vanish (expiry, a flush) gets GONE rather than waiting forever", async () => {
    const store = redisStore({ client: clients[0]!, keyPrefix: "quiet:", blockMs: 100 });
    await store.create("q");
    const reading = (async () => {
      for await (const _ of store.read("q", -1, new AbortController().signal));
    })();
    await sleep(150);
    await clients[1]!.sendCommand(["FLUSHALL"]);
    await expect(reading).rejects.toMatchObject({ code: "GONE" });
  });
});

describe.skipIf(skipWithout(REDIS_SERVER, "the Redis cluster-keys test", "apt-get install redis-server"))("the Redis store's keys on a cluster (issue 21, item 9)", () => {
  it("every key of a stream is in one hash slot for every id, those starting with } too: no CROSSSLOT, and no two ids share keys", async () => {
    const redis = await startRedis({ cluster: true });
    const c = createClient({ url: redis.url });
    c.on("error", () => {});
    await c.connect();
    try {
      const store = redisStore({ client: c, keyPrefix: "slot:", blockMs: 100 });
      const ids = ["}x", "}", "{}", "a}b{c", "{x}", "%7D", "%", "plain", "é🙂"];
      for (const [n, id] of ids.entries()) {
        expect(await store.create(id), id).toBe(true);
        await store.append(id, { id: 1, kind: FrameKind.ITEM, payload: new Uint8Array([n]), first: true });
        await store.append(id, { id: 2, kind: FrameKind.END, payload: new Uint8Array(0) });
      }
      for (const [n, id] of ids.entries()) {
        const got: number[][] = [];
        for await (const p of store.read(id, -1, new AbortController().signal)) got.push([p.id, ...p.payload]);
        expect(got, id).toEqual([[1, n], [2]]);
      }
      expect(() => redisStore({ client: c, keyPrefix: "a{b}:" })).toThrow(expect.objectContaining({ code: "OPTIONS" }));
    } finally {
      c.destroy();
      await redis.stop();
    }
  });
});
