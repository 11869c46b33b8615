// Fuzzing core shared by `npm run fuzz` and test/fuzz.test.ts: seeded mutated/truncated/rechunked streams of every
// format in test/formats.ts, read with an outcome per input, and each outcome held to the oracles (checkOutcome).
import { isDeepStrictEqual } from "node:util";
import { Type, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { FrameKind, StreamError, streamTypes } from "../src/index.js";
import type { ReaderOptions } from "../src/index.js";
import { FORMATS, type FormatEntry } from "../test/formats.js";
import { concat } from "../test/helpers.js";

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
  bytes(n: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

// ---- stream definitions: every format of test/formats.ts, a few schemas each ----

interface Definition {
  /** "<format> <shape>": unique, and what a replay file names. */
  name: string;
  format: FormatEntry;
  item: TSchema;
  header?: TSchema;
  footer?: TSchema;
  options: { validate?: boolean; maxFrameBytes?: number };
  makeItem(rng: Rng): unknown;
  makeHeader?(rng: Rng): unknown;
  makeFooter?(rng: Rng): unknown;
}

const WORDS = ["hello", "world", "", "é", "日本語", "😀", "a\u0000b", "\uFFFD", "x".repeat(40), "long ".repeat(30), "__proto__", "line\nbreak", "cr\r\nlf", "data: x", ": not a comment", '{"kind":"end"}'];
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

type Shape = Omit<Definition, "name" | "format">;
const WORDS_HF: Shape = { item: Words, header: Header, footer: Footer, options: {}, makeItem: makeWords, makeHeader, makeFooter };
const RECORDS: Shape = { item: Record_, options: {}, makeItem: makeRecord };
const RICH: Shape = { item: Rich, options: {}, makeItem: makeRich };
const TREE_SMALL_FRAMES: Shape = { item: Tree, footer: Footer, options: { maxFrameBytes: 4096 }, makeItem: makeTree, makeFooter };
const TREE_UNVALIDATED: Shape = { item: Tree, options: { validate: false }, makeItem: makeTree };

/** The shapes each format is fuzzed with: every format gets header + footer and an items-only stream; rich types need msgpack. */
const SHAPES: Record<string, Record<string, Shape>> = {
  "binary+msgpack": { "words + header + footer": WORDS_HF, records: RECORDS, "rich types": RICH, "recursive tree, small frames": TREE_SMALL_FRAMES },
  "binary+json": { "words + header + footer": WORDS_HF, records: RECORDS },
  truss: { "words + header + footer": WORDS_HF, "tree, no validation": TREE_UNVALIDATED },
  sse: { "words + header + footer": WORDS_HF, records: RECORDS, "recursive tree, small frames": TREE_SMALL_FRAMES },
  ndjson: { "words + header + footer": WORDS_HF, records: RECORDS, "tree, no validation": TREE_UNVALIDATED },
};

export const DEFINITIONS: readonly Definition[] = FORMATS.flatMap((format) =>
  Object.entries(SHAPES[format.name] ?? {}).map(([shape, def]) => ({ ...def, name: `${format.name} ${shape}`, format })),
);

/** The formats fuzzed, by name. */
export const FORMAT_NAMES: readonly string[] = FORMATS.map((f) => f.name);

type AnyTypes = ReturnType<typeof streamTypes<TSchema, TSchema | undefined, TSchema | undefined>>;
const typesCache = new Map<string, AnyTypes>();

function definition(name: string): Definition {
  const def = DEFINITIONS.find((d) => d.name === name);
  if (!def) throw new Error(`unknown definition ${name}`);
  return def;
}

function typesOf(def: Definition): AnyTypes {
  let types = typesCache.get(def.name);
  if (!types) {
    types = streamTypes(def.item, def.header, def.footer, { ...def.options, format: def.format.format() }) as AnyTypes;
    typesCache.set(def.name, types);
  }
  return types;
}

/** One frame of a valid stream as it travels: its kind and its bytes (event, line or length-prefixed frame). */
export interface WireFrame {
  kind: number;
  bytes: Uint8Array;
}

/** A valid stream: the format's opening (binary's marker), then its frames, and the values written into them. */
export interface ValidStream {
  opening: Uint8Array;
  frames: WireFrame[];
  /** The items written, in order: what a reader of the whole stream must deliver. */
  items: unknown[];
  /** Whether the stream ends with an error frame (REMOTE) rather than its end. */
  endsWithError: boolean;
}

/** The stream's bytes. */
export function streamBytes(stream: Pick<ValidStream, "opening" | "frames">): Uint8Array {
  return concat([stream.opening, ...stream.frames.map((f) => f.bytes)]);
}

/** A valid stream of the definition, written by the library's writer. */
export function validStream(def: Definition, rng: Rng): ValidStream {
  const w = typesOf(def).writer() as unknown as Record<"header" | "item" | "footer", (v: unknown) => Uint8Array> & { end(): Uint8Array; error(e: unknown): Uint8Array; keepAlive(): Uint8Array };
  const opening = def.format.opening;
  const frames: WireFrame[] = [];
  const items: unknown[] = [];
  const add = (kind: number, bytes: Uint8Array) => frames.push({ kind, bytes: frames.length === 0 && opening.length > 0 ? bytes.slice(opening.length) : bytes.slice() });
  const keepAlive = () => def.format.keepAlive && rng.chance(0.1) && add(FrameKind.KEEPALIVE, w.keepAlive());
  keepAlive();
  if (def.makeHeader) add(FrameKind.HEADER, w.header(def.makeHeader(rng)));
  for (let i = rng.int(6); i > 0; i--) {
    const item = def.makeItem(rng);
    items.push(item);
    add(FrameKind.ITEM, w.item(item));
    keepAlive();
  }
  if (rng.chance(0.1)) {
    add(FrameKind.ERROR, w.error(Object.assign(new Error(word(rng)), { code: "E_FUZZ" })));
    return { opening, frames, items, endsWithError: true };
  }
  if (def.makeFooter) add(FrameKind.FOOTER, w.footer(def.makeFooter(rng)));
  add(FrameKind.END, w.end());
  return { opening, frames, items, endsWithError: false };
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
const text = (s: string) => new TextEncoder().encode(s);

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
  deep(5_000, [0x5b], [0x5d]),
  deep(20_000, ascii('{"k":'), [0x7d]),
  Uint8Array.of(0x22, 0xff, 0x22), // invalid UTF-8
  Uint8Array.of(0x22, 0xc0, 0x80, 0x22), // an overlong NUL
  Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22), // a UTF-8-encoded surrogate
  text('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'),
  text('{"words":["a"],"__proto__":{"words":[1]}}'),
  text("1e99999"),
  text("-1e-99999"),
  text("123456789012345678901234567890123456789"),
  text('{"words":["a"],"words":[1]}'),
  text('"\\ud800"'),
  text('{"words":["\\u0000"]}'),
  text("[1,\n2]"), // a raw line break inside the payload: a new line in the text framings
  text('1}\n{"kind":"item","data":2'),
  text("\uFEFF{}"),
  text("NaN"),
  text(""),
  text(" ".repeat(5000) + "{}"),
];

// ---- mutations ----

/** One fuzz input: everything needed to replay it. */
export type SourceKind = "array" | "async" | "stream";

export interface FuzzCase {
  definition: string;
  /** What reading it must give, when the mutation leaves that known (whole, or a prefix of a valid stream); not saved for replay. */
  expected?: Expectation;
  bytes: Uint8Array;
  /** Chunk boundaries (strictly increasing, inside the bytes). */
  cuts: number[];
  source: SourceKind;
  options: Pick<ReaderOptions, "maxItems" | "maxTotalBytes" | "maxFrameBytes" | "idleTimeoutMs">;
  mutation: string;
}

const INTERESTING = [0x00, 0x01, 0x05, 0x06, 0x07, 0x08, 0x7f, 0x80, 0x90, 0xc0, 0xc1, 0xd4, 0xd9, 0xdc, 0xdd, 0xde, 0xdf, 0xff];
const INTERESTING_TEXT = [0x0a, 0x0d, 0x3a, 0x20, 0x7b, 0x7d, 0x22, 0x5c, 0x5b, 0x2c, 0x00, 0xff, 0xc3, 0xe2, 0xed, 0xef, 0x80];
const INTERESTING_32 = [0, 1, 5, 6, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x1000000, 0x1000001, 0x7fffffff, 0x80000000, 0xffffffff];

/** Lines (and events) a text framing may see: valid, slack, and hostile. */
const SSE_LINES = [": keep-alive\n", "\n", "\r\n", "retry: 1000\n", "retry: x\n", "id: 99\n", "id\n", "event: item\n", "event: ping\n", "data: 1\n", "data\n", "foo: bar\n", "event: end\ndata: null\n\n", 'event: item\nid: 1\ndata: {"words":[]}\n\n', "event: error\ndata: {}\n\n", "<html>\n", "\uFEFF"];
const NDJSON_LINES = ['{"kind":"keep-alive"}\n', "\n", "\r\n", '{"kind":"end"}\n', '{"kind":"item","data":{"words":[]}}\n', '{"data":{"words":[]},"kind":"item"}\n', '{"kind":"item"}\n', '{"kind":"end","data":1}\n', '{"kind":"item","data":1,"x":2}\n', '{"kind":"nope","data":1}\n', "[]\n", "null\n", "<html>\n", '{"kind":"error","data":{"name":"E","message":"m"}}\n', "\uFEFF", '{"kind":"item","data":'];

/** The structured edits every framing gets: whole frames duplicated, removed, swapped, or given a hostile payload. */
function frameEdit(def: Definition, stream: ValidStream, rng: Rng): { frames: WireFrame[]; mutation: string } {
  const frames = stream.frames.slice();
  const at = rng.int(frames.length);
  switch (rng.int(5)) {
    case 0: {
      // a hostile payload in a frame that carries one, the framing kept valid
      const withData = frames.map((f, i) => (f.kind === FrameKind.END || f.kind === FrameKind.KEEPALIVE ? -1 : i)).filter((i) => i >= 0);
      if (withData.length === 0) break;
      const i = rng.pick(withData);
      const payload = rng.pick(def.format.codec === "msgpack" ? HOSTILE_MSGPACK : HOSTILE_JSON);
      frames[i] = { kind: frames[i]!.kind, bytes: def.format.withPayload(frames[i]!.bytes, payload) };
      return { frames, mutation: "hostile payload" };
    }
    case 1:
      frames.splice(at, 0, frames[at]!);
      return { frames, mutation: "frame duplicated" };
    case 2:
      frames.splice(at, 1);
      return { frames, mutation: "frame removed" };
    case 3:
      if (frames.length > 1) {
        const j = (at + 1) % frames.length;
        [frames[at], frames[j]] = [frames[j]!, frames[at]!];
      }
      return { frames, mutation: "frames swapped" };
    default: {
      // a frame of another kind with a valid payload, anywhere
      const kind = rng.pick([FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.END, FrameKind.ERROR, FrameKind.KEEPALIVE]);
      const payload = kind === FrameKind.ERROR ? def.format.payload({ name: "E", message: "m" }) : def.format.payload(def.makeItem(rng));
      const one = def.format.stream([[kind, kind === FrameKind.END || kind === FrameKind.KEEPALIVE ? undefined : payload]]).subarray(def.format.opening.length);
      frames.splice(rng.int(frames.length + 1), 0, { kind, bytes: one });
      return { frames, mutation: "frame inserted" };
    }
  }
  return { frames, mutation: "none" };
}

/** Line-level edits of a text framing: lines duplicated, removed or swapped, line breaks changed, foreign lines inserted. */
function lineEdit(def: Definition, bytes: Uint8Array, rng: Rng): { bytes: Uint8Array; mutation: string } {
  const source = new TextDecoder().decode(bytes); // the valid stream is valid UTF-8
  const lines = source.split(/(?<=\n)/); // each line keeps its "\n"
  const at = rng.int(lines.length);
  let mutation: string;
  switch (rng.int(6)) {
    case 0:
      lines.splice(at, 0, lines[at] ?? "");
      mutation = "line duplicated";
      break;
    case 1:
      lines.splice(at, 1);
      mutation = "line removed";
      break;
    case 2: {
      const j = rng.int(lines.length);
      [lines[at], lines[j]] = [lines[j] ?? "", lines[at] ?? ""];
      mutation = "lines swapped";
      break;
    }
    case 3:
      lines.splice(at, 0, rng.pick(def.format.name === "sse" ? SSE_LINES : NDJSON_LINES));
      mutation = "foreign line";
      break;
    case 4: {
      // CRLF or a bare CR instead of LF, on one line or all
      const crlf = rng.chance(0.5) ? "\r\n" : "\r";
      if (rng.chance(0.5)) lines[at] = (lines[at] ?? "").replace(/\n$/, crlf);
      else for (let i = 0; i < lines.length; i++) lines[i] = lines[i]!.replace(/\n$/, crlf);
      mutation = "line breaks";
      break;
    }
    default: {
      // a number in the text (an SSE id, a length, a value) replaced
      const line = lines[at] ?? "";
      lines[at] = line.replace(/\d+/, String(rng.pick([0, 1, 2, 99, -1, 1e21, 2 ** 53, rng.int(10)])));
      mutation = "number changed";
    }
  }
  return { bytes: text(lines.join("")), mutation };
}

/** Offsets of frame headers in a well-formed length-prefixed stream (after the opening). */
function frameStarts(bytes: Uint8Array, from: number): number[] {
  const starts: number[] = [];
  let at = from;
  while (at + 5 <= bytes.length) {
    starts.push(at);
    at += 5 + (((bytes[at + 1]! << 24) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!) >>> 0);
  }
  return starts;
}

/**
 * Applies a structured edit, or 1-4 byte-level edits (possibly then a truncation), to a valid stream. "none" leaves
 * it whole and "truncate" keeps a prefix: the two mutations whose outcome the oracles know (see expectationOf).
 */
function mutate(def: Definition, stream: ValidStream, rng: Rng): { bytes: Uint8Array; mutation: string } {
  let bytes = streamBytes(stream);
  const isText = def.format.framing === "text";
  const roll = rng.int(100);
  if (roll < 8) return { bytes, mutation: "none" };
  if (roll < 20) return { bytes: bytes.subarray(0, rng.int(bytes.length + 1)), mutation: "truncate" };
  if (roll < 34) {
    const { frames, mutation } = frameEdit(def, stream, rng);
    return { bytes: streamBytes({ opening: stream.opening, frames }), mutation };
  }
  if (roll < 42) {
    if (isText) return lineEdit(def, bytes, rng);
    // rewrite a frame's length field
    const starts = frameStarts(bytes, rng.chance(0.1) ? 0 : stream.opening.length);
    const s = rng.pick(starts.length ? starts : [0]);
    const copy = bytes.slice();
    const v = rng.chance(0.5) ? rng.pick(INTERESTING_32) : rng.int(2 ** 32);
    if (s + 5 <= copy.length) copy.set([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff], s + 1);
    return { bytes: copy, mutation: "frame length" };
  }
  if (roll < 46) {
    // two streams glued, slack, or trailing junk
    const junk = rng.pick([bytes, Uint8Array.from({ length: 1 + rng.int(8) }, () => rng.int(256)), ...def.format.slack]);
    return { bytes: concat([bytes, junk]), mutation: "trailing" };
  }
  const copy: number[] = Array.from(bytes);
  const n = 1 + rng.int(4);
  const names: string[] = [];
  const interesting = isText ? INTERESTING_TEXT : INTERESTING;
  for (let i = 0; i < n; i++) {
    const at = rng.int(copy.length + 1);
    switch (rng.int(6)) {
      case 0:
        if (at < copy.length) copy[at]! ^= 1 << rng.int(8);
        names.push("bit");
        break;
      case 1:
        if (at < copy.length) copy[at] = rng.pick(interesting);
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
        copy.splice(at, 0, ...Array.from({ length: 1 + rng.int(8) }, () => (rng.chance(0.5) ? rng.pick(interesting) : rng.int(256))));
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

/** The mutation kinds a report counts by. */
export function mutationKind(mutation: string): string {
  return mutation.includes("+") || ["bit", "byte", "random byte", "delete", "insert", "duplicate"].includes(mutation) ? "byte edits" : mutation;
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

/** A fresh random input: a format (evenly, among `formats`), one of its definitions, a valid stream of it, mutated. */
export function makeCase(rng: Rng, pool: ValidPool, formats: readonly string[] = FORMAT_NAMES): FuzzCase {
  const format = rng.pick(formats);
  const def = rng.pick(DEFINITIONS.filter((d) => d.format.name === format));
  const stream = rng.pick(pool.get(def.name)!);
  const { bytes, mutation } = mutate(def, stream, rng);
  const options: FuzzCase["options"] = {};
  if (rng.chance(0.1)) options.maxItems = 1 + rng.int(4);
  if (rng.chance(0.1)) options.maxTotalBytes = 1 + rng.int(Math.max(1, bytes.length));
  if (rng.chance(0.1)) options.maxFrameBytes = 1 + rng.int(256);
  const expected = mutation === "none" || mutation === "truncate" ? expectationOf(def, stream, bytes.length) : undefined;
  return { definition: def.name, bytes, cuts: randomCuts(bytes.length, rng), source: rng.pick<SourceKind>(["array", "array", "async", "stream"]), options, mutation, expected };
}

export type ValidPool = Map<string, ValidStream[]>;

/** Valid streams to mutate: `perDefinition` of each definition. */
export function makePool(rng: Rng, perDefinition = 64): ValidPool {
  const pool: ValidPool = new Map();
  for (const def of DEFINITIONS) pool.set(def.name, Array.from({ length: perDefinition }, () => validStream(def, rng)));
  return pool;
}

/** The format of a case's definition. */
export function formatOf(c: FuzzCase): string {
  return definition(c.definition).format.name;
}

// ---- oracles: what an input whose outcome is known must give ----

/** The outcome a whole valid stream, or a prefix of one, must have: its results, and the items in the order written. */
export interface Expectation {
  /** The results allowed (a reader limit in the case's options adds LIMIT). */
  results: readonly Outcome["result"][];
  /** Items a reader may deliver: those written whose frames are whole in the input (a prefix of it is delivered before an error). */
  items: unknown[];
  /** With an "ok" or REMOTE result every one of `items` must have been delivered, not only a prefix of them. */
  allItemsWhenDone: boolean;
}

/**
 * What reading the first `length` bytes of a valid stream must give. The whole stream: "ok" (REMOTE if it ends with
 * an error frame) with every item. A strict prefix: TRUNCATED, except truss at a frame boundary, which is a clean
 * end (docs/protocol.md): "ok" with the items so far, or ORDER when a declared footer (or header) never came.
 */
export function expectationOf(def: Definition, stream: ValidStream, length: number): Expectation {
  const total = streamBytes(stream).length;
  if (length >= total) return { results: [stream.endsWithError ? "REMOTE" : "ok"], items: stream.items, allItemsWhenDone: true };
  let at = stream.opening.length;
  let itemsWhole = 0;
  let boundary = length === at;
  const kindsWhole = new Set<number>();
  for (const frame of stream.frames) {
    at += frame.bytes.length;
    if (at > length) break;
    kindsWhole.add(frame.kind);
    if (frame.kind === FrameKind.ITEM) itemsWhole++;
    boundary = at === length;
  }
  if (length === 0) boundary = true;
  const items = stream.items.slice(0, itemsWhole);
  if (!def.format.endsAtEof || !boundary) return { results: ["TRUNCATED"], items, allItemsWhenDone: false };
  if (kindsWhole.has(FrameKind.ERROR)) return { results: ["REMOTE"], items, allItemsWhenDone: true };
  const missing = (def.header && !kindsWhole.has(FrameKind.HEADER)) || (def.footer && !kindsWhole.has(FrameKind.FOOTER));
  return { results: missing ? ["ORDER"] : ["ok"], items, allItemsWhenDone: !missing };
}

/** Why the values read are wrong for the definition's schemas, or undefined: every value delivered must validate. */
function invalidValue(def: Definition, read: ReadValues): string | undefined {
  if (def.options.validate === false) return undefined;
  const parts: [string, TSchema | undefined, unknown[]][] = [
    ["header", def.header, "header" in read ? [read.header] : []],
    ["item", def.item, read.items],
    ["footer", def.footer, "footer" in read ? [read.footer] : []],
  ];
  for (const [part, schema, values] of parts) {
    for (const [i, value] of values.entries()) {
      if (schema && !Value.Check(schema, value)) return `${part} ${part === "item" ? i + " " : ""}delivered does not validate: ${describe(value)}`;
    }
  }
  return undefined;
}

const describe = (value: unknown) => {
  const text = JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
  return text.length > 200 ? text.slice(0, 200) + "…" : text;
};

/**
 * Holds an outcome to the oracles: anything delivered validates; an input whose outcome is known (expected) gives
 * one of the allowed results with the items written, in order. Returns what is wrong, or undefined.
 */
export function checkOutcome(c: FuzzCase, outcome: Outcome): string | undefined {
  if (outcome.result === "escaped" || outcome.result === "hung" || outcome.values === undefined) return undefined; // failures already
  const def = definition(c.definition);
  const invalid = invalidValue(def, outcome.values);
  if (invalid) return invalid;
  const expected = c.expected;
  if (!expected) return undefined;
  const limited = c.options.maxItems !== undefined || c.options.maxTotalBytes !== undefined || c.options.maxFrameBytes !== undefined;
  const allowed: readonly string[] = limited ? [...expected.results, "LIMIT"] : expected.results;
  if (!allowed.includes(outcome.result)) return `${c.mutation}: expected ${allowed.join(" or ")}, got ${outcome.result} after ${outcome.items} items`;
  const delivered = outcome.values.items;
  if (delivered.length > expected.items.length) return `${c.mutation}: ${delivered.length} items delivered, but only ${expected.items.length} were written whole`;
  for (const [i, item] of delivered.entries()) {
    if (!isDeepStrictEqual(item, expected.items[i])) return `${c.mutation}: item ${i} read back as ${describe(item)}, written as ${describe(expected.items[i])}`;
  }
  if (expected.allItemsWhenDone && outcome.result !== "LIMIT" && delivered.length !== expected.items.length) {
    return `${c.mutation}: ${outcome.result} after ${delivered.length} of the ${expected.items.length} items written`;
  }
  return undefined;
}

// ---- running one case ----

/** What one input led to: "ok" (read to its end), a StreamError code, "escaped" (anything else thrown) or "hung". */
export interface Outcome {
  result: "ok" | StreamError["code"] | "escaped" | "hung";
  items: number;
  ms: number;
  error?: unknown;
  /** The values delivered (not kept when hung). */
  values?: ReadValues;
  /** What the oracles found wrong with it (checkOutcome), if anything: a failure like "escaped" or "hung". */
  wrong?: string;
}

/** The parts a reader delivered: header and footer only when read. */
export interface ReadValues {
  header?: unknown;
  items: unknown[];
  footer?: unknown;
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
async function readCase(c: FuzzCase): Promise<{ values: ReadValues; error?: unknown }> {
  const def = definition(c.definition);
  const reader = typesOf(def).reader(sourceOf(c) as Uint8Array, c.options) as unknown as {
    readHeader(): Promise<unknown>;
    readItems(): AsyncIterable<unknown>;
    readFooter(): Promise<unknown>;
  };
  const values: ReadValues = { items: [] };
  try {
    if (def.header) values.header = await reader.readHeader();
    for await (const item of reader.readItems()) values.items.push(item);
    if (def.footer) values.footer = await reader.readFooter();
  } catch (error) {
    return { values, error };
  }
  return { values };
}

/**
 * Runs one case, bounded by `timeBoundMs`: a read that neither finishes nor fails within it counts as hung. The
 * outcome is then held to the oracles (checkOutcome): `wrong` says what they found.
 */
export async function runCase(c: FuzzCase, timeBoundMs: number): Promise<Outcome> {
  const outcome = await readBounded(c, timeBoundMs);
  const wrong = checkOutcome(c, outcome);
  return wrong === undefined ? outcome : { ...outcome, wrong };
}

async function readBounded(c: FuzzCase, timeBoundMs: number): Promise<Outcome> {
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), timeBoundMs)));
  let settled: Awaited<ReturnType<typeof readCase>> | "hung";
  try {
    settled = await Promise.race([readCase(c), hung]);
  } catch (error) {
    settled = { values: { items: [] }, error }; // readCase itself threw: the source or reader could not even be created
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - start;
  if (settled === "hung") return { result: "hung", items: 0, ms };
  const { values, error } = settled;
  const items = values.items.length;
  if (error === undefined) return { result: "ok", items, ms, values };
  if (error instanceof StreamError) return { result: error.code, items, ms, error, values };
  return { result: "escaped", items, ms, error, values };
}

// ---- a whole run ----

export interface FuzzOptions {
  count: number;
  seed: number;
  /** A read that takes longer than this counts as hung. Default 5000 ms. */
  timeBoundMs?: number;
  /** Called for every escaped, hung or wrong case, e.g. to save it for replay. */
  onFailure?: (c: FuzzCase, outcome: Outcome) => void;
  /** Called every `progressEvery` inputs. */
  onProgress?: (done: number, report: FuzzReport) => void;
  progressEvery?: number;
  /** The formats to fuzz (names in test/formats.ts), each picked equally often. Default: all. */
  formats?: readonly string[];
}

/** One format's share of a run. */
export interface FormatReport {
  tried: number;
  outcomes: Record<string, number>;
  mutations: Record<string, number>;
  itemsDelivered: number;
  slowestMs: number;
}

export interface FuzzReport {
  seed: number;
  tried: number;
  /** Count per outcome: "ok", a StreamError code, "escaped", "hung". */
  outcomes: Record<string, number>;
  /** Count per mutation kind. */
  mutations: Record<string, number>;
  itemsDelivered: number;
  /** Inputs the oracles found wrong (checkOutcome): values that do not validate, or a known outcome not given. */
  wrong: number;
  /** Inputs with a known outcome (whole streams and prefixes of them), held to it. */
  checked: number;
  failures: { case: FuzzCase; outcome: Outcome }[];
  slowest: { ms: number; case?: FuzzCase; result?: string };
  peakHeapBytes: number;
  elapsedMs: number;
  /** The same counts per format. */
  byFormat: Record<string, FormatReport>;
}

const count = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const rng = new Rng(options.seed);
  const pool = makePool(rng);
  const bound = options.timeBoundMs ?? 5000;
  const every = options.progressEvery ?? 10_000;
  const formats = options.formats ?? FORMAT_NAMES;
  for (const name of formats) if (!FORMAT_NAMES.includes(name)) throw new Error(`unknown format ${name}; the formats are ${FORMAT_NAMES.join(", ")}`);
  const report: FuzzReport = { seed: options.seed, tried: 0, outcomes: {}, mutations: {}, itemsDelivered: 0, wrong: 0, checked: 0, failures: [], slowest: { ms: 0 }, peakHeapBytes: 0, elapsedMs: 0, byFormat: {} };
  for (const name of formats) report.byFormat[name] = { tried: 0, outcomes: {}, mutations: {}, itemsDelivered: 0, slowestMs: 0 };
  const start = performance.now();
  const sampleHeap = () => {
    const used = process.memoryUsage().heapUsed;
    if (used > report.peakHeapBytes) report.peakHeapBytes = used;
  };
  for (let i = 0; i < options.count; i++) {
    const c = makeCase(rng, pool, formats);
    const outcome = await runCase(c, bound);
    const share = report.byFormat[formatOf(c)]!;
    report.tried++;
    if (c.expected) report.checked++;
    share.tried++;
    count(report.outcomes, outcome.result);
    count(share.outcomes, outcome.result);
    count(report.mutations, mutationKind(c.mutation));
    count(share.mutations, mutationKind(c.mutation));
    report.itemsDelivered += outcome.items;
    share.itemsDelivered += outcome.items;
    share.slowestMs = Math.max(share.slowestMs, outcome.ms);
    if (outcome.ms > report.slowest.ms) report.slowest = { ms: outcome.ms, case: c, result: outcome.result };
    if (outcome.wrong !== undefined) report.wrong++;
    if (outcome.result === "escaped" || outcome.result === "hung" || outcome.wrong !== undefined) {
      report.failures.push({ case: c, outcome });
      options.onFailure?.(c, outcome);
    }
    if (i % 250 === 0) sampleHeap();
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
  const { expected: _, ...saved } = c; // the expectation holds values JSON cannot carry (dates, bigints, bytes)
  return JSON.stringify({ ...saved, bytes: Buffer.from(c.bytes).toString("base64"), outcome: outcome && { result: outcome.result, ms: outcome.ms, error, wrong: outcome.wrong } }, null, 2);
}

export function caseFromJson(text: string): FuzzCase {
  const o = JSON.parse(text) as FuzzCase & { bytes: string };
  return { ...o, bytes: new Uint8Array(Buffer.from(o.bytes, "base64")) };
}
