// The four benchmark workloads: their schemas, deterministic item generators and item counts (full and quick).
import { Type, type TSchema } from "@sinclair/typebox";
import { TypedArray } from "../src/index.js";

/** W1–W4: the main suite (run.ts); FP-W1 and FP-F32: the fast-path issue's own definitions (fast-path.ts). */
export type WorkloadId = "W1" | "W2" | "W3" | "W4" | "FP-W1" | "FP-F32" | "FP-W2";

/** Where a read's bytes come from: one whole buffer, or chunks of a fixed size. */
export type Chunking = "whole" | 65536 | 16;

export interface Workload {
  id: WorkloadId;
  title: string;
  item: TSchema;
  header?: TSchema;
  footer?: TSchema;
  headerValue?: unknown;
  footerValue?: (count: number) => unknown;
  /** Items in a full run and in a quick run. */
  fullCount: number;
  quickCount: number;
  /** Item number i; the same i always gives the same item. */
  makeItem(i: number): unknown;
  /** How the chunkings apply: every workload reads whole and 64 KiB; W2 also 16-byte chunks. */
  chunkings: readonly Chunking[];
  /** JSON has no typed arrays: NDJSON writes embeddings as number arrays and turns them back; undefined = no NDJSON/json codec for it. */
  json?: { toJson(item: unknown): unknown; fromJson(value: unknown): unknown };
  /** Bytes of "payload data" per item for the GB/s figure (W3: the floats), when it is meaningful. */
  dataBytesPerItem?: number;
}

/** mulberry32: a tiny seeded PRNG, so every run (and every contender) sees the same items. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  "alpha", "beta", "gamma", "delta", "red", "green", "blue", "cat", "dog", "tree", "river", "stone", "cloud",
  "rain", "sun", "moon", "star", "fire", "ice", "wind", "sea", "sky", "leaf", "root", "bird", "fish", "salt",
  "iron", "gold", "oak", "pine", "rose",
];
const LETTERS = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ.,'";

const RECORD = Type.Object({ id: Type.Integer(), words: Type.Array(Type.String()), score: Type.Number() });
const RECORD_HEADER = Type.Object({ source: Type.String(), createdAt: Type.Number() });
const RECORD_FOOTER = Type.Object({ count: Type.Integer(), durationSec: Type.Number() });

/** W1: small records with a header and footer, the common case. */
export const W1: Workload = {
  id: "W1",
  title: "records { id, words[3], score }",
  item: RECORD,
  header: RECORD_HEADER,
  footer: RECORD_FOOTER,
  headerValue: { source: "bench", createdAt: 1_790_000_000.5 },
  footerValue: (count) => ({ count, durationSec: 12.5 }),
  fullCount: 1_000_000,
  quickCount: 50_000,
  makeItem(i) {
    const rand = prng(i + 1);
    const word = () => WORDS[Math.floor(rand() * WORDS.length)]!;
    return { id: i, words: [word(), word(), word()], score: rand() };
  },
  chunkings: ["whole", 65536],
};

const TOKEN = Type.Object({ token: Type.String(), index: Type.Integer(), logprob: Type.Number() });

/** W2: LLM-style tokens, the smallest items: per-item overheads dominate. */
export const W2: Workload = {
  id: "W2",
  title: "tokens { token(1-8 chars), index, logprob }",
  item: TOKEN,
  fullCount: 1_000_000,
  quickCount: 50_000,
  makeItem(i) {
    const rand = prng(i + 7);
    const length = 1 + Math.floor(rand() * 8);
    let token = "";
    for (let k = 0; k < length; k++) token += LETTERS[Math.floor(rand() * LETTERS.length)];
    return { token, index: i, logprob: -rand() * 10 };
  },
  chunkings: ["whole", 65536, 16],
};

const DIMENSIONS = 1024;
const VECTOR = Type.Object({ id: Type.Integer(), embedding: TypedArray("Float32Array", { minLength: DIMENSIONS, maxLength: DIMENSIONS }) });

/** W3: embeddings, where the bulk is float data that must arrive as Float32Array. */
export const W3: Workload = {
  id: "W3",
  title: "vectors { id, embedding: Float32Array(1024) }",
  item: VECTOR,
  fullCount: 10_000,
  quickCount: 1_000,
  makeItem(i) {
    const rand = prng(i + 13);
    const embedding = new Float32Array(DIMENSIONS);
    for (let k = 0; k < DIMENSIONS; k++) embedding[k] = rand() * 2 - 1;
    return { id: i, embedding };
  },
  chunkings: ["whole", 65536],
  // How a hand-written NDJSON producer sends floats: a number array, turned back into a Float32Array on read.
  json: {
    toJson: (item) => {
      const v = item as { id: number; embedding: Float32Array };
      return { id: v.id, embedding: Array.from(v.embedding) };
    },
    fromJson: (value) => {
      const v = value as { id: number; embedding: number[] };
      return { id: v.id, embedding: Float32Array.from(v.embedding) };
    },
  },
  dataBytesPerItem: DIMENSIONS * 4,
};

const BLOB_BYTES = 1 << 20;
let sharedBlob: Uint8Array | undefined;
/** One 1 MiB random blob shared by every W4 item: generating 1 GiB of distinct bytes would only measure the PRNG. */
function blob(): Uint8Array {
  if (sharedBlob === undefined) {
    const rand = prng(99);
    sharedBlob = new Uint8Array(BLOB_BYTES);
    for (let k = 0; k < BLOB_BYTES; k++) sharedBlob[k] = Math.floor(rand() * 256);
  }
  return sharedBlob;
}

/** W4: 1 MiB blobs, so every frame spans many chunks. */
export const W4: Workload = {
  id: "W4",
  title: "blobs { id, data: 1 MiB Uint8Array }",
  item: Type.Object({ id: Type.Integer(), data: Type.Uint8Array({ maxByteLength: BLOB_BYTES }) }),
  fullCount: 1_000,
  quickCount: 100,
  makeItem(i) {
    return { id: i, data: blob() };
  },
  chunkings: ["whole", 65536],
  dataBytesPerItem: BLOB_BYTES,
};

export const WORKLOADS: readonly Workload[] = [W1, W2, W3, W4];

/** The fast-path issue's 8-word list: W1 items draw their three words from it. */
const EIGHT_WORDS = ["alpha", "beta", "gamma", "delta", "red", "green", "blue", "cat"];

/**
 * The fast-path issue's W1 (bench/fast-path.ts), exactly as the issue defines it: 200,000 items
 * `{ id: i, words: three strings from an 8-word list, score: i / 7 }` with the same header and footer as W1.
 * Differs from the suite's W1 (32 words, a random score, 1,000,000 items): its figures are not comparable one to one.
 */
export const FAST_PATH_W1: Workload = {
  id: "FP-W1",
  title: "fast-path W1 { id, words[3] of 8, score: i/7 }",
  item: RECORD,
  header: RECORD_HEADER,
  footer: RECORD_FOOTER,
  headerValue: { source: "bench", createdAt: 1_790_000_000.5 },
  footerValue: (count) => ({ count, durationSec: 12.5 }),
  fullCount: 200_000,
  quickCount: 50_000,
  makeItem(i) {
    const rand = prng(i + 1);
    const word = () => EIGHT_WORDS[Math.floor(rand() * EIGHT_WORDS.length)]!;
    return { id: i, words: [word(), word(), word()], score: i / 7 };
  },
  chunkings: [65536, 16],
};

const F32_LENGTH = 1024;

/** The fast-path issue's Float32Array items: `{ id, v: Float32Array(1024) }` (4 KiB of floats), no header or footer. */
export const FAST_PATH_F32: Workload = {
  id: "FP-F32",
  title: "fast-path { id, v: Float32Array(1024) }",
  item: Type.Object({ id: Type.Integer(), v: TypedArray("Float32Array", { minLength: F32_LENGTH, maxLength: F32_LENGTH }) }),
  fullCount: 10_000,
  quickCount: 2_000,
  makeItem(i) {
    const rand = prng(i + 13);
    const v = new Float32Array(F32_LENGTH);
    for (let k = 0; k < F32_LENGTH; k++) v[k] = rand() * 2 - 1;
    return { id: i, v };
  },
  chunkings: [65536],
  dataBytesPerItem: F32_LENGTH * 4,
};

export function workloadById(id: string): Workload {
  const w = [...WORKLOADS, FAST_PATH_W1, FAST_PATH_F32, FAST_PATH_W2].find((x) => x.id === id);
  if (w === undefined) throw new Error(`unknown workload ${id}`);
  return w;
}

/**
 * The compiled-codec issue's W2 (bench/fast-path.ts): 200,000 tokens `{ token: 3–6 ASCII characters, index, logprob }`,
 * no header or footer.
 */
export const FAST_PATH_W2: Workload = {
  id: "FP-W2",
  title: "compiled-codec W2 { token(3-6 chars), index, logprob }",
  item: TOKEN,
  fullCount: 200_000,
  quickCount: 50_000,
  makeItem(i) {
    const rand = prng(i + 11);
    const length = 3 + Math.floor(rand() * 4);
    let token = "";
    for (let k = 0; k < length; k++) token += LETTERS[Math.floor(rand() * 26)];
    return { token, index: i, logprob: -rand() * 10 };
  },
  chunkings: [65536],
};

/** The items of a workload, generated once per run and shared by every contender. */
export function makeItems(w: Workload, count: number): unknown[] {
  const items = new Array<unknown>(count);
  for (let i = 0; i < count; i++) items[i] = w.makeItem(i);
  return items;
}

export function chunkingLabel(c: Chunking): string {
  return c === "whole" ? "whole" : c === 65536 ? "64 KiB" : `${c} B`;
}
