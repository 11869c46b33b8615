// Object streams (issue 25): the incremental JSON parser against JSON.parse, readPartials() with its per-value checks, every format, resume, and the writer's helpers.
import { Kind, Type, TypeRegistry, type TSchema } from "@sinclair/typebox";
import fc from "fast-check";
import * as z from "zod";
import { describe, expect, it } from "vitest";
import { PartialObject, StreamError, memoryStore, binary, incrementalJson, json, msgpack, ndjson, objectStream, sse, truss, type Format, type Patch, type Path } from "../src/index.js";
import { inspect } from "../src/cli/inspect.js";
import { concat, droppingSource, rejection, streamOf } from "./helpers.js";

const Recipe = Type.Object({
  title: Type.String(),
  serves: Type.Integer({ minimum: 1 }),
  ingredients: Type.Array(Type.Object({ name: Type.String(), grams: Type.Number() })),
  steps: Type.Array(Type.String({ maxLength: 80 })),
  note: Type.Optional(Type.String()),
});
const PANCAKES = {
  title: "Pancakes",
  serves: 4,
  ingredients: [
    { name: "flour", grams: 200 },
    { name: "egg", grams: 60 },
  ],
  steps: ["Mix everything", "Fry in butter"],
};

/** The patches of `text` read in the given pieces. */
function patchesOf(pieces: readonly string[]): Patch[] {
  const parser = incrementalJson();
  const out = pieces.flatMap((p) => parser.write(p));
  return [...out, ...parser.end()];
}

/** The final object and the values in the order they were finished, each as "path = JSON". */
function assemble(patches: readonly Patch[]): { value: unknown; closed: string[] } {
  const o = new PartialObject();
  const closed: string[] = [];
  for (const p of patches) for (const path of o.apply(p)) closed.push(`${JSON.stringify(path)} = ${JSON.stringify(valueAt(o.value, path))}`);
  return { value: o.value, closed };
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const key of path) v = (v as Record<string | number, unknown>)[key];
  return v;
}

/** `text` cut at the given fractions of its length. */
function split(text: string, cuts: readonly number[]): string[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * text.length)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const a of at) {
    pieces.push(text.slice(from, a));
    from = a;
  }
  pieces.push(text.slice(from));
  return pieces;
}

describe("the incremental JSON parser", () => {
  it("property: any split of any JSON text gives JSON.parse's value and the same sequence of finished values", () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 5 }),
        fc.constantFrom(undefined, 1, "\t"),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }),
        (value, indent, cuts) => {
          const text = JSON.stringify(value, null, indent);
          const whole = assemble(patchesOf([text]));
          expect(whole.value).toEqual(JSON.parse(text));
          const pieces = assemble(patchesOf(split(text, cuts)));
          expect(pieces.value).toEqual(JSON.parse(text));
          expect(pieces.closed).toEqual(whole.closed);
          const chars = assemble(patchesOf([...text.split("")]));
          expect(chars.closed).toEqual(whole.closed);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("property: strings with escapes and astral characters survive any split, never sending half a surrogate pair", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }), { maxLength: 6 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }), (strings, cuts) => {
        const text = JSON.stringify({ s: strings, t: strings.join("\n\"\\") });
        const patches = patchesOf(split(text, cuts));
        for (const p of patches) {
          const piece = p.op === "append" ? p.text : typeof (p as { value?: unknown }).value === "string" ? ((p as { value: string }).value) : "";
          expect(piece).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        }
        expect(assemble(patches).value).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("a piece makes the patches it completes: a string's text so far, finished values marked done, an empty container in one patch", () => {
    const parser = incrementalJson();
    expect(parser.write('{"title":"Pan')).toEqual([
      { op: "set", path: [], value: {} },
      { op: "set", path: ["title"], value: "Pan" },
    ]);
    expect(parser.write('cakes","tags":[],"serves":4')).toEqual([
      { op: "append", path: ["title"], text: "cakes", done: true },
      { op: "set", path: ["tags"], value: [], done: true },
    ]);
    expect(parser.write("}")).toEqual([
      { op: "set", path: ["serves"], value: 4, done: true },
      { op: "close", path: [] },
    ]);
    expect(parser.done).toBe(true);
    expect(parser.end()).toEqual([]);
  });

  it("invalid or incomplete JSON is FORMAT, with the position and the text escaped", async () => {
    const bad = (pieces: string[]) => rejection(() => patchesOf(pieces));
    expect((await bad(['{"a":1', "]"])).message).toMatch(/character 6.*expected ',' or '}'/);
    expect((await bad(['{"a":tru'])).code).toBe("FORMAT");
    expect((await bad(['{"a":tru', "x}"])).message).toContain('"trux" is not a number');
    expect((await bad(['{"a":1,"a":2}'])).message).toContain('repeats the key "a"');
    expect((await bad(['["\u202e\u0001"]'])).message).toContain("\\u202e\\u0001");
    expect((await bad(["{} {}"])).message).toContain("nothing may follow");
  });

  it("is linear: 1 MB of JSON in 10-character pieces is read with no piece re-read (the figure is in bench/RESULTS.md)", () => {
    const big = JSON.stringify({ rows: Array.from({ length: 8000 }, (_, i) => ({ id: i, name: `row ${i}`, tags: ["a", "b"], score: i / 7 })) });
    const parser = incrementalJson();
    let patches = 0;
    for (let i = 0; i < big.length; i += 10) patches += parser.write(big.slice(i, i + 10)).length;
    patches += parser.end().length;
    // One patch per finished scalar, plus at most one per piece for an unfinished string, plus the containers.
    expect(patches).toBeLessThan(big.length / 10 + 8000 * 6 + 10);
  });
});

describe("readPartials()", () => {
  const WRITER = objectStream(Recipe, { format: sse(), validate: false });
  const RECIPE = objectStream(Recipe, { format: sse() });

  /** The stream of `text` written in pieces of `size` characters by a writer that checks nothing. */
  function bytesOf(text: string, size = 7): Uint8Array {
    const w = WRITER.writer();
    const o = WRITER.objectWriter(w);
    const frames: Uint8Array[] = [];
    for (let i = 0; i < text.length; i += size) frames.push(...o.json(text.slice(i, i + size)));
    frames.push(...o.finish(), w.end());
    return concat(frames);
  }

  it("yields the growing object, says which values each patch finished, and readFooter() gives the whole object", async () => {
    const r = RECIPE.reader(streamOf([bytesOf(JSON.stringify(PANCAKES))]));
    const titles: unknown[] = [];
    const finished: string[] = [];
    let last;
    for await (const step of r.readPartials()) {
      titles.push(step.value.title);
      finished.push(...step.closed.map((p) => p.join(".")));
      if (step.patch.op === "push" && step.patch.path[0] === "ingredients") expect(step.isClosed(["ingredients"])).toBe(false);
      last = step;
    }
    expect(titles.filter((t) => typeof t === "string" && t !== "Pancakes")).toEqual(["Panc"]); // the title as it grows
    expect(finished).toEqual(["title", "serves", "ingredients.0.name", "ingredients.0.grams", "ingredients.0", "ingredients.1.name", "ingredients.1.grams", "ingredients.1", "ingredients", "steps.0", "steps.1", "steps", ""]);
    expect(last!.done).toBe(true);
    expect(last!.isClosed(["steps", 1])).toBe(true);
    expect(last!.value).toEqual(PANCAKES);
    expect(await r.readFooter()).toEqual(PANCAKES);
  });

  it("a value that fails its subschema is VALIDATION naming its path as soon as it is finished, not at the end", async () => {
    const text = JSON.stringify({ ...PANCAKES, serves: 0 });
    const r = RECIPE.reader(streamOf([bytesOf(text)]));
    const seen: Patch[] = [];
    const err = await rejection(async () => {
      for await (const step of r.readPartials()) seen.push(step.patch);
    });
    expect(err.code).toBe("VALIDATION");
    expect(err.message).toContain("/serves");
    expect(err.issues?.[0]?.path).toBe("/serves");
    expect(seen.at(-1)).toMatchObject({ op: "append", path: ["title"] }); // the patches before it, none after
  });

  it("an object is checked when it closes (a required property missing), an array element when it is finished", async () => {
    const noGrams = JSON.stringify({ ...PANCAKES, ingredients: [{ name: "salt" }, { name: "egg", grams: 60 }] });
    const err = await rejection(async () => {
      for await (const _ of RECIPE.reader(streamOf([bytesOf(noGrams)])).readPartials());
    });
    expect(err.message).toMatch(/The value at \/ingredients\/0 \(patch item \d+\) does not match/);
    const longStep = JSON.stringify({ ...PANCAKES, steps: ["x".repeat(81), "never read"] });
    const err2 = await rejection(async () => {
      for await (const _ of RECIPE.reader(streamOf([bytesOf(longStep)])).readPartials());
    });
    expect(err2.issues?.[0]?.path).toBe("/steps/0");
  });

  it("checks each value once: closing an array or the object does not check its parts again (work per patch is the patch's size plus depth)", async () => {
    let checks = 0;
    if (!TypeRegistry.Has("Counted")) TypeRegistry.Set("Counted", (_schema: unknown, value: unknown) => (checks++, typeof value === "number"));
    const Counted = { [Kind]: "Counted" } as TSchema;
    const Big = Type.Object({ rows: Type.Array(Type.Object({ n: Counted, s: Type.String() })) });
    const rows = Array.from({ length: 500 }, (_, n) => ({ n, s: `row ${n}` }));
    const W = objectStream(Big, { format: binary(msgpack()), validate: false });
    const w = W.writer();
    const o = W.objectWriter(w);
    const text = JSON.stringify({ rows });
    const frames: Uint8Array[] = [];
    for (let i = 0; i < text.length; i += 10) frames.push(...o.json(text.slice(i, i + 10)));
    frames.push(...o.finish(), w.end());
    const R = objectStream(Big, { format: binary(msgpack()) });
    const object = R.partialObject();
    const parser = incrementalJson();
    for (let i = 0; i < text.length; i += 10) for (const p of parser.write(text.slice(i, i + 10))) object.apply(p);
    expect(object.closed).toBe(true);
    expect(checks).toBe(500); // each number once: not again when its row, the array or the object closes
    checks = 0;
    const r = R.reader(streamOf([concat(frames)]));
    for await (const _ of r.readPartials());
    expect(await r.readFooter()).toEqual({ rows });
    expect(checks).toBe(1000); // the same through a reader, plus the footer checked whole, once
  });

  it("a patch that changes a finished value is ORDER, one that does not fit is FORMAT; keys are escaped in messages", () => {
    const o = RECIPE.partialObject();
    o.apply({ op: "set", path: [], value: {} });
    o.apply({ op: "set", path: ["title"], value: "Pan", done: true });
    expect(() => o.apply({ op: "append", path: ["title"], text: "cakes" }, 2)).toThrow(/item 2\).*\/title, which is finished/);
    expect(() => o.apply({ op: "push", path: ["steps"], value: "x" })).toThrow(StreamError);
    expect(() => o.apply({ op: "set", path: ["a\u202eb", "c"], value: 1 })).toThrow("/a\\u202eb");
    const open = RECIPE.partialObject();
    open.apply({ op: "set", path: [], value: { title: "A", steps: [] } });
    open.apply({ op: "push", path: ["steps"], value: "one" }); // inside a value that came whole and open
    expect(open.isClosed(["steps"])).toBe(false);
    open.apply({ op: "set", path: ["__proto__"], value: { polluted: true }, done: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(open.value as object, "__proto__")).toBe(true);
  });

  it("zod schemas: each property and element is checked with its own subschema", async () => {
    const Z = z.object({ title: z.string().min(2), tags: z.array(z.string().max(3)) });
    const W = objectStream(Z, { format: ndjson(), validate: false });
    const w = W.writer();
    const o = W.objectWriter(w);
    const frames = [...o.json('{"title":"Ok","tags":["a","toolong","b"]}'), ...o.finish(), w.end()];
    const steps: string[] = [];
    const err = await rejection(async () => {
      for await (const step of objectStream(Z, { format: ndjson() }).reader(streamOf([concat(frames)])).readPartials()) steps.push(...step.closed.map((p) => p.join(".")));
    });
    expect(steps).toEqual(["title", "tags.0"]);
    expect(err.issues?.[0]?.path).toBe("/tags/1");
  });
});

describe("every format, and resume", () => {
  const FORMATS: [string, () => Format, boolean][] = [
    ["binary(msgpack())", () => binary(msgpack()), true],
    ["binary(json())", () => binary(json()), true],
    ["sse()", () => sse(), true],
    ["ndjson()", () => ndjson(), true],
    ["truss()", () => truss(), false],
  ];

  /** Every patch of PANCAKES' JSON in 5-character pieces, then the footer: the stream, from item `start` on. */
  function recipeBytes(S: ReturnType<typeof objectStream<typeof Recipe>>, lastEventId: string | undefined): Uint8Array {
    const text = JSON.stringify(PANCAKES);
    const patches = patchesOf(split(text, Array.from({ length: text.length / 5 }, (_, i) => (i * 5) / text.length)));
    const w = S.writer({ resumeAfter: lastEventId });
    const frames: Uint8Array[] = [];
    for (let i = w.startIndex; i < patches.length; i++) frames.push(w.item(patches[i]!));
    frames.push(w.footer(PANCAKES), w.end());
    return concat(frames);
  }

  describe.each(FORMATS)("%s", (_name, format, resumable) => {
    it("the object written with json() reads back through readPartials(), and the footer equals it", async () => {
      const S = objectStream(Recipe, { format: format() });
      const body = S.toReadableStream(async function* (w) {
        const o = S.objectWriter(w);
        const text = JSON.stringify(PANCAKES, null, 1);
        for (let i = 0; i < text.length; i += 10) yield* o.json(text.slice(i, i + 10));
        yield* o.finish();
      });
      const r = S.reader(body);
      let value: unknown;
      for await (const step of r.readPartials()) value = step.value;
      expect(value).toEqual(PANCAKES);
      expect(await r.readFooter()).toEqual(PANCAKES);
    });

    it.runIf(resumable)("dropped anywhere, reconnected: every patch arrives once and the same values finish in the same order", async () => {
      const S = objectStream(Recipe, { format: format() });
      const expected = assemble(patchesOf([JSON.stringify(PANCAKES)])).closed;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }), async (drops) => {
          let connection = 0;
          const open = (id: string | undefined) => {
            const bytes = recipeBytes(S, id);
            const drop = drops[connection++];
            return droppingSource(bytes, drop === undefined ? undefined : Math.floor(drop * bytes.length));
          };
          const r = S.reader(open(undefined), { reconnect: open, maxReconnects: Math.max(1, drops.length) });
          const closed: string[] = [];
          for await (const step of r.readPartials()) for (const p of step.closed) closed.push(`${JSON.stringify(p)} = ${JSON.stringify(valueAt(step.value, p))}`);
          expect(closed).toEqual(expected);
          expect(await r.readFooter()).toEqual(PANCAKES);
        }),
        { numRuns: 60 },
      );
    });
  });
});

describe("a durable object stream", () => {
  it("the model runs once into the replay store; a reader cut twice resumes from its last patch and reads the object whole", async () => {
    const S = objectStream(Recipe, { format: sse() });
    const store = memoryStore();
    let runs = 0;
    const text = JSON.stringify(PANCAKES, null, 1);
    const producer = async function* (w: Parameters<Parameters<typeof S.durable>[1]>[0]) {
      runs++;
      const o = S.objectWriter(w);
      for (let i = 0; i < text.length; i += 3) yield* o.json(text.slice(i, i + 3));
      yield* o.finish();
    };
    const cuts = [400, 900];
    const open = (id: string | undefined) => {
      const body = S.durable("recipe-1", producer, { store, resumeAfter: id ?? null }).body!;
      const cut = cuts.shift();
      return cut === undefined ? body : body.pipeThrough(cutAfter(cut));
    };
    const r = S.reader(open(undefined), { reconnect: open, maxReconnects: 2 });
    const closed: string[] = [];
    for await (const step of r.readPartials()) for (const p of step.closed) closed.push(`${JSON.stringify(p)} = ${JSON.stringify(valueAt(step.value, p))}`);
    expect(closed).toEqual(assemble(patchesOf([text])).closed);
    expect(await r.readFooter()).toEqual(PANCAKES);
    expect(runs).toBe(1);
    expect(cuts).toEqual([]); // both cuts happened: three connections
  });
});

/** Passes the first `bytes` bytes, then fails as a reset connection does. */
function cutAfter(bytes: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      const room = bytes - seen;
      seen += chunk.length;
      if (room > 0) controller.enqueue(chunk.subarray(0, room));
      if (seen >= bytes) controller.error(new TypeError("the connection was reset"));
    },
  });
}

describe("the object writer", () => {
  const RECIPE = objectStream(Recipe, { format: binary(json()) });

  it("partial(): successive partial objects become the smallest patches", () => {
    const o = RECIPE.objectWriter();
    const snapshots = [{}, { title: "Pan" }, { title: "Pancakes", serves: 4 }, { title: "Pancakes", serves: 4, steps: ["Mix"] }, { title: "Pancakes", serves: 4, steps: ["Mix everything", "Fry"] }];
    const frames = snapshots.map((s) => o.partial(s).length);
    expect(frames).toEqual([1, 1, 2, 1, 2]); // set {} · set title · append "cakes", set serves · set steps · append, push
    expect(o.value).toEqual(snapshots.at(-1));
  });

  it("jsonSchema(): the items are patches, the footer is the object's schema", () => {
    const { item, footer } = RECIPE.jsonSchema();
    expect((item as { anyOf: { properties: { op: { const: string } } }[] }).anyOf.map((s) => s.properties.op.const)).toEqual(["set", "append", "push", "close"]);
    expect(footer).toMatchObject({ type: "object", required: ["title", "serves", "ingredients", "steps"] });
  });

  it("typed paths: set/append/push take the schema's paths and the types there", () => {
    const o = RECIPE.objectWriter();
    o.set([], { title: "", serves: 1, ingredients: [], steps: [] });
    o.append(["title"], "Pancakes", true);
    o.push(["ingredients"], { name: "egg", grams: 60 }, true);
    o.set(["serves"], 2, true);
    expect(() => o.set(["ingredients", 0, "grams"], 61)).toThrow(/changes \/ingredients\/0, which is finished/);
    expect(() => o.close()).not.toThrow();
    expect(o.finish()).toHaveLength(1); // the footer: the object is closed already
    const typeErrors = (w: typeof o) => {
      // @ts-expect-error serves is a number
      w.set(["serves"], "two");
      // @ts-expect-error no such property
      w.set(["servings"], 2);
      // @ts-expect-error steps is not a string
      w.append(["steps"], "x");
      // @ts-expect-error an ingredient is an object
      w.push(["ingredients"], "salt");
    };
    void typeErrors;
  });
});

describe("streamtypes inspect", () => {
  it("shows patches as such, one line each, with keys and text escaped", async () => {
    const S = objectStream(Type.Object({ title: Type.String(), "\u202ekey": Type.Optional(Type.Number()) }), { format: ndjson() });
    const w = S.writer();
    const o = S.objectWriter(w);
    const frames = [...o.json('{"title":"Pan'), ...o.json('cakes\u202e","\u202ekey":1}'), ...o.finish(), w.end()];
    const lines: string[] = [];
    const summary = await inspect([concat(frames)], { plain: true, write: (line) => lines.push(line) });
    expect(summary.exitCode).toBe(0);
    const patches = lines.filter((l) => / item /.test(l)).map((l) => l.replace(/^.*?B\s+/, ""));
    expect(patches).toEqual(['set / {} …', 'set /title "Pan" …', 'append /title "cakes\\u202e" ✓', "set /\\u202ekey 1 ✓", "close /"]);
    const json: string[] = [];
    await inspect([concat(frames)], { write: (line) => json.push(line) });
    expect(json.map((l) => JSON.parse(l) as { patch?: string }).filter((r) => r.patch !== undefined)).toHaveLength(5);
  });
});
