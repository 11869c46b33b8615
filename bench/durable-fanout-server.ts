// Child process of bench/durable-fanout.ts: one instance serving 100 durable streams over a Redis store; the producers start on "go" (10 items/s each) and it reports its memory, CPU, event-loop delay, the appends' round trips and (PROFILE=1) a CPU profile on request.
// Usage: node --expose-gc --import tsx bench/durable-fanout-server.ts <redis url>   (prints its URL; IPC messages "go", "stats", "profile-start", "profile-stop")
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Type } from "@sinclair/typebox";
import { createClient } from "redis";
import { binary, msgpack, streamTypes } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { redisStore } from "../src/redis.js";
import { profileOnMessages } from "./cpu-profile-summary.js";

export const FanItem = Type.Object({ n: Type.Integer(), t: Type.Number() });
export const FanHeader = Type.Object({ stream: Type.String() });
export const ITEMS = Number(process.env.ITEMS ?? 100);
export const EVERY_MS = 100; // 10 items/s per stream

const S = streamTypes(FanItem, FanHeader, undefined, { format: binary(msgpack()) });

if (process.send !== undefined && process.argv[1]?.endsWith("durable-fanout-server.ts")) {
  const client = createClient({ url: process.argv[2] });
  client.on("error", () => {});
  await client.connect();
  const store = redisStore({ client, keyPrefix: "fan:" });
  // Each append's round trip (sent to reply handled), to see whether appends wait behind the deliveries.
  const appendMs: number[] = [];
  const append = store.append.bind(store);
  store.append = (streamId, part) => {
    const sent = performance.now();
    const done = append(streamId, part);
    void done.then(() => appendMs.push(performance.now() - sent), () => {});
    return done;
  };
  let go = () => {};
  const started = new Promise<void>((resolve) => (go = resolve));
  const server = createServer((req, res) => {
    const id = (req.url ?? "/").slice(1);
    const response = S.durable(
      id,
      async function* (w) {
        yield w.header({ stream: id });
        await started;
        for (let n = 0; n < ITEMS; n++) {
          await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
          yield w.item({ n, t: Date.now() });
        }
      },
      { store, continueOnDisconnect: true },
    );
    void sendResponse(res, response);
  });
  server.maxConnections = 100_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", 4096, resolve));
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const loop = monitorEventLoopDelay({ resolution: 10 });
  profileOnMessages();
  process.on("message", (message) => {
    if (message === "go") {
      loop.enable();
      go();
    }
    if (message === "stats") {
      gc();
      gc();
      const eventLoopDelayMs = { p50: +(loop.percentile(50) / 1e6).toFixed(1), p99: +(loop.percentile(99) / 1e6).toFixed(1), max: +(loop.max / 1e6).toFixed(1) };
      const sorted = appendMs.slice().sort((a, b) => a - b);
      const at = (p: number) => +(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN).toFixed(1);
      const appendRoundTripMs = { count: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
      process.send!({ memory: process.memoryUsage(), cpu: process.cpuUsage(), eventLoopDelayMs, appendRoundTripMs });
    }
  });
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
}
