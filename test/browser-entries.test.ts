// Which browser entry a page uses: streamtypes/standard/browser reads Standard Schemas with no TypeBox anywhere in
// the page; streamtypes/browser reads TypeBox too. And what README says a page costs matches what esbuild makes.
import { readFileSync } from "node:fs";
import { Type } from "@sinclair/typebox";
import * as z from "zod";
import { describe, expect, it } from "vitest";
import { streamTypes as standardStreamTypes, sse } from "../src/standard.js";
import { readerTypes, streamTypes } from "../src/standard-browser.js";
import { bundledSize } from "./bundle-size.js";
import { readAll, rejection } from "./helpers.js";

const read = `export async function read(url) { for await (const item of S.reader(fetch(url)).readItems()) console.log(item); }`;

describe("streamtypes/standard/browser", () => {
  it("reads a zod stream written by streamtypes/standard, binary and SSE", async () => {
    const Item = z.object({ token: z.string() });
    const w = standardStreamTypes(Item).writer();
    const S = streamTypes(Item);
    const binary = await readAll(S, S.reader([w.item({ token: "a" }), w.end()]));
    expect(binary).toEqual({ items: [{ token: "a" }] });
    const ws = standardStreamTypes(Item, undefined, undefined, { format: sse() }).writer();
    const E = readerTypes(Item, undefined, undefined, { format: sse() });
    expect(await readAll(E, E.reader([ws.item({ token: "b" }), ws.end()]))).toEqual({ items: [{ token: "b" }] });
  });

  it("refuses a TypeBox schema with OPTIONS, naming streamtypes/browser", async () => {
    const err = await rejection(() => streamTypes(Type.Object({ a: Type.Number() })));
    expect(err.code).toBe("OPTIONS");
    expect(err.message).toContain('"streamtypes/browser"');
  });

  it("a zod page bundles no TypeBox at all, and is smaller than the same page through streamtypes/browser", async () => {
    const page = (entry: string) => `import { streamTypes } from "${entry}"; import * as z from "zod"; const S = streamTypes(z.object({ a: z.number() })); ${read}`;
    const standard = await bundledSize(page("./src/standard-browser.ts"));
    const withTypeBox = await bundledSize(page("./src/browser.ts"));
    expect(standard.inputs.filter((f) => f.includes("typebox"))).toEqual([]);
    expect(withTypeBox.gzipped - standard.gzipped).toBeGreaterThan(3 * 1024);
  });

  it("the standard/browser module graph imports nothing from @sinclair/typebox (so Node and tsc need none installed)", async () => {
    const page = await bundledSize(`export * from "./src/standard-browser.ts";`, ["@sinclair/typebox", "@sinclair/typebox/*"]);
    expect(page.inputs.filter((f) => /typebox(?!1)/i.test(f))).toEqual([]);
  });
});

describe("README's browser bundle figures", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

  it("README's browser example (named TypeBox imports) costs what the table says; `import { Type }` the extra it says", async () => {
    const section = readme.slice(readme.indexOf("## In the browser and in React"));
    const example = /```ts\n([\s\S]*?)```/.exec(section)![1]!.replace('"streamtypes/browser"', '"./src/browser.ts"');
    expect(example).toMatch(/import \{ Object as TObject/);
    const floor = Number(/without any schema library is ([\d.]+) KB with `streamtypes\/browser`/.exec(readme)![1]);
    const typeExtra = Number(/\+([\d.]+) KB \(`import \{ Type \}`\)/.exec(readme)![1]);
    const page = await bundledSize(example);
    expect(Math.abs(page.gzipped / 1024 - floor)).toBeLessThan(1);
    const named = `import { streamTypes } from "./src/browser.ts"; import { Object as TObject, String as TString } from "@sinclair/typebox"; const S = streamTypes(TObject({ a: TString() })); ${read}`;
    const whole = `import { streamTypes } from "./src/browser.ts"; import { Type } from "@sinclair/typebox"; const S = streamTypes(Type.Object({ a: Type.String() })); ${read}`;
    const [a, b] = await Promise.all([bundledSize(named), bundledSize(whole)]);
    expect(Math.abs((b.gzipped - a.gzipped) / 1024 - typeExtra)).toBeLessThan(1);
  });
});
