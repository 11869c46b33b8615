// Properties: round trips under arbitrary chunking (items up to a few MiB, any Unicode), truncation at every point
// (truss: held to its clean-end rule), and byte replacements, insertions and deletions. A new seed each run (printed).
import { Type, type TSchema } from "@sinclair/typebox";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameKind, StreamError, streamTypes, type StreamTypesOptions } from "../src/index.js";
import { concat, readAll, splitAt, type ReadResult } from "./helpers.js";
import { runSeed } from "./seed.js";

// fast-check reports the seed and path of a failing run; FUZZ_SEED replays the whole file
fc.configureGlobal({ seed: runSeed("test/properties.test.ts") });

/** -0 becomes 0 in both codecs (msgpackr and JSON.stringify), so generated values avoid it. */
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));

interface Shape {
  name: string;
  item: TSchema;
  header?: TSchema;
  footer?: TSchema;
  items: fc.Arbitrary<unknown>;
  headerValue?: fc.Arbitrary<unknown>;
  footerValue?: fc.Arbitrary<unknown>;
}

const shapes: Shape[] = [
  {
    name: "words with header and footer",
    item: Type.Object({ words: Type.Array(Type.String()) }),
    header: Type.Object({ time: Type.Number(), msg: Type.String() }),
    footer: Type.Object({ time: Type.Number(), durationSec: Type.Number(), msg: Type.String() }),
    items: fc.record({ words: fc.array(fc.string({ unit: "grapheme" }), { maxLength: 5 }) }),
    headerValue: fc.record({ time: finite, msg: fc.string({ unit: "binary" }) }),
    footerValue: fc.record({ time: finite, durationSec: finite, msg: fc.string({ unit: "binary" }) }),
  },
  {
    name: "records, items only",
    item: Type.Object({
      id: Type.Integer(),
      ok: Type.Boolean(),
      score: Type.Number(),
      tags: Type.Record(Type.String(), Type.Integer()),
      note: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      nested: Type.Object({ xs: Type.Array(Type.Number()) }),
    }),
    items: fc.record(
      {
        id: fc.maxSafeInteger(),
        ok: fc.boolean(),
        score: finite,
        tags: fc.dictionary(fc.string({ maxLength: 6, unit: "binary" }).filter((k) => k !== "__proto__"), fc.integer()),
        note: fc.option(fc.string({ unit: "binary" }), { nil: null }),
        nested: fc.record({ xs: fc.array(finite, { maxLength: 4 }) }),
      },
      { requiredKeys: ["id", "ok", "score", "tags", "nested"] },
    ),
  },
  {
    name: "tokens with footer only",
    item: Type.Object({ token: Type.String(), index: Type.Integer(), logprob: Type.Number() }),
    footer: Type.Object({ count: Type.Integer() }),
    items: fc.record({ token: fc.string({ maxLength: 8, unit: "binary" }), index: fc.nat(), logprob: finite }),
    footerValue: fc.record({ count: fc.nat() }),
  },
];

const modes: [string, StreamTypesOptions][] = [
  ["msgpack", {}],
  ["json", { codec: "json" }],
  ["truss", { compat: "truss" }],
  ["sse", { framing: "sse" }],
  ["ndjson", { framing: "ndjson" }],
];

interface Case {
  header?: unknown;
  items: unknown[];
  footer?: unknown;
}

/** A stream's values; `maxItems` is kept small where every prefix of the stream is read (quadratic in its length). */
function caseOf(shape: Shape, maxItems = 40): fc.Arbitrary<Case> {
  return fc.record({
    header: shape.headerValue ?? fc.constant(undefined),
    items: fc.array(shape.items, { maxLength: maxItems }),
    footer: shape.footerValue ?? fc.constant(undefined),
  }) as fc.Arbitrary<Case>;
}

function write(S: ReturnType<typeof streamTypes<TSchema, TSchema | undefined, TSchema | undefined>>, c: Case): Uint8Array {
  const w = S.writer() as any;
  const parts: Uint8Array[] = [];
  if (c.header !== undefined) parts.push(w.header(c.header));
  for (const item of c.items) parts.push(w.item(item));
  if (c.footer !== undefined) parts.push(w.footer(c.footer));
  parts.push(w.end());
  return concat(parts);
}

/** Reads with a bound: a hang fails the property instead of stalling the suite. */
async function readBounded(S: any, source: unknown): Promise<ReadResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("the reader hung")), 5000)));
  try {
    return await Promise.race([readAll(S, S.reader(source)), hang]);
  } finally {
    clearTimeout(timer);
  }
}

const cutPoints = (length: number) => fc.array(fc.integer({ min: 0, max: length }), { maxLength: 16 });

/** Offsets where a frame of a length-prefixed stream (`kind, uint32 length, payload`) ends, parsed here, not by the library. */
function frameEnds(bytes: Uint8Array): { end: number; kind: number }[] {
  const ends: { end: number; kind: number }[] = [];
  for (let at = 0; at + 5 <= bytes.length; ) {
    const kind = bytes[at]!;
    at += 5 + (((bytes[at + 1]! << 24) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!) >>> 0);
    ends.push({ end: at, kind });
  }
  return ends;
}

/**
 * Truss's documented end rule (docs/protocol.md): a cut inside a frame is TRUNCATED; a cut at a frame boundary is a
 * clean end, so the read succeeds with the items whole so far, or fails with ORDER when a declared header or
 * footer has not come yet.
 */
function expectTrussPrefix(shape: Shape, c: Case, bytes: Uint8Array, cut: number, result: ReadResult): void {
  const at = `prefix of ${cut}/${bytes.length} bytes`;
  const whole = frameEnds(bytes).filter((f) => f.end <= cut);
  const items = whole.filter((f) => f.kind === FrameKind.ITEM).length;
  expect(result.items, at).toEqual(c.items.slice(0, items));
  if (cut !== 0 && whole.at(-1)?.end !== cut) {
    expect(result.error?.code, at).toBe("TRUNCATED");
    return;
  }
  const has = (kind: number) => whole.some((f) => f.kind === kind);
  const missing = (shape.header && !has(FrameKind.HEADER)) || (shape.footer && !has(FrameKind.FOOTER));
  expect(result.error?.code, at).toBe(missing ? "ORDER" : undefined);
}

/** One edit of a stream's bytes: a byte replaced, bytes inserted, or bytes deleted. */
type Edit = { at: number; op: "replace"; value: number } | { at: number; op: "insert"; bytes: number[] } | { at: number; op: "delete"; count: number };

const editOf = (length: number): fc.Arbitrary<Edit> => {
  const at = fc.nat({ max: Math.max(0, length) });
  return fc.oneof(
    fc.record({ at, op: fc.constant("replace" as const), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ at, op: fc.constant("insert" as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
    fc.record({ at, op: fc.constant("delete" as const), count: fc.integer({ min: 1, max: 8 }) }),
  );
};

function applyEdits(bytes: Uint8Array, edits: readonly Edit[]): Uint8Array {
  const out = Array.from(bytes);
  for (const edit of edits) {
    if (edit.op === "replace") {
      if (edit.at < out.length) out[edit.at] = edit.value;
    } else if (edit.op === "insert") out.splice(edit.at, 0, ...edit.bytes);
    else out.splice(edit.at, edit.count);
  }
  return Uint8Array.from(out);
}

for (const shape of shapes) {
  for (const [modeName, options] of modes) {
    const S = streamTypes(shape.item, shape.header, shape.footer, options) as any;
    describe(`${shape.name} (${modeName})`, () => {
      it("reads back what was written, under any chunking", async () => {
        await fc.assert(
          fc.asyncProperty(
            caseOf(shape).chain((c) => {
              const bytes = write(S, c);
              return fc.tuple(fc.constant(c), fc.constant(bytes), fc.oneof(cutPoints(bytes.length), fc.constant(Array.from({ length: bytes.length }, (_, i) => i))));
            }),
            async ([c, bytes, cuts]) => {
              const result = await readBounded(S, splitAt(bytes, cuts));
              expect(result.error).toBeUndefined();
              expect(result.items).toEqual(c.items);
              if (shape.header) expect(result.header).toEqual(c.header);
              if (shape.footer) expect(result.footer).toEqual(c.footer);
            },
          ),
          { numRuns: 60 },
        );
      });

      it("every proper prefix raises TRUNCATED (truss: its clean-end rule at frame boundaries), delivers only items written whole, and never hangs", async () => {
        await fc.assert(
          fc.asyncProperty(caseOf(shape, 12), async (c) => {
            const bytes = write(S, c);
            for (let cut = 0; cut < bytes.length; cut++) {
              const result = await readBounded(S, splitAt(bytes.subarray(0, cut), [cut >> 1]));
              if (modeName === "truss") expectTrussPrefix(shape, c, bytes, cut, result);
              else {
                expect(result.error?.code, `prefix of ${cut}/${bytes.length} bytes`).toBe("TRUNCATED");
                expect(c.items.slice(0, result.items.length), `prefix of ${cut}/${bytes.length} bytes`).toEqual(result.items);
              }
            }
          }),
          { numRuns: 25 },
        );
      }, 120_000); // every prefix of 25 streams: seconds on an idle core

      it("bytes replaced, inserted or deleted read back as valid values or raise StreamError, nothing else", async () => {
        const validator = (await import("../src/schema/typebox-compiled.js")).typeboxCompiled(shape.item);
        await fc.assert(
          fc.asyncProperty(
            caseOf(shape).chain((c) => {
              const bytes = write(S, c);
              return fc.tuple(fc.constant(bytes), fc.array(editOf(bytes.length), { minLength: 1, maxLength: 4 }), cutPoints(bytes.length));
            }),
            async ([bytes, edits, cuts]) => {
              const mutated = applyEdits(bytes, edits);
              const result = await readBounded(S, splitAt(mutated, cuts));
              if (result.error) expect(result.error).toBeInstanceOf(StreamError);
              for (const item of result.items) expect(validator.parse(item)).toBe(item);
            },
          ),
          { numRuns: 150 },
        );
      });
    });
  }
}

// Items of any size up to a few MiB, of any Unicode (astral included), each format through one definition of its own.
const Blob = Type.Object({ text: Type.String(), numbers: Type.Array(Type.Number()) });
const MiB = 1 << 20;
/**
 * An item described, not built: a run of any Unicode repeated to about `length` UTF-16 units. The property builds
 * the text, so that a failure prints (and shrinks) the description rather than megabytes of text.
 */
const blob = (maxLength: number) =>
  fc.record({ unit: fc.string({ unit: "binary", minLength: 1, maxLength: 12 }), length: fc.oneof(fc.nat({ max: 64 }), fc.noBias(fc.integer({ min: 0, max: maxLength }))), numbers: fc.array(finite, { maxLength: 50 }) });
const itemOf = ({ unit, length, numbers }: { unit: string; length: number; numbers: number[] }) => ({ text: unit.repeat(Math.ceil(length / unit.length)), numbers });

/**
 * The longest text per format: 3 MiB in every one. (MessagePack stayed under 4 KiB frames until issue 20's fix:
 * after a frame over 4 KiB the msgpack writer failed later writes of strings of 64 units or more, "target.utf8Write
 * is not a function", the defect this property found.)
 */
const maxTextUnits = (_modeName: string) => 3 * MiB;

for (const [modeName, options] of modes) {
  describe(`large items (${modeName})`, () => {
    const S = streamTypes(Blob, undefined, undefined, options) as any;
    it(`items up to 3 MiB of any Unicode, between small ones, read back whole under any chunking`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(blob(maxTextUnits(modeName)), { minLength: 1, maxLength: 4 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), async (described, cutFractions) => {
          const items = described.map(itemOf);
          const bytes = write(S, { items });
          const result = await readBounded(S, splitAt(bytes, cutFractions.map((f) => Math.floor(f * bytes.length))));
          expect(result.error).toBeUndefined();
          expect(result.items.length).toBe(items.length);
          for (const [i, item] of (result.items as { text: string; numbers: number[] }[]).entries()) {
            expect(item.text === items[i]!.text, `item ${i}: text of ${items[i]!.text.length} UTF-16 units`).toBe(true);
            expect(item.numbers).toEqual(items[i]!.numbers);
          }
        }),
        // no shrinking: each failing run writes megabytes, and the description already names the sizes
        { numRuns: 8, endOnFailure: true },
      );
    }, 300_000); // up to 8 × 4 items of 3 MiB each: seconds on an idle core, room for a loaded machine
  });
}
