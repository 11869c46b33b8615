// Standard Schemas, compiled vs generic: W1 writer().item() and readItemBatches() with zod 4 and TypeBox 1 (typebox1()) definitions, CPU time per item;
// node --expose-gc --import tsx bench/standard-compiled.ts [--quick] [--rounds=7]
//
// Per library, two definitions of the fast-path issue's W1 (item, header, footer): streamTypes() of the main entry
// (compiled from the library's JSON Schema, the library's validation still run) and the same schemas without a
// plan (defineStreamTypes with no planFor: today's generic path). Each task's CPU time (process.cpuUsage: user +
// system, the process's own, so other processes on the shared cores count less than in wall time) per round; the
// tasks run interleaved, one untimed warm-up round, garbage collected before each, medians of the rounds. arktype is
// not measured: it sorts an object's properties in its JSON Schema, so W1's objects stay generic (src/schema/standard-plan.ts).
import { loadavg } from "node:os";
import Type1 from "typebox";
import { z } from "zod";
import { streamTypes } from "../src/index.js";
import { chooseValidator } from "../src/schema/choose.js";
import { typeboxCompiled } from "../src/schema/typebox-compiled.js";
import { defineStreamTypes } from "../src/standard.js";
import { typebox1 } from "../src/typebox1.js";
import { chunkedSource } from "./contender.js";
import { libraryBytes, libraryRead, libraryWrite, type AnyTypes } from "./fast-path-contenders.js";
import { median } from "./measure.js";
import { describeMachine, markdownTable } from "./report.js";
import { FAST_PATH_W1 as W1, makeItems } from "./workloads.js";

const argv = process.argv.slice(2);
const ROUNDS = Math.max(5, Number(argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 7));
const N = argv.includes("--quick") ? W1.quickCount : W1.fullCount;
const log = (text: string) => process.stderr.write(text + "\n");

const LIBRARIES: Record<string, { item: unknown; header: unknown; footer: unknown }> = {
  "zod 4": {
    item: z.object({ id: z.int(), words: z.array(z.string()), score: z.number() }),
    header: z.object({ source: z.string(), createdAt: z.number() }),
    footer: z.object({ count: z.int(), durationSec: z.number() }),
  },
  // A minimum string length stays with zod (it counts code points): the compiled codec then runs zod's validation too.
  "zod 4, zod still validating (`z.string().min(1)` words)": {
    item: z.object({ id: z.int(), words: z.array(z.string().min(1)), score: z.number() }),
    header: z.object({ source: z.string().min(1), createdAt: z.number() }),
    footer: z.object({ count: z.int(), durationSec: z.number() }),
  },
  "TypeBox 1 (`typebox1()`)": {
    item: typebox1(Type1.Object({ id: Type1.Integer(), words: Type1.Array(Type1.String()), score: Type1.Number() })),
    header: typebox1(Type1.Object({ source: Type1.String(), createdAt: Type1.Number() })),
    footer: typebox1(Type1.Object({ count: Type1.Integer(), durationSec: Type1.Number() })),
  },
  // For reference: TypeBox 0.34, whose plan is walked from the schema directly.
  "TypeBox 0.34 (reference)": { item: W1.item, header: W1.header, footer: W1.footer },
};

const validatorFor = (schema: unknown) => chooseValidator(schema, typeboxCompiled);
const items = makeItems(W1, N);
const bytes = libraryBytes(streamTypes(W1.item, W1.header, W1.footer) as unknown as AnyTypes, W1, items);

type Task = () => number | Promise<number>;
const tasks = new Map<string, Task>();
for (const [label, s] of Object.entries(LIBRARIES)) {
  const compiled = streamTypes(s.item as never, s.header as never, s.footer as never) as unknown as AnyTypes & { codec: string };
  const generic = defineStreamTypes(s.item as never, s.header as never, s.footer as never, {}, validatorFor) as unknown as AnyTypes & { codec: string };
  if (compiled.codec !== "code" || generic.codec !== "generic") throw new Error(`${label}: codecs ${compiled.codec} / ${generic.codec}`);
  for (const [side, types] of [["compiled", compiled], ["generic", generic]] as const) {
    tasks.set(`write ${label} ${side}`, () => (libraryWrite(types, W1, items), N));
    tasks.set(`batches ${label} ${side}`, () => libraryRead(types, W1, chunkedSource(bytes, 65536), true));
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
/** Every task once per round, in a rotating order; CPU seconds per task and round. */
async function rounds(count: number): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>([...tasks.keys()].map((k) => [k, []]));
  const entries = [...tasks];
  for (let round = 0; round < count; round++) {
    for (let i = 0; i < entries.length; i++) {
      const [key, task] = entries[(i + round) % entries.length]!;
      gc?.();
      const before = process.cpuUsage();
      const got = await task();
      const used = process.cpuUsage(before);
      if (got !== N) throw new Error(`${key}: ${got} items, expected ${N}`);
      samples.get(key)!.push((used.user + used.system) / 1e6);
    }
    log(`round ${round + 1}/${count}`);
  }
  return samples;
}

const started = Date.now();
const load0 = loadavg()[0]!;
log(`standard-compiled: ${N} items, ${bytes.length} bytes; warm-up`);
await rounds(1);
const samples = await rounds(ROUNDS);
const ns = (key: string) => (median(samples.get(key)!) * 1e9) / N;

const machine = describeMachine();
console.log(
  `Run ${new Date(started).toISOString().slice(0, 16).replace("T", " ")} UTC, ${Math.round((Date.now() - started) / 1000)} s, ${N} items (${(bytes.length / N).toFixed(1)} B/item), ` +
    `Node ${process.version}, ${machine.nproc} cores, ${machine.cpu}, ${machine.memory}, load average ${load0.toFixed(1)}→${loadavg()[0]!.toFixed(1)}, ${ROUNDS} rounds, CPU time.\n`,
);
const rows = Object.keys(LIBRARIES).flatMap((label) =>
  (["write", "batches"] as const).map((what) => {
    const c = ns(`${what} ${label} compiled`);
    const g = ns(`${what} ${label} generic`);
    return [label, what === "write" ? "`writer().item()` (W1 stream)" : "`readItemBatches()`", c.toFixed(0), g.toFixed(0), `${(g / c).toFixed(2)}×`];
  }),
);
console.log(markdownTable(["schemas", "figure", "compiled, ns/item (CPU)", "generic, ns/item (CPU)", "generic ÷ compiled"], rows, [2, 3, 4]));
