// CPU profile of the library's fast path on the fast-path W1 (200,000 items, 64 KiB chunks), summarised as top self time.
// node --import tsx bench/profile.ts [read|batches|write|read16] [--passes=10] [--top=25]
//
// One warm-up pass, then --passes passes of the one operation under V8's CPU profiler (the one --cpu-prof uses, started
// through node:inspector around the passes only, so that start-up, item generation and the warm-up are left out;
// 250 µs sampling). Writes the .cpuprofile to bench/results/profiles/ and prints the functions with the most self
// time, then the files. Sources run through tsx, so src/ paths are the TypeScript files (line numbers are tsx's output's).
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { fileURLToPath } from "node:url";
import { streamTypes } from "../src/index.js";
import { chunkedSource } from "./contender.js";
import { libraryBytes, libraryRead, libraryWrite } from "./fast-path-contenders.js";
import { markdownTable } from "./report.js";
import { FAST_PATH_W1, makeItems } from "./workloads.js";

type Mode = "read" | "batches" | "write" | "read16";
const MODES: readonly Mode[] = ["read", "batches", "write", "read16"];
const args = process.argv.slice(2);
const mode = (args.find((a) => MODES.includes(a as Mode)) ?? "read") as Mode;
const passes = Number(args.find((a) => a.startsWith("--passes="))?.slice(9) ?? (mode === "read16" ? 2 : 10));
const top = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 25);
const PROFILE_DIR = fileURLToPath(new URL("results/profiles/", import.meta.url));

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self time per function (name + file:line) and per file, in ms and % of all sampled time. */
export function summarizeProfile(profile: CpuProfile, limit = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the time until the next sample to sample i.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
  }
  let total = 0;
  for (const t of self.values()) total += t;
  const root = new URL("../", import.meta.url).href;
  const where = (url: string) => url.replace(root, "").replace(/^file:\/\//, "").replace(/.*node_modules\//, "") || "(native)";
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, t] of self) {
    const frame = byId.get(id)!.callFrame;
    const file = where(frame.url);
    const line = frame.url && frame.lineNumber > 0 ? `:${frame.lineNumber + 1}` : "";
    const key = `${frame.functionName || "(anonymous)"}\t${frame.url ? file + line : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + t);
    const fileKey = frame.url ? file : frame.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + t);
  }
  const pct = (t: number) => ((t / total) * 100).toFixed(1) + " %";
  const ms = (t: number) => (t / 1000).toFixed(0);
  const fnRows = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, t]) => [...k.split("\t"), ms(t), pct(t)]);
  const fileRows = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, t]) => [k, ms(t), pct(t)]);
  return (
    `${(total / 1000).toFixed(0)} ms sampled\n\n` +
    markdownTable(["function", "where", "self ms", "self %"], fnRows, [2, 3]) +
    "\n\n" +
    markdownTable(["file (or V8 category)", "self ms", "self %"], fileRows, [1, 2])
  );
}

/** V8's CPU profiler (what --cpu-prof uses) through node:inspector, around `fn` only. */
async function profiled(fn: () => Promise<void>): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 250 });
  await post("Profiler.start");
  try {
    await fn();
    const { profile } = (await post("Profiler.stop")) as { profile: CpuProfile };
    return profile;
  } finally {
    session.disconnect();
  }
}

const w = FAST_PATH_W1;
const items = makeItems(w, w.fullCount);
const types = streamTypes(w.item, w.header, w.footer);
const stream = libraryBytes(types, w, items);
const once = async () => {
  if (mode === "write") return libraryWrite(types, w, items);
  return libraryRead(types, w, chunkedSource(stream, mode === "read16" ? 16 : 65536), mode === "batches");
};
await once(); // warm-up, not profiled
let ms = 0;
const profile = await profiled(async () => {
  const started = performance.now();
  for (let i = 0; i < passes; i++) await once();
  ms = (performance.now() - started) / passes;
});
mkdirSync(PROFILE_DIR, { recursive: true });
const file = `${PROFILE_DIR}${mode}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`;
writeFileSync(file, JSON.stringify(profile));
console.log(`\n${mode}: ${passes} passes of ${w.fullCount.toLocaleString("en")} W1 items, ${ms.toFixed(1)} ms per pass = ${((ms / w.fullCount) * 1e6).toFixed(0)} ns/item under the profiler`);
console.log(`profile: ${file.replace(fileURLToPath(new URL("../", import.meta.url)), "")} (open in Chrome DevTools or speedscope)`);
console.log(summarizeProfile(profile, top));
