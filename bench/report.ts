// Output of a run: the printed tables, the machine description, and the JSON result file under bench/results/.
import { execSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import type { ManyReadersMemory } from "./children.js";
import type { Throughput } from "./measure.js";
import type { Linearity, ReadMemoryResult, TargetResult } from "./targets.js";

export interface Machine {
  node: string;
  nproc: number;
  cpu: string;
  memory: string;
}

export interface BenchResults {
  date: string;
  mode: "full" | "quick";
  machine: Machine;
  counts: Record<string, number>;
  throughput: Throughput[];
  linearity: Linearity[];
  readMemory: ReadMemoryResult[];
  manyReaders: ManyReadersMemory | undefined;
  targets: TargetResult[];
}

export function describeMachine(): Machine {
  let cpu = "unknown";
  try {
    cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  let memory = `${(totalmem() / 2 ** 30).toFixed(1)} GiB total`;
  try {
    // `free -h`'s Mem: line, e.g. "Mem: 23Gi 784Mi 22Gi …": total, used, free.
    const line = execSync("free -h", { encoding: "utf8" }).split("\n").find((l) => l.startsWith("Mem:"));
    if (line) {
      const [, total, used, free] = line.split(/\s+/);
      memory = `${total} total, ${used} used, ${free} free (free -h)`;
    }
  } catch {
    // no free(1)
  }
  return { node: process.version, nproc: availableParallelism(), cpu, memory };
}

function si(n: number): string {
  if (n >= 1e9) return (n / 1e9).toFixed(2) + " G";
  if (n >= 1e6) return (n / 1e6).toFixed(2) + " M";
  if (n >= 1e3) return (n / 1e3).toFixed(1) + " k";
  return n.toFixed(1);
}

/** A plain Markdown table: readable in a terminal and pasteable into RESULTS.md as is. */
export function markdownTable(head: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly number[] = []): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const cell = (text: string, i: number) => (rightAligned.includes(i) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (rightAligned.includes(i) ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|")}|`;
  return [line(head), rule, ...rows.map(line)].join("\n");
}

export function throughputTable(rows: readonly Throughput[]): string {
  return markdownTable(
    ["Workload", "Op", "Chunks", "Contender", "items/s", "MB/s", "B/item", "ms"],
    rows.map((r) => [r.workload, r.op, r.chunks, r.label, si(r.itemsPerSec), r.mbPerSec.toFixed(1), r.bytesPerItem.toFixed(1), (r.seconds * 1000).toFixed(1)]),
    [4, 5, 6, 7],
  );
}

const MiB = 1024 * 1024;

export function memoryTable(results: BenchResults): string {
  const rows: string[][] = [];
  for (const m of results.readMemory) {
    rows.push([
      `peak memory reading ${m.workload} (${(m.streamBytes / MiB).toFixed(0)} MiB via pipe), ${m.contender}`,
      `RSS +${((m.peakRss - m.baselineRss) / MiB).toFixed(1)} MiB (baseline ${(m.baselineRss / MiB).toFixed(0)}); heap +${((m.peakHeapUsed - m.baselineHeapUsed) / MiB).toFixed(1)} MiB; array buffers +${((m.peakArrayBuffers - m.baselineArrayBuffers) / MiB).toFixed(1)} MiB; ${m.ms.toFixed(0)} ms`,
    ]);
  }
  for (const l of results.linearity) {
    rows.push([`W1 ${l.op}, N = ${l.n} vs 10N`, `${(l.secondsN * 1000).toFixed(1)} ms vs ${(l.seconds10N * 1000).toFixed(1)} ms: ×${l.ratio.toFixed(2)}`]);
  }
  const many = results.manyReaders;
  if (many) {
    rows.push([
      `${many.readers} W1 readers open mid-stream`,
      `heap +${(many.heapUsedBytes / MiB).toFixed(1)} MiB (${(many.heapUsedBytes / many.readers / 1024).toFixed(2)} KiB each); array buffers +${(many.arrayBuffersBytes / MiB).toFixed(1)} MiB; RSS +${(many.rssBytes / MiB).toFixed(0)} MiB`,
    ]);
  }
  return markdownTable(["Figure", "Measured"], rows);
}

export function targetTable(targets: readonly TargetResult[]): string {
  return markdownTable(
    ["#", "Target", "Measured", "Must be", "Result", "From"],
    targets.map((t) => [t.id, t.target, Number.isNaN(t.measured) ? "—" : `${t.measured.toFixed(2)} ${t.unit}`, `${t.must} ${t.limit} ${t.unit}`, t.pass ? "PASS" : "MISS", t.from]),
  );
}

/** Writes the results as JSON under bench/results/ and returns the file's path. */
export function writeResults(results: BenchResults): string {
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const stamp = results.date.replace(/[:.]/g, "-");
  const path = `${dir}bench-${results.mode}-${stamp}.json`;
  writeFileSync(path, JSON.stringify(results, null, 2) + "\n");
  return path;
}
