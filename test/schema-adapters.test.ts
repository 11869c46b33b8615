// Schema-library adapters behind one Validator: Standard Schema (zod 4, valibot 1, arktype 2) and TypeBox 1.x, with their static types.
import { Type as Type034 } from "@sinclair/typebox";
import type { StandardSchemaV1 as SpecStandardSchemaV1 } from "@standard-schema/spec";
import { type } from "arktype";
import Type from "typebox";
import type { Static as Static1 } from "typebox";
import * as v from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { StreamError } from "../src/errors.js";
import type { BareTypeBox1Schema, Input, Output, SchemaLike } from "../src/schema/infer.js";
import { isStandardSchema, pointer, standardValidator, VALIDATOR, type StandardSchemaV1 } from "../src/schema/standard-schema.js";
import { isTypeBox1Schema, typebox1, typebox1Validator, withSafeIntegers, type TypeBox1Standard } from "../src/schema/typebox1.js";
import { INVALID } from "../src/schema/validator.js";

const good = { id: 1, words: ["a", "b"], score: 0.5 };
const bad = { id: 1, words: ["a", 2], score: "x" };

const zodItem = z.object({ id: z.number(), words: z.array(z.string()), score: z.number() });
const valibotItem = v.object({ id: v.number(), words: v.array(v.string()), score: v.number() });
const arkItem = type({ id: "number", words: "string[]", score: "number" });
const tb1Item = Type.Object({ id: Type.Integer(), words: Type.Array(Type.String()), score: Type.Number() });
const tb034Item = Type034.Object({ id: Type034.Integer(), words: Type034.Array(Type034.String()), score: Type034.Number() });

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("standardValidator", () => {
  const libraries = { zod: zodItem, valibot: valibotItem, arktype: arkItem } as const;

  for (const [name, schema] of Object.entries(libraries)) {
    describe(name, () => {
      const validator = standardValidator(schema);

      it("is a Standard Schema, in mode 'standard'", () => {
        expect(isStandardSchema(schema)).toBe(true);
        expect(validator.mode).toBe("standard");
      });

      it("passes a valid value and returns the library's output", () => {
        expect(validator.parse(good)).toEqual(good);
        expect(validator.issues(good)).toEqual([]);
      });

      it("gives INVALID for an invalid value, and issues with JSON-pointer paths", () => {
        expect(validator.parse(bad)).toBe(INVALID);
        const issues = validator.issues(bad);
        expect(issues.map((i) => i.path).sort()).toEqual(["/score", "/words/1"]); // arktype reports in its own order
        for (const issue of issues) expect(issue.message.length).toBeGreaterThan(0);
        expect(validator.issues(bad, 1)).toHaveLength(1);
        expect(validator.parse("nope")).toBe(INVALID);
        expect(validator.issues("nope")).toEqual([{ path: "/", message: expect.any(String) }]);
      });
    });
  }

  it("nested object and array paths", () => {
    const value = { a: [{ b: "ok" }, { b: 1 }], c: { d: { e: null } } };
    const zs = z.object({ a: z.array(z.object({ b: z.string() })), c: z.object({ d: z.object({ e: z.string() }) }) });
    const vs = v.object({ a: v.array(v.object({ b: v.string() })), c: v.object({ d: v.object({ e: v.string() }) }) });
    const as = type({ a: type({ b: "string" }).array(), c: { d: { e: "string" } } });
    for (const schema of [zs, vs, as]) {
      expect(standardValidator(schema).issues(value).map((i) => i.path)).toEqual(["/a/1/b", "/c/d/e"]);
    }
  });

  it("a zod transform: the output differs from the input", () => {
    const schema = z.object({ n: z.string().transform((s) => Number(s)), tags: z.array(z.string()).default([]) });
    const validator = standardValidator(schema);
    expect(validator.parse({ n: "42" })).toEqual({ n: 42, tags: [] });
    expect(validator.parse({ n: 42 })).toBe(INVALID);
    expectTypeOf<Input<typeof schema>>().toEqualTypeOf<{ n: string; tags?: string[] | undefined }>();
    expectTypeOf<Output<typeof schema>>().toEqualTypeOf<{ n: number; tags: string[] }>();
  });

  it("a valibot transform pipe: the output differs from the input", () => {
    const schema = v.object({ n: v.pipe(v.string(), v.transform((s) => Number(s))) });
    const validator = standardValidator(schema);
    expect(validator.parse({ n: "7" })).toEqual({ n: 7 });
    expect(validator.issues({ n: 7 }).map((i) => i.path)).toEqual(["/n"]);
    expectTypeOf<Input<typeof schema>>().toEqualTypeOf<{ n: string }>();
    expectTypeOf<Output<typeof schema>>().toEqualTypeOf<{ n: number }>();
  });

  it("an arktype morph: the output differs from the input", () => {
    const schema = type({ n: type("string").pipe((s) => Number(s)) });
    expect(standardValidator(schema).parse({ n: "3" })).toEqual({ n: 3 });
    expectTypeOf<Input<typeof schema>>().toEqualTypeOf<{ n: string }>();
    expectTypeOf<Output<typeof schema>>().toEqualTypeOf<{ n: number }>();
  });

  it("an asynchronous schema that a probe with undefined shows is refused at construction (OPTIONS)", () => {
    for (const schema of [v.objectAsync({ n: v.number() }), z.unknown().refine(async () => true)]) {
      const err = thrown(() => standardValidator(schema));
      expect(err).toBeInstanceOf(StreamError);
      expect((err as StreamError).code).toBe("OPTIONS");
      expect((err as StreamError).message).toMatch(/asynchronous.*synchronously as it arrives.*use a synchronous schema/);
    }
  });

  it("a zod async refinement the probe cannot reach is refused at the first value that reaches it (OPTIONS)", () => {
    const schema = z.object({ n: z.number() }).refine(async (o) => o.n > 0);
    const validator = standardValidator(schema); // the probe fails on the object check, before the refinement
    expect(validator.parse("not an object")).toBe(INVALID);
    const err = thrown(() => validator.parse({ n: 1 }));
    expect(err).toBeInstanceOf(StreamError);
    expect((err as StreamError).code).toBe("OPTIONS");
    expect((err as StreamError).message).toMatch(/zod schema is asynchronous/);
    expect(() => validator.issues({ n: -1 })).toThrow(/asynchronous/);
  });

  it("a rejected promise from an async schema is handled (no unhandled rejection)", async () => {
    const schema: StandardSchemaV1 = {
      "~standard": { version: 1, vendor: "test", validate: () => Promise.reject(new Error("boom")) },
    };
    expect(() => standardValidator(schema)).toThrow(StreamError);
    const late = standardValidator(schema, { probe: false });
    expect(() => late.parse(1)).toThrow(/test schema is asynchronous/);
    await new Promise((resolve) => setTimeout(resolve, 10)); // vitest fails the run on an unhandled rejection
  });

  it("refuses what is not a Standard Schema", () => {
    expect(isStandardSchema({})).toBe(false);
    expect(isStandardSchema(null)).toBe(false);
    expect(isStandardSchema(tb1Item)).toBe(false);
    expect(isStandardSchema(tb034Item)).toBe(false);
    expect((thrown(() => standardValidator({} as StandardSchemaV1)) as StreamError).code).toBe("OPTIONS");
  });

  it("paths: PathSegment objects, numbers, symbols, and RFC 6901 escapes", () => {
    expect(pointer(undefined)).toBe("/");
    expect(pointer([])).toBe("/");
    expect(pointer(["a", 0, { key: "b" }, { key: 1 }])).toBe("/a/0/b/1");
    expect(pointer(["a/b", "c~d"])).toBe("/a~1b/c~0d");
    expect(pointer([Symbol("s")])).toBe("/Symbol(s)");
  });

  it("integer range is each library's own: zod's z.int() is safe, valibot's integer() is not", () => {
    expect(standardValidator(z.object({ n: z.int() })).parse({ n: 2 ** 60 })).toBe(INVALID);
    expect(standardValidator(v.object({ n: v.pipe(v.number(), v.integer()) })).parse({ n: 2 ** 60 })).toEqual({ n: 2 ** 60 });
    expect(standardValidator(v.object({ n: v.pipe(v.number(), v.safeInteger()) })).parse({ n: 2 ** 60 })).toBe(INVALID);
  });
});

describe("TypeBox 1.x", () => {
  it("tells 1.x schemas apart from 0.34 ones and from other libraries", () => {
    expect(isTypeBox1Schema(tb1Item)).toBe(true);
    expect(isTypeBox1Schema(Type.Integer())).toBe(true);
    expect(isTypeBox1Schema(tb034Item)).toBe(false);
    expect(isTypeBox1Schema(JSON.parse(JSON.stringify(tb1Item)))).toBe(false); // plain JSON Schema: no "~kind"
    expect(isTypeBox1Schema(zodItem)).toBe(false);
    expect(isTypeBox1Schema(arkItem)).toBe(false);
    expect(isTypeBox1Schema(null)).toBe(false);
    // TypeBox 1.x does not implement Standard Schema, neither on types nor on compiled validators.
    expect("~standard" in tb1Item).toBe(false);
    expect(Symbol.for("TypeBox.Kind") in tb1Item).toBe(false);
    expect(Object.getOwnPropertyDescriptor(tb1Item, "~kind")).toMatchObject({ value: "Object", enumerable: false });
  });

  for (const compile of [true, false]) {
    describe(compile ? "compiled" : "interpreted ({ compile: false })", () => {
      const validator = typebox1Validator(tb1Item, { compile });

      it("has the mode", () => {
        expect(validator.mode).toBe(compile ? "compiled" : "interpreted");
      });

      it("passes a valid value unchanged", () => {
        expect(validator.parse(good)).toBe(good);
        expect(validator.issues(good)).toEqual([]);
      });

      it("gives INVALID and issues with paths", () => {
        expect(validator.parse(bad)).toBe(INVALID);
        expect(validator.issues(bad)).toEqual([
          { path: "/words/1", message: "must be string" },
          { path: "/score", message: "must be number" },
        ]);
        expect(validator.issues("x")).toEqual([{ path: "/", message: "must be object" }]);
      });

      it("rejects integers beyond 2^53 and explains why", () => {
        for (const n of [2 ** 53, 2 ** 60, -(2 ** 53)]) {
          const value = { ...good, id: n };
          expect(validator.parse(value)).toBe(INVALID);
          const [issue] = validator.issues(value);
          expect(issue?.path).toBe("/id");
          expect(issue?.message).toMatch(/integer -?\d+ is outside ±\(2\^53 − 1\).*send it as a string/);
        }
        expect(validator.parse({ ...good, id: Number.MAX_SAFE_INTEGER })).not.toBe(INVALID);
        expect(validator.parse({ ...good, id: -Number.MAX_SAFE_INTEGER })).not.toBe(INVALID);
        expect(validator.issues({ ...good, id: 10n })[0]?.message).toMatch(/arrived as a bigint/);
      });

      it("nested paths, escaped keys, and more issues than TypeBox's default maxErrors of 8", () => {
        const schema = Type.Object({ "a/b": Type.Array(Type.Object({ c: Type.Integer() })) });
        const nested = typebox1Validator(schema, { compile });
        expect(nested.issues({ "a/b": [{ c: 1 }, { c: 2 ** 60 }] })).toEqual([{ path: "/a~1b/1/c", message: expect.stringMatching(/outside/) }]);
        const many = { "a/b": Array.from({ length: 12 }, () => ({ c: "x" })) };
        expect(nested.issues(many)).toHaveLength(8);
        expect(nested.issues(many, 12)).toHaveLength(12);
        expect(nested.issues(many, 2)).toHaveLength(2);
        expect(nested.issues(many, 12)).toHaveLength(12);
      });
    });
  }

  it("own bounds are kept; only unbounded integers get the safe range", () => {
    const validator = typebox1Validator(Type.Object({ small: Type.Integer({ maximum: 10 }), big: Type.Integer({ exclusiveMinimum: 0 }) }));
    expect(validator.parse({ small: 11, big: 1 })).toBe(INVALID);
    expect(validator.parse({ small: -(2 ** 60), big: 1 })).toBe(INVALID); // minimum added
    expect(validator.parse({ small: 1, big: 2 ** 60 })).toBe(INVALID); // maximum added
    expect(validator.parse({ small: 1, big: 1 })).not.toBe(INVALID);
  });

  it("withSafeIntegers keeps TypeBox's non-enumerable markers and leaves values (default, const) alone", () => {
    const schema = Type.Object({
      default: Type.Optional(Type.Integer()),
      values: Type.Integer({ default: 3 }),
      meta: Type.Unknown({ default: { type: "integer" } }),
    });
    const safe = withSafeIntegers(schema);
    expect(safe).not.toBe(schema);
    expect(schema.properties.values).not.toHaveProperty("maximum"); // the original is untouched
    expect(safe.properties.values).toMatchObject({ type: "integer", default: 3, minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
    expect(safe.properties.default).toMatchObject({ minimum: -Number.MAX_SAFE_INTEGER });
    expect(Object.getOwnPropertyDescriptor(safe.properties.default, "~optional")).toMatchObject({ value: true, enumerable: false });
    expect(Object.getOwnPropertyDescriptor(safe, "~kind")).toMatchObject({ value: "Object", enumerable: false });
    expect((safe.properties.meta as { default?: unknown }).default).toEqual({ type: "integer" });
    expect(safe.required).toEqual(["values", "meta"]);
  });

  it("cyclic schemas ($defs / $ref) and refinements compile with the bound", () => {
    const Node = Type.Cyclic({ Node: Type.Object({ id: Type.Integer(), kids: Type.Array(Type.Ref("Node")) }) }, "Node");
    const validator = typebox1Validator(Node);
    expect(validator.parse({ id: 1, kids: [{ id: 2, kids: [] }] })).not.toBe(INVALID);
    expect(validator.issues({ id: 1, kids: [{ id: 2 ** 60, kids: [] }] })).toEqual([{ path: "/kids/0/id", message: expect.stringMatching(/outside/) }]);
    const positive = typebox1Validator(Type.Refine(Type.Integer(), (n) => n > 0));
    expect(positive.parse(1)).toBe(1);
    expect(positive.parse(-1)).toBe(INVALID);
    expect(positive.parse(2 ** 60)).toBe(INVALID);
  });

  it("falls back to interpreting when code generation throws EvalError (a strict CSP)", () => {
    expect(typebox1Validator(tb1Item).mode).toBe("compiled"); // TypeBox has probed `new Function` already: it works
    const original = globalThis.Function;
    let calls = 0;
    const forbidden = function () {
      calls++;
      throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not allowed");
    } as unknown as FunctionConstructor;
    let validator;
    try {
      globalThis.Function = forbidden;
      validator = typebox1Validator(tb1Item);
    } finally {
      globalThis.Function = original;
    }
    expect(globalThis.Function).toBe(original);
    expect(calls).toBeGreaterThan(0);
    expect(validator.mode).toBe("interpreted");
    expect(validator.parse(good)).toBe(good);
    expect(validator.parse({ ...good, id: 2 ** 60 })).toBe(INVALID);
    expect(validator.issues(bad).map((i) => i.path)).toEqual(["/words/1", "/score"]);
  });

  it("an error other than EvalError while compiling is not swallowed", () => {
    const original = globalThis.Function;
    try {
      globalThis.Function = function () {
        throw new SyntaxError("generated code does not parse");
      } as unknown as FunctionConstructor;
      expect(() => typebox1Validator(tb1Item)).toThrow(SyntaxError);
    } finally {
      globalThis.Function = original;
    }
    expect(typebox1Validator(tb1Item).mode).toBe("compiled");
  });

  it("typebox1(): a Standard Schema that carries its TypeBox checker", () => {
    const wrapped = typebox1(tb1Item);
    expect(isStandardSchema(wrapped)).toBe(true);
    expect(wrapped.schema).toBe(tb1Item);
    expect(wrapped["~standard"].vendor).toBe("typebox");
    expect(wrapped["~standard"].validate(good)).toEqual({ value: good });
    expect(wrapped["~standard"].validate({ ...good, words: [1], id: 2 ** 60 })).toEqual({
      issues: [
        { path: ["id"], message: expect.stringMatching(/outside/) },
        { path: ["words", "0"], message: "must be string" },
      ],
    });
    // streamtypes uses the carried checker directly (compiled, with TypeBox's messages), not ~standard.validate.
    const validator = standardValidator(wrapped);
    expect(validator).toBe(wrapped[VALIDATOR]);
    expect(validator.mode).toBe("compiled");
    expect(validator.parse(bad)).toBe(INVALID);
    expect(typebox1(tb1Item, { compile: false })[VALIDATOR].mode).toBe("interpreted");
  });
});

describe("static types", () => {
  type Item = { id: number; words: string[]; score: number };

  it("Output and Input for zod, valibot, arktype object schemas", () => {
    expectTypeOf<Output<typeof zodItem>>().toEqualTypeOf<Item>();
    expectTypeOf<Input<typeof zodItem>>().toEqualTypeOf<Item>();
    expectTypeOf<Output<typeof valibotItem>>().toEqualTypeOf<Item>();
    expectTypeOf<Input<typeof valibotItem>>().toEqualTypeOf<Item>();
    expectTypeOf<Output<typeof arkItem>>().toEqualTypeOf<Item>();
    expectTypeOf<Input<typeof arkItem>>().toEqualTypeOf<Item>();
    const optional = z.object({ a: z.string().optional() });
    expectTypeOf<Output<typeof optional>>().toEqualTypeOf<{ a?: string | undefined }>();
  });

  it("Output and Input for TypeBox 0.34 and TypeBox 1.x (through typebox1())", () => {
    expectTypeOf<Output<typeof tb034Item>>().toEqualTypeOf<Item>();
    expectTypeOf<Input<typeof tb034Item>>().toEqualTypeOf<Item>();
    const wrapped = typebox1(tb1Item);
    expectTypeOf(wrapped).toEqualTypeOf<TypeBox1Standard<typeof tb1Item>>();
    expectTypeOf<Static1<typeof tb1Item>>().toEqualTypeOf<Item>();
    expectTypeOf<Output<typeof wrapped>>().toEqualTypeOf<Item>();
    expectTypeOf<Input<typeof wrapped>>().toEqualTypeOf<Item>();
    const withOptional = typebox1(Type.Object({ a: Type.Optional(Type.String()), n: Type.Union([Type.Integer(), Type.Null()]) }));
    expectTypeOf<Output<typeof withOptional>>().toEqualTypeOf<{ a?: string; n: number | null }>();
  });

  it("SchemaLike takes all of them, but not a bare TypeBox 1.x schema", () => {
    expectTypeOf(zodItem).toExtend<SchemaLike>();
    expectTypeOf(valibotItem).toExtend<SchemaLike>();
    expectTypeOf(arkItem).toExtend<SchemaLike>();
    expectTypeOf(tb034Item).toExtend<SchemaLike>();
    expectTypeOf(typebox1(tb1Item)).toExtend<SchemaLike>();
    expectTypeOf(tb1Item).not.toExtend<SchemaLike>();
    expectTypeOf(tb1Item).toExtend<BareTypeBox1Schema>();
    expectTypeOf<Output<typeof tb1Item>>().toBeNever();
    expectTypeOf<Output<string>>().toBeNever();
  });

  it("the local StandardSchemaV1 is the spec's, both ways", () => {
    expectTypeOf<SpecStandardSchemaV1<{ a: 1 }, { b: 2 }>>().toExtend<StandardSchemaV1<{ a: 1 }, { b: 2 }>>();
    expectTypeOf<StandardSchemaV1<{ a: 1 }, { b: 2 }>>().toExtend<SpecStandardSchemaV1<{ a: 1 }, { b: 2 }>>();
    expectTypeOf<StandardSchemaV1.InferOutput<typeof zodItem>>().toEqualTypeOf<SpecStandardSchemaV1.InferOutput<typeof zodItem>>();
  });
});
