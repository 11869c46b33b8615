// The performance targets of issue 6, each computed as a ratio (or absolute figure) from one run's results; a target
// whose inputs the run lacks is a MISS ("not measured"), never left out of the table.
import type { ManyReadersMemory, ReadMemory } from "./children.js";
import type { Throughput } from "./measure.js";

export interface Linearity {
  op: "read" | "write";
  n: number;
  secondsN: number;
  seconds10N: number;
  ratio: number;
}

export interface ReadMemoryResult extends ReadMemory {
  workload: string;
  contender: string;
  streamBytes: number;
}

export interface TargetResult {
  id: string;
  target: string;
  /** NaN when the run lacks the figures it is computed from (then `pass` is false and `from` says what is missing). */
  measured: number;
  unit: string;
  limit: number;
  /** ">=": measured must be at least the limit; "<=": at most. */
  must: ">=" | "<=";
  pass: boolean;
  /** The figures the ratio came from. */
  from: string;
}

export interface TargetInputs {
  throughput: readonly Throughput[];
  linearity: readonly Linearity[];
  readMemory: readonly ReadMemoryResult[];
  manyReaders: ManyReadersMemory | undefined;
}

const MiB = 1024 * 1024;
const LIB = "streamtypes-msgpack";

function row(rows: readonly Throughput[], workload: string, contender: string, op: "read" | "write", chunks: string): Throughput | undefined {
  return rows.find((r) => r.workload === workload && r.contender === contender && r.op === op && r.chunks === chunks);
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const rate = (r: Throughput) => `${(r.itemsPerSec / 1e6).toFixed(2)} M items/s`;

export function evaluateTargets(input: TargetInputs): TargetResult[] {
  const out: TargetResult[] = [];
  const add = (id: string, target: string, measured: number | undefined, unit: string, must: ">=" | "<=", limit: number, from: string) => {
    if (measured === undefined || !Number.isFinite(measured)) {
      out.push({ id, target, measured: NaN, unit, must, limit, pass: false, from: `not measured: ${from}` });
      return;
    }
    out.push({ id, target, measured, unit, must, limit, pass: must === ">=" ? measured >= limit : measured <= limit, from });
  };
  /** The rows a target is computed from, or the names of those the run lacks. */
  const missing = (inputs: Record<string, unknown>) => {
    const absent = Object.entries(inputs).filter(([, v]) => v === undefined).map(([name]) => name);
    return absent.length ? `no ${absent.join(", no ")} in this run` : undefined;
  };
  const t = input.throughput;

  const libRead = row(t, "W1", LIB, "read", "64 KiB");
  const rawRead = row(t, "W1", "raw-msgpackr", "read", "values");
  const T1 = "W1 read, validated, 64 KiB chunks ÷ raw msgpackr unpack";
  const noT1 = missing({ "W1 streamtypes read (64 KiB)": libRead, "W1 raw msgpackr read": rawRead });
  if (libRead && rawRead) add("T1", T1, libRead.itemsPerSec / rawRead.itemsPerSec, "×", ">=", 0.8, `${rate(libRead)} vs ${rate(rawRead)}`);
  else add("T1", T1, undefined, "×", ">=", 0.8, noT1!);
  const libWrite = row(t, "W1", LIB, "write", "-");
  const rawWrite = row(t, "W1", "raw-msgpackr", "write", "-");
  const T2 = "W1 write, validated ÷ raw msgpackr pack";
  if (libWrite && rawWrite) add("T2", T2, libWrite.itemsPerSec / rawWrite.itemsPerSec, "×", ">=", 0.9, `${rate(libWrite)} vs ${rate(rawWrite)}`);
  else add("T2", T2, undefined, "×", ">=", 0.9, missing({ "W1 streamtypes write": libWrite, "W1 raw msgpackr write": rawWrite })!);
  const ndRead = row(t, "W1", "ndjson", "read", "64 KiB");
  const T3 = "W1 read, validated, 64 KiB ÷ NDJSON validated, 64 KiB";
  if (libRead && ndRead) add("T3", T3, libRead.itemsPerSec / ndRead.itemsPerSec, "×", ">=", 1.0, `${rate(libRead)} vs ${rate(ndRead)}`);
  else add("T3", T3, undefined, "×", ">=", 1.0, missing({ "W1 streamtypes read (64 KiB)": libRead, "W1 NDJSON read": ndRead })!);
  const ndWrite = row(t, "W1", "ndjson", "write", "-");
  const T4 = "W1 bytes/item ÷ NDJSON bytes/item";
  if (libWrite && ndWrite) add("T4", T4, libWrite.bytesPerItem / ndWrite.bytesPerItem, "×", "<=", 0.7, `${libWrite.bytesPerItem.toFixed(1)} B vs ${ndWrite.bytesPerItem.toFixed(1)} B`);
  else add("T4", T4, undefined, "×", "<=", 0.7, missing({ "W1 streamtypes write": libWrite, "W1 NDJSON write": ndWrite })!);
  const w2Small = row(t, "W2", LIB, "read", "16 B");
  const w2Large = row(t, "W2", LIB, "read", "64 KiB");
  const T5 = "W2 read, 16-byte chunks ÷ 64 KiB chunks";
  if (w2Small && w2Large) add("T5", T5, w2Small.itemsPerSec / w2Large.itemsPerSec, "×", ">=", 0.5, `${rate(w2Small)} vs ${rate(w2Large)}`);
  else add("T5", T5, undefined, "×", ">=", 0.5, missing({ "W2 read in 16-byte chunks": w2Small, "W2 read in 64 KiB chunks": w2Large })!);
  for (const op of ["read", "write"] as const) {
    if (!input.linearity.some((lin) => lin.op === op)) add(op === "read" ? "T6r" : "T6w", `W1 ${op} time, 10N ÷ N items`, undefined, "×", "<=", 11, `no W1 ${op} linearity run`);
  }
  for (const lin of input.linearity) {
    add(
      lin.op === "read" ? "T6r" : "T6w",
      `W1 ${lin.op} time, 10N ÷ N items (N = ${lin.n.toLocaleString("en")})`,
      lin.ratio,
      "×",
      "<=",
      11,
      `${(lin.seconds10N * 1000).toFixed(0)} ms vs ${(lin.secondsN * 1000).toFixed(1)} ms`,
    );
  }
  const w3 = row(t, "W3", LIB, "read", "64 KiB");
  const T7 = "W3 read, validated, 64 KiB: float data rate";
  if (w3) {
    const floatBytes = w3.items * 1024 * 4;
    add("T7", T7, floatBytes / w3.seconds / 1e9, "GB/s", ">=", 1.0, `${(floatBytes / 1e6).toFixed(0)} MB of floats in ${(w3.seconds * 1000).toFixed(0)} ms`);
  } else add("T7", T7, undefined, "GB/s", ">=", 1.0, "no W3 streamtypes read (64 KiB) in this run");
  const w4 = input.readMemory.find((m) => m.workload === "W4" && m.contender === LIB);
  if (!w4) add("T8", "W4 read from a pipe: peak RSS above baseline", undefined, "MiB", "<=", 64, "no W4 memory run");
  if (w4) {
    add(
      "T8",
      `W4 read of a ${(w4.streamBytes / MiB).toFixed(0)} MiB stream from a pipe: peak RSS above baseline`,
      (w4.peakRss - w4.baselineRss) / MiB,
      "MiB",
      "<=",
      64,
      `baseline ${(w4.baselineRss / MiB).toFixed(0)} MiB, peak ${(w4.peakRss / MiB).toFixed(0)} MiB`,
    );
  }
  const many = input.manyReaders;
  if (!many) add("T9", "readers open mid-stream: heap held", undefined, "MiB", "<=", 100, "no many-readers run");
  if (many) {
    add(
      "T9",
      `${many.readers.toLocaleString("en")} readers open mid-stream: heap held`,
      many.heapUsedBytes / MiB,
      "MiB",
      "<=",
      100,
      `${fmt(many.heapUsedBytes / many.readers / 1024)} KiB heap per reader, + ${fmt(many.arrayBuffersBytes / MiB)} MiB array buffers`,
    );
  }
  return out;
}
