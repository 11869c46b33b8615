// What a browser page's bundle is made of: each module's minified bytes (esbuild's metafile) and what removing it saves gzipped.
import { gzipSync } from "node:zlib";
import { build, transform } from "esbuild";

/*
 * `node --import tsx bench/bundle-composition.ts [binary|sse|ndjson] [--groups]`: the pages of test/size.test.ts
 * (a one-field TypeBox schema read from fetch). The "gzip delta" of a module is the gzipped size of the whole page
 * minus that of the page with the module's code cut out (the bundle built unminified, split at esbuild's
 * `// path` markers, each variant minified alone): what the page would save without it, given everything else it
 * compresses against. Deltas do not add up to the page: gzip finds repetition across modules.
 */

const root = new URL("../", import.meta.url).pathname;
// Piped into `head`: stop quietly when the reader has gone.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(0);
});

const PAGES: Record<string, string> = {
  binary: `import { streamTypes } from "./src/browser.ts"; const S = streamTypes(TObject({ a: TNumber() }));`,
  sse: `import { readerTypes, sse } from "./src/browser.ts"; const S = readerTypes(TObject({ a: TNumber() }), undefined, undefined, { format: sse() });`,
  ndjson: `import { readerTypes, ndjson } from "./src/browser.ts"; const S = readerTypes(TObject({ a: TNumber() }), undefined, undefined, { format: ndjson() });`,
};
const SCHEMA = `import { Object as TObject, Number as TNumber } from "@sinclair/typebox";`;
const READ = `export async function read(url) { for await (const item of S.reader(fetch(url)).readItems()) console.log(item); }`;
const SCHEMA_ONLY = `${SCHEMA} const S = TObject({ a: TNumber() }); export async function read(url) { for await (const chunk of (await fetch(url)).body) console.log(chunk, S); }`;

async function bundle(code: string, minify: boolean) {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: "ts" },
    bundle: true,
    minify,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
    metafile: true,
  });
  return { text: result.outputFiles[0]!.text, inputs: Object.values(result.metafile.outputs)[0]!.inputs };
}

async function minifiedSizes(code: string): Promise<[minified: number, gzipped: number]> {
  const out = (await transform(code, { minify: true, format: "esm", logLevel: "silent" })).code;
  return [out.length, gzipSync(out, { level: 9 }).length];
}

const which = process.argv.find((a) => a in PAGES) ?? "binary";
const groups = process.argv.includes("--groups");
const page = `${PAGES[which]} ${SCHEMA} ${READ}`;
const [minified, schemaOnly, plain] = await Promise.all([bundle(page, true), bundle(SCHEMA_ONLY, true), bundle(page, false)]);
const gz = (text: string) => gzipSync(text, { level: 9 }).length;
const pageGz = gz(minified.text);
const floorGz = gz(schemaOnly.text);
console.log(`${which} page: ${minified.text.length} B minified, ${pageGz} B gzipped; the schema alone ${floorGz} B; the library's cost ${pageGz - floorGz} B (${((pageGz - floorGz) / 1024).toFixed(2)} KB)`);

// The unminified bundle, cut at esbuild's "// path" comment before each module's code.
const segments: { name: string; lines: string[] }[] = [{ name: "(prelude)", lines: [] }];
for (const line of plain.text.split("\n")) {
  const marker = /^\/\/ (\S+\.m?[jt]s)$/.exec(line);
  if (marker) segments.push({ name: marker[1]!, lines: [] });
  segments.at(-1)!.lines.push(line);
}
const keyOf = (name: string) => (!groups ? name : name.includes("@sinclair/typebox") ? "@sinclair/typebox" : name.replace(/\/[^/]*$/, "/"));
const [, wholeGz] = await minifiedSizes(plain.text);
const rows: { key: string; bytes: number; delta: number }[] = [];
for (const key of new Set(segments.map((s) => keyOf(s.name)))) {
  const rest = segments.filter((s) => keyOf(s.name) !== key).flatMap((s) => s.lines);
  const [, restGz] = await minifiedSizes(rest.join("\n"));
  const bytes = Object.entries(minified.inputs)
    .filter(([file]) => keyOf(file) === key)
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  rows.push({ key, bytes, delta: wholeGz - restGz });
}
rows.sort((a, b) => b.delta - a.delta);
console.log("| module | minified B | gzip delta B |\n|---|---:|---:|");
for (const r of rows) if (r.bytes > 0 || r.delta > 20) console.log(`| ${r.key} | ${r.bytes} | ${r.delta} |`);
