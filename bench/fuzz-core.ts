// Fuzzing core shared by `npm run fuzz` and test/fuzz.test.ts: seeded mutated/truncated/rechunked streams, read with an outcome per input.
import { concat } from "../test/helpers.js";
import { Type, type TSchema } from "@sinclair/typebox";
import { FrameKind, StreamError, encodeFrame, streamTypes, type StreamTypesOptions } from "../src/index.js";
import type { ReaderOptions } from "../src/index.js";

// ---- seeded randomness ----

/** A small fast seeded PRNG (mulberry32); `next()` is uniform in [0, 1). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---- stream definitions ----

interface Definition {
  name: string;
  item: TSchema;
  header?: TSchema;
  footer?: TSchema;
  options: StreamTypesOptions;
  makeItem(rng: Rng): unknown;
  makeHeader?(rng: Rng): unknown;
  makeFooter?(rng: Rng): unknown;
}

const WORDS = ["hello", "world", "", "é", "日本語", "😀", "a\u0000b", "\uFFFD", "x".repeat(40), "long ".repeat(30), "__proto__"];
const word = (rng: Rng) => rng.pick(WORDS);
const num = (rng: Rng) => rng.pick([0, 1, -1, 0.5, 1e300, -(2 ** 53) + 1, rng.next() * 1000, rng.int(1 << 30)]);

const Header = Type.Object({ time: Type.Number(), msg: Type.String() });
const Footer = Type.Object({ time: Type.Number(), durationSec: Type.Number(), msg: Type.String() });
const Words = Type.Object({ words: Type.Array(Type.String()) });
const Record_ = Type.Object({
  id: Type.Integer(),
  ok: Type.Boolean(),
  score: Type.Number(),
  tags: Type.Record(Type.String(), Type.Integer()),
  note: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  nested: Type.Object({ xs: Type.Array(Type.Number()) }),
});
const Tree = Type.Recursive((This) => Type.Union([Type.Number(), Type.String(), Type.Array(This)]));
const Rich = Type.Object({ when: Type.Date(), bytes: Type.Uint8Array(), big: Type.BigInt(), maybe: Type.Optional(Type.Undefined()), any: Type.Any() });

const makeHeader = (rng: Rng) => ({ time: num(rng), msg: word(rng) });
const makeFooter = (rng: Rng) => ({ time: num(rng), durationSec: num(rng), msg: word(rng) });
const makeWords = (rng: Rng) => ({ words: Array.from({ length: rng.int(5) }, () => word(rng)) });
const makeRecord = (rng: Rng) => {
  const tags: Record<string, number> = {};
  for (let i = rng.int(4); i > 0; i--) tags[rng.pick(["a", "b", "constructor", "prototype", "k" + i])] = rng.int(100);
  return { id: rng.int(1e9), ok: rng.chance(0.5), score: num(rng), tags, ...(rng.chance(0.5) ? { note: rng.chance(0.5) ? word(rng) : null } : {}), nested: { xs: [num(rng), num(rng)] } };
};
const makeTree = (rng: Rng, depth = 0): unknown =>
  depth > 4 || rng.chance(0.3) ? (rng.chance(0.5) ? num(rng) : word(rng)) : Array.from({ length: rng.int(4) }, () => makeTree(rng, depth + 1));
const makeRich = (rng: Rng) => ({
  when: new Date(rng.pick([0, 1_700_000_000_123, -1e12, 2 ** 40 * 1000])),
  bytes: Uint8Array.from({ length: rng.int(40) }, () => rng.int(256)),
  big: rng.pick([0n, 2n ** 63n, -(2n ** 80n), 2n ** 200n + 1n]),
  any: rng.pick<unknown>([Float32Array.of(1.5, 2), Int16Array.of(-1), null, [1, "x"], { a: { b: [] } }]),
});

export const DEFINITIONS: readonly Definition[] = [
  { name: "msgpack words + header + footer", item: Words, header: Header, footer: Footer, options: {}, makeItem: makeWords, makeHeader, makeFooter },
  { name: "msgpack records", item: Record_, options: {}, makeItem: makeRecord },
  { name: "msgpack rich types", item: Rich, options: {}, makeItem: makeRich },
  { name: "msgpack recursive tree, small frames", item: Tree, footer: Footer, options: { maxFrameBytes: 4096 }, makeItem: makeTree, makeFooter },
  { name: "json words + header + footer", item: Words, header: Header, footer: Footer, options: { codec: "json" }, makeItem: makeWords, makeHeader, makeFooter },
  { name: "json records", item: Record_, options: { codec: "json" }, makeItem: makeRecord },
  { name: "truss words + header + footer", item: Words, header: Header, footer: Footer, options: { compat: "truss" }, makeItem: makeWords, makeHeader, makeFooter },
  { name: "truss tree, no validation", item: Tree, options: { compat: "truss", validate: false }, makeItem: makeTree },
];

type AnyTypes = ReturnType<typeof streamTypes<TSchema, TSchema | undefined, TSchema | undefined>>;
const typesCache = new Map<string, AnyTypes>();

function typesOf(def: Definition): AnyTypes {
  let types = typesCache.get(def.name);
  if (!types) {
    types = streamTypes(def.item, def.header, def.footer, def.options) as AnyTypes;
    typesCache.set(def.name, types);
  }
  return types;
}

/** A valid stream of the definition, as frames (the first one carries the marker, outside truss mode). */
export function validStream(def: Definition, rng: Rng): Uint8Array[] {
  const w = typesOf(def).writer() as unknown as { header(v: unknown): Uint8Array; item(v: unknown): Uint8Array; footer(v: unknown): Uint8Array; end(): Uint8Array; error(e: unknown): Uint8Array };
  const frames: Uint8Array[] = [];
  if (def.makeHeader) frames.push(w.header(def.makeHeader(rng)));
  for (let i = rng.int(6); i > 0; i--) {
    frames.push(w.item(def.makeItem(rng)));
    if (!def.options.compat && rng.chance(0.1)) frames.push(encodeFrame(FrameKind.KEEPALIVE, new Uint8Array(0)));
  }
  if (rng.chance(0.1)) {
    frames.push(w.error(Object.assign(new Error(word(rng)), { code: "E_FUZZ" })));
    return frames;
  }
  if (def.makeFooter) frames.push(w.footer(def.makeFooter(rng)));
  frames.push(w.end());
  return frames;
}

// ---- hostile payloads, framed so that they reach the decoder ----

function deep(levels: number, open: number[], close: number[] = []): Uint8Array {
  const out = new Uint8Array(levels * (open.length + close.length) + 1);
  for (let i = 0; i < levels; i++) out.set(open, i * open.length);
  out[levels * open.length] = 0x30; // "0" in JSON, 48 in msgpack
  for (let i = 0; i < levels; i++) out.set(close, levels * open.length + 1 + i * close.length);
  return out;
}
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

const HOSTILE_MSGPACK: readonly Uint8Array[] = [
  deep(100_000, [0x91]),
  deep(5_000, [0x81, 0xa1, 0x6b]),
  Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61),
  Uint8Array.of(0xdb, 0xff, 0xff, 0xff, 0xff, 0x61),
  Uint8Array.of(0xc6, 0x7f, 0xff, 0xff, 0xff),
  Uint8Array.of(0xc9, 0xff, 0xff, 0xff, 0xff, 0x42),
  Uint8Array.of(0xc1),
  Uint8Array.of(0xa2, 0xff, 0xfe),
  Uint8Array.of(0x81, 0xa9, ...ascii("__proto__"), 0x81, 0xa1, 0x61, 0x01),
  Uint8Array.of(0xd6, 0x69, 0, 0, 0, 1, 0x91, 0xd6, 0x70, 0, 0, 0, 1),
  Uint8Array.of(0xd4, 0x65, 0x00, 0x92, 0xa1, 0x61, 0xa1, 0x62),
  Uint8Array.of(0xd4, 0x78, 0x00, 0x92, 0xa2, 0x28, 0x61, 0xa0),
  Uint8Array.of(0xd4, 0x72, 0x40, 0x91, 0xa1, 0x61, 0x01),
  Uint8Array.of(0xc7, 0x04, 0x74, 0x08, 0, 0, 0),
];
const HOSTILE_JSON: readonly Uint8Array[] = [
  deep(100_000, [0x5b], [0x5d]),
  deep(20_000, ascii('{"k":'), [0x7d]),
  Uint8Array.of(0x22, 0xff, 0x22),
  Uint8Array.from(ascii('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}')),
  Uint8Array.from(ascii("1e99999")),
  Uint8Array.from(ascii('{"words":["a"],"words":[1]}')),
];

// ---- cases ----

export type SourceKind = "array" | "async" | "stream";

/** One fuzz input: everything needed to replay it. */
export interface FuzzCase {
  definition: string;
  bytes: Uint8Array;
  /** Chunk boundaries (strictly increasing, inside the bytes). */
  cuts: number[];
  source: SourceKind;
  options: Pick<ReaderOptions, "maxItems" | "maxTotalBytes" | "maxFrameBytes" | "idleTimeoutMs">;
  mutation: string;
}

const INTERESTING = [0x00, 0x01, 0x05, 0x06, 0x07, 0x08, 0x7f, 0x80, 0x90, 0xc0, 0xc1, 0xd4, 0xd9, 0xdc, 0xdd, 0xde, 0xdf, 0xff];
const INTERESTING_32 = [0, 1, 5, 6, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x1000000, 0x1000001, 0x7fffffff, 0x80000000, 0xffffffff];

/** Offsets of frame headers in a well-formed stream. */
function frameStarts(bytes: Uint8Array): number[] {
  const starts: number[] = [];
  let at = 0;
  while (at + 5 <= bytes.length) {
    starts.push(at);
    at += 5 + (((bytes[at + 1]! << 24) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!) >>> 0);
  }
  return starts;
}

/** Applies 0-4 random mutations (or one structured one) to a valid stream. */
function mutate(def: Definition, frames: Uint8Array[], rng: Rng): { bytes: Uint8Array; mutation: string } {
  let bytes = concat(frames);
  const roll = rng.int(100);
  if (roll < 8) return { bytes, mutation: "none" };
  if (roll < 20) {
    const at = rng.int(bytes.length + 1);
    return { bytes: bytes.subarray(0, at), mutation: "truncate" };
  }
  if (roll < 28) {
    // replace one frame's payload with a hostile one, keeping the framing valid
    const starts = frameStarts(bytes).filter((s) => bytes[s] === FrameKind.ITEM || bytes[s] === FrameKind.HEADER || bytes[s] === FrameKind.FOOTER || bytes[s] === FrameKind.ERROR);
    if (starts.length > 0) {
      const s = rng.pick(starts);
      const length = ((bytes[s + 1]! << 24) | (bytes[s + 2]! << 16) | (bytes[s + 3]! << 8) | bytes[s + 4]!) >>> 0;
      const payload = rng.pick(def.options.codec === "json" || def.options.compat ? HOSTILE_JSON : HOSTILE_MSGPACK);
      const frame = encodeFrame(bytes[s]!, payload);
      return { bytes: concat([bytes.subarray(0, s), frame, bytes.subarray(s + 5 + length)]), mutation: "hostile payload" };
    }
  }
  if (roll < 34) {
    // rewrite a frame's length field
    const starts = frameStarts(bytes);
    const s = rng.pick(starts.length ? starts : [0]);
    const copy = bytes.slice();
    const v = rng.chance(0.5) ? rng.pick(INTERESTING_32) : rng.int(2 ** 32);
    if (s + 5 <= copy.length) copy.set([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff], s + 1);
    return { bytes: copy, mutation: "frame length" };
  }
  if (roll < 38) {
    // two streams glued, or a stream with trailing junk
    const junk = rng.chance(0.5) ? bytes : Uint8Array.from({ length: 1 + rng.int(8) }, () => rng.int(256));
    return { bytes: concat([bytes, junk]), mutation: "trailing" };
  }
  const copy: number[] = Array.from(bytes);
  const n = 1 + rng.int(4);
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = rng.int(copy.length + 1);
    switch (rng.int(6)) {
      case 0:
        if (at < copy.length) copy[at]! ^= 1 << rng.int(8);
        names.push("bit");
        break;
      case 1:
        if (at < copy.length) copy[at] = rng.pick(INTERESTING);
        names.push("byte");
        break;
      case 2:
        if (at < copy.length) copy[at] = rng.int(256);
        names.push("random byte");
        break;
      case 3:
        copy.splice(at, 1 + rng.int(8));
        names.push("delete");
        break;
      case 4:
        copy.splice(at, 0, ...Array.from({ length: 1 + rng.int(8) }, () => rng.int(256)));
        names.push("insert");
        break;
      default: {
        const from = rng.int(copy.length + 1);
        copy.splice(at, 0, ...copy.slice(from, from + 1 + rng.int(16)));
        names.push("duplicate");
      }
    }
  }
  bytes = Uint8Array.from(copy);
  if (rng.chance(0.2)) bytes = bytes.subarray(0, rng.int(bytes.length + 1));
  return { bytes, mutation: names.join("+") };
}

function randomCuts(length: number, rng: Rng): number[] {
  const style = rng.int(4);
  if (style === 0 || length < 2) return [];
  if (style === 1 && length <= 4096) return Array.from({ length: length - 1 }, (_, i) => i + 1); // 1-byte chunks
  const cuts = new Set<number>();
  const count = style === 2 ? 1 + rng.int(4) : 1 + rng.int(Math.min(64, length));
  for (let i = 0; i < count; i++) cuts.add(1 + rng.int(length - 1));
  return [...cuts].sort((a, b) => a - b);
}

/** A fresh random input. */
export function makeCase(rng: Rng, pool: ValidPool): FuzzCase {
  const def = rng.pick(DEFINITIONS);
  const frames = rng.pick(pool.get(def.name)!);
  const { bytes, mutation } = mutate(def, frames, rng);
  const options: FuzzCase["options"] = {};
  if (rng.chance(0.1)) options.maxItems = 1 + rng.int(4);
  if (rng.chance(0.1)) options.maxTotalBytes = 1 + rng.int(Math.max(1, bytes.length));
  if (rng.chance(0.1)) options.maxFrameBytes = 1 + rng.int(256);
  return { definition: def.name, bytes, cuts: randomCuts(bytes.length, rng), source: rng.pick<SourceKind>(["array", "array", "async", "stream"]), options, mutation };
}

export type ValidPool = Map<string, Uint8Array[][]>;

/** Valid streams to mutate: `perDefinition` of each definition. */
export function makePool(rng: Rng, perDefinition = 64): ValidPool {
  const pool: ValidPool = new Map();
  for (const def of DEFINITIONS) pool.set(def.name, Array.from({ length: perDefinition }, () => validStream(def, rng)));
  return pool;
}

// ---- running one case ----

/** What one input led to: "ok" (read to its end), a StreamError code, "escaped" (anything else thrown) or "hung". */
export interface Outcome {
  result: "ok" | StreamError["code"] | "escaped" | "hung";
  items: number;
  ms: number;
  error?: unknown;
}

function chunksOf(c: FuzzCase): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const cut of c.cuts) {
    out.push(c.bytes.slice(prev, cut));
    prev = cut;
  }
  out.push(c.bytes.slice(prev));
  return out;
}

function sourceOf(c: FuzzCase): unknown {
  const chunks = chunksOf(c);
  if (c.source === "array") return chunks;
  if (c.source === "async") return (async function* () { yield* chunks; })();
  let i = 0;
  return new ReadableStream<Uint8Array>({ pull: (controller) => (i < chunks.length ? controller.enqueue(chunks[i++]!) : controller.close()) });
}

/** Reads one case through whichever of readHeader/readItems/readFooter its definition has. */
async function readCase(c: FuzzCase): Promise<{ items: number; error?: unknown }> {
  const def = DEFINITIONS.find((d) => d.name === c.definition);
  if (!def) throw new Error(`unknown definition ${c.definition}`);
  const reader = typesOf(def).reader(sourceOf(c) as Uint8Array, c.options) as unknown as {
    readHeader(): Promise<unknown>;
    readItems(): AsyncIterable<unknown>;
    readFooter(): Promise<unknown>;
  };
  let items = 0;
  try {
    if (def.header) await reader.readHeader();
    for await (const _ of reader.readItems()) items++;
    if (def.footer) await reader.readFooter();
  } catch (error) {
    return { items, error };
  }
  return { items };
}

/** Runs one case, bounded by `timeBoundMs`: a read that neither finishes nor fails within it counts as hung. */
export async function runCase(c: FuzzCase, timeBoundMs: number): Promise<Outcome> {
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), timeBoundMs)));
  let settled: Awaited<ReturnType<typeof readCase>> | "hung";
  try {
    settled = await Promise.race([readCase(c), hung]);
  } catch (error) {
    settled = { items: 0, error }; // readCase itself threw: the source or reader could not even be created
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - start;
  if (settled === "hung") return { result: "hung", items: 0, ms };
  if (settled.error === undefined) return { result: "ok", items: settled.items, ms };
  if (settled.error instanceof StreamError) return { result: settled.error.code, items: settled.items, ms };
  return { result: "escaped", items: settled.items, ms, error: settled.error };
}

// ---- a whole run ----

export interface FuzzOptions {
  count: number;
  seed: number;
  /** A read that takes longer than this counts as hung. Default 5000 ms. */
  timeBoundMs?: number;
  /** Called for every escaped or hung case, e.g. to save it for replay. */
  onFailure?: (c: FuzzCase, outcome: Outcome) => void;
  /** Called every `progressEvery` inputs. */
  onProgress?: (done: number, report: FuzzReport) => void;
  progressEvery?: number;
}

export interface FuzzReport {
  seed: number;
  tried: number;
  /** Count per outcome: "ok", a StreamError code, "escaped", "hung". */
  outcomes: Record<string, number>;
  /** Count per mutation kind. */
  mutations: Record<string, number>;
  itemsDelivered: number;
  failures: { case: FuzzCase; outcome: Outcome }[];
  slowest: { ms: number; case?: FuzzCase; result?: string };
  peakHeapBytes: number;
  elapsedMs: number;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const rng = new Rng(options.seed);
  const pool = makePool(rng);
  const bound = options.timeBoundMs ?? 5000;
  const every = options.progressEvery ?? 10_000;
  const report: FuzzReport = { seed: options.seed, tried: 0, outcomes: {}, mutations: {}, itemsDelivered: 0, failures: [], slowest: { ms: 0 }, peakHeapBytes: 0, elapsedMs: 0 };
  const start = performance.now();
  const sampleHeap = () => {
    const used = process.memoryUsage().heapUsed;
    if (used > report.peakHeapBytes) report.peakHeapBytes = used;
  };
  for (let i = 0; i < options.count; i++) {
    const c = makeCase(rng, pool);
    const outcome = await runCase(c, bound);
    report.tried++;
    report.outcomes[outcome.result] = (report.outcomes[outcome.result] ?? 0) + 1;
    const kind = c.mutation.includes("+") || ["bit", "byte", "random byte", "delete", "insert", "duplicate"].includes(c.mutation) ? "byte edits" : c.mutation;
    report.mutations[kind] = (report.mutations[kind] ?? 0) + 1;
    report.itemsDelivered += outcome.items;
    if (outcome.ms > report.slowest.ms) report.slowest = { ms: outcome.ms, case: c, result: outcome.result };
    if (outcome.result === "escaped" || outcome.result === "hung") {
      report.failures.push({ case: c, outcome });
      options.onFailure?.(c, outcome);
    }
    if (i % 1000 === 0) sampleHeap();
    if ((i + 1) % every === 0) {
      report.elapsedMs = performance.now() - start;
      options.onProgress?.(i + 1, report);
    }
  }
  sampleHeap();
  report.elapsedMs = performance.now() - start;
  return report;
}

// ---- replay files ----

/** A case as JSON, bytes in base64. */
export function caseToJson(c: FuzzCase, outcome?: Outcome): string {
  const error = outcome?.error instanceof Error ? `${outcome.error.name}: ${outcome.error.message}\n${outcome.error.stack ?? ""}` : outcome?.error === undefined ? undefined : String(outcome.error);
  return JSON.stringify({ ...c, bytes: Buffer.from(c.bytes).toString("base64"), outcome: outcome && { result: outcome.result, ms: outcome.ms, error } }, null, 2);
}

export function caseFromJson(text: string): FuzzCase {
  const o = JSON.parse(text) as FuzzCase & { bytes: string };
  return { ...o, bytes: new Uint8Array(Buffer.from(o.bytes, "base64")) };
}
