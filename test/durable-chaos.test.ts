// The chaos test of durable streams: two instances (one a child process), Redis (with its append-only file) restarted twice and one instance killed while 50 streams are read through random client cuts. Every reader ends exact or with a coded error; nothing hangs.
import { skipWithout } from "./required-program.js";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import { binary, msgpack, StreamError } from "../src/index.js";
import { redisStore } from "../src/redis.js";
import { readAll } from "./helpers.js";
import { definition, expectedItems, sleep, startInstances } from "./durable-harness.js";
import { REDIS_SERVER, startRedis } from "./redis.js";

const STREAMS = 50;
const ITEMS = 60;
const PAUSE_MS = 25;
const IDLE_MS = 10_000;

/** A response whose body the client itself cuts after `chunks` chunks: a dropped connection as the reader sees it. */
async function cutAfter(response: Promise<Response>, chunks: number): Promise<Response> {
  const res = await response;
  const body = res.body!.getReader();
  let n = 0;
  const cut = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (n++ >= chunks) {
        void body.cancel().catch(() => {});
        controller.error(new TypeError("cut by the test"));
        return;
      }
      const { done, value } = await body.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => body.cancel(reason),
  });
  return new Response(cut, { status: res.status, headers: res.headers });
}

describe.skipIf(skipWithout(REDIS_SERVER, "the Redis store tests", "apt-get install redis-server"))("durable streams under chaos", () => {
  it("50 streams, random client cuts, Redis restarted twice, one instance killed: every reader exact or a coded error, none hangs", async () => {
    const redis = await startRedis({ persistent: true });
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: (retries) => Math.min(50 * (retries + 1), 200) } });
    client.on("error", () => {});
    await client.connect();
    const S = definition(binary(msgpack()));
    const prefix = "chaos:";
    const local = await startInstances(S, () => redisStore({ client, keyPrefix: prefix, leaseMs: 1000, blockMs: 500 }), 1, { total: ITEMS, pauseMs: PAUSE_MS, pauseEvery: 1 });
    const child = spawn(process.execPath, ["--import", "tsx", "test/durable-instance-child.ts", redis.url, prefix, "1000", String(ITEMS), String(PAUSE_MS)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    let childAlive = true;
    try {
      const [remote] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
      const urls = [local.servers[0]!.url, remote];
      const read = async (i: number) => {
        let at = i;
        const log: string[] = [];
        const open = (lastEventId: string | undefined) => {
          const base = childAlive ? urls[at++ % 2]! : urls[0]!;
          log.push(`${base === urls[0] ? "A" : "B"}@${lastEventId ?? "-"}`);
          const response = fetch(`${base}/c${i}`, { headers: lastEventId === undefined ? {} : { "Last-Event-ID": lastEventId } });
          return Math.random() < 0.5 ? cutAfter(response, 1 + Math.floor(Math.random() * 30)) : response;
        };
        const reader = S.reader(open(undefined), { reconnect: open, maxReconnects: 30, idleTimeoutMs: IDLE_MS });
        return { result: await readAll(S, reader), completed: reader.completed, log };
      };
      const started = Date.now();
      const readers = Array.from({ length: STREAMS }, (_, i) => read(i));
      const produced = () => [...local.stats.produced.values()].reduce((a, b) => a + b, 0);
      for (let waited = 0; produced() < 200 && waited < 10_000; waited += 10) await sleep(10);
      await redis.restart();
      for (let before = produced(), waited = 0; produced() < before + 100 && waited < 10_000; waited += 10) await sleep(10);
      child.kill("SIGKILL");
      await exited;
      childAlive = false;
      await redis.restart();
      const outcomes = await Promise.all(readers);
      const elapsed = Date.now() - started;
      let exact = 0;
      for (const [i, { result, completed, log }] of outcomes.entries()) {
        if (process.env.CHAOS_LOG && result.error) console.log(`c${i}`, log.join(" "), result.error.message);
        expect(result.items, `c${i}`).toEqual(expectedItems(result.items.length)); // always a gap-free prefix
        if (result.error === undefined) {
          expect(completed, `c${i}`).toBe(true);
          expect(result.items, `c${i}`).toEqual(expectedItems(ITEMS));
          expect(result.footer).toEqual({ count: ITEMS });
          exact++;
        } else {
          expect(result.error, `c${i}`).toBeInstanceOf(StreamError);
          const code = result.error.code === "REMOTE" ? result.error.remote?.code : result.error.code;
          expect(["PRODUCER_LOST", "STORE", "GONE", "TIMEOUT", "NETWORK", "TRUNCATED"], `c${i}: ${result.error.message}`).toContain(code);
        }
      }
      for (const [id, runs] of local.stats.runs) expect(runs, id).toBe(1);
      expect(exact).toBeGreaterThan(STREAMS / 4); // the streams of the instance that lived went through both restarts
      expect(elapsed).toBeLessThan(60_000);
    } finally {
      if (childAlive) {
        child.kill("SIGKILL");
        await exited;
      }
      await local.close();
      client.destroy();
      await redis.stop();
    }
  }, 90_000);
});
