// Durable streams fanned out: R tailing readers over 100 streams (10 items/s each) on one instance over Redis — completeness, delivery latency, Redis connections, server memory per reader, CPU per delivered item on both sides, the server's event-loop delay, and (PROFILE=1) where the server's time goes.
// Run: node --expose-gc --import tsx bench/durable-fanout.ts   (READERS=10000 by default; ITEMS per stream, 100; PROFILE=1 adds CPU profiles of the server and the readers while the items flow)
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { createClient } from "redis";
import { startRedis } from "../test/redis.js";

const READERS = Number(process.env.READERS ?? 10_000);
const STREAMS = 100;
const PROFILE = process.env.PROFILE === "1";

interface Stats {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  appendRoundTripMs: { count: number; p50: number; p99: number; max: number };
}

/** The next IPC message of `child` that has `key`. */
function message<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (typeof m !== "object" || m === null || !(key in m)) return;
      child.off("message", on);
      resolve(m as T);
    };
    child.on("message", on);
  });
}

const redis = await startRedis();
const probe = createClient({ url: redis.url });
probe.on("error", () => {});
await probe.connect();
const connectedClients = async () => Number(/connected_clients:(\d+)/.exec(String(await probe.sendCommand(["INFO", "clients"])))![1]) - 1; // not the probe
const server = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "bench/durable-fanout-server.ts", redis.url], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
const [base] = (await once(createInterface({ input: server.stdout! }), "line")) as [string];
const stats = async (): Promise<Stats> => {
  const reply = message<Stats>(server, "memory");
  server.send("stats");
  return reply;
};

const idle = await stats();
const client = spawn(process.execPath, ["--import", "tsx", "bench/durable-fanout-client.ts", base, String(READERS), String(STREAMS)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const { connectSeconds } = await message<{ connectSeconds: number }>(client, "connected");
const connected = await stats();
const results = message<Record<string, unknown> & { delivered: number; complete: number }>(client, "complete");
let peakConnections = 0;
const watch = setInterval(() => {
  void connectedClients().then((n) => (peakConnections = Math.max(peakConnections, n)));
}, 500);
const startedAt = performance.now();
server.send("go");
let profiles: unknown;
if (PROFILE) {
  // The middle of the run, on both sides at once: from 2 s after the start, for 4 s.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const on = [message(server, "profiling"), message(client, "profiling")];
  server.send("profile-start");
  client.send("profile-start");
  await Promise.all(on);
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const summaries = [message<{ profile: unknown }>(server, "profile"), message<{ profile: unknown }>(client, "profile")];
  server.send("profile-stop");
  client.send("profile-stop");
  const [serverProfile, clientProfile] = await Promise.all(summaries);
  profiles = { server: serverProfile!.profile, client: clientProfile!.profile };
}
const client_ = await results;
const seconds = (performance.now() - startedAt) / 1000;
clearInterval(watch);
peakConnections = Math.max(peakConnections, await connectedClients());
const after = await stats();
const cpuMicros = after.cpu.user + after.cpu.system - (connected.cpu.user + connected.cpu.system);
const result = {
  readers: READERS,
  streams: STREAMS,
  itemsPerStream: Number(process.env.ITEMS ?? 100),
  ...client_,
  connectSeconds: +connectSeconds.toFixed(1),
  runSeconds: +seconds.toFixed(1),
  redisConnectionsPeak: peakConnections,
  serverHeapPerReaderKiB: +((connected.memory.heapUsed - idle.memory.heapUsed) / READERS / 1024).toFixed(1),
  serverRssPerReaderKiB: +((connected.memory.rss - idle.memory.rss) / READERS / 1024).toFixed(1),
  serverCpuPerDeliveredItemMicros: +(cpuMicros / Math.max(1, client_.delivered)).toFixed(1),
  serverCpuSecondsConnecting: +((connected.cpu.user + connected.cpu.system - idle.cpu.user - idle.cpu.system) / 1e6).toFixed(1),
  serverCpuSecondsRunning: +(cpuMicros / 1e6).toFixed(1),
  serverEventLoopDelayMs: after.eventLoopDelayMs,
  appendRoundTripMs: after.appendRoundTripMs,
  loadAverage: (await import("node:os")).loadavg().map((l) => +l.toFixed(1)),
  node: process.version,
  ...(PROFILE ? { profiles } : {}),
};
console.log(JSON.stringify(result, null, 2));
server.kill();
client.kill();
probe.destroy();
await redis.stop();
process.exit(0);
