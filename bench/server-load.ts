// Server load: N concurrent streams over real HTTP on 127.0.0.1, streamtypes vs hand-written NDJSON, server in a child process.
// Run alone:  node --import tsx bench/server-load.ts [--streams=1000,5000] [--rounds=5] [--items=200] [--pace=immediate|timeout] [--quick]
// or through bench/fast-path.ts, which puts the 1,000-stream figures into its table.
//
// Each contender's server runs in its own child (server-load-child.ts), so process.cpuUsage(), process.memoryUsage()
// and the event-loop delay (perf_hooks.monitorEventLoopDelay) are the server's alone; the clients run here, in the
// parent, with node:http and an agent that allows every socket at once. A round opens all N streams at once,
// drains every body (counting bytes), checks that every stream arrived whole and decodes one of them fully.
// Rounds alternate between the contenders (A B, A B, …); the figures are medians over rounds. Everything is bounded
// in time (the whole run aborts after --timeout seconds, 120 by default) and every child is killed on the way out.
import { fork, type ChildProcess } from "node:child_process";
import { setMaxListeners } from "node:events";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { streamTypes } from "../src/index.js";
import { chunkedSource, joinBytes } from "./contender.js";
import { median } from "./measure.js";
import { markdownTable } from "./report.js";
import { FAST_PATH_W1 } from "./workloads.js";
import type { Memory } from "./server-load-child.js";

export type ServerContender = "streamtypes" | "ndjson";
export type Pace = "immediate" | "timeout";

export interface ServerLoadOptions {
  streams: number;
  items: number;
  rounds: number;
  pace: Pace;
  /** Abort everything after this long (ms). */
  timeoutMs: number;
  log?: (text: string) => void;
}

export interface ServerRound {
  contender: ServerContender;
  streams: number;
  items: number;
  wallMs: number;
  cpuMicros: number;
  cpuMicrosPerItem: number;
  /** (peak of heapUsed + external) − the idle value, per stream; arrayBuffers are inside external. */
  peakBytesPerStream: number;
  /** At the half-way gate (all streams open), after a forced GC, minus idle, per stream: what a stream holds. */
  heldBytesPerStream: number;
  peak: Memory;
  idle: Memory;
  eventLoopMaxMs: number;
  eventLoopP99Ms: number;
  bodyBytes: number;
}

export interface ServerLoadResult {
  streams: number;
  items: number;
  pace: Pace;
  rounds: ServerRound[];
  /** Medians per contender. */
  summary: Record<ServerContender, { cpuMicrosPerItem: number; peakBytesPerStream: number; heldBytesPerStream: number; eventLoopMaxMs: number; eventLoopP99Ms: number; eventLoopWorstMs: number; wallMs: number; bodyBytes: number }>;
}

const CHILD = fileURLToPath(new URL("server-load-child.ts", import.meta.url));
const CONTENDERS: readonly ServerContender[] = ["streamtypes", "ndjson"];

interface ChildReport {
  type: "report";
  served: number;
  failed: number;
  cpuMicros: number;
  wallMs: number;
  peak: Memory;
  gate?: { before: Memory; afterGc: Memory };
  eventLoop: { maxMs: number; p99Ms: number; meanMs: number };
}

class ServerChild {
  private waiters: ((m: any) => void)[] = [];
  constructor(
    readonly proc: ChildProcess,
    readonly port: number,
  ) {
    proc.on("message", (m) => this.waiters.shift()?.(m));
  }
  static start(contender: ServerContender, items: number, pace: Pace): Promise<ServerChild> {
    // SERVER_LOAD_CPU_PROF=<dir>: each child writes a V8 CPU profile into <dir>/<contender> (summarise with bench/profile.ts's summarizeProfile).
    const profileDir = process.env.SERVER_LOAD_CPU_PROF;
    const profile = profileDir !== undefined ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}/${contender}`] : [];
    const proc = fork(CHILD, [contender, String(items), pace], { execArgv: ["--expose-gc", ...profile, "--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return new Promise((resolve, reject) => {
      proc.once("error", reject);
      proc.once("exit", (code) => reject(new Error(`server child (${contender}) exited with ${code} before it was ready`)));
      proc.once("message", (m: { type: string; port: number }) => resolve(new ServerChild(proc, m.port)));
    });
  }
  ask<T>(message: object): Promise<T> {
    return new Promise((resolve, reject) => {
      this.waiters.push(resolve);
      this.proc.send(message, (err) => err && reject(err));
    });
  }
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
  }
}

/** One stream's body, drained; the bytes are kept only when `keep` (for the one stream decoded to check it). */
function getStream(agent: Agent, port: number, keep: boolean, signal: AbortSignal): Promise<{ bytes: number; body?: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/stream", agent, signal }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`status ${res.statusCode}`));
      }
      let bytes = 0;
      const parts: Uint8Array[] = [];
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (keep) parts.push(chunk);
      });
      res.on("end", () => resolve({ bytes, body: keep ? joinBytes(parts) : undefined }));
      res.on("error", reject);
      res.on("aborted", () => reject(new Error("response aborted")));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Decodes one whole body: header, every item, footer; throws unless it is complete and valid. */
async function checkBody(contender: ServerContender, body: Uint8Array, items: number): Promise<void> {
  const w = FAST_PATH_W1;
  if (contender === "streamtypes") {
    const reader = streamTypes(w.item, w.header, w.footer).reader(chunkedSource(body, 65536));
    await reader.readHeader();
    let n = 0;
    for await (const _ of reader.readItems()) n++;
    const footer = (await reader.readFooter()) as { count: number };
    if (n !== items || footer.count !== items) throw new Error(`streamtypes body: ${n} items, footer ${footer.count}`);
  } else {
    const lines = new TextDecoder().decode(body).split("\n");
    if (lines.pop() !== "" || lines.length !== items + 2) throw new Error(`ndjson body: ${lines.length} lines`);
    for (const line of lines) JSON.parse(line);
    if ((JSON.parse(lines[lines.length - 1]!) as { count: number }).count !== items) throw new Error("ndjson footer");
  }
}

async function oneRound(child: ServerChild, contender: ServerContender, opts: ServerLoadOptions, signal: AbortSignal): Promise<ServerRound> {
  const { memory: idle } = await child.ask<{ memory: Memory }>({ type: "idle" });
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity, maxTotalSockets: Infinity });
  try {
    await child.ask({ type: "start", streams: opts.streams });
    const started = performance.now();
    const bodies = await Promise.all(Array.from({ length: opts.streams }, (_, i) => getStream(agent, child.port, i === 0, signal)));
    const wallMs = performance.now() - started;
    const report = await child.ask<ChildReport>({ type: "stop" });
    const lengths = new Set(bodies.map((b) => b.bytes));
    if (lengths.size !== 1) throw new Error(`${contender}: streams of different lengths: ${[...lengths].slice(0, 5).join(", ")}`);
    if (report.failed > 0 || report.served !== opts.streams) throw new Error(`${contender}: served ${report.served}, failed ${report.failed} of ${opts.streams}`);
    if (report.gate === undefined) throw new Error(`${contender}: the half-way gate never opened`);
    await checkBody(contender, bodies[0]!.body!, opts.items);
    const total = (m: Memory) => m.heapUsed + m.external;
    return {
      contender,
      streams: opts.streams,
      items: opts.items,
      wallMs,
      cpuMicros: report.cpuMicros,
      cpuMicrosPerItem: report.cpuMicros / (opts.streams * opts.items),
      peakBytesPerStream: (total(report.peak) - total(idle)) / opts.streams,
      heldBytesPerStream: (total(report.gate.afterGc) - total(idle)) / opts.streams,
      peak: report.peak,
      idle,
      eventLoopMaxMs: report.eventLoop.maxMs,
      eventLoopP99Ms: report.eventLoop.p99Ms,
      bodyBytes: [...lengths][0]!,
    };
  } finally {
    agent.destroy();
  }
}

/** Runs the rounds for one stream count; one warm-up round per contender (a tenth of the streams) is not counted. */
export async function runServerLoad(opts: ServerLoadOptions): Promise<ServerLoadResult> {
  const log = opts.log ?? ((t: string) => process.stderr.write(t + "\n"));
  const abort = new AbortController();
  setMaxListeners(Infinity, abort.signal); // every request of a round listens to it
  const children: ServerChild[] = [];
  const timer = setTimeout(() => abort.abort(new Error(`server load: aborted after ${opts.timeoutMs / 1000} s`)), opts.timeoutMs);
  const aborted = new Promise<never>((_, reject) => abort.signal.addEventListener("abort", () => reject(abort.signal.reason), { once: true }));
  aborted.catch(() => {});
  try {
    const run = async (): Promise<ServerRound[]> => {
      const byContender = new Map<ServerContender, ServerChild>();
      for (const c of CONTENDERS) {
        const child = await ServerChild.start(c, opts.items, opts.pace);
        children.push(child);
        byContender.set(c, child);
      }
      for (const c of CONTENDERS) await oneRound(byContender.get(c)!, c, { ...opts, streams: Math.max(10, Math.floor(opts.streams / 10)) }, abort.signal);
      const rounds: ServerRound[] = [];
      for (let r = 0; r < opts.rounds; r++) {
        for (const c of CONTENDERS) {
          const round = await oneRound(byContender.get(c)!, c, opts, abort.signal);
          rounds.push(round);
          log(
            `  server load ${opts.streams} streams, round ${r + 1}/${opts.rounds}, ${c}: ${round.cpuMicrosPerItem.toFixed(2)} µs CPU/item, ` +
              `peak ${(round.peakBytesPerStream / 1024).toFixed(1)} KiB/stream, held ${(round.heldBytesPerStream / 1024).toFixed(1)} KiB/stream, ` +
              `worst stall ${round.eventLoopMaxMs.toFixed(0)} ms, ${(round.wallMs / 1000).toFixed(1)} s`,
          );
        }
      }
      return rounds;
    };
    const rounds = await Promise.race([run(), aborted]);
    const summary = {} as ServerLoadResult["summary"];
    for (const c of CONTENDERS) {
      const mine = rounds.filter((r) => r.contender === c);
      summary[c] = {
        cpuMicrosPerItem: median(mine.map((r) => r.cpuMicrosPerItem)),
        peakBytesPerStream: median(mine.map((r) => r.peakBytesPerStream)),
        heldBytesPerStream: median(mine.map((r) => r.heldBytesPerStream)),
        eventLoopMaxMs: median(mine.map((r) => r.eventLoopMaxMs)),
        eventLoopP99Ms: median(mine.map((r) => r.eventLoopP99Ms)),
        eventLoopWorstMs: Math.max(...mine.map((r) => r.eventLoopMaxMs)),
        wallMs: median(mine.map((r) => r.wallMs)),
        bodyBytes: mine[0]!.bodyBytes,
      };
    }
    return { streams: opts.streams, items: opts.items, pace: opts.pace, rounds, summary };
  } finally {
    clearTimeout(timer);
    for (const child of children) {
      child.proc.send({ type: "exit" }, () => {});
      // A profiled child writes its profile as it exits: give it a moment before the kill.
      if (process.env.SERVER_LOAD_CPU_PROF !== undefined) await new Promise((resolve) => setTimeout(resolve, 3000));
      child.kill();
    }
  }
}

const KiB = 1024;

/** The per-stream-count table: one row per contender, medians over rounds. */
export function serverLoadTable(results: readonly ServerLoadResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const c of CONTENDERS) {
      const s = r.summary[c];
      rows.push([
        r.streams.toLocaleString("en"),
        c === "streamtypes" ? "streamtypes (toResponse + sendResponse)" : "hand-written NDJSON (res.write)",
        s.cpuMicrosPerItem.toFixed(2),
        (s.peakBytesPerStream / KiB).toFixed(1),
        (s.heldBytesPerStream / KiB).toFixed(1),
        `${s.eventLoopMaxMs.toFixed(0)} (${s.eventLoopWorstMs.toFixed(0)})`,
        (s.wallMs / 1000).toFixed(2),
        String(s.bodyBytes),
      ]);
    }
    const a = r.summary.streamtypes;
    const b = r.summary.ndjson;
    rows.push([
      "",
      "ratio streamtypes ÷ NDJSON",
      (a.cpuMicrosPerItem / b.cpuMicrosPerItem).toFixed(2) + "×",
      (a.peakBytesPerStream / b.peakBytesPerStream).toFixed(2) + "×",
      (a.heldBytesPerStream / b.heldBytesPerStream).toFixed(2) + "×",
      (a.eventLoopMaxMs / b.eventLoopMaxMs).toFixed(2) + "×",
      (a.wallMs / b.wallMs).toFixed(2) + "×",
      (a.bodyBytes / b.bodyBytes).toFixed(2) + "×",
    ]);
  }
  return markdownTable(
    ["streams", "server", "CPU µs/item", "peak KiB/stream", "held KiB/stream", "worst stall ms (max)", "wall s", "body B"],
    rows,
    [2, 3, 4, 5, 6, 7],
  );
}

/** What the figures mean; printed under the table. */
export const SERVER_LOAD_NOTES = [
  "CPU µs/item: the server child's process.cpuUsage() (user + system) from the first request to the last byte, ÷ (streams × items); HTTP parsing and socket work included; the benchmark's forced GC excluded.",
  "peak KiB/stream: max over samples (every 5 ms and at the half-way point) of heapUsed + external (arrayBuffers are part of external) − the idle value after a forced GC, ÷ streams. Includes garbage not yet collected.",
  "held KiB/stream: the same at the half-way point, when every stream is open and paused, after a forced GC: what an open stream keeps alive.",
  "worst stall: monitorEventLoopDelay (10 ms resolution) max; median over rounds, and in brackets the worst round.",
].join("\n");

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

// Run directly (not imported, nor bundled into fast-path.ts --bundled, where import.meta.url is the bundle's).
if (process.argv[1]?.endsWith("/server-load.ts")) {
  const quick = process.argv.includes("--quick");
  const counts = (arg("streams") ?? (quick ? "200" : "1000")).split(",").map(Number);
  const rounds = Number(arg("rounds") ?? (quick ? 3 : 5));
  const items = Number(arg("items") ?? 200);
  const pace = (arg("pace") ?? "immediate") as Pace;
  const timeoutMs = Number(arg("timeout") ?? 120) * 1000;
  const results: ServerLoadResult[] = [];
  for (const streams of counts) {
    process.stderr.write(`server load: ${streams} streams × ${items} items, pace ${pace}, ${rounds} rounds per contender\n`);
    results.push(await runServerLoad({ streams, items, rounds, pace, timeoutMs }));
  }
  console.log(`\nserver load — ${items} W1 items per stream, pace "${pace}", medians of ${rounds} rounds, Node ${process.version}\n`);
  console.log(serverLoadTable(results));
  console.log("\n" + SERVER_LOAD_NOTES);
}
