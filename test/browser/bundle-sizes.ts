// Measures what the browser entry's bundle is made of (esbuild, minified, gzip -9), for docs/browser.md. Run: node --import tsx test/browser/bundle-sizes.ts
import { bundledSize } from "../bundle-size.js";

const DEPS = ["msgpackr", "msgpackr/*", "@sinclair/typebox", "@sinclair/typebox/*", "eventsource-parser"];

async function size(code: string, external: string[] = []): Promise<{ min: number; gz: number }> {
  const { minified, gzipped } = await bundledSize(code, external);
  return { min: minified, gz: gzipped };
}

/** A small page reading a typed stream: the bundle test/size.test.ts holds to its budget. */
const PAGE = `
  import { streamTypes } from "./src/browser.ts";
  import { Object as TObject, Number as TNumber } from "@sinclair/typebox";
  const S = streamTypes(TObject({ a: TNumber() }));
  export async function read(url) { for await (const item of S.reader(fetch(url)).readItems()) console.log(item); }
`;

const rows: [string, string, string[]?][] = [
  ["a small page reading a typed stream with streamtypes/browser", PAGE],
  ["  the same, the library's own code only (dependencies left out)", PAGE, DEPS],
  ["msgpackr, unpack only", `import { Unpackr } from "msgpackr/unpack"; export const u = new Unpackr({ useRecords: false });`],
  ["TypeBox Check", `export { Check } from "@sinclair/typebox/value";`],
  ["TypeBox Check + Errors", `export { Check } from "@sinclair/typebox/value"; export { Errors } from "@sinclair/typebox/errors";`],
  [
    "dependencies of the reader: msgpackr unpack + Check + Errors",
    `import { Unpackr } from "msgpackr/unpack"; export const u = new Unpackr({ useRecords: false });
     export { Check } from "@sinclair/typebox/value"; export { Errors } from "@sinclair/typebox/errors";`,
  ],
  ["eventsource-parser", `export { createParser } from "eventsource-parser";`],
  ["the SSE and NDJSON formats with eventsource-parser", `export { sse } from "./src/formats/sse.ts"; export { ndjson } from "./src/formats/ndjson.ts";`],
  ["the whole browser entry (export *)", `export * from "./src/browser.ts";`],
  ["the whole main entry (export *)", `export * from "./src/index.ts";`],
];

console.log("| bundle | minified | gzip -9 |\n|---|---|---|");
for (const [label, code, external] of rows) {
  const s = await size(code, external);
  console.log(`| ${label} | ${(s.min / 1024).toFixed(1)} KB | ${(s.gz / 1024).toFixed(1)} KB |`);
}
