// `npm run fuzz`: reads ≥1,000,000 mutated, truncated and rechunked streams and reports every outcome; not part of CI.
// Options: --count N (default 1000000)  --seed S (default 1)  --time-bound MS (default 5000)  --replay FILE (rerun one saved input)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { caseFromJson, caseToJson, runCase, runFuzz, type FuzzReport } from "./fuzz-core.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function number(name: string, fallback: number): number {
  const text = option(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${text}`);
  return n;
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
const log = (text: string) => process.stderr.write(text + "\n");
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1) + " MiB";

function summary(report: FuzzReport): string {
  const outcomes = Object.entries(report.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return `${report.tried} inputs in ${(report.elapsedMs / 1000).toFixed(1)} s: ${outcomes}`;
}

async function main(): Promise<void> {
  const replay = option("replay");
  const timeBoundMs = number("time-bound", 5000);
  if (replay !== undefined) {
    const c = caseFromJson(readFileSync(replay, "utf8"));
    const outcome = await runCase(c, timeBoundMs);
    console.log(`${c.definition} (${c.mutation}, ${c.bytes.length} bytes, ${c.cuts.length + 1} chunks, ${c.source}): ${outcome.result} after ${outcome.items} items in ${outcome.ms.toFixed(1)} ms`);
    if (outcome.error !== undefined) console.log(outcome.error);
    process.exitCode = outcome.result === "escaped" || outcome.result === "hung" ? 1 : 0;
    return;
  }
  const count = number("count", 1_000_000);
  const seed = number("seed", 1);
  mkdirSync(resultsDir, { recursive: true });
  const saved: string[] = [];
  log(`fuzzing ${count} inputs, seed ${seed}, time bound ${timeBoundMs} ms`);
  const report = await runFuzz({
    count,
    seed,
    timeBoundMs,
    progressEvery: 50_000,
    onProgress: (_, r) => log(`  ${summary(r)}; heap peak ${mib(r.peakHeapBytes)}`),
    onFailure: (c, outcome) => {
      const file = join(resultsDir, `fuzz-failure-seed${seed}-${saved.length + 1}.json`);
      writeFileSync(file, caseToJson(c, outcome));
      saved.push(file);
      log(`  ${outcome.result.toUpperCase()}: ${c.definition}, ${c.mutation}: saved to ${file}`);
    },
  });
  const slow = report.slowest;
  if (slow.case) {
    const file = join(resultsDir, `fuzz-slowest-seed${seed}.json`);
    writeFileSync(file, caseToJson(slow.case));
    saved.push(file);
  }
  const lines = [
    `fuzz ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} ×${cpus().length}, ${mib(totalmem())} RAM`,
    `seed ${seed}, time bound ${timeBoundMs} ms per input`,
    summary(report),
    `items delivered before the end or the error: ${report.itemsDelivered}`,
    `inputs by mutation: ${Object.entries(report.mutations).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `anything but StreamError thrown: ${report.outcomes.escaped ?? 0}; hung: ${report.outcomes.hung ?? 0}`,
    `slowest input: ${slow.ms.toFixed(1)} ms (${slow.case?.definition}, ${slow.case?.mutation}, ${slow.case?.bytes.length} bytes, ${(slow.case?.cuts.length ?? 0) + 1} chunks → ${slow.result})`,
    `peak heap used: ${mib(report.peakHeapBytes)}`,
    ...(saved.length ? [`saved for replay (npm run fuzz -- --replay FILE): ${saved.join(", ")}`] : []),
  ];
  console.log(lines.join("\n"));
  writeFileSync(join(resultsDir, `fuzz-seed${seed}.json`), JSON.stringify({ ...report, failures: report.failures.length, slowest: { ms: slow.ms, result: slow.result } }, null, 2));
  process.exitCode = report.failures.length > 0 ? 1 : 0;
}

await main();
