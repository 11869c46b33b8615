// The browser entry's validator from a schema's plan (src/plan/plan-check.ts) against TypeBox's Value.Check, which it replaces in pages.
import { Kind, Type, type TSchema } from "@sinclair/typebox";
import { Check } from "@sinclair/typebox/value";
import { describe, expect, it } from "vitest";
import { Rng, mutateValue, oddValue, reorderKeys, schemaGen, show, showSchema } from "../bench/fuzz-compiled.js";
import { planValidator } from "../src/plan/plan-check.js";
import { typeboxInterpretedPlan } from "../src/schema/typebox-planned.js";
import { withSafeIntegers } from "../src/schema/typebox.js";
import { INVALID } from "../src/schema/validator.js";
import { decodeMessagePack } from "../src/codecs/msgpack-decode.js";
import { msgpack, sse, streamTypes as mainStreamTypes } from "../src/index.js";
import { objectStream, readerTypes, streamTypes, typeboxCheck } from "../src/browser.js";
import { readAll, rejection } from "./helpers.js";

describe("plan validator against TypeBox's Check", () => {
  it("accepts exactly what Check accepts, on random schemas and valid, reordered, mutated and odd values (as written, and as decoded)", () => {
    const rng = new Rng(Number(process.env.PLAN_CHECK_SEED ?? 20261207));
    const codec = msgpack();
    let planned = 0;
    let accepted = 0;
    let refused = 0;
    const disagreements: string[] = [];
    for (let s = 0; s < Number(process.env.PLAN_CHECK_SCHEMAS ?? 400); s++) {
      const gen = schemaGen(rng, 1 + rng.int(3));
      const plan = typeboxInterpretedPlan(gen.schema);
      if (plan === undefined) continue;
      planned++;
      const validator = planValidator(plan);
      const safe = withSafeIntegers(gen.schema);
      for (let v = 0; v < 25; v++) {
        const valid = gen.valid(rng, { extra: false, depth: 3 });
        const roll = rng.next();
        const value = roll < 0.4 ? valid : roll < 0.55 ? reorderKeys(rng, valid) : roll < 0.9 ? mutateValue(rng, valid) : oddValue(rng);
        const candidates = [value];
        try {
          const bytes = codec.encode(value);
          candidates.push(decodeMessagePack(bytes, 0, bytes.length));
        } catch {
          // not carried by MessagePack: the value as written only
        }
        for (const candidate of candidates) {
          let expected: boolean;
          try {
            expected = Check(safe, candidate);
          } catch {
            continue; // Check throws (too deep): the reader reports that as uncheckable either way
          }
          const got = validator.parse(candidate) !== INVALID;
          if (got !== expected) disagreements.push(`${showSchema(gen.schema)}\n  ${show(candidate)}: Check ${expected}, plan ${got}`);
          if (expected) accepted++;
          else {
            refused++;
            expect(validator.issues(candidate).length, show(candidate)).toBeGreaterThan(0);
          }
        }
      }
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(planned).toBeGreaterThan(200);
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });

  it("names each failing property and element with its path, as the browser entry always has", () => {
    const schema = Type.Object({
      id: Type.Integer({ minimum: 0 }),
      words: Type.Array(Type.String({ maxLength: 3 }), { maxItems: 4 }),
      kind: Type.Union([Type.Literal("a"), Type.Literal("b")]),
      tag: Type.Optional(Type.String({ pattern: "^x" })),
    }, { additionalProperties: false });
    const v = planValidator(typeboxInterpretedPlan(schema)!);
    expect(v.issues({ id: -1, words: ["ok", "long", 3], kind: "c", tag: "y", extra: 1 })).toEqual([
      { path: "/id", message: "Expected integer (minimum 0)" },
      { path: "/words/1", message: 'Expected string (maxLength 3)' },
      { path: "/words/2", message: "Expected string (maxLength 3)" },
      { path: "/kind", message: "Expected one of the union's types" },
      { path: "/tag", message: 'Expected string (pattern "^x")' },
      { path: "/extra", message: "Unexpected property" },
    ]);
    expect(v.issues({ words: [] })).toEqual([
      { path: "/id", message: "Expected required property" },
      { path: "/kind", message: "Expected required property" },
    ]);
    expect(v.issues({ id: 2 ** 60, words: [], kind: "a" })[0]!.message).toMatch(/outside ±\(2\^53 − 1\)/);
    expect(v.issues("x")).toEqual([{ path: "/", message: "Expected object" }]);
    expect(v.issues({ id: 1, words: ["a", "b", "c", "d", "e"], kind: "a" })).toEqual([{ path: "/words", message: "Expected array (maxItems 4)" }]);
    expect(v.issues({ id: -1, words: [1, 2, 3], kind: 1 }, 2)).toHaveLength(2);
  });

  it("checks Date, Uint8Array and BigInt bounds as TypeBox does, without its Check", () => {
    const cases: [TSchema, unknown[]][] = [
      [Type.Date({ minimumTimestamp: 10, exclusiveMaximumTimestamp: 20 }), [new Date(10), new Date(19), new Date(20), new Date(9), new Date(NaN), 15, "x"]],
      [Type.Uint8Array({ minByteLength: 1, maxByteLength: 2 }), [new Uint8Array(0), new Uint8Array(1), new Uint8Array(3), [1], new Int8Array(1)]],
      [Type.BigInt({ minimum: -5n, maximum: 5n, multipleOf: 2n }), [0n, 4n, 5n, -6n, 2, "2"]],
    ];
    for (const [schema, values] of cases) {
      const v = planValidator(typeboxInterpretedPlan(Type.Object({ x: schema }))!);
      for (const x of values) expect(v.parse({ x }) !== INVALID, `${String(schema[Kind])} ${show(x)}`).toBe(Check(schema, x));
    }
  });
});

describe("plan validator: recursive schemas and typed arrays", () => {
  it("follows a recursive schema, and explains a typed array as the browser entry always has", async () => {
    const { TypedArray } = await import("../src/schema/typed-array.js");
    const Node = Type.Recursive((This) => Type.Object({ v: Type.Number(), next: Type.Optional(This) }));
    const v = planValidator(typeboxInterpretedPlan(Node)!);
    for (const value of [{ v: 1 }, { v: 1, next: { v: 2 } }, { v: 1, next: { v: "x" } }, { v: 1, next: 3 }]) expect(v.parse(value) !== INVALID, show(value)).toBe(Check(Node, value));
    expect(v.issues({ v: 1, next: { v: 2, next: { v: "x" } } })).toEqual([{ path: "/next/next/v", message: "Expected number" }]);
    const vec = Type.Object({ x: TypedArray("Float32Array", { maxLength: 2 }) });
    const t = planValidator(typeboxInterpretedPlan(vec)!);
    for (const x of [new Float32Array(2), new Float32Array(3), new Float64Array(1), [1]]) expect(t.parse({ x }) !== INVALID).toBe(Check(vec, { x }));
    expect(t.issues({ x: new Float32Array(3) })).toEqual([{ path: "/x", message: "expected a Float32Array of at most 2 elements (maxLength), got 3" }]);
    expect(t.issues({ x: [1] })).toEqual([{ path: "/x", message: "expected a Float32Array, got an array" }]);
  });
});

describe("streamtypes/browser: validation without TypeBox's Check", () => {
  const Item = Type.Object({ id: Type.Integer({ minimum: 0 }), text: Type.String() });

  it("a value the compiled reader leaves to the generic path (keys in another order, an extra key) is checked by the plan: delivered, or VALIDATION with its path", async () => {
    const w = mainStreamTypes(Type.Object({ text: Type.String(), id: Type.Number(), more: Type.Optional(Type.Boolean()) })).writer();
    const S = streamTypes(Item);
    expect(S.validation).toBe("interpreted");
    expect(S.codec).toBe("closures");
    const read = await readAll(S, S.reader([w.item({ text: "a", id: 1 }), w.item({ text: "b", id: 2, more: true }), w.item({ text: "c", id: -1 }), w.end()]));
    expect(read.items).toEqual([{ text: "a", id: 1 }, { text: "b", id: 2, more: true }]);
    expect(read.error?.code).toBe("VALIDATION");
    expect(read.error?.message).toBe("The item 2 does not match its schema: /id: Expected integer (minimum 0).");
    const E = readerTypes(Item, undefined, undefined, { format: sse() });
    const ws = mainStreamTypes(Type.Object({ id: Type.Number(), text: Type.Unknown() }), undefined, undefined, { format: sse() }).writer();
    const events = await readAll(E, E.reader([ws.item({ id: 0, text: "x" }), ws.item({ id: 1, text: 5 }), ws.end()]));
    expect(events.items).toEqual([{ id: 0, text: "x" }]);
    expect(events.error?.message).toBe("The item 1 does not match its schema: /text: Expected string.");
  });

  it("a schema no plan covers is OPTIONS when defined, naming what and the fix; with { fallback: typeboxCheck } it reads as before", async () => {
    const Both = Type.Intersect([Type.Object({ a: Type.Number() }), Type.Object({ b: Type.String() })]);
    for (const define of [() => streamTypes(Both), () => readerTypes(Item, Both, undefined, { format: sse() }), () => objectStream(Both)]) {
      const refused = await rejection(define);
      expect(refused.code).toBe("OPTIONS");
      expect(refused.message).toMatch(/uses allOf \(Intersect\).*typeboxCheck.*fallback: typeboxCheck/);
    }
    const S = streamTypes(Both, undefined, undefined, { fallback: typeboxCheck });
    expect(S.codec).toBe("generic");
    const w = mainStreamTypes(Both).writer();
    const read = await readAll(S, S.reader([w.item({ a: 1, b: "x" }), w.end()]));
    expect(read).toEqual({ items: [{ a: 1, b: "x" }] });
    const bad = mainStreamTypes(Type.Object({ a: Type.Number(), b: Type.Number() })).writer();
    expect((await readAll(S, S.reader([bad.item({ a: 1, b: 2 }), bad.end()]))).error?.code).toBe("VALIDATION");
    // validate: false needs no check at all
    expect(streamTypes(Both, undefined, undefined, { validate: false }).validation).toBe("off");
  });
});
