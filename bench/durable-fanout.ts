// Durable streams fanned out: R tailing readers over 100 streams (10 items/s each) on one instance over Redis — completeness, delivery latency, Redis connections, server memory per reader and CPU per delivered item.
// Run: node --expose-gc --import tsx bench/durable-fanout.ts   (READERS=10000 by default; ITEMS per stream, 100)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { createClient } from "redis";
import { binary, msgpack, streamTypes } from "../src/index.js";
import { startRedis } from "../test/redis.js";
import { FanHeader, FanItem, ITEMS } from "./durable-fanout-server.js";

const READERS = Number(process.env.READERS ?? 10_000);
const STREAMS = 100;
const BATCH = 250;
const S = streamTypes(FanItem, FanHeader, undefined, { format: binary(msgpack()) });

interface Stats {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}

const redis = await startRedis();
const probe = createClient({ url: redis.url });
probe.on("error", () => {});
await probe.connect();
const connectedClients = async () => Number(/connected_clients:(\d+)/.exec(String(await probe.sendCommand(["INFO", "clients"])))![1]) - 1; // not the probe
const server = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "bench/durable-fanout-server.ts", redis.url], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
const [base] = (await once(createInterface({ input: server.stdout! }), "line")) as [string];
const stats = async (): Promise<Stats> => {
  server.send("stats");
  return (await once(server, "message"))[0] as Stats;
};

const idle = await stats();
const clientCpuStart = process.cpuUsage();
const latencies = new Float64Array(READERS * ITEMS);
let delivered = 0;
const exact: boolean[] = [];
const readings: Promise<void>[] = [];
const opened = Date.now();
for (let i = 0; i < READERS; i += BATCH) {
  const batch: Promise<void>[] = [];
  for (let j = i; j < Math.min(READERS, i + BATCH); j++) {
    const reader = S.reader(fetch(`${base}/s${j % STREAMS}`), { idleTimeoutMs: 120_000 });
    const header = reader.readHeader();
    batch.push(header.then(() => undefined, () => undefined)); // a reader that never connects counts as not complete
    readings.push(
      header.then(async () => {
        let n = 0;
        for await (const item of reader.readItems()) {
          latencies[delivered++] = Date.now() - item.t;
          if (item.n !== n) break;
          n++;
        }
        exact[j] = n === ITEMS && reader.completed;
      }),
    );
    readings[readings.length - 1]!.catch(() => {});
  }
  await Promise.all(batch);
}
const connectMs = Date.now() - opened;
const connected = await stats();
const started = performance.now();
server.send("go");
let peakConnections = 0;
const watch = setInterval(() => {
  void connectedClients().then((n) => (peakConnections = Math.max(peakConnections, n)));
}, 500);
const settled = await Promise.allSettled(readings);
const reasons = new Map<string, number>();
for (const s of settled) if (s.status === "rejected") { const key = String((s.reason as Error)?.message ?? s.reason).slice(0, 160); reasons.set(key, (reasons.get(key) ?? 0) + 1); }
clearInterval(watch);
const seconds = (performance.now() - started) / 1000;
const after = await stats();
const sorted = latencies.subarray(0, delivered).sort();
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const cpuMicros = after.cpu.user + after.cpu.system - (connected.cpu.user + connected.cpu.system);
const result = {
  readers: READERS,
  streams: STREAMS,
  itemsPerStream: ITEMS,
  complete: exact.filter(Boolean).length,
  failed: settled.filter((s) => s.status === "rejected").length,
  delivered,
  connectSeconds: +(connectMs / 1000).toFixed(1),
  runSeconds: +seconds.toFixed(1),
  redisConnectionsPeak: peakConnections,
  latencyMs: { p50: +pct(0.5).toFixed(1), p99: +pct(0.99).toFixed(1), max: +pct(1).toFixed(1) },
  serverHeapPerReaderKiB: +((connected.memory.heapUsed - idle.memory.heapUsed) / READERS / 1024).toFixed(1),
  serverRssPerReaderKiB: +((connected.memory.rss - idle.memory.rss) / READERS / 1024).toFixed(1),
  serverCpuPerDeliveredItemMicros: +(cpuMicros / Math.max(1, delivered)).toFixed(1),
  serverCpuSecondsConnecting: +((connected.cpu.user + connected.cpu.system - idle.cpu.user - idle.cpu.system) / 1e6).toFixed(1),
  serverCpuSecondsRunning: +(cpuMicros / 1e6).toFixed(1),
  clientCpuSeconds: +((process.cpuUsage(clientCpuStart).user + process.cpuUsage(clientCpuStart).system) / 1e6).toFixed(1),
  failures: Object.fromEntries([...reasons].slice(0, 5)),
  node: process.version,
};
console.log(JSON.stringify(result, null, 2));
server.kill();
probe.destroy();
await redis.stop();
process.exit(0);
