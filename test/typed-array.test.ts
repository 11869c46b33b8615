// TypedArray(): the schema type for typed arrays, under TypeCompiler and Value.Check, and round-tripped through a stream.
import { Type, type Static } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { describe, expect, it } from "vitest";
import { StreamError, TypedArray, streamTypes } from "../src/index.js";
import { concat, readAll, rejection } from "./helpers.js";

describe("TypedArray", () => {
  const schema = TypedArray("Float32Array", { minLength: 2, maxLength: 4 });

  it("accepts exactly its class within the length bounds, compiled and interpreted alike", () => {
    const compiled = TypeCompiler.Compile(schema);
    const cases: [unknown, boolean][] = [
      [new Float32Array(2), true],
      [new Float32Array(4), true],
      [new Float32Array(1), false], // too short
      [new Float32Array(5), false], // too long
      [new Float64Array(3), false], // another class
      [new Uint8Array(12), false],
      [[1, 2, 3], false],
      [{ 0: 1, 1: 2, length: 2 }, false],
      [null, false],
    ];
    for (const [value, ok] of cases) {
      expect(compiled.Check(value)).toBe(ok);
      expect(Value.Check(schema, value)).toBe(ok);
    }
  });

  it("has no bounds unless given, and Uint8Array accepts a Buffer-like subclass", () => {
    class Sub extends Uint8Array {}
    expect(Value.Check(TypedArray("Uint8Array"), new Sub(0))).toBe(true);
    expect(Value.Check(TypedArray("Float32Array"), new Float32Array(100_000))).toBe(true);
  });

  it("rejects unknown classes and bad bounds when the schema is made", () => {
    expect(() => TypedArray("Float16Array" as "Float32Array")).toThrow(TypeError);
    expect(() => TypedArray("Float32Array", { minLength: -1 })).toThrow(TypeError);
    expect(() => TypedArray("Float32Array", { maxLength: 1.5 })).toThrow(TypeError);
  });

  it("types Static<> as the class", () => {
    const Vector = Type.Object({ embedding: TypedArray("Float32Array") });
    const v: Static<typeof Vector> = { embedding: new Float32Array(3) };
    expect(v.embedding).toBeInstanceOf(Float32Array);
  });

  it("round-trips through a msgpack stream as the same class, validated on both ends", async () => {
    const Vector = Type.Object({ id: Type.Integer(), embedding: TypedArray("Float32Array", { minLength: 3, maxLength: 3 }) });
    const STREAM = streamTypes(Vector);
    const w = STREAM.writer();
    const bytes = concat([w.item({ id: 1, embedding: Float32Array.of(1.5, -2, 3.25) }), w.end()]);
    const { items, error } = await readAll(STREAM, STREAM.reader(bytes));
    expect(error).toBeUndefined();
    const [first] = items as Static<typeof Vector>[];
    expect(first!.embedding).toBeInstanceOf(Float32Array);
    expect([...first!.embedding]).toEqual([1.5, -2, 3.25]);

    const err = await rejection(() => STREAM.writer().item({ id: 2, embedding: new Float32Array(4) }));
    expect(err).toBeInstanceOf(StreamError);
    expect(err.code).toBe("VALIDATION");
  });

  it("rejects a typed array of another class on read", async () => {
    const Loose = streamTypes(Type.Object({ v: Type.Any() }));
    const Strict = streamTypes(Type.Object({ v: TypedArray("Float32Array") }));
    const w = Loose.writer();
    const bytes = concat([w.item({ v: new Float64Array(2) }), w.end()]);
    const { error } = await readAll(Strict, Strict.reader(bytes));
    expect(error?.code).toBe("VALIDATION");
  });
});
