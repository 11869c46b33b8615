// Differential fuzzing of Standard Schemas' compiled codecs (zod 4, arktype 2, TypeBox 1 through typebox1()): streamTypes() against the generic path, values made from each schema's own JSON Schema; `node --import tsx bench/fuzz-standard.ts [pairs] [seed]`.
import { type } from "arktype";
import Type1 from "typebox";
import { pathToFileURL } from "node:url";
import * as z from "zod";
import { streamTypes } from "../src/index.js";
import { chooseValidator } from "../src/schema/choose.js";
import { typeboxCompiled } from "../src/schema/typebox-compiled.js";
import type { StreamSpec } from "../src/spec.js";
import { defineStreamTypes } from "../src/standard.js";
import { typebox1 } from "../src/typebox1.js";
import { anyValue, compareReads, compareWrites, emptyStats, randomText, randomValue, readPayloads, type AnyDefinition, type DefinitionPair, type GenContext, type RoundStats, type SchemaGen } from "./fuzz-compiled.js";
import type { TSchema } from "@sinclair/typebox";
import { Rng } from "./fuzz-core.js";

const Tree: z.ZodType<{ v: number; kids: unknown[] }> = z.object({
  v: z.number(),
  get kids() {
    return z.array(Tree).max(3);
  },
});

/** Standard Schemas of each library with a JSON Schema: plain shapes, and the refinements, transforms and defaults the library keeps for itself. */
export const STANDARD_SCHEMAS: Readonly<Record<string, unknown>> = {
  "zod W1": z.object({ id: z.int(), words: z.array(z.string()), score: z.number() }),
  "zod W2": z.object({ token: z.string().min(3).max(6), index: z.int().nonnegative(), logprob: z.number().lte(0) }),
  "zod refine, transform, default, format": z.object({
    n: z.string().transform((s) => s.length),
    d: z.number().default(3),
    r: z.string().refine((s) => !s.includes("b")),
    e: z.email(),
    o: z.boolean().optional(),
    nn: z.string().nullable(),
    i: z.string().regex(/^[a-c]*$/i),
  }),
  "zod discriminated union": z.discriminatedUnion("type", [z.object({ type: z.literal("text"), text: z.string().max(10) }), z.object({ type: z.literal("n"), n: z.number().multipleOf(0.5).gt(-4) }), z.object({ type: z.literal("end") })]),
  // zod's validation adds nothing to this one's JSON Schema: the compiled codec checks it alone (src/schema/zod-exact.ts).
  "zod exact: recursive, unions, tuple, enum, literals": z.object({
    t: Tree,
    u: z.union([z.string().max(3), z.array(z.int().gte(-5).lt(100)).min(1)]),
    du: z.discriminatedUnion("type", [z.object({ type: z.literal("text"), text: z.string().max(2) }), z.object({ type: z.literal("n"), n: z.number().gt(-4).lte(1e6) })]),
    tu: z.tuple([z.string(), z.number()]),
    e: z.enum(["a", "b"]),
    l: z.literal([1, "x", null, true]),
    o: z.boolean().optional(),
    n: z.string().nullable(),
    s: z.strictObject({ a: z.number() }),
    lo: z.looseObject({ a: z.number() }),
    any: z.unknown(),
    lz: z.lazy(() => z.string().max(3)),
  }),
  "zod recursive, record, tuple, enum": z.object({ t: Tree, r: z.record(z.string(), z.int().max(100)), tu: z.tuple([z.string(), z.number()]), e: z.enum(["a", "b"]), s: z.strictObject({ a: z.number() }), l: z.looseObject({ a: z.number() }) }),
  // arktype sorts an object's properties in its JSON Schema: objects of one property, arrays, tuples, records and unions compile.
  "arktype morphs and narrows": type([{ a: "string.numeric.parse" }, { n: type("number").narrow((n) => n % 3 === 0) }, { "o?": "boolean" }, { b: ["string", "=>", (s: string) => s.toUpperCase()] }, { d: "number = 3" }]),
  "arktype record and union": type([{ "[string]": "number" }, "string | number[] | null", "'x' | 'y' | 1 | true", ["string", "number.integer"]]),
  "typebox1 W1": typebox1(Type1.Object({ id: Type1.Integer(), words: Type1.Array(Type1.String()), score: Type1.Number() })),
  "typebox1 kinds": typebox1(
    Type1.Object({
      s: Type1.String({ minLength: 2, maxLength: 4 }),
      o: Type1.Optional(Type1.Integer({ minimum: 0 })),
      u: Type1.Union([Type1.Literal(1), Type1.Literal("one"), Type1.Null()]),
      tu: Type1.Tuple([Type1.String(), Type1.Boolean()]),
      r: Type1.Record(Type1.String(), Type1.Number()),
      p: Type1.String({ pattern: "^[a-z]+$" }),
      m: Type1.Number({ multipleOf: 0.1 }),
      x: Type1.Object({ a: Type1.Number() }, { additionalProperties: false }),
    }),
  ),
};

const validatorFor = (schema: unknown) => chooseValidator(schema, typeboxCompiled);

/** A Standard Schema twice: streamTypes() of the main entry (compiled where it has a plan) and the generic path (no planFor). */
export function standardPair(schema: unknown): DefinitionPair {
  const compiled = streamTypes(schema as never) as unknown as AnyDefinition;
  const generic = defineStreamTypes(schema as never, undefined, undefined, {}, validatorFor) as unknown as AnyDefinition;
  const backend = (compiled as unknown as { spec: StreamSpec }).spec.compiled.item?.backend;
  // The schema as its JSON Schema, for messages (a zod or arktype schema does not print).
  return { schema: jsonSchemaOf(schema) as unknown as TSchema, compiled, generic, backend, headerFooter: false, maxFrameBytes: undefined };
}

/** The JSON Schema a Standard Schema's library gives (the input side), as the compiled path reads it. */
export function jsonSchemaOf(schema: unknown): Record<string, unknown> {
  const wrapped = (schema as { schema?: Record<string, unknown> }).schema;
  if (wrapped !== undefined) return wrapped;
  const std = (schema as { "~standard": { jsonSchema: { input(o: { target: string }): Record<string, unknown> } } })["~standard"];
  return std.jsonSchema.input({ target: "draft-2020-12" });
}

/** A generator of (mostly) valid values, read off the JSON Schema: what a refinement refuses is left to chance. */
export function jsonSchemaGen(json: Record<string, unknown>): SchemaGen {
  // Values follow the JSON Schema's property order, so a compiled writer must give the generic bytes exactly, except
  // where a union of objects may take another member's order, or extra keys come after the schema's.
  const text = JSON.stringify(json);
  return { schema: json as unknown as TSchema, valid: (rng, ctx) => valueOf(json, json, rng, ctx, 0), objectUnion: text.includes('"anyOf"') || text.includes('"oneOf"') };
}

const STRINGS = ["", "a", "abc", "ABC", "a@b.co", "x.y@example.org", "12", "-3.5", "b", "abcd", "日本語", "😀x", "\ud800", "ab\ncd", "hello world"];

function valueOf(s: unknown, root: Record<string, unknown>, rng: Rng, ctx: GenContext, depth: number): unknown {
  if (s === true || typeof s !== "object" || s === null) return anyValue(rng, 2);
  const schema = s as Record<string, unknown>;
  if (typeof schema.$ref === "string") {
    const ref = schema.$ref;
    const target = ref === "#" ? root : (root.$defs as Record<string, unknown>)[ref.replace("#/$defs/", "")];
    return valueOf(target, root, rng, ctx, depth + 1);
  }
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return rng.pick(schema.enum);
  const members = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (members !== undefined) return valueOf(rng.pick(members), root, rng, ctx, depth);
  const t = Array.isArray(schema.type) ? rng.pick(schema.type as string[]) : schema.type;
  switch (t) {
    case "object": {
      const out: Record<string, unknown> = {};
      const required = new Set((schema.required as string[] | undefined) ?? []);
      for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) {
        if (required.has(key) || rng.chance(0.6)) out[key] = valueOf(sub, root, rng, ctx, depth + 1);
      }
      const values = schema.patternProperties !== undefined ? Object.values(schema.patternProperties as object)[0] : schema.additionalProperties;
      if (typeof values === "object" && values !== null) {
        for (let i = rng.int(depth > 3 ? 1 : 4); i > 0; i--) out[rng.pick(["k", "key", "日本", "a b"])] = valueOf(values, root, rng, ctx, depth + 1);
        if (schema.properties !== undefined) ctx.extra = true;
      }
      return out;
    }
    case "array": {
      const prefix = (schema.prefixItems ?? (Array.isArray(schema.items) ? schema.items : undefined)) as unknown[] | undefined;
      if (prefix !== undefined) return prefix.map((item) => valueOf(item, root, rng, ctx, depth + 1));
      const max = Math.min((schema.maxItems as number | undefined) ?? 4, depth > 3 ? 0 : 4);
      const min = Math.min((schema.minItems as number | undefined) ?? 0, max);
      return Array.from({ length: min + rng.int(max - min + 1) }, () => valueOf(schema.items, root, rng, ctx, depth + 1));
    }
    case "string": {
      const min = (schema.minLength as number | undefined) ?? 0;
      const max = (schema.maxLength as number | undefined) ?? 40;
      const pattern = typeof schema.pattern === "string" ? new RegExp(schema.pattern, "u") : undefined;
      const fitting = STRINGS.filter((x) => x.length >= min && x.length <= max && (pattern === undefined || pattern.test(x)));
      if (fitting.length > 0 && rng.chance(0.7)) return rng.pick(fitting);
      return randomText(rng, min + rng.int(Math.min(max, min + 70) - min + 1));
    }
    case "integer":
    case "number": {
      const lo = Math.max((schema.minimum as number | undefined) ?? (schema.exclusiveMinimum as number | undefined) ?? -1000, -1e6);
      const hi = Math.min((schema.maximum as number | undefined) ?? (schema.exclusiveMaximum as number | undefined) ?? 1000, 1e6);
      const step = (schema.multipleOf as number | undefined) ?? (t === "integer" || rng.chance(0.5) ? 1 : 0.25);
      const steps = Math.floor((hi - lo) / step);
      return rng.chance(0.1) ? rng.pick([0, -0, 3, 2 ** 31, 1.5]) : Math.ceil(lo / step) * step + rng.int(steps + 1) * step;
    }
    case "boolean":
      return rng.chance(0.5);
    case "null":
      return null;
    default:
      return anyValue(rng, 2);
  }
}

/** One schema's round: `writes` values written by both definitions, `reads` streams of payloads read by both. */
export async function standardRound(rng: Rng, schema: unknown, writes: number, reads: number, stats: RoundStats): Promise<void> {
  const pair = standardPair(schema);
  const gen = jsonSchemaGen(jsonSchemaOf(schema));
  stats.schemas++;
  if (pair.backend !== undefined) stats.compiledSchemas++;
  const written = compareWrites(pair, Array.from({ length: writes }, () => randomValue(rng, gen)), stats);
  for (let i = 0; i < reads; i++) await compareReads(rng, pair, readPayloads(rng, gen, written, 1 + rng.int(6)), stats);
}

async function main(): Promise<void> {
  const pairs = Number(process.argv[2] ?? 100_000);
  const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
  console.log(`fuzz-standard: ${pairs} pairs, seed ${seed}`);
  Error.stackTraceLimit = 0;
  const rng = new Rng(seed);
  const stats = emptyStats();
  const schemas = Object.values(STANDARD_SCHEMAS);
  while (stats.writes + stats.reads < pairs) await standardRound(rng, rng.pick(schemas), 200, 40, stats);
  console.log(`writer: ${stats.writeAgreements} of ${stats.writes} agree (${stats.writesOk} written); reader: ${stats.readAgreements} of ${stats.reads} streams agree (${stats.readsWithItems} with items)`);
  for (const d of stats.disagreements.slice(0, 10)) console.log(`\n${d.side} (${d.backend ?? "no plan"}) ${d.schema.slice(0, 300)}\n  input ${d.input.slice(0, 400)}\n  ${d.detail.slice(0, 600)}`);
  console.log(`\nseed ${seed}: ${stats.disagreements.length} disagreements`);
  process.exitCode = stats.disagreements.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
