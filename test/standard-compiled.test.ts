// Codecs compiled from Standard Schemas' JSON Schema (zod 4, arktype 2, TypeBox 1 through typebox1()): the same results as the generic path, the library's own validation still applied.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type } from "arktype";
import fc from "fast-check";
import Type1 from "typebox";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { emptyStats, readAllOf, writeOne, type AnyDefinition } from "../bench/fuzz-compiled.js";
import { Rng } from "../bench/fuzz-core.js";
import { STANDARD_SCHEMAS, standardPair, standardRound } from "../bench/fuzz-standard.js";
import { jsonSchemaPlan } from "../src/plan/build-json-schema.js";
import { ndjson, sse, streamTypes } from "../src/index.js";
import { streamTypes as standardStreamTypes } from "../src/standard.js";
import { defineStreamTypes } from "../src/standard.js";
import { chooseValidator } from "../src/schema/choose.js";
import { typeboxCompiled } from "../src/schema/typebox-compiled.js";
import { typebox1 } from "../src/typebox1.js";
import { zodChecksOnlyJsonSchema } from "../src/schema/zod-exact.js";

const validatorFor = (schema: unknown) => chooseValidator(schema, typeboxCompiled);

/** Writes every value with a fresh writer and reads the frames back: what a stream of those items gives, or its error. */
async function roundTrip(definition: AnyDefinition, values: readonly unknown[]): Promise<{ written: string[]; read: unknown }> {
  const writer = definition.writer();
  const frames: Uint8Array[] = [];
  const written = values.map((value) => {
    const outcome = writeOne((x) => {
      const frame = writer.item(x);
      frames.push(frame);
      return frame;
    }, value);
    return outcome.ok ? "ok" : outcome.error;
  });
  frames.push(writer.end());
  return { written, read: await readAllOf(definition, frames, false) };
}

describe("Standard Schemas with a JSON Schema get a compiled codec", () => {
  it("zod 4, arktype 2 and typebox1() schemas report the compiled back end (before: generic); valibot, and what a library cannot express as JSON Schema, stay generic", () => {
    for (const [name, schema] of Object.entries(STANDARD_SCHEMAS)) expect(streamTypes(schema as never).codec, name).toBe("code");
    expect(standardStreamTypes(z.object({ id: z.int() })).codec, "the streamtypes/standard entry").toBe("code");
    expect(streamTypes(z.object({ id: z.int() }), undefined, undefined, { format: sse() }).codec, "the JSON writer").toBe("code");
    expect(streamTypes(v.object({ id: v.number() })).codec, "valibot: no JSON Schema of its own").toBe("generic");
    expect(streamTypes(type({ id: "number.integer", words: "string[]" })).codec, "arktype sorts properties: objects of two or more stay generic").toBe("generic");
    expect(streamTypes(type({ words: "string[]" })).codec).toBe("code");
    expect(streamTypes(z.object({ at: z.date() })).codec, "zod Date: no JSON Schema").toBe("generic");
    expect(streamTypes(z.transform((x: unknown) => String(x))).codec, "a bare transform: no input type").toBe("generic");
    expect(streamTypes(z.object({ id: z.int() }), undefined, undefined, { validate: false }).codec).toBe("generic");
  });

  it("the walk: the dialects' forms become plan nodes; what it does not follow leaves the part uncovered", () => {
    const kind = (schema: unknown) => jsonSchemaPlan(schema)?.root.kind;
    expect(kind({ type: ["string", "null"] })).toBe("union");
    expect(kind({ type: "string", nullable: true })).toBe("union");
    expect(kind({ type: "array", prefixItems: [{ type: "string" }], items: false, minItems: 1 })).toBe("tuple");
    expect(kind({ type: "array", items: [{ type: "string" }], additionalItems: false, minItems: 1 })).toBe("tuple");
    expect(kind({ type: "object", propertyNames: { type: "string" }, additionalProperties: { type: "number" } })).toBe("object");
    expect(kind({ type: "object", patternProperties: { "^.*$": { type: "number" } } })).toBe("record");
    expect(kind({ $ref: "#/$defs/A", $defs: { A: { type: "object", properties: { a: { $ref: "#/$defs/A" } } } } })).toBe("ref");
    const union = jsonSchemaPlan({ oneOf: [{ type: "object", properties: { k: { const: "a" } }, required: ["k"] }, { type: "object", properties: { k: { const: "b" } }, required: ["k"] }] })?.root;
    expect(union?.kind === "union" && union.discriminator?.key).toBe("k");
    for (const uncovered of [{ allOf: [] }, { not: {} }, { type: "array", uniqueItems: true }, { $ref: "https://example.com/s.json" }, { type: "object", properties: { toString: {} } }, { type: "number", exclusiveMinimum: true }, { type: "array", prefixItems: [{}] }]) {
      expect(jsonSchemaPlan(uncovered), JSON.stringify(uncovered)).toBeUndefined();
    }
  });
});

describe("zod: where its validation adds nothing to the JSON Schema, the compiled codec checks alone", () => {
  it("exact: plain shapes, bounds, array lengths, a string's maximum, unions, recursion; not exact: a string's minimum (zod counts code points), refine, transform, default, formats, regexes, multipleOf, records, xor, coerce", () => {
    const exact = (schema: unknown) => (streamTypes(schema as never) as unknown as { spec: { compiled: { item: unknown } } }).spec.compiled.item;
    expect(zodChecksOnlyJsonSchema(STANDARD_SCHEMAS["zod W1"])).toBe(true);
    expect(zodChecksOnlyJsonSchema(STANDARD_SCHEMAS["zod exact: recursive, unions, tuple, enum, literals"])).toBe(true);
    for (const schema of [z.string().min(2), z.string().length(2), z.string().refine(Boolean), z.string().transform(Number), z.number().default(1), z.email(), z.string().regex(/a/i), z.number().multipleOf(0.1), z.record(z.string(), z.number()), z.xor([z.string(), z.number()]), z.coerce.number(), z.string().trim(), z.int32(), z.object({ a: z.string() }).catchall(z.number()), z.object({ a: z.string().readonly() })]) {
      expect(zodChecksOnlyJsonSchema(schema), JSON.stringify(schema._zod.def.type)).toBe(false);
    }
    expect(exact(STANDARD_SCHEMAS["zod W1"])).toBeDefined();
  });
});

describe("compiled against the generic path, per library (fast-check: valid, mutated and odd values; generic-written, mutated and packed payloads)", () => {
  for (const [name, schema] of Object.entries(STANDARD_SCHEMAS)) {
    it(name, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
          const stats = emptyStats();
          await standardRound(new Rng(seed), schema, 40, 8, stats);
          expect(stats.disagreements.map((d) => `${d.side}: ${d.input.slice(0, 300)}\n  ${d.detail.slice(0, 500)}`)).toEqual([]);
          expect(stats.writesOk, "some values are written").toBeGreaterThan(0);
        }),
        { numRuns: 12 },
      );
    });
  }

  it("the closure back end (code generation forbidden): the same comparison, in a child process", () => {
    const seed = Date.now() % 2 ** 31;
    const root = fileURLToPath(new URL("..", import.meta.url));
    const run = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--import", "tsx", "bench/fuzz-standard.ts", "6000", String(seed)], { cwd: root, encoding: "utf8", timeout: 50_000 });
    const output = `${run.stdout}${run.stderr}`;
    expect(output.match(/: (\d+) disagreements/)?.[1], `seed ${seed}:\n${output.slice(0, 6000)}`).toBe("0");
  }, 60_000);
});

describe("the library's own validation still applies on the compiled path", () => {
  it("zod: .transform and .default shape what the reader delivers, .refine refuses as the generic path does (same code, message, path)", async () => {
    const schema = z.object({ n: z.string().transform((s) => s.length), d: z.number().default(3), r: z.string().refine((s) => !s.includes("b"), "no b") });
    const { compiled, generic } = standardPair(schema);
    const values = [{ n: "abc", r: "ok" }, { n: "x", d: 1, r: "abc" }, { n: "xy", d: 2, r: "a" }];
    const c = await roundTrip(compiled, values);
    expect(c).toEqual(await roundTrip(generic, values));
    expect(c.written[1]).toMatch(/^VALIDATION: The item 1 cannot be written: \/r: no b/);
    expect(c.read).toEqual({ items: [{ n: 3, d: 3, r: "ok" }, { n: 2, d: 2, r: "a" }] });
  });

  it("zod: a payload the plan takes but a refinement refuses is VALIDATION with the generic path's message", async () => {
    const schema = z.object({ r: z.string().refine((s) => s !== "bad", "not bad") });
    const writer = streamTypes(z.object({ r: z.string() })).writer();
    const frames = [writer.item({ r: "good" }), writer.item({ r: "bad" }), writer.end()];
    const { compiled, generic } = standardPair(schema);
    const c = await readAllOf(compiled, frames, false);
    expect(c).toEqual(await readAllOf(generic, frames, false));
    expect(c.error).toMatch(/^VALIDATION: .*\/r: not bad/);
    expect(c.items).toEqual([{ r: "good" }]);
  });

  it("arktype: morphs apply when read, a narrow refuses when written and read, as on the generic path", async () => {
    const schema = type([{ a: "string.numeric.parse" }, { n: type("number").narrow((n) => n % 3 === 0) }]);
    const { compiled, generic, backend } = standardPair(schema);
    expect(backend).toBe("code");
    const values = [[{ a: "12" }, { n: 3 }], [{ a: "1" }, { n: 4 }], [{ a: "x" }, { n: 6 }], [{ a: "-2.5" }, { n: 0 }]];
    const c = await roundTrip(compiled, values);
    expect(c).toEqual(await roundTrip(generic, values));
    expect(c.written.map((w) => w.slice(0, 10))).toEqual(["ok", "VALIDATION", "VALIDATION", "ok"]);
    expect(c.read).toEqual({ items: [[{ a: 12 }, { n: 3 }], [{ a: -2.5 }, { n: 0 }]] });
  });

  it("typebox1: a length TypeBox 1 counts in code points, and a multipleOf it checks with a tolerance, are judged by TypeBox 1", async () => {
    const schema = typebox1(Type1.Object({ s: Type1.String({ minLength: 2 }), m: Type1.Number({ multipleOf: 0.1 }) }));
    const { compiled, generic } = standardPair(schema);
    const values = [{ s: "ab", m: 0.3 }, { s: "😀", m: 1 }, { s: "😀😀", m: 0.7 }];
    const c = await roundTrip(compiled, values);
    expect(c).toEqual(await roundTrip(generic, values));
  });

  it("text formats: the compiled JSON writer writes what the generic one does, and a refinement still refuses", async () => {
    const schema = z.object({ token: z.string().refine((s) => s.trim() === s, "trimmed"), index: z.int() });
    for (const format of [sse(), ndjson()]) {
      const compiled = streamTypes(schema, undefined, undefined, { format }) as unknown as AnyDefinition;
      const generic = defineStreamTypes(schema, undefined, undefined, { format }, validatorFor) as unknown as AnyDefinition;
      expect((compiled as unknown as { codec: string }).codec).toBe("code");
      // Keys in the schema's order (another order is written in the schema's, docs/compiled-codecs.md "Differences in the bytes").
      const values = [{ token: "a", index: 1 }, { token: " a", index: 2 }, { token: "b\u2028\"", index: 3 }];
      const text = (definition: AnyDefinition) => {
        const w = definition.writer();
        return values.map((value) => {
          try {
            return new TextDecoder().decode(w.item(value));
          } catch (err) {
            return String(err);
          }
        });
      };
      expect(text(compiled)).toEqual(text(generic));
    }
  });
});
