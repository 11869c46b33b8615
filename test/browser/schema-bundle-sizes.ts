// What each schema library adds to a page that reads a typed stream with streamtypes/browser (esbuild, minified, gzip -9),
// for README.md and docs/browser.md. Run: node --import tsx test/browser/schema-bundle-sizes.ts
import { bundledSize } from "../bundle-size.js";

/** A page that reads items of a one-object schema `{ a: number, b: string }` from fetch with streamtypes/browser. */
const page = (imports: string, schema: string) => `
  import { streamTypes } from "./src/browser.ts";
  ${imports}
  const S = streamTypes(${schema});
  export async function read(url) { for await (const item of S.reader(fetch(url)).readItems()) console.log(item); }
`;

const TYPEBOX = page(`import { Object as TObject, Number as TNumber, String as TString } from "@sinclair/typebox";`, `TObject({ a: TNumber(), b: TString() })`);
/** The floor: the same page with a hand-written Standard Schema, no schema library at all. */
const FLOOR = page("", `{ "~standard": { version: 1, vendor: "none", validate: (value) => ({ value }) } }`);

const PAGES: [string, string, string][] = [
  ["TypeBox 0.34 (`@sinclair/typebox`), the default", TYPEBOX, `export { Check } from "@sinclair/typebox/value"; export { Errors } from "@sinclair/typebox/errors";`],
  [
    "zod 4 (`import { z } from \"zod\"`)",
    page(`import { z } from "zod";`, `z.object({ a: z.number(), b: z.string() })`),
    `import { z } from "zod"; export const s = z.object({ a: z.number(), b: z.string() });`,
  ],
  [
    "zod 4 (`import * as z from \"zod\"`)",
    page(`import * as z from "zod";`, `z.object({ a: z.number(), b: z.string() })`),
    `import * as z from "zod"; export const s = z.object({ a: z.number(), b: z.string() });`,
  ],
  [
    "zod 4 mini (`import * as z from \"zod/mini\"`)",
    page(`import * as z from "zod/mini";`, `z.object({ a: z.number(), b: z.string() })`),
    `import * as z from "zod/mini"; export const s = z.object({ a: z.number(), b: z.string() });`,
  ],
  [
    "valibot 1 (`import * as v from \"valibot\"`)",
    page(`import * as v from "valibot";`, `v.object({ a: v.number(), b: v.string() })`),
    `import * as v from "valibot"; export const s = v.object({ a: v.number(), b: v.string() });`,
  ],
  [
    "arktype 2",
    page(`import { type } from "arktype";`, `type({ a: "number", b: "string" })`),
    `import { type } from "arktype"; export const s = type({ a: "number", b: "string" });`,
  ],
  [
    "TypeBox 1.x through `typebox1()`",
    page(`import { Type } from "typebox"; import { typebox1 } from "./src/typebox1.ts";`, `typebox1(Type.Object({ a: Type.Number(), b: Type.String() }))`),
    `import { Type } from "typebox"; import { Compile } from "typebox/compile"; export const c = Compile(Type.Object({ a: Type.Number(), b: Type.String() }));`,
  ],
];

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const signed = (n: number) => (n === 0 ? "±0" : (n > 0 ? "+" : "−") + kb(Math.abs(n)));
const [base, floor] = await Promise.all([bundledSize(TYPEBOX), bundledSize(FLOOR)]);
console.log(`floor (a hand-written Standard Schema, no library): ${kb(floor.minified)} minified, ${kb(floor.gzipped)} gzipped;` +
  ` TypeBox 0.34 in it: ${floor.inputs.filter((f) => f.includes("@sinclair/typebox")).length} files\n`);
console.log("| schemas from | page, minified | page, gzipped | the library's cost: page − floor, gzipped | vs the TypeBox 0.34 page | the library alone, one object schema, gzipped |");
console.log("|---|---|---|---|---|---|");
for (const [label, code, alone] of PAGES) {
  const [p, a] = await Promise.all([bundledSize(code), bundledSize(alone)]);
  console.log(`| ${label} | ${kb(p.minified)} | **${kb(p.gzipped)}** | ${signed(p.gzipped - floor.gzipped)} | ${signed(p.gzipped - base.gzipped)} | ${kb(a.gzipped)} |`);
}

const checkOnly = await bundledSize(`import { Type } from "typebox"; import { Check } from "typebox/value"; export const c = (v) => Check(Type.Object({ a: Type.Number(), b: Type.String() }), v);`);
console.log(`\nTypeBox 1.x with \`Check\` only (no \`Compile\`), alone: ${kb(checkOnly.gzipped)} gzipped.`);
