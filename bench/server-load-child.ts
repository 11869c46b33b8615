// The server side of bench/server-load.ts, in its own process so that its CPU time, memory and event loop are its own.
// Forked with IPC by server-load.ts (never run by hand): node --expose-gc --import tsx bench/server-load-child.ts <contender> <items> <pace>
//
// contender  "streamtypes": STREAM.toResponse(async function* (w) {...}) + sendResponse(res, response)
//            "ndjson":      res.write(JSON.stringify(value) + "\n"), awaiting "drain" whenever write() returns false
// items      items per stream (W1 shape, the fast-path W1 generator; the same items for every stream)
// pace       "immediate": the producer awaits a setImmediate turn after every 10th item (a busy upstream)
//            "timeout":   the producer awaits setTimeout(1) before every item (a slow upstream, e.g. an LLM)
//
// Messages (parent → child): { type: "idle" } → { type: "idle", memory }: forced GC, then the idle baseline.
//   { type: "start", streams } → { type: "started" }: CPU, event-loop delay and memory peaks start from here.
//   { type: "stop" } → { type: "report", ... }.
// Every producer pauses once, before item `items / 2`, until all `streams` producers have reached that point:
// then every stream is open at once, and the child records memory there before and after a forced GC (the GC's
// own CPU time and pause are left out of the figures).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { streamTypes } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { FAST_PATH_W1, makeItems } from "./workloads.js";

const [contender = "streamtypes", itemsArg = "200", pace = "immediate"] = process.argv.slice(2);
const ITEMS = Number(itemsArg);
const GATE_AT = Math.floor(ITEMS / 2);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("server-load-child.ts needs --expose-gc");
if (contender !== "streamtypes" && contender !== "ndjson") throw new Error(`unknown contender ${contender}`);
if (pace !== "immediate" && pace !== "timeout") throw new Error(`unknown pace ${pace}`);

const w = FAST_PATH_W1;
const ITEM_VALUES = makeItems(w, ITEMS);
const HEADER = w.headerValue;
const FOOTER = w.footerValue!(ITEMS);
const STREAM = streamTypes(w.item, w.header, w.footer);

export interface Memory {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

function memory(): Memory {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

/** heapUsed + external: `external` already includes `arrayBuffers` (Node's docs), so they are not added twice. */
const total = (m: Memory) => m.heapUsed + m.external;

// ---- the state of one measured round
let expected = 0;
let waiting: (() => void)[] = [];
let gateMemory: { before: Memory; afterGc: Memory } | undefined;
let gcCpuMicros = 0;
let gcPauseMs = 0;
let peak: Memory = memory();
let peakTotal = 0;
let samples = 0;
let served = 0;
let failed = 0;
const eld = monitorEventLoopDelay({ resolution: 10 });
let sampler: ReturnType<typeof setInterval> | undefined;

function sample(): void {
  const m = memory();
  samples++;
  if (total(m) > peakTotal) {
    peakTotal = total(m);
    peak = m;
  }
}

/** Resolves once every stream of the round has reached the half-way point; the last arrival measures memory first. */
function gate(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length < expected) return;
    const before = memory();
    sample();
    eld.disable(); // the forced GC is the benchmark's, not the server's: keep its pause and CPU out
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    gc!();
    gc!();
    gcPauseMs += performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    gcCpuMicros += cpu.user + cpu.system;
    gateMemory = { before, afterGc: memory() };
    eld.enable();
    const all = waiting;
    waiting = [];
    for (const r of all) r();
  });
}

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));
const timeout1 = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/** The upstream: ITEMS values with a small await between them, as the pace says. */
async function* upstream(): AsyncGenerator<unknown> {
  for (let i = 0; i < ITEMS; i++) {
    if (i === GATE_AT && expected > 0) await gate();
    if (pace === "timeout") await timeout1();
    else if (i % 10 === 9) await immediate();
    yield ITEM_VALUES[i];
  }
}

async function serveStreamtypes(res: ServerResponse): Promise<void> {
  await sendResponse(
    res,
    STREAM.toResponse(async function* (writer) {
      yield writer.header(HEADER as never);
      for await (const item of upstream()) yield writer.item(item as never);
      yield writer.footer(FOOTER as never);
    }),
  );
}

async function serveNdjson(res: ServerResponse): Promise<void> {
  let gone = false;
  let wake = () => {};
  res.on("close", () => {
    gone = true;
    wake();
  });
  res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
  const write = async (value: unknown) => {
    if (!res.write(JSON.stringify(value) + "\n")) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        res.once("drain", resolve);
      });
      res.off("drain", wake);
    }
  };
  await write(HEADER);
  for await (const item of upstream()) {
    if (gone) return;
    await write(item);
  }
  await write(FOOTER);
  res.end();
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  if (req.url !== "/stream") {
    res.writeHead(404).end();
    return;
  }
  res.on("close", () => {
    if (res.writableFinished) served++;
    else failed++;
  });
  (contender === "streamtypes" ? serveStreamtypes(res) : serveNdjson(res)).catch(() => {
    failed++;
    res.destroy();
  });
});
server.listen(0, "127.0.0.1", 4096, () => {
  process.send!({ type: "ready", port: (server.address() as AddressInfo).port, pid: process.pid });
});

let cpuStart = process.cpuUsage();
let wallStart = 0;

process.on("message", async (message: { type: string; streams?: number }) => {
  if (message.type === "idle") {
    gc();
    await new Promise((r) => setTimeout(r, 50));
    gc();
    gc();
    process.send!({ type: "idle", memory: memory() });
  } else if (message.type === "start") {
    expected = message.streams!;
    waiting = [];
    gateMemory = undefined;
    gcCpuMicros = 0;
    gcPauseMs = 0;
    served = 0;
    failed = 0;
    samples = 0;
    peak = memory();
    peakTotal = total(peak);
    eld.reset();
    eld.enable();
    sampler = setInterval(sample, 5);
    wallStart = performance.now();
    cpuStart = process.cpuUsage();
    process.send!({ type: "started" });
  } else if (message.type === "stop") {
    const cpu = process.cpuUsage(cpuStart);
    const wallMs = performance.now() - wallStart;
    clearInterval(sampler);
    eld.disable();
    sample();
    process.send!({
      type: "report",
      served,
      failed,
      cpuMicros: cpu.user + cpu.system - gcCpuMicros,
      gcCpuMicros,
      gcPauseMs,
      wallMs,
      peak,
      samples,
      gate: gateMemory,
      eventLoop: { maxMs: eld.max / 1e6, p99Ms: eld.percentile(99) / 1e6, meanMs: eld.mean / 1e6 },
    });
    expected = 0;
  } else if (message.type === "exit") {
    server.closeAllConnections();
    server.close();
    process.disconnect();
  }
});
process.on("disconnect", () => process.exit(0));
