// What validation costs per schema library on the fast-path issue's W1 (200,000 items { id, words[3], score }):
// node --expose-gc --import tsx bench/validation-cost.ts [--quick] [--rounds=7]
//
// Two figures per library, both in ns per item, medians of ≥ 5 interleaved rounds (after one untimed warm-up round):
//   - in the reader: readItems() over the W1 stream (64 KiB chunks) with the library's schemas, minus the same read
//     with `validate: false` (same entry) run just before it: the median of the rounds' differences;
//   - the validator alone: the streamtypes Validator's parse() (what the reader calls per value) over the
//     decoded items, in a plain loop.
// TypeBox 0.34 "interpreted" is what the browser entry uses (TypeBox Check), read through streamtypes/browser with
// its own `validate: false` baseline; everything else reads through the main entry.
import { loadavg } from "node:os";
import { Type as T1 } from "typebox";
import { type } from "arktype";
import * as v from "valibot";
import { z } from "zod";
import { streamTypes as browserStreamTypes } from "../src/browser.js";
import { streamTypes } from "../src/index.js";
import { standardValidator } from "../src/schema/standard-schema.js";
import { typeboxInterpreted } from "../src/schema/typebox.js";
import { typeboxCompiled } from "../src/schema/typebox-compiled.js";
import { typebox1 } from "../src/schema/typebox1.js";
import { INVALID, type Validator } from "../src/schema/validator.js";
import { chunkedSource } from "./contender.js";
import { libraryBytes, libraryRead, type AnyTypes } from "./fast-path-contenders.js";
import { interleavedSamples, median } from "./measure.js";
import { describeMachine, markdownTable } from "./report.js";
import { FAST_PATH_W1 as W1, makeItems } from "./workloads.js";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const ROUNDS = Math.max(5, Number(argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 7));
const N = quick ? W1.quickCount : W1.fullCount;
const log = (text: string) => process.stderr.write(text + "\n");

// ---------------------------------------------------------------- the schemas: W1's item, header and footer in each library

/** zod builds its object parsers when a schema is created, so the jit schemas come first, then z.config({ jitless: true }). */
const zodSchemas = () => ({
  item: z.object({ id: z.int(), words: z.array(z.string()), score: z.number() }),
  header: z.object({ source: z.string(), createdAt: z.number() }),
  footer: z.object({ count: z.int(), durationSec: z.number() }),
});
const ZOD_JIT = zodSchemas();
z.config({ jitless: true });
const ZOD_JITLESS = zodSchemas();
z.config({ jitless: false });

const tb1 = (compile: boolean) => ({
  item: typebox1(T1.Object({ id: T1.Integer(), words: T1.Array(T1.String()), score: T1.Number() }), { compile }),
  header: typebox1(T1.Object({ source: T1.String(), createdAt: T1.Number() }), { compile }),
  footer: typebox1(T1.Object({ count: T1.Integer(), durationSec: T1.Number() }), { compile }),
});

interface Library {
  label: string;
  /** The definition the reader figure reads with. */
  types: AnyTypes;
  /** The baseline of the same entry. */
  baseline: "main" | "browser";
  /** The validator the reader runs per item. */
  validator: Validator;
}

const TB034 = { item: W1.item, header: W1.header!, footer: W1.footer! };
const VALIBOT = {
  item: v.object({ id: v.pipe(v.number(), v.safeInteger()), words: v.array(v.string()), score: v.number() }),
  header: v.object({ source: v.string(), createdAt: v.number() }),
  footer: v.object({ count: v.pipe(v.number(), v.safeInteger()), durationSec: v.number() }),
};
const ARKTYPE = {
  item: type({ id: "number.integer", words: "string[]", score: "number" }),
  header: type({ source: "string", createdAt: "number" }),
  footer: type({ count: "number.integer", durationSec: "number" }),
};
const TB1_COMPILED = tb1(true);
const TB1_INTERPRETED = tb1(false);

const main = (s: { item: unknown; header: unknown; footer: unknown }) => streamTypes(s.item as never, s.header as never, s.footer as never) as unknown as AnyTypes;
const LIBRARIES: Library[] = [
  { label: "TypeBox 0.34, compiled (main entry)", types: main(TB034), baseline: "main", validator: typeboxCompiled(W1.item) },
  {
    label: "TypeBox 0.34, interpreted (browser entry)",
    types: browserStreamTypes(W1.item, W1.header, W1.footer) as unknown as AnyTypes,
    baseline: "browser",
    validator: typeboxInterpreted(W1.item),
  },
  { label: "TypeBox 1.x, compiled (`typebox1(s)`)", types: main(TB1_COMPILED), baseline: "main", validator: standardValidator(TB1_COMPILED.item) },
  { label: "TypeBox 1.x, interpreted (`{ compile: false }`)", types: main(TB1_INTERPRETED), baseline: "main", validator: standardValidator(TB1_INTERPRETED.item) },
  { label: "zod 4, jit (default)", types: main(ZOD_JIT), baseline: "main", validator: standardValidator(ZOD_JIT.item) },
  { label: "zod 4, jitless", types: main(ZOD_JITLESS), baseline: "main", validator: standardValidator(ZOD_JITLESS.item) },
  { label: "valibot 1", types: main(VALIBOT), baseline: "main", validator: standardValidator(VALIBOT.item) },
  { label: "arktype 2 (`number.integer`)", types: main(ARKTYPE), baseline: "main", validator: standardValidator(ARKTYPE.item) },
];

const OFF: Record<"main" | "browser", AnyTypes> = {
  main: streamTypes(W1.item, W1.header, W1.footer, { validate: false }) as unknown as AnyTypes,
  browser: browserStreamTypes(W1.item, W1.header, W1.footer, { validate: false }) as unknown as AnyTypes,
};

// ---------------------------------------------------------------- the data

const items = makeItems(W1, N);
const bytes = libraryBytes(streamTypes(W1.item, W1.header, W1.footer) as unknown as AnyTypes, W1, items);
// The decoded values, as the reader hands them to the validator (read once, unvalidated).
const decoded: unknown[] = [];
{
  const reader = (OFF.main.reader(chunkedSource(bytes, 65536)) as { readHeader(): Promise<unknown>; readItems(): AsyncIterable<unknown>; readFooter(): Promise<unknown> });
  await reader.readHeader();
  for await (const item of reader.readItems()) decoded.push(item);
  await reader.readFooter();
}
if (decoded.length !== N) throw new Error(`decoded ${decoded.length} items, expected ${N}`);
for (const lib of LIBRARIES) {
  const bad = decoded.findIndex((x) => lib.validator.parse(x) === INVALID);
  if (bad >= 0) throw new Error(`${lib.label}: item ${bad} is invalid: ${JSON.stringify(lib.validator.issues(decoded[bad]))}`);
  if (lib.validator.parse({ id: 1.5, words: [], score: 0 }) !== INVALID) throw new Error(`${lib.label} accepts a non-integer id`);
}

// ---------------------------------------------------------------- the measurements

function validateAll(validator: Validator): number {
  let ok = 0;
  for (let i = 0; i < decoded.length; i++) if (validator.parse(decoded[i]) !== INVALID) ok++;
  return ok;
}

/** Collected garbage before each timed run (untimed), where node runs with --expose-gc: one task's garbage is not the next one's pause. */
const collect = (globalThis as { gc?: () => void }).gc;
const tasks = new Map<string, { run: () => Promise<void>; before?: () => void }>();
const checked = (name: string, fn: () => number | Promise<number>) =>
  tasks.set(name, {
    before: collect,
    run: async () => {
      const got = await fn();
      if (got !== N) throw new Error(`${name}: got ${got}, expected ${N}`);
    },
  });
// Each library's read right after a `validate: false` read of the same entry: the figure is their paired difference.
for (const lib of LIBRARIES) {
  checked(`off ${lib.label}`, () => libraryRead(OFF[lib.baseline], W1, chunkedSource(bytes, 65536), false));
  checked(`read ${lib.label}`, () => libraryRead(lib.types, W1, chunkedSource(bytes, 65536), false));
  checked(`parse ${lib.label}`, () => validateAll(lib.validator));
}

const started = Date.now();
const load0 = loadavg()[0]!;
log(`validation cost: ${N} items, ${bytes.length} bytes; warm-up`);
await interleavedSamples(1, tasks);
const samples = await interleavedSamples(ROUNDS, tasks, (r) => log(`round ${r + 1}/${ROUNDS}`));
const ms = (key: string) => median(samples.get(key)!) * 1000;
const ns = (key: string) => (median(samples.get(key)!) * 1e9) / N;

// ---------------------------------------------------------------- the report

const machine = describeMachine();
const rows = LIBRARIES.map((lib) => {
  const read = ms(`read ${lib.label}`);
  const off = ms(`off ${lib.label}`);
  const reads = samples.get(`read ${lib.label}`)!;
  const paired = median(samples.get(`off ${lib.label}`)!.map((o, i) => reads[i]! - o));
  return [
    lib.label,
    lib.validator.mode,
    `${read.toFixed(0)} ms`,
    `${off.toFixed(0)} ms`,
    `${((paired * 1e9) / N).toFixed(0)}`,
    `${ns(`parse ${lib.label}`).toFixed(0)}`,
    `${((Math.min(...samples.get(`parse ${lib.label}`)!) * 1e9) / N).toFixed(0)}`,
  ];
});
console.log(
  `Run ${new Date(started).toISOString().slice(0, 16).replace("T", " ")} UTC, ${Math.round((Date.now() - started) / 1000)} s, ${N} items (${(bytes.length / N).toFixed(1)} B/item), ` +
    `Node ${process.version}, ${machine.nproc} cores, ${machine.cpu}, ${machine.memory}, load average ${load0.toFixed(1)}→${loadavg()[0]!.toFixed(1)}, ${ROUNDS} rounds.\n`,
);
console.log(
  markdownTable(
    ["schemas (item, header, footer)", "validator", "W1 read, validated", "W1 read, `validate: false`", "validation in the reader, ns/item", "parse() alone, ns/item", "parse() alone, fastest round"],
    rows,
    [2, 3, 4, 5, 6],
  ),
);
