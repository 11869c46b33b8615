// Items as a discriminated union: isKind / kindOf / match, known kinds derived from schemas, and readers that skip unknown kinds.
import { Type, type Static } from "@sinclair/typebox";
import * as v from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { StreamError, isKind, kindOf, knownKinds, match, ndjson, sse, streamTypes } from "../src/index.js";

const Status = Type.Object({ type: Type.Literal("status"), state: Type.Union([Type.Literal("queued"), Type.Literal("running")]) });
const Output = Type.Object({ type: Type.Literal("output"), text: Type.String() });
const Failure = Type.Object({ type: Type.Literal("error"), message: Type.String() });
const Token = Type.Object({ type: Type.Literal("token"), text: Type.String() });
const Progress = Type.Object({ type: Type.Literal("progress"), percent: Type.Number() });

/** What the consumer was built against. */
const V1 = streamTypes(Type.Union([Status, Output, Failure, Token]), undefined, undefined, { format: ndjson() });
/** The producer a release later: one kind more. */
const V2 = streamTypes(Type.Union([Status, Output, Failure, Token, Progress]), undefined, undefined, { format: ndjson() });

type Event = Static<typeof V1.item>;

function v2Body(): ReadableStream<Uint8Array> {
  return V2.toReadableStream(async function* (w) {
    yield w.item({ type: "status", state: "running" });
    yield w.item({ type: "progress", percent: 10 });
    yield w.item({ type: "token", text: "Hel" });
    yield w.item({ type: "progress", percent: 60 });
    yield w.item({ type: "token", text: "lo" });
    yield w.item({ type: "output", text: "Hello" });
  });
}

describe("unknownKinds: an older consumer reads a newer producer", () => {
  it("known items are delivered, unknown ones skipped, counted and reported (known derived from the TypeBox union)", async () => {
    const skipped: unknown[] = [];
    const r = V1.reader(v2Body(), { unknownKinds: { key: "type", onSkip: (kind, raw) => skipped.push([kind, raw]) } });
    const got: Event[] = [];
    for await (const ev of r.readItems()) got.push(ev);
    expect(got.map((e) => e.type)).toEqual(["status", "token", "token", "output"]);
    expect(r.itemsRead).toBe(4);
    expect(r.itemsSkipped).toBe(2);
    expect(r.completed).toBe(true);
    expect(skipped).toEqual([
      ["progress", { type: "progress", percent: 10 }],
      ["progress", { type: "progress", percent: 60 }],
    ]);
  });

  it("with known given explicitly, and through readItemBatches()", async () => {
    const r = V1.reader(v2Body(), { unknownKinds: { key: "type", known: ["status", "output", "error", "token"] } });
    const batches: Event[][] = [];
    for await (const batch of r.readItemBatches()) batches.push(batch);
    expect(batches.flat().map((e) => e.type)).toEqual(["status", "token", "token", "output"]);
    expect(r.itemsSkipped).toBe(2);
  });

  it("without the option, the new kind is VALIDATION", async () => {
    const r = V1.reader(v2Body());
    const got: Event[] = [];
    let error: unknown;
    try {
      for await (const ev of r.readItems()) got.push(ev);
    } catch (err) {
      error = err;
    }
    expect(got.map((e) => e.type)).toEqual(["status"]);
    expect((error as StreamError).code).toBe("VALIDATION");
  });

  it("an item of a known kind that does not match is still VALIDATION; so is an item without the discriminator", async () => {
    const ANY = streamTypes(Type.Any(), undefined, undefined, { format: ndjson() });
    for (const bad of [{ type: "token", text: 42 }, { text: "no type" }, "a string"]) {
      const body = ANY.toReadableStream(function* (w) {
        yield w.item({ type: "progress", percent: 1 });
        yield w.item(bad);
      });
      const r = V1.reader(body, { unknownKinds: { key: "type" } });
      await expect(
        (async () => {
          for await (const _ of r.readItems());
        })(),
      ).rejects.toMatchObject({ code: "VALIDATION" });
      expect(r.itemsSkipped).toBe(1);
    }
  });

  it("works without validation too (validate: false), and over SSE", async () => {
    const LOOSE = streamTypes(V1.item, undefined, undefined, { format: sse(), validate: false });
    const body = streamTypes(V2.item, undefined, undefined, { format: sse() }).toReadableStream(function* (w) {
      yield w.item({ type: "progress", percent: 1 });
      yield w.item({ type: "token", text: "a" });
    });
    const r = LOOSE.reader(body, { unknownKinds: { key: "type" } });
    const got: unknown[] = [];
    for await (const ev of r.readItems()) got.push(ev);
    expect(got).toEqual([{ type: "token", text: "a" }]);
    expect(r.itemsSkipped).toBe(1);
  });

  it("OPTIONS when known cannot be derived (a schema that is no union of literal-tagged objects) or the key is missing", () => {
    const PLAIN = streamTypes(Type.Object({ words: Type.Array(Type.String()) }));
    expect(() => PLAIN.reader(new Uint8Array(0), { unknownKinds: { key: "type" } })).toThrow(expect.objectContaining({ code: "OPTIONS" }));
    expect(() => V1.reader(new Uint8Array(0), { unknownKinds: {} as never })).toThrow(expect.objectContaining({ code: "OPTIONS" }));
    expect(() => V1.reader(new Uint8Array(0), { unknownKinds: { key: "type", known: [] } })).toThrow(expect.objectContaining({ code: "OPTIONS" }));
  });
});

describe("knownKinds: which schemas declare their kinds", () => {
  it("TypeBox unions of objects with a literal (or a union of literals) discriminator, and a single object", () => {
    expect(knownKinds(V1.item, "type")).toEqual(["status", "output", "error", "token"]);
    expect(knownKinds(Token, "type")).toEqual(["token"]);
    expect(knownKinds(Type.Object({ kind: Type.Union([Type.Literal(1), Type.Literal(2)]) }), "kind")).toEqual([1, 2]);
    expect(knownKinds(V1.item, "kind")).toBeUndefined();
    expect(knownKinds(Type.Union([Token, Type.Object({ type: Type.String() })]), "type")).toBeUndefined();
  });

  it("zod 4 discriminatedUnion and union; valibot variant and union", () => {
    const a = z.object({ type: z.literal("a"), n: z.number() });
    const b = z.object({ type: z.literal("b") });
    expect(knownKinds(z.discriminatedUnion("type", [a, b]), "type")).toEqual(["a", "b"]);
    expect(knownKinds(z.union([a, b]), "type")).toEqual(["a", "b"]);
    expect(knownKinds(z.union([a, z.object({ type: z.string() })]), "type")).toBeUndefined();
    const va = v.object({ type: v.literal("a") });
    const vb = v.object({ type: v.picklist(["b", "c"]) });
    expect(knownKinds(v.variant("type", [va, vb]), "type")).toEqual(["a", "b", "c"]);
    expect(knownKinds(v.union([va, vb]), "type")).toEqual(["a", "b", "c"]);
  });

  it("a zod reader skips unknown kinds with known derived from its schema", async () => {
    const Z1 = streamTypes(z.discriminatedUnion("type", [z.object({ type: z.literal("token"), text: z.string() })]), undefined, undefined, { format: ndjson() });
    const r = Z1.reader(v2Body(), { unknownKinds: { key: "type" } });
    const got: unknown[] = [];
    for await (const ev of r.readItems()) got.push(ev);
    expect(got).toEqual([
      { type: "token", text: "Hel" },
      { type: "token", text: "lo" },
    ]);
    expect(r.itemsSkipped).toBe(4);
  });
});

describe("isKind, kindOf, match", () => {
  const events: Event[] = [
    { type: "status", state: "queued" },
    { type: "token", text: "hi" },
    { type: "output", text: "hi" },
    { type: "error", message: "no" },
  ];

  it("narrow by kind", () => {
    const texts: string[] = [];
    for (const ev of events) {
      if (isKind(ev, "token")) {
        expectTypeOf(ev).toEqualTypeOf<{ type: "token"; text: string }>();
        texts.push(ev.text);
      }
    }
    expect(texts).toEqual(["hi"]);
    expect(events.map((e) => kindOf(e))).toEqual(["status", "token", "output", "error"]);
    expectTypeOf(kindOf(events[0]!)).toEqualTypeOf<"status" | "output" | "error" | "token">();
    // @ts-expect-error: not a kind of the union
    isKind(events[0]!, "progress");
  });

  it("match: one handler per kind (exhaustive), or `_` for the rest; another discriminator by its key", () => {
    const shown = events.map((ev) =>
      match(ev, {
        status: (s) => `[${s.state}]`,
        token: (t) => t.text,
        output: (o) => `= ${o.text}`,
        error: (e) => `! ${e.message}`,
      }),
    );
    expect(shown).toEqual(["[queued]", "hi", "= hi", "! no"]);
    expect(events.map((ev) => match(ev, { token: (t) => t.text, _: () => "-" }))).toEqual(["-", "hi", "-", "-"]);
    // @ts-expect-error: the handler for "error" is missing, and there is no `_`
    match(events[0]!, { status: () => 1, token: () => 2, output: () => 3 });
    type Shape = { kind: "circle"; r: number } | { kind: "square"; side: number };
    const area = (s: Shape) => match(s, { circle: (c) => Math.PI * c.r ** 2, square: (q) => q.side ** 2 }, "kind");
    expect(area({ kind: "square", side: 3 })).toBe(9);
    expect(() => match({ type: "progress" } as unknown as Event, { token: () => 1 } as never)).toThrow(expect.objectContaining({ code: "VALIDATION" }));
  });
});
