// Differential tests of compiled codecs: streamTypes() (a codec compiled from the TypeBox schema) against defineStreamTypes() without a plan (the generic path), which must write and read alike on any schema, value and bytes.
import { Type, type TSchema } from "@sinclair/typebox";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Rng,
  compareReads,
  compareWrites,
  definitionPair,
  emptyStats,
  frame,
  concatBytes,
  keyOrder,
  payloadOf,
  randomPair,
  randomValue,
  readAllOf,
  readDisagreement,
  readPayloads,
  sameValue,
  show,
  showSchema,
  writeDisagreement,
  writeOne,
  type AnyDefinition,
  type Disagreement,
} from "../bench/fuzz-compiled.js";
import { binary, json, ndjson, sse, streamTypes } from "../src/index.js";
import { decodeMessagePack } from "../src/codecs/msgpack-decode.js";

/*
 * The rule: for every value and every byte string, the compiled definition gives exactly what the generic one
 * gives. The writer: the same bytes, or bytes that decode (generic decoder) to a deep-equal value (-0 is not 0, a
 * key set to undefined is not a missing key), with another key order only where the value's own order differs
 * from the schema's; else the same error code and message. The reader: the same parts, or the same error code and
 * message. Generators and comparisons live in bench/fuzz-compiled.ts, which runs the same comparison at scale.
 */

const MARKER = Uint8Array.of(1, 0, 0, 0, 6, 0x53, 0x54, 0x59, 0x50, 1, 1);
const END = frame(5, new Uint8Array(0));

const report = (list: readonly Disagreement[]) => list.slice(0, 3).map((d) => `${d.side} (${d.backend ?? "no plan"}) schema ${d.schema}\n  input ${d.input.slice(0, 400)}\n  ${d.detail.slice(0, 600)}`);

/** Writes `value` as an item with both definitions of `schema` (fresh writers) and says how they differ, if they do. */
function writeBoth(schema: TSchema, value: unknown, inSchemaOrder = true): string | undefined {
  const pair = definitionPair(schema);
  expect(pair.backend, "the schema has a compiled codec").toBe("code");
  const c = writeOne((v) => pair.compiled.writer().item(v), value);
  const g = writeOne((v) => pair.generic.writer().item(v), value);
  return writeDisagreement(c, g, value, inSchemaOrder);
}

/** Reads one stream of item payloads with both definitions of `schema` and says how they differ, if they do. */
async function readBoth(schema: TSchema, payloads: readonly Uint8Array[], backend: string | null = "code"): Promise<string | undefined> {
  const pair = definitionPair(schema);
  expect(pair.backend ?? null, backend === null ? "the schema is left to the generic path" : "the schema has a compiled codec").toBe(backend);
  const bytes = concatBytes([MARKER, ...payloads.map((p) => frame(3, p)), END]);
  const c = await readAllOf(pair.compiled, [bytes], false);
  const g = await readAllOf(pair.generic, [bytes], false);
  return readDisagreement(c, g);
}

describe("compiled codecs against the generic path", () => {
  it("the generators cover what they should: compiled schemas, valid values, streams with items", async () => {
    const stats = emptyStats();
    const rng = new Rng(12345);
    for (let i = 0; i < 30; i++) {
      const { pair, gen } = randomPair(rng);
      stats.schemas++;
      if (pair.backend !== undefined) stats.compiledSchemas++;
      compareWrites(pair, Array.from({ length: 10 }, () => randomValue(rng, gen)), stats);
    }
    expect(stats.compiledSchemas).toBeGreaterThan(15);
    expect(stats.schemas - stats.compiledSchemas).toBeGreaterThan(0);
    expect(stats.writesOk).toBeGreaterThan(stats.writes * 0.3);
    expect(stats.writesOk).toBeLessThan(stats.writes);
  });

  it("writer: the same bytes, the same deep-equal value, or the same error, on random schemas and values", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const rng = new Rng(seed);
        const stats = emptyStats();
        const { pair, gen } = randomPair(rng);
        compareWrites(pair, Array.from({ length: 40 }, () => randomValue(rng, gen)), stats);
        expect(report(stats.disagreements)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("reader: the same parts or the same error, on generic-written, mutated and msgpackr-packed payloads, whole or in chunks", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        const rng = new Rng(seed);
        const stats = emptyStats();
        const { pair, gen } = randomPair(rng);
        const written = compareWrites(pair, Array.from({ length: 20 }, () => randomValue(rng, gen)), emptyStats());
        for (let i = 0; i < 8; i++) await compareReads(rng, pair, readPayloads(rng, gen, written, 1 + rng.int(6)), stats);
        expect(report(stats.disagreements)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("the closure back end (code generation forbidden, as under a Content-Security-Policy): the same comparison, 4,000 pairs in a child process", () => {
    const seed = Date.now() % 2 ** 31;
    const root = fileURLToPath(new URL("..", import.meta.url));
    const run = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--import", "tsx", "bench/fuzz-compiled.ts", "4000", String(seed)], { cwd: root, encoding: "utf8", timeout: 50_000 });
    const output = `${run.stdout}${run.stderr}`;
    expect(output, `seed ${seed}`).toMatch(/with a compiled codec/);
    expect(output, `seed ${seed}`).not.toMatch(/\(code\)/); // every compiled schema took the closures
    expect(output.match(/: (\d+) disagreements/)?.[1], `seed ${seed}:\n${output.slice(0, 6000)}`).toBe("0");
  }, 60_000);

  it('issue 20: after a >4 KiB string on one definition, 1,000 small items on others ("y" × 100) read back exactly', async () => {
    const S = Type.Object({ s: Type.String() });
    const seconds: [string, TSchema][] = [
      ["planned", S],
      ["no plan (Intersect)", Type.Intersect([S, Type.Object({})])],
      ["Unknown", Type.Object({ s: Type.Unknown() })],
    ];
    for (const [name, schema] of seconds) {
      const first = streamTypes(S);
      const w = first.writer();
      const big = w.item({ s: "x".repeat(5000) });
      const bigCopy = big.slice();
      const T = streamTypes(schema);
      const frames: Uint8Array[] = [];
      for (let i = 0; i < 1000; i++) frames.push(T.writer().item({ s: "y".repeat(100) }));
      for (const f of frames) expect(decodeMessagePack(payloadOf(f), 0, payloadOf(f).length), name).toEqual({ s: "y".repeat(100) });
      // Every frame read back through a reader too, each a whole stream of its own.
      for (const f of frames.slice(0, 50)) {
        const result = await readAllOf(T as unknown as AnyDefinition, [f, END], false);
        expect(result, name).toEqual({ items: [{ s: "y".repeat(100) }] });
      }
      expect(big, `${name}: the big frame is untouched`).toEqual(bigCopy);
      expect(decodeMessagePack(payloadOf(big), 0, payloadOf(big).length)).toEqual({ s: "x".repeat(5000) });
      // And the first definition's writer goes on writing after the others.
      const next = w.item({ s: "z".repeat(100) });
      const result = await readAllOf(first as unknown as AnyDefinition, [big, next, w.end()], true);
      expect(result).toEqual({ items: [{ s: "x".repeat(5000) }, { s: "z".repeat(100) }] });
    }
  });

  it("items of every size class (0 B to 1 MiB; strings around 31/32, 63/64, 255/256, 65535/65536 bytes, ASCII, 2-, 3- and 4-byte characters) through msgpack, binary(json()), ndjson() and sse() writers interleaved, read back exactly", async () => {
    const Item = Type.Object({ s: Type.String(), n: Type.Integer(), parts: Type.Array(Type.String()) });
    const BYTES = [0, 1, 31, 32, 33, 63, 64, 65, 255, 256, 257, 4095, 4096, 4097, 65535, 65536, 65537, 1 << 20];
    const CHARS = ["a", "é", "日", "😀"];
    /** A string of exactly `bytes` UTF-8 bytes: characters of one width, then ASCII to make up the rest. */
    const text = (bytes: number, char: string, start: number) => {
      const width = Buffer.byteLength(char);
      const count = Math.floor(bytes / width);
      return char.repeat(count) + "abcdefghij".repeat(1 + (bytes - count * width) / 10).slice(start % 3, (start % 3) + bytes - count * width);
    };
    const item = fc.record({
      bytes: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...BYTES.slice(0, -1)) }, { weight: 1, arbitrary: fc.constant(1 << 20) }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 70000 }) }),
      char: fc.constantFrom(...CHARS),
      parts: fc.array(fc.tuple(fc.constantFrom(...BYTES.slice(0, 12)), fc.constantFrom(...CHARS)), { maxLength: 4 }),
      n: fc.oneof(fc.integer(), fc.constantFrom(0, 2 ** 32, -(2 ** 53) + 1, 2 ** 53 - 1)),
      definition: fc.integer({ min: 0, max: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 14 }), async (plan) => {
        const definitions = [
          streamTypes(Item),
          streamTypes(Item, undefined, undefined, { format: binary(json()) }),
          streamTypes(Item, undefined, undefined, { format: ndjson() }),
          streamTypes(Item, undefined, undefined, { format: sse() }),
          streamTypes(Type.Intersect([Item, Type.Object({})])),
        ] as unknown as AnyDefinition[];
        const writers = definitions.map((d) => d.writer());
        const frames: Uint8Array[][] = definitions.map(() => []);
        const expected: unknown[][] = definitions.map(() => []);
        let total = 0;
        for (const [i, p] of plan.entries()) {
          if (total > 3 << 20) break;
          const value = { s: text(p.bytes, p.char, i), n: p.n, parts: p.parts.map(([b, c], j) => text(b, c, j)) };
          total += p.bytes;
          frames[p.definition]!.push(writers[p.definition]!.item(value));
          expected[p.definition]!.push(value);
        }
        for (const [d, definition] of definitions.entries()) {
          frames[d]!.push(writers[d]!.end());
          const result = await readAllOf(definition, frames[d]!, d % 2 === 0);
          expect(result.error).toBeUndefined();
          expect(result.items.length).toBe(expected[d]!.length);
          for (const [k, v] of expected[d]!.entries()) {
            const got = result.items[k];
            expect(sameValue(got, v) && keyOrder(got) === keyOrder(v), `definition ${d}, item ${k}: ${show(got)} vs ${show(v)}`).toBe(true);
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});

/*
 * The disagreements the properties found, each at its smallest. They assert the rule, so they fail until the
 * compiled codecs are fixed; each says what the two paths give now.
 */
describe("compiled codecs: disagreements found", () => {
  it("a required property whose schema takes undefined (a union with Unknown), missing, with another key in its place: the generic path writes the value as it is, the compiled one writes the missing key as undefined and drops the other", () => {
    // compiled: 81 a1 61 d4 00 00 = { a: undefined }; generic: 81 a1 62 01 = { b: 1 } (TypeBox counts keys only)
    expect(writeBoth(Type.Object({ a: Type.Union([Type.String(), Type.Unknown()]) }), { b: 1 }, false)).toBeUndefined();
    expect(writeBoth(Type.Object({ a: Type.Union([Type.String(), Type.Unknown()]) }, { additionalProperties: false }), { b: 1 }, false)).toBeUndefined();
  });

  it("a non-enumerable own property: TypeBox's additionalProperties (false or a schema) sees it and refuses, the compiled writer does not", () => {
    const value = {};
    Object.defineProperty(value, "b", { value: 1, enumerable: false });
    // compiled: writes {} (80); generic: VALIDATION "The item 0 cannot be written: /b: Unexpected property."
    expect(writeBoth(Type.Object({}, { additionalProperties: false }), value, false)).toBeUndefined();
    // compiled: writes {}; generic: VALIDATION "… /b: Expected string."
    expect(writeBoth(Type.Object({}, { additionalProperties: Type.String() }), value, false)).toBeUndefined();
  });

  it("a non-enumerable required key and an enumerable extra key: the key counts agree, but the keys are not the fields (fuzz seed 1373442279)", () => {
    const schema = Type.Union([
      Type.Object({ type: Type.Literal(1), x: Type.Optional(Type.Literal("b")) }),
      Type.Object({ type: Type.Literal(2), 日本: Type.String() }, { additionalProperties: false }),
    ]);
    const value: Record<string, unknown> = { 日本: "本語" };
    Object.defineProperty(value, "type", { value: 1, enumerable: false });
    // compiled wrote {"type": 1}; generic writes the value's own keys, {"日本": "本語"}
    expect(writeBoth(schema, value, false)).toBeUndefined();
    // An optional field set to undefined and another optional field inherited: two keys each, not the same two.
    const other = Object.create({ c: 1 }) as Record<string, unknown>;
    Object.assign(other, { a: 1, b: undefined });
    expect(writeBoth(Type.Object({ a: Type.Number(), b: Type.Optional(Type.Number()), c: Type.Optional(Type.Number()) }), other, false)).toBeUndefined();
  });

  it('Record(String, X, { additionalProperties: false }) and a key with a line break: "^(.*)$" does not match it, so TypeBox refuses it, the compiled codec takes it', async () => {
    const schema = Type.Record(Type.String(), Type.Number(), { additionalProperties: false });
    // compiled: writes 81 a3 61 0a 62 01; generic: VALIDATION "The item 0 cannot be written: /a\nb: Unexpected property."
    expect(writeBoth(schema, { "a\nb": 1 }, false)).toBeUndefined();
    // compiled: delivers { "a\nb": 1 }; generic: VALIDATION "The item 0 does not match its schema: /a\nb: Unexpected property."
    expect(await readBoth(schema, [Uint8Array.of(0x81, 0xa3, 0x61, 0x0a, 0x62, 0x01)])).toBeUndefined();
  });

  it("Literal(0) written with -0 (and Literal(-0) with 0): the compiled writer writes the literal's bytes, not the value's", () => {
    // compiled: 00 (0); generic: cb 80 00 00 00 00 00 00 00 (-0)
    expect(writeBoth(Type.Literal(0), -0, true)).toBeUndefined();
    // compiled: cb 80 … (-0); generic: 00 (0)
    expect(writeBoth(Type.Literal(-0), 0, true)).toBeUndefined();
  });

  it("a recursive schema with three arrays per step: depth is checked only where the recursion re-enters, so the compiled codec writes and reads 1,002 levels, which the generic path refuses", async () => {
    const schema = Type.Recursive((This) => Type.Array(Type.Array(Type.Array(This))));
    let value: unknown = [];
    for (let i = 0; i < 1001; i++) value = [value];
    // compiled: writes 1,002 bytes (91 × 1001, 90) that the decoder refuses; generic: VALIDATION "The item 0 cannot be encoded
    // as msgpack: TypeError: the value is nested more than 1000 levels deep, or refers to itself."
    expect(writeBoth(schema, value, true)).toBeUndefined();
    const payload = new Uint8Array(1002).fill(0x91);
    payload[1001] = 0x90;
    // compiled: delivers the value; generic: FORMAT "The item 0 payload (1002 bytes) does not decode as msgpack: the value is nested more than 1000 levels deep. …"
    expect(await readBoth(schema, [payload])).toBeUndefined();
  });

  it("an optional property named like a member of Object.prototype (toString, constructor, valueOf): TypeBox sees the inherited member when the key is missing and refuses, so the plan leaves such a schema to the generic path", async () => {
    // Was: compiled delivered {}; generic: VALIDATION "The item 0 does not match its schema: /toString: Expected string."
    expect(await readBoth(Type.Object({ toString: Type.Optional(Type.String()) }), [Uint8Array.of(0x80)], null)).toBeUndefined();
    // Was: compiled delivered { a: 1 }; generic: VALIDATION "… /constructor: Expected number."
    expect(await readBoth(Type.Object({ a: Type.Number(), constructor: Type.Optional(Type.Number()) }), [Uint8Array.of(0x81, 0xa1, 0x61, 0x01)], null)).toBeUndefined();
  });

  it("a string of 3-byte characters whose header outgrows the guess (11–31, 86–255 units) ending exactly at the end of the writer's buffer: the compiled writer throws RangeError", () => {
    const schema = Type.Array(Type.String());
    // A fresh writer's first slab is 1,024 bytes: marker (11) + frame header (5) + array16 header (3) + "a" (2) +
    // 323 × "ab" (969) puts the string at byte 990, with 34 = 1 + 3 × 11 bytes left, which is what writeString ensures; it needs 35.
    const value = ["a", ...Array<string>(323).fill("ab"), "日".repeat(11)];
    // compiled: RangeError "Invalid typed array length: 1025"; generic: writes the frame (1,025 bytes)
    expect(writeBoth(schema, value, true)).toBeUndefined();
    // With an element after it, the compiled writer returns a frame whose string lost its last byte: the generic decoder
    // (and the reader, FORMAT) refuse it: "the string at byte 974 is not valid UTF-8"; generic: a frame that reads back.
    expect(writeBoth(schema, [...value, "z"], true)).toBeUndefined();
  });
});

describe("compiled codecs: the comparison itself", () => {
  it("tells -0 from 0, undefined from a missing key, and key orders apart", () => {
    expect(sameValue(-0, 0)).toBe(false);
    expect(sameValue({ a: undefined }, {})).toBe(false);
    expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(keyOrder({ a: 1, b: 2 }) === keyOrder({ b: 2, a: 1 })).toBe(false);
    expect(sameValue(NaN, NaN)).toBe(true);
    expect(sameValue(Float32Array.of(1), Float64Array.of(1))).toBe(false);
    expect(showSchema(Type.Object({ a: Type.Optional(Type.String()) }))).toContain('"optional":true');
  });
});
