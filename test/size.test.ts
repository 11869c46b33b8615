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

/** Bytes, gzipped: the budget of each page, and the modules it must not contain. See docs/browser.md for the figures. */
const PAGES = [
  {
    name: "binary (MessagePack)",
    code: page("streamTypes", "streamTypes(TObject({ a: TNumber() }))"),
    budget: 21.5 * 1024,
    excludes: [/formats\/(sse|ndjson|truss)\.ts$/, /codecs\/json\.ts$/, /eventsource-parser/, /msgpackr\/pack/, /typebox\/compiler/, /writer\//],
  },
  {
    name: "SSE",
    code: page("readerTypes, sse", "readerTypes(TObject({ a: TNumber() }), undefined, undefined, { format: sse() })"),
    budget: 19 * 1024,
    excludes: [/msgpack/, /formats\/(binary|ndjson|truss|length-prefixed)\.ts$/, /typebox\/compiler/, /writer\//],
  },
  {
    name: "NDJSON",
    code: page("readerTypes, ndjson", "readerTypes(TObject({ a: TNumber() }), undefined, undefined, { format: ndjson() })"),
    budget: 18.25 * 1024,
    excludes: [/msgpack/, /eventsource-parser/, /formats\/(binary|sse|truss|length-prefixed)\.ts$/, /typebox\/compiler/, /writer\//],
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
    expect(hook.inputs).toEqual(["src/react.ts"]);
    expect(hook.gzipped).toBeLessThan(2 * 1024);
  });

  it("streamTypes() reads its default format without a frame encoder: the page carries none, and the format's encoder() is OPTIONS", async () => {
    const named = await bundledSize(page("readerTypes, binary, msgpackReadOnly", "readerTypes(TObject({ a: TNumber() }), undefined, undefined, { format: binary(msgpackReadOnly()) })"));
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

  it("leaves out what only writers need: msgpackr's packer and TypeBox's compiler", async () => {
    const reader = await bundledSize(`export { streamTypes } from "./src/browser.ts";`);
    const full = await bundledSize(`export { streamTypes } from "./src/index.ts";`);
    expect(reader.gzipped).toBeLessThan(full.gzipped * 0.7);
  });
});
