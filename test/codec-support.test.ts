// Schema kinds a codec cannot carry are refused when the types are defined (OPTIONS), not discovered as a lost value later.
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { TypedArray, binary, json, msgpack, ndjson, sse, streamTypes, truss } from "../src/index.js";
import { rejection } from "./helpers.js";

const JSON_FORMATS = { "binary(json())": () => binary(json()), "sse()": () => sse(), "ndjson()": () => ndjson(), "truss()": () => truss() };

describe("which schema kinds each codec carries", () => {
  it.each(Object.entries(JSON_FORMATS))("%s refuses Date, Uint8Array, bigint, undefined and typed arrays, naming the path and what to do", async (_name, format) => {
    const cases: [unknown, RegExp][] = [
      [Type.Object({ at: Type.Date() }), /item schema has a Date at \/at.*ISO string/],
      [Type.Object({ blob: Type.Uint8Array() }), /Uint8Array at \/blob.*base64/],
      [Type.Object({ n: Type.BigInt() }), /BigInt at \/n.*string/],
      [Type.Array(Type.Object({ v: TypedArray("Float32Array") })), /TypedArray at \/\*\/v/],
      [Type.Object({ u: Type.Undefined() }), /undefined at \/u/],
    ];
    for (const [schema, message] of cases) {
      const err = await rejection(() => streamTypes(schema as never, undefined, undefined, { format: format() }));
      expect(err.code).toBe("OPTIONS");
      expect(err.message).toMatch(message);
    }
    // A union is fine while one member can be carried.
    expect(() => streamTypes(Type.Union([Type.String(), Type.Date()]), undefined, undefined, { format: format() })).not.toThrow();
    // The header and footer are checked too.
    expect((await rejection(() => streamTypes(Type.String(), Type.Object({ at: Type.Date() }), undefined, { format: format() }))).message).toMatch(/header schema/);
  });

  it("MessagePack carries them all; no codec carries a function", async () => {
    const Rich = Type.Object({ at: Type.Date(), blob: Type.Uint8Array(), n: Type.BigInt(), v: TypedArray("Float32Array"), u: Type.Optional(Type.Undefined()) });
    expect(() => streamTypes(Rich, undefined, undefined, { format: binary(msgpack()) })).not.toThrow();
    const err = await rejection(() => streamTypes(Type.Object({ f: Type.Function([], Type.Void()) })));
    expect(err.code).toBe("OPTIONS");
    expect(err.message).toMatch(/Function at \/f/);
  });
});
