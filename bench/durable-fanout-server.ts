// Child process of bench/durable-fanout.ts: one instance serving 100 durable streams over a Redis store; the producers start on "go" (10 items/s each) and it reports its memory and CPU on request.
// Usage: node --expose-gc --import tsx bench/durable-fanout-server.ts <redis url>   (prints its URL; IPC messages "go", "stats")
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Type } from "@sinclair/typebox";
import { createClient } from "redis";
import { binary, msgpack, streamTypes } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { redisStore } from "../src/redis.js";

export const FanItem = Type.Object({ n: Type.Integer(), t: Type.Number() });
export const FanHeader = Type.Object({ stream: Type.String() });
export const ITEMS = Number(process.env.ITEMS ?? 100);
export const EVERY_MS = 100; // 10 items/s per stream

const S = streamTypes(FanItem, FanHeader, undefined, { format: binary(msgpack()) });

if (process.send !== undefined) {
  const client = createClient({ url: process.argv[2] });
  client.on("error", () => {});
  await client.connect();
  const store = redisStore({ client, keyPrefix: "fan:" });
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
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  process.on("message", (message) => {
    if (message === "go") go();
    if (message === "stats") {
      gc();
      gc();
      process.send!({ memory: process.memoryUsage(), cpu: process.cpuUsage() });
    }
  });
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
}
