// `npm run fuzz`: reads ≥1,000,000 mutated, truncated and rechunked streams, shared evenly among the formats of
// test/formats.ts (one run per format, so that each has its own heap figure), and reports every outcome; CI runs a
// short one in test/fuzz.test.ts. Each input is held to the oracles of fuzz-core.ts (checkOutcome); a wrong one fails.
// Options: --count N (default 1000000, in all)  --seed S (default FUZZ_SEED, else a new one, printed)  --time-bound MS (default 5000)
//          --format NAME[,NAME] (default every format)  --replay FILE (rerun one saved input)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fileURLToPath } from "node:url";
import { FORMAT_NAMES, caseFromJson, caseToJson, runCase, runFuzz, type FuzzReport } from "./fuzz-core.js";

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

/** A full garbage collection between formats, so that each format's heap peak starts from what is live (`--expose-gc` at run time). */
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

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
  const seed = number("seed", process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31));
  const formats = option("format")?.split(",") ?? FORMAT_NAMES;
  mkdirSync(resultsDir, { recursive: true });
  const saved: string[] = [];
  const reports: [string, FuzzReport][] = [];
  log(`fuzzing ${count} inputs (${formats.join(", ")}), seed ${seed} (rerun with --seed ${seed}), time bound ${timeBoundMs} ms`);
  for (const [i, format] of formats.entries()) {
    // the count shared out evenly, the remainder to the first formats
    const share = Math.floor(count / formats.length) + (i < count % formats.length ? 1 : 0);
    log(`${format}: ${share} inputs`);
    collect();
    const report = await runFuzz({
      count: share,
      seed,
      timeBoundMs,
      formats: [format],
      progressEvery: 50_000,
      onProgress: (_, r) => log(`  ${summary(r)}; heap peak ${mib(r.peakHeapBytes)}`),
      onFailure: (c, outcome) => {
        const file = join(resultsDir, `fuzz-failure-seed${seed}-${format}-${saved.length + 1}.json`);
        writeFileSync(file, caseToJson(c, outcome));
        saved.push(file);
        log(`  ${outcome.wrong ? `WRONG (${outcome.wrong})` : outcome.result.toUpperCase()}: ${c.definition}, ${c.mutation}: saved to ${file}`);
      },
    });
    const slow = report.slowest;
    if (slow.case) {
      const file = join(resultsDir, `fuzz-slowest-seed${seed}-${format}.json`);
      writeFileSync(file, caseToJson(slow.case));
      saved.push(file);
    }
    reports.push([format, report]);
  }
  const total = (pick: (r: FuzzReport) => number) => reports.reduce((n, [, r]) => n + pick(r), 0);
  const codes = [...new Set(reports.flatMap(([, r]) => Object.keys(r.outcomes)))].sort((a, b) => total((r) => r.outcomes[b] ?? 0) - total((r) => r.outcomes[a] ?? 0));
  const lines = [
    `fuzz ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} ×${cpus().length}, ${mib(totalmem())} RAM`,
    `seed ${seed}, time bound ${timeBoundMs} ms per input`,
    "",
    `| format | inputs | ${codes.join(" | ")} | escaped | hung | wrong | peak heap | slowest | time |`,
    `|---|--:|${codes.map(() => "--:|").join("")}--:|--:|--:|--:|--:|--:|`,
    ...reports.map(
      ([format, r]) =>
        `| ${format} | ${r.tried} | ${codes.map((c) => r.outcomes[c] ?? 0).join(" | ")} | ${r.outcomes.escaped ?? 0} | ${r.outcomes.hung ?? 0} | ${r.wrong} | ${mib(r.peakHeapBytes)} | ${r.slowest.ms.toFixed(1)} ms | ${(r.elapsedMs / 1000).toFixed(1)} s |`,
    ),
    `| all | ${total((r) => r.tried)} | ${codes.map((c) => total((r) => r.outcomes[c] ?? 0)).join(" | ")} | ${total((r) => r.outcomes.escaped ?? 0)} | ${total((r) => r.outcomes.hung ?? 0)} | ${total((r) => r.wrong)} | ${mib(Math.max(...reports.map(([, r]) => r.peakHeapBytes)))} | ${Math.max(...reports.map(([, r]) => r.slowest.ms)).toFixed(1)} ms | ${(total((r) => r.elapsedMs) / 1000).toFixed(1)} s |`,
    "",
    ...reports.map(([format, r]) => `${format}: inputs by mutation: ${Object.entries(r.mutations).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ")}; items delivered ${r.itemsDelivered}; slowest ${r.slowest.case?.definition}, ${r.slowest.case?.mutation}, ${r.slowest.case?.bytes.length} bytes, ${(r.slowest.case?.cuts.length ?? 0) + 1} chunks → ${r.slowest.result}`),
    "",
    `anything but StreamError thrown: ${total((r) => r.outcomes.escaped ?? 0)}; hung: ${total((r) => r.outcomes.hung ?? 0)}; wrong by the oracles: ${total((r) => r.wrong)} of ${total((r) => r.checked)} inputs with a known outcome, plus every value delivered checked against its schema`,
    ...(saved.length ? [`saved for replay (npm run fuzz -- --replay FILE): ${saved.join(", ")}`] : []),
  ];
  console.log(lines.join("\n"));
  writeFileSync(
    join(resultsDir, `fuzz-seed${seed}.json`),
    JSON.stringify(Object.fromEntries(reports.map(([format, r]) => [format, { ...r, failures: r.failures.length, slowest: { ms: r.slowest.ms, result: r.slowest.result } }])), null, 2),
  );
  process.exitCode = reports.some(([, r]) => r.failures.length > 0) ? 1 : 0;
}

await main();
