// The linear cost of object streams (issue 25): JSON text of 1, 2 and 4 MB in 10-character tokens through the
// incremental parser alone, and through the parser plus the reader's partial object with per-value TypeBox checks;
// against re-parsing the text so far on every token (what "accidentally quadratic" means), on small sizes only.
//   node --import tsx bench/partial-objects.ts [--rounds=5]
// Medians of interleaved rounds after one warm-up round; ms per MB should stay flat as the size doubles.
import { loadavg } from "node:os";
import { Type } from "@sinclair/typebox";
import { incrementalJson, objectStream, binary, msgpack } from "../src/index.js";

const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 5);
const TOKEN = 10;

const Row = Type.Object({ id: Type.Integer(), name: Type.String(), tags: Type.Array(Type.String()), score: Type.Number(), note: Type.String() });
const Doc = Type.Object({ title: Type.String(), rows: Type.Array(Row) });
const DOC = objectStream(Doc, { format: binary(msgpack()) });

/** A document of about `bytes` characters of JSON. */
function documentText(bytes: number): string {
  const rows = [];
  for (let id = 0, size = 0; size < bytes; id++) {
    const row = { id, name: `row number ${id}`, tags: ["alpha", "beta", id % 2 ? "odd" : "even"], score: id / 7, note: "A sentence a model might write about this row." };
    rows.push(row);
    size += JSON.stringify(row).length + 1;
  }
  return JSON.stringify({ title: "bench", rows });
}

function tokens(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += TOKEN) out.push(text.slice(i, i + TOKEN));
  return out;
}

/** ms to parse every token into patches. */
function parseOnly(pieces: readonly string[]): number {
  const t0 = performance.now();
  const parser = incrementalJson();
  let n = 0;
  for (const piece of pieces) n += parser.write(piece).length;
  n += parser.end().length;
  if (n === 0) throw new Error("no patches");
  return performance.now() - t0;
}

/** ms to parse every token and apply its patches to a reader's partial object, each finished value checked. */
function parseAndApply(pieces: readonly string[]): number {
  const t0 = performance.now();
  const parser = incrementalJson();
  const object = DOC.partialObject();
  let index = 0;
  for (const piece of pieces) for (const patch of parser.write(piece)) object.apply(patch, index++);
  for (const patch of parser.end()) object.apply(patch, index++);
  if (!object.closed) throw new Error("not closed");
  return performance.now() - t0;
}

/**
 * ms when the whole text so far is parsed again on every token (the quadratic way), with the native JSON.parse and
 * no repair of the unfinished text: a lower bound for what re-parsing costs.
 */
function reparseEachToken(pieces: readonly string[]): number {
  const t0 = performance.now();
  let text = "";
  for (const piece of pieces) {
    text += piece;
    try {
      JSON.parse(text);
    } catch {
      // unfinished: a re-parsing reader would repair it and parse again
    }
  }
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const MB = 1024 * 1024;

console.log(`Node ${process.version}, ${rounds} rounds, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}, ${new Date().toISOString()}`);
console.log("| JSON text | tokens | parser: ms | parser: ms per MB | parser + partial object + checks: ms | ms per MB |");
console.log("| --- | --- | --- | --- | --- | --- |");
const texts = [1, 2, 4].map((mb) => ({ mb, pieces: tokens(documentText(mb * MB)) }));
for (const { pieces } of texts) parseOnly(pieces), parseAndApply(pieces); // warm-up
const results = texts.map(() => ({ parse: [] as number[], apply: [] as number[] }));
for (let r = 0; r < rounds; r++) {
  texts.forEach(({ pieces }, i) => {
    results[i]!.parse.push(parseOnly(pieces));
    results[i]!.apply.push(parseAndApply(pieces));
  });
}
texts.forEach(({ mb, pieces }, i) => {
  const p = median(results[i]!.parse);
  const a = median(results[i]!.apply);
  console.log(`| ${mb} MB | ${pieces.length.toLocaleString("en")} | ${p.toFixed(0)} | ${(p / mb).toFixed(0)} | ${a.toFixed(0)} | ${(a / mb).toFixed(0)} |`);
});

console.log("\nRe-parsing the text so far on every token (quadratic), small sizes:");
console.log("| JSON text | tokens | native JSON.parse of the text so far, each token: ms | incremental parser: ms |");
console.log("| --- | --- | --- | --- |");
for (const kb of [32, 64, 128]) {
  const pieces = tokens(documentText(kb * 1024));
  const q = median(Array.from({ length: 3 }, () => reparseEachToken(pieces)));
  const l = median(Array.from({ length: 3 }, () => parseOnly(pieces)));
  console.log(`| ${kb} KB | ${pieces.length.toLocaleString("en")} | ${q.toFixed(0)} | ${l.toFixed(1)} |`);
}
console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
