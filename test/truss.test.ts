// truss_chains compatibility: the golden streams in test/fixtures/truss (see PROVENANCE.md there), read in several chunkings and written back.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Type, type TSchema } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { LengthPrefixedDecoder, json, streamTypes } from "../src/index.js";
import { chunksOf, concat, readAll, readClean, splitAt } from "./helpers.js";

/** The vectors, resolved relative to this file (not the working directory). */
const DIR = new URL("./fixtures/truss/", import.meta.url);

interface Vector {
  header: unknown;
  items: unknown[];
  footer: unknown;
  frames: [number, number][];
}

const load = (name: string) => ({
  bin: new Uint8Array(readFileSync(new URL(`${name}.bin`, DIR))),
  json: JSON.parse(readFileSync(new URL(`${name}.json`, DIR), "utf8")) as Vector,
});

const Words = Type.Object({ words: Type.Array(Type.String()) });
const Header = Type.Object({ time: Type.Number(), msg: Type.String() });
const Footer = Type.Object({ time: Type.Number(), duration_sec: Type.Number(), msg: Type.String() });
const Point = Type.Object({ x: Type.Integer(), y: Type.Number(), label: Type.String() });
/** Numbers as pydantic declares them: int → Type.Integer(). */
const NumbersStrict = Type.Object({
  int_a: Type.Integer(),
  int_b: Type.Integer(),
  int_c: Type.Integer(),
  float_a: Type.Number(),
  float_b: Type.Number(),
  float_c: Type.Number(),
  nested: Point,
  objects: Type.Array(Point),
  optional: Type.Union([Type.Integer(), Type.Null()]),
});
/** The same, with the two fields that carry integers beyond 2^53 declared as plain numbers (accepting rounding). */
const NumbersLoose = Type.Object({ ...NumbersStrict.properties, int_b: Type.Number(), int_c: Type.Number() });

const cases: Record<string, { item: TSchema; header?: TSchema; footer?: TSchema; exact: boolean }> = {
  full: { item: Words, header: Header, footer: Footer, exact: true },
  items_only: { item: Words, exact: true },
  footer_only_no_items: { item: Words, footer: Footer, exact: true },
  header_no_items: { item: Words, header: Header, exact: true },
  unicode: { item: Words, exact: true },
  numbers: { item: NumbersLoose, exact: false },
  float_spelling: { item: Type.Object({ values: Type.Array(Type.Number()) }), exact: false },
  many: { item: Type.Object({ i: Type.Integer(), text: Type.String() }), exact: true },
  big_item: { item: Type.Object({ text: Type.String() }), exact: true },
};

function framesOf(bytes: Uint8Array): { kind: number; payload: Uint8Array }[] {
  const decoder = new LengthPrefixedDecoder({ maxFrameBytes: 1 << 24, kinds: [2, 3, 4, 5, 6], codec: json(), endsAtEof: true });
  decoder.push(bytes);
  const frames = [];
  for (let f = decoder.next(); f; f = decoder.next()) frames.push({ kind: f.kind, payload: f.bytes.slice(f.start, f.end) });
  expect(decoder.bufferedBytes).toBe(0);
  return frames;
}

interface Manifest {
  cases: { name: string; bin: string; bin_bytes: number; bin_sha256: string }[];
}

const manifest = (): Manifest => JSON.parse(readFileSync(new URL("manifest.json", DIR), "utf8")) as Manifest;

describe("truss_chains golden streams", () => {
  it("every case in the manifest is covered", () => {
    expect(manifest().cases.map((c) => c.name).sort()).toEqual(Object.keys(cases).sort());
  });

  it("every .bin matches the size and sha256 the manifest records", () => {
    const { cases: listed } = manifest();
    expect(listed.length).toBeGreaterThan(0);
    for (const c of listed) {
      const bin = readFileSync(new URL(c.bin, DIR));
      expect({ name: c.name, bytes: bin.length }).toEqual({ name: c.name, bytes: c.bin_bytes });
      expect({ name: c.name, sha256: createHash("sha256").update(bin).digest("hex") }).toEqual({ name: c.name, sha256: c.bin_sha256 });
    }
  });

  for (const [name, spec] of Object.entries(cases)) {
    describe(name, () => {
      const S = streamTypes(spec.item, spec.header, spec.footer, { compat: "truss" });
      const expected = (v: Vector) => ({
        ...(spec.header ? { header: v.header } : {}),
        items: v.items,
        ...(spec.footer ? { footer: v.footer } : {}),
      });

      it("reads the values in several chunkings", async () => {
        const { bin, json } = load(name);
        const small = bin.length < 4096;
        const chunkings = [[bin], chunksOf(bin, 65536), chunksOf(bin, 7), splitAt(bin, [3, 5, 6, 100, 1000, 4099])];
        if (small) chunkings.push(chunksOf(bin, 1));
        for (const chunks of chunkings) {
          const result = await readAll(S, S.reader(chunks));
          expect(result).toEqual(expected(json));
        }
      });

      it("has the frame list the vector describes", () => {
        const { bin, json } = load(name);
        expect(framesOf(bin).map((f) => [f.kind, f.payload.length])).toEqual(json.frames);
      });

      it("writes the values back: same frame kinds and decoded payloads, then an end frame", () => {
        const { bin, json } = load(name);
        const w = S.writer() as any;
        const parts: Uint8Array[] = [];
        if (json.header !== null) parts.push(w.header(json.header));
        for (const item of json.items) parts.push(w.item(item));
        if (json.footer !== null) parts.push(w.footer(json.footer));
        parts.push(w.end());
        const ours = framesOf(concat(parts));
        const theirs = framesOf(bin);
        expect(ours.map((f) => f.kind)).toEqual([...theirs.map((f) => f.kind), 5]);
        expect(ours.at(-1)!.payload.length).toBe(0);
        const text = new TextDecoder();
        // JSON.stringify writes -0 as 0 (documented): compare with the sign of zero set aside.
        const parse = (p: Uint8Array) => JSON.parse(text.decode(p), (_k, v) => (Object.is(v, -0) ? 0 : v));
        for (let i = 0; i < theirs.length; i++) {
          expect(parse(ours[i]!.payload)).toEqual(parse(theirs[i]!.payload));
        }
        // Where pydantic's number spelling and JavaScript's agree, the bytes are identical too.
        if (spec.exact) expect(concat(parts).subarray(0, bin.length)).toEqual(bin);
      });
    });
  }
});

describe("truss_chains numbers", () => {
  it("an integer beyond 2^53 in a Type.Integer() field raises VALIDATION naming the field, never a rounded value", async () => {
    const S = streamTypes(NumbersStrict, undefined, undefined, { compat: "truss" });
    const result = await readAll(S, S.reader(load("numbers").bin));
    expect(result.items).toEqual([]);
    expect(result.error?.code).toBe("VALIDATION");
    expect(result.error?.index).toBe(0);
    expect(result.error?.issues?.[0]?.path).toBe("/int_c");
    expect(result.error?.message).toMatch(/item 0 does not match its schema: \/int_c: integer 9007199254740992 is outside ±\(2\^53 − 1\)/);
    expect(result.error?.message).toMatch(/send it as a string/);
  });

  it("-0.0 keeps its sign through JSON.parse, and through the writer (the fast-path issue: -0 survives a round trip)", async () => {
    const S = streamTypes(NumbersLoose, undefined, undefined, { compat: "truss" });
    const result = await readClean(S, S.reader(load("numbers").bin));
    expect(Object.is((result.items[0] as { float_c: number }).float_c, -0)).toBe(true);
    const text = new TextDecoder().decode(S.writer().item(result.items[0] as any).subarray(5));
    expect(text).toContain('"float_c":-0.0,'); // -0.0, as pydantic writes it: Python's json reads "-0" as the integer 0
  });
});

describe("truss mode reading rules", () => {
  const S = streamTypes(Words, undefined, Footer, { compat: "truss" });
  const item = (words: string[]) => S.writer().item({ words });
  const footer = { time: 1, duration_sec: 2, msg: "f" };

  it("a clean end at a frame boundary is the end; inside a frame it is TRUNCATED", async () => {
    const bytes = concat([item(["a"]), item(["b"])]);
    const whole = await readAll(S, S.reader(bytes));
    expect(whole.items).toEqual([{ words: ["a"] }, { words: ["b"] }]);
    expect(whole.error?.code).toBe("ORDER"); // the items ended cleanly; the declared footer never came
    const cut = await readAll(S, S.reader(bytes.subarray(0, bytes.length - 2)));
    expect(cut.items).toEqual([{ words: ["a"] }]);
    expect(cut.error?.code).toBe("TRUNCATED");
    const inTag = await readAll(S, S.reader(concat([item(["a"]), Uint8Array.of(3, 0, 0)])));
    expect(inTag.error?.message).toMatch(/inside a frame header \(3 of 5 bytes\)/);
  });

  it("footer type, stream without footer: items end normally, readFooter raises ORDER", async () => {
    const r = await readAll(S, S.reader(item(["a"])));
    expect(r.items).toEqual([{ words: ["a"] }]);
    expect(r.error?.code).toBe("ORDER");
    expect(r.error?.message).toMatch(/no footer/);
    const empty = await readAll(S, S.reader(new Uint8Array(0)));
    expect(empty.items).toEqual([]);
    expect(empty.error?.code).toBe("ORDER");
  });

  it("accepts an explicit end frame, and rejects what truss silently ignores", async () => {
    const w = S.writer();
    expect(await readAll(S, S.reader(concat([w.item({ words: ["a"] }), w.footer(footer), w.end()])))).toEqual({
      items: [{ words: ["a"] }],
      footer,
    });
    // truss stops at END and never looks further; a frame after the end is an ORDER error here.
    const after = await readAll(S, S.reader(concat([item(["a"]), Uint8Array.of(5, 0, 0, 0, 0), item(["b"])])));
    expect(after.items).toEqual([{ words: ["a"] }]);
    expect(after.error?.code).toBe("ORDER");
    // truss parses a HEADER frame between items as an item; here it is out of order.
    const H = streamTypes(Words, Header, undefined, { compat: "truss" });
    const h = H.writer();
    const mixed = await readAll(H, H.reader(concat([h.header({ time: 1, msg: "h" }), h.item({ words: ["a"] }), new TextEncoder().encode(""), Uint8Array.of(2, 0, 0, 0, 2, 0x7b, 0x7d)])));
    expect(mixed.error?.code).toBe("ORDER");
  });

  it("rejects the streamtypes marker and keep-alive kinds, which truss never writes", async () => {
    const r = await readAll(S, S.reader(concat([Uint8Array.of(7, 0, 0, 0, 0), item(["a"])])));
    expect(r.error?.code).toBe("FORMAT");
  });

  it("carries error frames both ways", async () => {
    const w = S.writer();
    const r = await readAll(S, S.reader(concat([w.item({ words: ["a"] }), w.error(new Error("chainlet crashed"))])));
    expect(r.items).toEqual([{ words: ["a"] }]);
    expect(r.error?.code).toBe("REMOTE");
    expect(r.error?.remote?.message).toBe("chainlet crashed");
  });
});
