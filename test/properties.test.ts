// Properties: round trips under arbitrary chunking, truncation at every point, and arbitrary byte mutations.
import { Type, type TSchema } from "@sinclair/typebox";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StreamError, streamTypes, type StreamTypesOptions } from "../src/index.js";
import { concat, readAll, splitAt, type ReadResult } from "./helpers.js";

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
    headerValue: fc.record({ time: finite, msg: fc.string() }),
    footerValue: fc.record({ time: finite, durationSec: finite, msg: fc.string() }),
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
        tags: fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__"), fc.integer()),
        note: fc.option(fc.string(), { nil: null }),
        nested: fc.record({ xs: fc.array(finite, { maxLength: 4 }) }),
      },
      { requiredKeys: ["id", "ok", "score", "tags", "nested"] },
    ),
  },
  {
    name: "tokens with footer only",
    item: Type.Object({ token: Type.String(), index: Type.Integer(), logprob: Type.Number() }),
    footer: Type.Object({ count: Type.Integer() }),
    items: fc.record({ token: fc.string({ maxLength: 8 }), index: fc.nat(), logprob: finite }),
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

function caseOf(shape: Shape): fc.Arbitrary<Case> {
  return fc.record({
    header: shape.headerValue ?? fc.constant(undefined),
    items: fc.array(shape.items, { maxLength: 12 }),
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

      it("every proper prefix raises TRUNCATED (truss: except at frame boundaries) and never hangs", async () => {
        await fc.assert(
          fc.asyncProperty(caseOf(shape), async (c) => {
            const bytes = write(S, c);
            for (let cut = 0; cut < bytes.length; cut++) {
              const result = await readBounded(S, splitAt(bytes.subarray(0, cut), [cut >> 1]));
              if (modeName === "truss") {
                // A clean end at a frame boundary is the end in truss mode; anything else is TRUNCATED.
                if (result.error) expect(result.error.code === "TRUNCATED" || result.error.code === "ORDER").toBe(true);
              } else {
                expect(result.error?.code, `prefix of ${cut}/${bytes.length} bytes`).toBe("TRUNCATED");
              }
            }
          }),
          { numRuns: 8 },
        );
      });

      it("mutated bytes read back as valid values or raise StreamError, nothing else", async () => {
        const validator = (await import("../src/schema/typebox-compiled.js")).typeboxCompiled(shape.item);
        await fc.assert(
          fc.asyncProperty(
            caseOf(shape).chain((c) => {
              const bytes = write(S, c);
              const edit = fc.record({ at: fc.nat({ max: Math.max(0, bytes.length - 1) }), value: fc.integer({ min: 0, max: 255 }) });
              return fc.tuple(fc.constant(bytes), fc.array(edit, { minLength: 1, maxLength: 4 }), cutPoints(bytes.length));
            }),
            async ([bytes, edits, cuts]) => {
              const mutated = bytes.slice();
              for (const { at, value } of edits) mutated[at] = value;
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
