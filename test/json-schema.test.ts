// STREAM.jsonSchema(): TypeBox schemas as JSON Schema, Standard Schemas through Standard JSON Schema, OPTIONS otherwise.
import { Type } from "@sinclair/typebox";
import { type } from "arktype";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { StreamError, TypedArray, streamTypes } from "../src/index.js";

const symbolKeys = (x: unknown): number => {
  if (typeof x !== "object" || x === null) return 0;
  return Object.getOwnPropertySymbols(x).length + Object.values(x).reduce<number>((n, y) => n + symbolKeys(y), 0);
};

describe("jsonSchema()", () => {
  it("TypeBox: the schemas as JSON Schema, without TypeBox's symbol keys; only the parts the definition has", () => {
    const STREAM = streamTypes(
      Type.Object({ words: Type.Array(Type.String()), n: Type.Optional(Type.Integer()) }),
      Type.Object({ model: Type.String() }),
      Type.Object({ tokens: Type.Integer({ minimum: 0 }) }),
    );
    const schemas = STREAM.jsonSchema();
    expect(schemas).toEqual({
      header: { type: "object", properties: { model: { type: "string" } }, required: ["model"] },
      item: { type: "object", properties: { words: { type: "array", items: { type: "string" } }, n: { type: "integer" } }, required: ["words"] },
      footer: { type: "object", properties: { tokens: { type: "integer", minimum: 0 } }, required: ["tokens"] },
    });
    expect(symbolKeys(schemas)).toBe(0);
    expect(JSON.parse(JSON.stringify(schemas))).toEqual(schemas);
    expect(Object.keys(streamTypes(Type.String()).jsonSchema())).toEqual(["item"]);
  });

  it("TypeBox: a TypedArray is an array of numbers marked x-typedArray; a non-JSON type (Date) is OPTIONS naming the part", () => {
    const EMB = streamTypes(Type.Object({ embedding: TypedArray("Float32Array", { maxLength: 4 }), ids: TypedArray("Int32Array") }));
    const item = EMB.jsonSchema().item as { properties: Record<string, Record<string, unknown>> };
    expect(item.properties.embedding).toMatchObject({ type: "array", items: { type: "number" }, maxItems: 4, "x-typedArray": "Float32Array" });
    expect(item.properties.ids).toMatchObject({ type: "array", items: { type: "integer" }, "x-typedArray": "Int32Array" });
    const DATED = streamTypes(Type.String(), Type.Object({ at: Type.Date() }));
    expect(() => DATED.jsonSchema()).toThrow(StreamError);
    try {
      DATED.jsonSchema();
    } catch (err) {
      expect((err as StreamError).code).toBe("OPTIONS");
      expect((err as StreamError).message).toMatch(/header schema .*Date at \/properties\/at/);
    }
    // A property named "type" is not a schema keyword.
    const TAGGED = streamTypes(Type.Object({ type: Type.Literal("x") }));
    expect(TAGGED.jsonSchema().item).toEqual({ type: "object", properties: { type: { type: "string", const: "x" } }, required: ["type"] });
  });

  it("zod 4: its own Standard JSON Schema (input side by default, output on request)", () => {
    const STREAM = streamTypes(z.object({ n: z.string().transform(Number) }), undefined, z.object({ done: z.boolean() }));
    const input = STREAM.jsonSchema();
    expect(input.item).toMatchObject({ type: "object", properties: { n: { type: "string" } }, required: ["n"] });
    expect(input.footer).toMatchObject({ type: "object", properties: { done: { type: "boolean" } } });
    expect(input.header).toBeUndefined();
    expect(() => STREAM.jsonSchema({ io: "output" })).toThrow(expect.objectContaining({ code: "OPTIONS" })); // zod cannot describe a transform's output
    const plain = streamTypes(z.object({ a: z.number() })).jsonSchema({ io: "output", target: "draft-07" });
    expect(plain.item).toMatchObject({ type: "object", properties: { a: { type: "number" } } });
  });

  it("arktype: its own Standard JSON Schema", () => {
    expect(streamTypes(type({ a: "string" })).jsonSchema().item).toMatchObject({ type: "object", properties: { a: { type: "string" } }, required: ["a"] });
  });

  it("a Standard Schema without ~standard.jsonSchema (valibot 1 as is) is OPTIONS naming the part and the library", () => {
    const STREAM = streamTypes(Type.String(), undefined, v.object({ n: v.number() }));
    let error: unknown;
    try {
      STREAM.jsonSchema();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).code).toBe("OPTIONS");
    expect((error as StreamError).message).toMatch(/footer schema \(valibot\).*Standard JSON Schema/);
  });
});
