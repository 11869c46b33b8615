// Entry point of the benchmark suite: runs every workload with every contender in one process, then the memory children, and reports.
// npm run bench           full counts, a few minutes
// npm run bench:quick     1/10–1/20 of the counts, well under a minute (CI runs it only to show it still runs)
// Options: --only=W1,W3   run some workloads only (figures and targets of the others are left out)
import { measureManyReaders, measureReadMemory } from "./children.js";
import { chunkedSource, joinBytes, type Contender, type PreparedContender } from "./contender.js";
import { CONTENDERS } from "./contenders.js";
import { fastestOf, interleavedFastest, throughput, type Throughput } from "./measure.js";
import { describeMachine, memoryTable, targetTable, throughputTable, writeResults, type BenchResults } from "./report.js";
import { evaluateTargets, type Linearity, type ReadMemoryResult } from "./targets.js";
import { WORKLOADS, chunkingLabel, makeItems, type Workload } from "./workloads.js";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
/** Rounds per measurement; the fastest counts. The first round doubles as JIT warm-up. */
const ROUNDS = quick ? 2 : 3;
const MANY_READERS = 10_000;
const LIBRARY = "streamtypes-msgpack";
const SKIPPED_AT_16_BYTES = new Set(["streamtypes-msgpack-novalidate", "streamtypes-json-novalidate"]);

const log = (text: string) => process.stderr.write(text + "\n");

/** What one wire format's encoding of the workload is: the stream bytes, or for the unframed baseline, each value's bytes. */
interface Encoded {
  bytes: Uint8Array;
  /** Raw baseline only: one element per value. */
  values?: Uint8Array[];
  byteLength: number;
}

interface WorkloadRun {
  rows: Throughput[];
  encoded: Map<string, Encoded>;
  items: unknown[];
  prepared: Map<string, PreparedContender>;
}

const wireKey = (c: Contender) => c.readsBytesOf ?? c.key;

async function runWorkload(w: Workload): Promise<WorkloadRun> {
  const count = quick ? w.quickCount : w.fullCount;
  log(`${w.id} ${w.title}: ${count.toLocaleString("en")} items`);
  const items = makeItems(w, count);
  const contenders = CONTENDERS.filter((c) => c.supports(w));
  const prepared = new Map(contenders.map((c) => [c.key, c.prepare(w)]));
  const rows: Throughput[] = [];

  // Each wire format is encoded once, untimed, for the reads; each write is then timed into a sink that only counts.
  const encoded = new Map<string, Encoded>();
  for (const c of contenders) {
    if (!c.writes || wireKey(c) !== c.key) continue;
    const pieces: Uint8Array[] = [];
    prepared.get(c.key)!.write(items, (p) => pieces.push(p));
    const byteLength = pieces.reduce((n, p) => n + p.length, 0);
    encoded.set(c.key, c.framed ? { bytes: joinBytes(pieces), byteLength } : { bytes: new Uint8Array(0), values: pieces, byteLength });
  }

  const writers = contenders.filter((c) => c.writes);
  let written = 0;
  const countBytes = (p: Uint8Array) => {
    written += p.length;
  };
  const writeTimes = await interleavedFastest(ROUNDS, new Map(writers.map((c) => [c.key, () => prepared.get(c.key)!.write(items, countBytes)])));
  for (const c of writers) {
    const bytes = encoded.get(wireKey(c))!.byteLength;
    rows.push(throughput({ workload: w.id, contender: c.key, label: c.label, op: "write", chunks: "-", items: count, bytes, seconds: writeTimes.get(c.key)! }));
  }
  if (written === 0) throw new Error("nothing written");

  const checkCount = (c: Contender, n: number) => {
    if (n !== count) throw new Error(`${c.key} read ${n} of ${count} ${w.id} items`);
  };
  const unframed = contenders.filter((c) => !c.framed);
  const unframedTimes = await interleavedFastest(
    ROUNDS,
    new Map(unframed.map((c) => [c.key, async () => checkCount(c, await prepared.get(c.key)!.read(encoded.get(c.key)!.values!))])),
  );
  for (const c of unframed) {
    const bytes = encoded.get(c.key)!.byteLength;
    rows.push(throughput({ workload: w.id, contender: c.key, label: c.label, op: "read", chunks: "values", items: count, bytes, seconds: unframedTimes.get(c.key)! }));
  }
  for (const chunking of w.chunkings) {
    // 16-byte chunks take 10–50× longer per item; the library's option variants add nothing there (the per-chunk cost dominates).
    const framed = contenders.filter((c) => c.framed && (chunking !== 16 || !SKIPPED_AT_16_BYTES.has(c.key)));
    const readTimes = await interleavedFastest(
      chunking === 16 ? Math.min(ROUNDS, 2) : ROUNDS,
      new Map(framed.map((c) => [c.key, async () => checkCount(c, await prepared.get(c.key)!.read(chunkedSource(encoded.get(wireKey(c))!.bytes, chunking)))])),
    );
    for (const c of framed) {
      const bytes = encoded.get(wireKey(c))!.byteLength;
      rows.push(throughput({ workload: w.id, contender: c.key, label: c.label, op: "read", chunks: chunkingLabel(chunking), items: count, bytes, seconds: readTimes.get(c.key)! }));
    }
  }
  return { rows, encoded, items, prepared };
}

/** Time for N and 10N items, library validated: reading 64 KiB chunks and writing. */
async function measureLinearity(w: Workload, run: WorkloadRun): Promise<Linearity[]> {
  const lib = run.prepared.get(LIBRARY)!;
  const all = run.items;
  const n = Math.floor(all.length / 10);
  const first = all.slice(0, n);
  const pieces: Uint8Array[] = [];
  lib.write(first, (p) => pieces.push(p));
  const bytesN = joinBytes(pieces);
  const bytes10N = run.encoded.get(LIBRARY)!.bytes;
  const sink = () => {};
  const readN = await fastestOf(ROUNDS + 1, () => lib.read(chunkedSource(bytesN, 65536)));
  const read10N = await fastestOf(ROUNDS, () => lib.read(chunkedSource(bytes10N, 65536)));
  const writeN = await fastestOf(ROUNDS + 1, () => lib.write(first, sink));
  const write10N = await fastestOf(ROUNDS, () => lib.write(all, sink));
  log(`${w.id} linearity: read ×${(read10N / readN).toFixed(2)}, write ×${(write10N / writeN).toFixed(2)}`);
  return [
    { op: "read", n, secondsN: readN, seconds10N: read10N, ratio: read10N / readN },
    { op: "write", n, secondsN: writeN, seconds10N: write10N, ratio: write10N / writeN },
  ];
}

async function readMemory(w: Workload, contender: string, bytes: Uint8Array): Promise<ReadMemoryResult> {
  const m = await measureReadMemory(w.id, contender, bytes);
  log(`${w.id} ${contender} peak RSS +${((m.peakRss - m.baselineRss) / 2 ** 20).toFixed(1)} MiB`);
  return { workload: w.id, contender, streamBytes: bytes.length, ...m };
}

async function main(): Promise<void> {
  const started = Date.now();
  const results: BenchResults = {
    date: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    machine: describeMachine(),
    counts: {},
    throughput: [],
    linearity: [],
    readMemory: [],
    manyReaders: undefined,
    targets: [],
  };
  for (const w of WORKLOADS) {
    if (only && !only.includes(w.id)) continue;
    results.counts[w.id] = quick ? w.quickCount : w.fullCount;
    let run: WorkloadRun | undefined = await runWorkload(w);
    results.throughput.push(...run.rows);
    if (w.id === "W1") {
      results.linearity.push(...(await measureLinearity(w, run)));
      results.readMemory.push(await readMemory(w, LIBRARY, run.encoded.get(LIBRARY)!.bytes));
      results.readMemory.push(await readMemory(w, "ndjson", run.encoded.get("ndjson")!.bytes));
    }
    if (w.id === "W4") {
      results.readMemory.push(await readMemory(w, LIBRARY, run.encoded.get(LIBRARY)!.bytes));
      results.readMemory.push(await readMemory(w, "lp-msgpackr", run.encoded.get("lp-msgpackr")!.bytes));
    }
    run = undefined; // let this workload's items and bytes go before the next one is generated
  }
  if (!only || only.includes("many")) {
    results.manyReaders = await measureManyReaders(MANY_READERS);
    log(`${MANY_READERS} readers: heap +${(results.manyReaders.heapUsedBytes / 2 ** 20).toFixed(1)} MiB`);
  }
  results.targets = evaluateTargets(results);

  const m = results.machine;
  console.log(`\nstreamtypes bench (${results.mode}) ${results.date} — Node ${m.node}, ${m.nproc} cores, ${m.cpu}, ${m.memory}\n`);
  console.log(throughputTable(results.throughput));
  console.log("\n" + memoryTable(results));
  console.log("\n" + targetTable(results.targets));
  const path = writeResults(results);
  console.log(`\n${results.targets.filter((t) => t.pass).length}/${results.targets.length} targets pass; results: ${path} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

await main();
