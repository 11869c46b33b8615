// The fault table of docs/resume.md, a test per row, on a real redis-server with an append-only file: what each store fault leaves to readers and producers.
import { skipWithout } from "./required-program.js";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binary, json, msgpack, ndjson, sse, streamTypes, type ReplayStore } from "../src/index.js";
import { redisStore, type RedisClientLike } from "../src/redis.js";
import { readAll } from "./helpers.js";
import { Footer, Item, definition, expectedItems, readResuming, sleep, startInstances, type Harness } from "./durable-harness.js";
import { REDIS_SERVER, startRedis, type TestRedis } from "./redis.js";

type Client = RedisClientLike & { destroy(): void };

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 20_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe.skipIf(skipWithout(REDIS_SERVER, "the Redis store tests", "apt-get install redis-server"))("durable streams: store faults (docs/resume.md, fault table)", () => {
  let redis: TestRedis;
  const clients: Client[] = [];
  let round = 0;
  let h: Harness | undefined;

  const client = async (): Promise<Client> => {
    const c = createClient({ url: redis.url, socket: { reconnectStrategy: (retries) => Math.min(50 * (retries + 1), 200) } });
    c.on("error", () => {}); // reconnects on its own; the store reports what fails
    await c.connect();
    clients.push(c);
    return c;
  };
  const stores = (options: { blockMs?: number } = {}): ((i: number) => ReplayStore) => {
    const prefix = `f${++round}:`;
    return (i) => redisStore({ client: clients[i]!, keyPrefix: prefix, blockMs: options.blockMs ?? 500 });
  };

  beforeAll(async () => {
    redis = await startRedis({ persistent: true });
    await client();
    await client();
  }, 20_000);

  afterAll(async () => {
    await h?.close();
    for (const c of clients) c.destroy();
    await redis?.stop();
  });

  it("Redis restarted with its data (AOF) mid-stream: appends are retried, responses read on, every reader gets every item once", async () => {
    const S = definition(binary(msgpack()));
    const errors: unknown[] = [];
    h = await startInstances(S, stores(), 2, { total: 150, pauseMs: 4, pauseEvery: 1, durable: { onError: (e) => errors.push(e) } });
    try {
      const resuming = readResuming(S, h, "r");
      // A reader that never reconnects: its response rides out the outage by itself.
      const plain = readAll(S, S.reader(fetch(`${h.servers[1]!.url}/r`), { idleTimeoutMs: 15_000 }));
      await until(() => (h!.stats.produced.get("r") ?? 0) >= 20, "20 items");
      await redis.kill();
      await sleep(300); // down for a moment, then loading its append-only file
      await redis.start();
      const [a, b] = await Promise.all([resuming, plain]);
      for (const result of [a, b]) {
        expect(result.error).toBeUndefined();
        expect(result.items).toEqual(expectedItems(150));
        expect(result.footer).toEqual({ count: 150 });
      }
      expect(h.stats.runs.get("r")).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await h.close();
      h = undefined;
    }
  }, 30_000);

  it("Redis down for longer than retryStoreMs: readers get STORE (not a producer failure), the producer stops with STORE, and the stream ends with it once Redis is back", async () => {
    const S = definition(sse());
    const errors: unknown[] = [];
    h = await startInstances(S, stores(), 2, { total: 1000, pauseMs: 5, pauseEvery: 1, durable: { retryStoreMs: 1000, onError: (e) => errors.push(e) } });
    let down = false;
    try {
      const readers = [0, 1].map((i) => readAll(S, S.reader(fetch(`${h!.servers[i]!.url}/down`), { idleTimeoutMs: 15_000 })));
      await until(() => (h!.stats.produced.get("down") ?? 0) >= 10, "10 items");
      down = true;
      await redis.kill();
      const results = await Promise.all(readers);
      for (const result of results) {
        expect(result.error?.code).toBe("REMOTE");
        expect(result.error?.remote?.code).toBe("STORE");
        expect(result.error?.message).toMatch(/^The server stopped the stream after \d+ items: StreamError: The replay store failed/);
        expect(result.error?.message).not.toMatch(/producer failed/);
        expect(result.items).toEqual(expectedItems(result.items.length)); // a gap-free prefix
      }
      await until(() => h!.stats.finished.get("down") === 1, "the producer to stop");
      expect((errors[0] as { code?: string }).code).toBe("STORE");
      expect(String((errors[0] as Error).message)).toMatch(/retried for \d+ ms/);
      await redis.start();
      down = false;
      // The error part waited in the client's queue: the stream has its end, so a late reader is told, not kept waiting.
      const late = await readAll(S, S.reader(fetch(`${h.servers[0]!.url}/down`), { idleTimeoutMs: 15_000 }));
      expect(late.error?.remote?.code).toBe("STORE");
    } finally {
      if (down) await redis.start();
      await h.close();
      h = undefined;
    }
  }, 30_000);

  it("the instance running a producer is killed (SIGKILL): its lease lapses and every reader, late ones too, gets PRODUCER_LOST", async () => {
    const S = definition(binary(msgpack()));
    const prefix = `lost${++round}:`;
    const child = spawn(process.execPath, ["--import", "tsx", "test/durable-instance-child.ts", redis.url, prefix, "1000"], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
      const reading = startInstances(S, () => redisStore({ client: clients[0]!, keyPrefix: prefix, leaseMs: 1000, blockMs: 500 }), 1, { total: 1 });
      h = await reading;
      const first = S.reader(fetch(`${line}/k`), { idleTimeoutMs: 15_000 }); // starts the stream on the child
      await first.readHeader();
      const other = readAll(S, S.reader(fetch(`${h.servers[0]!.url}/k`), { idleTimeoutMs: 15_000 }));
      let n = 0;
      for await (const _ of first.readItems()) if (++n === 5) break;
      child.kill("SIGKILL");
      await exited;
      const result = await other;
      expect(result.error?.remote?.code).toBe("PRODUCER_LOST");
      expect(result.error?.message).toMatch(/^The server stopped the stream after \d+ items: StreamError: The producer of the durable stream/);
      expect(result.items).toEqual(expectedItems(result.items.length));
      const late = await readAll(S, S.reader(fetch(`${h.servers[0]!.url}/k`), { idleTimeoutMs: 15_000 }));
      expect(late.error?.remote?.code).toBe("PRODUCER_LOST");
      expect(late.items).toEqual(result.items);
    } finally {
      child.kill("SIGKILL");
      await exited;
      await h?.close();
      h = undefined;
    }
  }, 30_000);

  it("a position past the end of an ended stream is GONE at once, not after blockMs", async () => {
    const S = definition(ndjson());
    h = await startInstances(S, stores({ blockMs: 60_000 }), 2, { total: 3 });
    try {
      expect((await readResuming(S, h, "p")).items).toEqual(expectedItems(3));
      const NoHeader = streamTypes(Item, undefined, Footer, { format: ndjson() });
      for (const position of ["5", "6"]) {
        const late = await readAll(NoHeader, NoHeader.reader(fetch(`${h.servers[1]!.url}/p`, { headers: { "Last-Event-ID": position } })));
        expect(late.error?.remote?.code).toBe("GONE");
        expect(late.error?.message).toMatch(/past its end/);
      }
    } finally {
      await h.close();
      h = undefined;
    }
  });

  it("a stream stored in one codec, read by an endpoint of another: a FORMAT error in the reader's own codec, not garbage", async () => {
    const Bin = definition(binary(msgpack()));
    const Sse = definition(sse());
    const make = stores();
    const producerSide = await startInstances(Bin, make, 1, { total: 5 });
    const sseSide = await startInstances(Sse, make, 1, { total: 5 });
    try {
      expect((await readResuming(Bin, producerSide, "c")).items).toEqual(expectedItems(5));
      const result = await readAll(Sse, Sse.reader(fetch(`${sseSide.servers[0]!.url}/c`)));
      expect(result.error?.remote?.code).toBe("FORMAT");
      expect(result.error?.message).toMatch(/stored in the msgpack codec; this endpoint's format uses json/);
      expect(sseSide.stats.runs.get("c")).toBeUndefined();
    } finally {
      await producerSide.close();
      await sseSide.close();
    }
  });

  it("an id that cannot name a stream is 400, not 500", async () => {
    const S = definition(binary(json()));
    h = await startInstances(S, stores(), 1, { total: 1 });
    try {
      for (const id of ["", "x".repeat(257), "a\u001b[2Jb", "bidi\u202e"]) {
        const res = await fetch(`${h.servers[0]!.url}/${encodeURIComponent(id)}`);
        expect(res.status, JSON.stringify(id)).toBe(400);
        expect(await res.text()).toMatch(/^Bad request: a durable stream's id/);
      }
      expect(h.stats.runs.size).toBe(0);
    } finally {
      await h.close();
      h = undefined;
    }
  });
});
