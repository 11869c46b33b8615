// Bundle budgets per format: a page bundles only the format it reads (esbuild, minified, gzip -9; deterministic, so CI can hold it).
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { streamTypes as browserStreamTypes } from "../src/browser.js";
import { streamTypes } from "../src/index.js";
import { bundledSize } from "./bundle-size.js";
import { readAll, rejection } from "./helpers.js";

/** A page that defines a small schema and reads items with the given definition code. */
function page(imports: string, define: string): string {
  return `
    import { ${imports} } from "./src/browser.ts";
    import { Object as TObject, Number as TNumber } from "@sinclair/typebox";
    const S = ${define};
    export async function read(url) { for await (const item of S.reader(fetch(url)).readItems()) console.log(item); }
  `;
}

/** TypeBox's Check and what wraps it: a page checks TypeBox schemas through their plan, unless a definition asks for the fallback. */
const NO_CHECK = [/typebox\/build\/esm\/value\/check\//, /schema\/typebox(-issues)?\.ts$/];

/** Bytes, gzipped: the budget of each page, and the modules it must not contain. See docs/browser.md for the figures. */
const PAGES = [
  {
    name: "binary (MessagePack)",
    code: page("streamTypes", "streamTypes(TObject({ a: TNumber() }))"),
    // 21.25 KB before the compiled-codec round: the compiled reader (plan builder, closure reader) +3.3 KB, escaping
    // untrusted text +0.25 KB, id-gap checks +0.35 KB, format hints on FORMAT +0.55 KB, startAfter +0.25 KB, the reader's
    // later work: 26.58 KB (main at 0aa43a8). Then validation through the plan instead of TypeBox's Check
    // (plan-check.ts +1.3 KB, Check and its issue search −3.4 KB): 24.53 KB (23.79 KB on this branch alone).
    budget: 24.75 * 1024,
    excludes: [/formats\/(sse|ndjson|truss)\.ts$/, /codecs\/json\.ts$/, /eventsource-parser/, /msgpackr\/pack/, /typebox\/compiler/, /writer\//, ...NO_CHECK],
  },
  {
    name: "SSE",
    code: page("readerTypes, sse", "readerTypes(TObject({ a: TNumber() }), undefined, undefined, { format: sse() })"),
    // 19 KB before the compiled-codec round: the compiled JSON writer's in-place frames and the SSE parser and escaping
    // +0.25 KB each, id-gap checks +0.2 KB, format hints +0.55 KB: 21.59 KB (main at 0aa43a8). Then the plan's
    // validator instead of TypeBox's Check (the plan builder and plan-check.ts in, Check out): 20.86 KB.
    budget: 21 * 1024,
    excludes: [/msgpack/, /formats\/(binary|ndjson|truss|length-prefixed)\.ts$/, /typebox\/compiler/, /writer\//, ...NO_CHECK],
  },
  {
    name: "NDJSON",
    code: page("readerTypes, ndjson", "readerTypes(TObject({ a: TNumber() }), undefined, undefined, { format: ndjson() })"),
    // 18 KB before the compiled-codec round: escaping and in-place frames +0.5 KB, id-gap checks and the extra-key
    // message +0.45 KB, format hints +0.55 KB, startAfter +0.25 KB: 20.65 KB (main at 0aa43a8). Then the plan's
    // validator instead of TypeBox's Check: 19.93 KB.
    budget: 20.25 * 1024,
    excludes: [/msgpack/, /eventsource-parser/, /formats\/(binary|sse|truss|length-prefixed)\.ts$/, /typebox\/compiler/, /writer\//, ...NO_CHECK],
  },
];

describe("browser bundles", () => {
  for (const { name, code, budget, excludes } of PAGES) {
    it(`a page reading the ${name} format stays within ${budget} bytes gzipped and carries no other format's code`, async () => {
      const size = await bundledSize(code);
      expect(size.gzipped).toBeLessThanOrEqual(budget);
      for (const pattern of excludes) expect(size.inputs.filter((file) => pattern.test(file)), String(pattern)).toEqual([]);
    });
  }

  it("leaves out React: only streamtypes/react imports it, and it adds nothing but the hook", async () => {
    const react = /node_modules\/(react|react-dom|scheduler)\//;
    for (const entry of ["./src/browser.ts", "./src/index.ts"]) {
      const size = await bundledSize(`export * from "${entry}";`);
      expect(size.inputs.filter((file) => react.test(file) || /src\/react\.ts$/.test(file)), entry).toEqual([]);
    }
    const hook = await bundledSize(`export { useStream } from "./src/react.ts";`, ["react"]);
    // The hook's own files, and StreamError (src/errors.ts, with the escaping of its messages, src/printable.ts), which the reader the page imports carries anyway.
    expect(hook.inputs.filter((file) => !/^src\/react(\.ts$|\/)/.test(file)).sort()).toEqual(["src/errors.ts", "src/printable.ts"]);
    expect(hook.gzipped).toBeLessThan(4 * 1024); // 3.5 KB with throttle, restart, identity by value and resume (818 bytes without)
  });

  it("streamTypes() reads its default format without a frame encoder: the page carries none, and the format's encoder() is OPTIONS", async () => {
    // The same definition with the format named: the page then carries binary()'s frame encoder as well.
    const named = await bundledSize(page("streamTypes, binary, msgpackReadOnly", "streamTypes(TObject({ a: TNumber() }), undefined, undefined, { format: binary(msgpackReadOnly()) })"));
    const byDefault = await bundledSize(PAGES[0]!.code);
    expect(named.gzipped - byDefault.gzipped).toBeGreaterThan(300); // binary() carries LengthPrefixedEncoder
    const S = browserStreamTypes(Type.Object({ a: Type.Number() }));
    const w = streamTypes(Type.Object({ a: Type.Number() })).writer();
    const read = await readAll(S, S.reader([w.item({ a: 1 }), w.item({ a: 2 }), w.end()]));
    expect(read.error).toBeUndefined();
    expect(read.items).toEqual([{ a: 1 }, { a: 2 }]);
    expect(S.contentType).toBe("application/vnd.streamtypes; codec=msgpack");
    const refused = await rejection(() => S.format.encoder({ maxPayloadBytes: 1024 }));
    expect(refused.code).toBe("OPTIONS");
    expect(refused.message).toMatch(/streamtypes\/browser.*binary\(msgpack\(\)\)/);
  });

  it("carries TypeBox's Check only for a definition that asks for it ({ fallback: typeboxCheck }): about 3.6 KB gzipped", async () => {
    const fallback = await bundledSize(page("streamTypes, typeboxCheck", "streamTypes(TObject({ a: TNumber() }), undefined, undefined, { fallback: typeboxCheck })"));
    const plain = await bundledSize(PAGES[0]!.code);
    expect(fallback.inputs.filter((file) => NO_CHECK[0]!.test(file))).not.toEqual([]);
    const extra = fallback.gzipped - plain.gzipped;
    expect(extra).toBeGreaterThan(3 * 1024);
    expect(extra).toBeLessThan(4.5 * 1024); // docs/browser.md and the OPTIONS message say "about 4 KB"
  });

  it("leaves out what only writers need: msgpackr's packer and TypeBox's compiler", async () => {
    const reader = await bundledSize(`export { streamTypes } from "./src/browser.ts";`);
    const full = await bundledSize(`export { streamTypes } from "./src/index.ts";`);
    expect(reader.gzipped).toBeLessThan(full.gzipped * 0.7);
  });
});
