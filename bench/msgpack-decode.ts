// Benchmark of the fused strict MessagePack decoder against msgpackr's unpack and against checkMessagePack + unpack.
// Run: node --import tsx bench/msgpack-decode.ts [rounds=9]   (ns per value: the median of interleaved rounds, in a rotating
// order, with a full GC after each line that made garbage outside its timed run; BENCH_GC=1 adds a full GC before every
// timed run; BENCH_TRACE=1 prints every run). The machine is shared and noisy: compare ratios from one run.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Packr } from "msgpackr/pack";
import { Unpackr } from "msgpackr/unpack";
import { checkMessagePack } from "../test/msgpack-check.js";
import { decodeMessagePack } from "../src/codecs/msgpack-decode.js";

const ROUNDS = Math.max(5, Number(process.argv[2] ?? 9) || 9);
const W1_COUNT = 200_000;
const F32_COUNT = 5_000;

const WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];

/** W1: `{ id, words: [3 strings], score }`, packed one value at a time as the writer does. */
function w1Payloads(): Uint8Array[] {
  const packr = new Packr({ useRecords: false });
  const out: Uint8Array[] = [];
  for (let i = 0; i < W1_COUNT; i++) {
    const v = { id: i, words: [WORDS[i % 8]!, WORDS[(i * 3 + 1) % 8]!, WORDS[(i * 5 + 2) % 8]!], score: i / 7 };
    out.push(packr.pack(v));
  }
  return out;
}

/** `{ v: Float32Array(1024) }`, with msgpackr's typed-array extension. */
function f32Payloads(): Uint8Array[] {
  const packr = new Packr({ useRecords: false, moreTypes: true });
  const out: Uint8Array[] = [];
  for (let i = 0; i < F32_COUNT; i++) {
    const v = new Float32Array(1024);
    for (let j = 0; j < v.length; j++) v[j] = Math.sin(i + j);
    out.push(packr.pack({ v }));
  }
  return out;
}

/** Fresh views of the same bytes: msgpackr caches a DataView on each source it unpacks, so "cold" needs new objects. */
const freshViews = (payloads: Uint8Array[]) => payloads.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength));

/** All payloads in one buffer, with their offsets (offsets[i] to offsets[i + 1]). */
function concatenated(payloads: Uint8Array[]): { buffer: Uint8Array; offsets: Uint32Array } {
  const offsets = new Uint32Array(payloads.length + 1);
  let total = 0;
  payloads.forEach((p, i) => {
    offsets[i] = total;
    total += p.length;
  });
  offsets[payloads.length] = total;
  const buffer = new Uint8Array(total);
  payloads.forEach((p, i) => buffer.set(p, offsets[i]));
  return { buffer, offsets };
}

// gc() collects the cold lines' views after their run. BENCH_GC=1 also collects before every timed run; off by default,
// as after a full GC V8 shrinks the young generation and the next run pays for growing it again.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let sink = 0;
const consume = (v: unknown) => {
  if (v !== null && typeof v === "object") sink++;
};

interface Line {
  name: string;
  /** Untimed preparation before each timed run (fresh views for the cold lines). */
  prepare?: () => void;
  /** Untimed, after each timed run: drops what `prepare` made, which a full GC then collects. */
  release?: () => void;
  run: () => void;
  count: number;
}

/** Per line: the median and the fastest of the rounds, in ns per value. */
type Figures = Map<string, { median: number; min: number }>;

function measure(title: string, lines: Line[]): Figures {
  const times = new Map<string, number[]>(lines.map((l) => [l.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with another line. The cold lines make 200,000 fresh views per round, which live long enough
    // to be promoted: a full GC after such a line collects them, so that the next line does not pay for it.
    for (let k = 0; k < lines.length; k++) {
      const line = lines[(round + k) % lines.length]!;
      line.prepare?.();
      if (process.env.BENCH_GC === "1") gc();
      const start = performance.now();
      line.run();
      const ns = ((performance.now() - start) * 1e6) / line.count;
      times.get(line.name)!.push(ns);
      if (process.env.BENCH_TRACE === "1") console.log(`  round ${round}: ${line.name} ${ns.toFixed(1)}`);
      if (line.release) {
        line.release();
        gc();
      }
    }
  }
  const figures: Figures = new Map();
  console.log(`\n${title}: ns per value, median of ${ROUNDS} interleaved rounds (fastest-slowest)`);
  for (const line of lines) {
    const sorted = times.get(line.name)!.sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    figures.set(line.name, { median, min: sorted[0]! });
    console.log(`  ${line.name.padEnd(56)} ${median.toFixed(1).padStart(8)}   (${sorted[0]!.toFixed(1)}-${sorted[sorted.length - 1]!.toFixed(1)})`);
  }
  return figures;
}

const COLD = "msgpackr unpack, cold (fresh views)";
const WARM = "msgpackr unpack, warm (same buffers again)";
const CHECKED = "checkMessagePack + unpack (fresh views, as the reader)";
const ONE_BUFFER = "decodeMessagePack, one buffer with offsets";
const PER_VALUE = "decodeMessagePack, per-value Uint8Arrays";

function lines(payloads: Uint8Array[], moreTypes: boolean): Line[] {
  const options = () => (moreTypes ? { useRecords: false, moreTypes: true } : { useRecords: false });
  const warm = freshViews(payloads);
  const ours = freshViews(payloads);
  const { buffer, offsets } = concatenated(payloads);
  const warmUnpackr = new Unpackr(options());
  for (const p of warm) warmUnpackr.unpack(p); // the untimed pass that makes these buffers "warm"
  let cold: Uint8Array[] = [];
  let coldChecked: Uint8Array[] = [];
  const n = payloads.length;
  return [
    {
      name: COLD,
      prepare: () => (cold = freshViews(payloads)),
      release: () => (cold = []),
      run: () => {
        const unpackr = new Unpackr(options());
        for (let i = 0; i < n; i++) consume(unpackr.unpack(cold[i]!));
      },
      count: n,
    },
    {
      name: WARM,
      run: () => {
        for (let i = 0; i < n; i++) consume(warmUnpackr.unpack(warm[i]!));
      },
      count: n,
    },
    {
      name: CHECKED,
      prepare: () => (coldChecked = freshViews(payloads)),
      release: () => (coldChecked = []),
      run: () => {
        const unpackr = new Unpackr(options());
        for (let i = 0; i < n; i++) {
          const p = coldChecked[i]!;
          checkMessagePack(p);
          consume(unpackr.unpack(p));
        }
      },
      count: n,
    },
    {
      name: ONE_BUFFER,
      run: () => {
        for (let i = 0; i < n; i++) consume(decodeMessagePack(buffer, offsets[i]!, offsets[i + 1]!));
      },
      count: n,
    },
    {
      name: PER_VALUE,
      run: () => {
        for (let i = 0; i < n; i++) {
          const p = ours[i]!;
          consume(decodeMessagePack(p, 0, p.length));
        }
      },
      count: n,
    },
  ];
}

const w1 = measure(`W1 (${W1_COUNT.toLocaleString("en")} values)`, lines(w1Payloads(), false));
const f32 = measure(`{ v: Float32Array(1024) } (${F32_COUNT.toLocaleString("en")} values, moreTypes)`, lines(f32Payloads(), true));

const ratio = (m: Figures, base: string, line: string, key: "median" | "min") => m.get(base)![key] / m.get(line)![key];
console.log("\nspeed-up of decodeMessagePack, per-value Uint8Arrays / one buffer with offsets: from the medians [from the fastest rounds]");
for (const [name, m] of [
  ["W1", w1],
  ["Float32Array", f32],
] as const) {
  for (const base of [WARM, COLD, CHECKED]) {
    const r = (key: "median" | "min") => `${ratio(m, base, PER_VALUE, key).toFixed(2)}x / ${ratio(m, base, ONE_BUFFER, key).toFixed(2)}x`;
    console.log(`  ${name.padEnd(13)} over ${base.padEnd(56)} ${r("median")}   [${r("min")}]`);
  }
}
const target = (key: "median" | "min") => Math.min(ratio(w1, WARM, PER_VALUE, key), ratio(w1, WARM, ONE_BUFFER, key));
console.log(
  `\nW1 target, decodeMessagePack (the slower of its two lines) ≥ 1.15x msgpackr's warm unpack: ${target("median").toFixed(2)}x from the medians, ` +
    `${target("min").toFixed(2)}x from the fastest rounds: ${target("median") >= 1.15 ? "met" : "MISSED"}`,
);
if (sink === 0) console.log("(nothing decoded)");
