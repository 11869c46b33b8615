// Durable streams: items/s and per-item latency with no store (toResponse), the memory store and the Redis store; memory per buffered stream.
// Run: node --expose-gc --import tsx bench/durable.ts   (Redis rows need /usr/bin/redis-server; they are skipped without it)
import { Type } from "@sinclair/typebox";
import { createClient } from "redis";
import { binary, msgpack, memoryStore, streamTypes, type ReplayStore } from "../src/index.js";
import { redisStore } from "../src/redis.js";
import { redisMissing, startRedis } from "../test/redis.js";

const Item = Type.Object({ n: Type.Integer(), t: Type.Number(), text: Type.String() });
const S = streamTypes(Item, undefined, undefined, { format: binary(msgpack()) });
const TEXT = "a token of about forty bytes of text....";
const BURST = Number(process.env.BURST ?? 20_000);
const PACED = 300;

type Serve = (id: string, producer: Parameters<typeof S.toResponse>[0]) => Response;

async function throughput(serve: Serve, id: string): Promise<number> {
  const started = performance.now();
  const reader = S.reader(
    serve(id, async function* (w) {
      for (let n = 0; n < BURST; n++) yield w.item({ n, t: 0, text: TEXT });
    }),
  );
  let count = 0;
  for await (const _ of reader.readItems()) count++;
  if (count !== BURST) throw new Error(`got ${count} items`);
  return BURST / ((performance.now() - started) / 1000);
}

/** Items 1 ms apart; latency from the producer's yield to the reader's delivery. */
async function latency(serve: Serve, id: string): Promise<{ p50: number; p99: number }> {
  const reader = S.reader(
    serve(id, async function* (w) {
      for (let n = 0; n < PACED; n++) {
        await new Promise((r) => setTimeout(r, 1));
        yield w.item({ n, t: performance.now(), text: TEXT });
      }
    }),
  );
  const lat: number[] = [];
  for await (const item of reader.readItems()) lat.push(performance.now() - item.t);
  lat.sort((a, b) => a - b);
  return { p50: lat[Math.floor(lat.length / 2)]!, p99: lat[Math.floor(lat.length * 0.99)]! };
}

async function fill(store: ReplayStore, streams: number, items: number): Promise<void> {
  for (let s = 0; s < streams; s++) {
    const response = S.durable(`mem-${s}`, async function* (w) {
      for (let n = 0; n < items; n++) yield w.item({ n, t: 0, text: TEXT });
    }, { store });
    for await (const _ of S.reader(response).readItems());
  }
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const rows: string[] = [];
const row = (name: string, ips: number, l: { p50: number; p99: number }) =>
  rows.push(`| ${name} | ${Math.round(ips).toLocaleString("en-US")} | ${l.p50.toFixed(2)} | ${l.p99.toFixed(2)} |`);

let run = 0;
const plain: Serve = (_id, producer) => S.toResponse(producer);
await throughput(plain, "warm");
row("no store (`toResponse`)", await throughput(plain, "a"), await latency(plain, "b"));

const memory = memoryStore({ maxStreams: 100_000 });
const viaMemory: Serve = (id, producer) => S.durable(`${id}-${run++}`, producer, { store: memory });
await throughput(viaMemory, "warm");
row("memory store", await throughput(viaMemory, "a"), await latency(viaMemory, "b"));

const STREAMS = 1000;
const ITEMS = 100;
gc();
const before = process.memoryUsage().heapUsed;
const buffered = memoryStore({ maxStreams: STREAMS });
await fill(buffered, STREAMS, ITEMS);
gc();
const memoryPerStream = (process.memoryUsage().heapUsed - before) / STREAMS;
const memoryPayload = buffered.bytesHeld / STREAMS;

let redisPerStream: number | undefined;
if (redisMissing === undefined) {
  const redis = await startRedis();
  const client = createClient({ url: redis.url });
  client.on("error", () => {});
  await client.connect();
  const store = redisStore({ client, keyPrefix: "bench:" });
  const viaRedis: Serve = (id, producer) => S.durable(`${id}-${run++}`, producer, { store });
  await throughput(viaRedis, "warm");
  row("Redis store (local redis-server)", await throughput(viaRedis, "a"), await latency(viaRedis, "b"));
  const used = async () => Number(/used_memory:(\d+)/.exec(String(await client.sendCommand(["INFO", "memory"])))![1]);
  await client.sendCommand(["FLUSHALL"]);
  const base = await used();
  await fill(redisStore({ client, keyPrefix: "mem:" }), STREAMS, ITEMS);
  redisPerStream = ((await used()) - base) / STREAMS;
  client.destroy();
  await redis.stop();
} else console.warn(redisMissing);

console.log(`Durable streams — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${(await import("node:os")).cpus()[0]?.model ?? "?"} × ${(await import("node:os")).cpus().length}`);
console.log(`Throughput: ${BURST} items of ~60 bytes (binary msgpack), read in-process from the Response body; latency: ${PACED} items 1 ms apart, from the producer's yield to the reader.`);
console.log("| path | items/s | latency p50 (ms) | latency p99 (ms) |");
console.log("| --- | ---: | ---: | ---: |");
for (const r of rows) console.log(r);
console.log(`\nMemory per buffered stream (${STREAMS} ended streams of ${ITEMS} items + end): memory store ≈ ${(memoryPerStream / 1024).toFixed(1)} KiB of heap (${(memoryPayload / 1024).toFixed(1)} KiB counted by bytesHeld)` +
  (redisPerStream === undefined ? "" : `; Redis ≈ ${(redisPerStream / 1024).toFixed(1)} KiB of used_memory`) + ".");
process.exit(0);
