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
