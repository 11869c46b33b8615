// Every code block of README.md and docs/*.md, checked: TypeScript type-checked in one Program, blocks marked
// <!-- run --> run, Python parsed, and the wire dumps marked <!-- bytes: … --> (or text/values) compared with what
// the real writer produces.
//
// How a doc marks a block, with an HTML comment on the line(s) just above its fence:
//   <!-- run -->            run the block (it must be self-contained: no prelude names, no network)
//   <!-- bytes: NAME -->    the block is a hex dump; its bytes must equal WIRE[NAME]()
//   <!-- hex+json: NAME --> the same, where a JSON text after the hex on a line stands for its UTF-8 bytes
//   <!-- text: NAME -->     the block is the exact text of WIRE[NAME]() (SSE, NDJSON)
//   <!-- values: msgpack --> / <!-- values: json -->
//                           each line is `JS expression  what the codec writes` (hex, JSON text, or "refused: CODE")
// A ts block whose first line is `// name.ts` is the file name.ts of its doc, so other blocks of the doc can import it.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Type } from "@sinclair/typebox";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StreamError, binary, json, msgpack, ndjson, sse, streamTypes, truss, type Format } from "../src/index.js";

const root = new URL("../", import.meta.url).pathname;
const DOCS = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

// ---- the blocks ----

interface Block {
  /** "docs/protocol.md" */
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  /** The HTML comments just above the fence. */
  readonly marks: readonly string[];
}

function blocksOf(doc: string): Block[] {
  const lines = readFileSync(join(root, doc), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    if (end === lines.length) throw new Error(`${doc}:${i + 1}: a code fence that is never closed`);
    const marks: string[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const mark = /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(lines[j]!);
      if (!mark) break;
      marks.unshift(mark[1]!);
    }
    const code = lines
      .slice(i + 1, end)
      .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
      .join("\n");
    blocks.push({ doc, line: i + 1, lang: open[2]!.toLowerCase(), code, marks });
    i = end;
  }
  return blocks;
}

const ALL = DOCS.flatMap(blocksOf);
const TS_LANGS = new Set(["ts", "typescript", "tsx", "js", "javascript"]);
const isTs = (b: Block) => TS_LANGS.has(b.lang);
const where = (b: Block) => `${b.doc}:${b.line}`;

// ---- type-checking: one Program for every TypeScript block ----

/** The virtual directory of a doc's blocks: inside the repository, so that `streamtypes` paths and node_modules resolve. */
const blockDir = (doc: string) => join(root, ".docs-blocks", doc.replace(/[/.]/g, "_"));

/** The virtual file a block is: `// name.ts` on its first line names it; otherwise its line number does. */
function fileOf(b: Block): string {
  const js = b.lang === "js" || b.lang === "javascript";
  const named = /^\/\/\s*([\w.-]+\.ts)\b/.exec(b.code);
  return join(blockDir(b.doc), named ? named[1]! : `L${b.line}.${js ? "js" : b.lang === "tsx" ? "tsx" : "ts"}`);
}

/**
 * What fragments may take as given, declared and never defined. Blocks marked `run` cannot use these (they
 * would fail at run time), so this list stays honest: only what a reader of the doc clearly supplies.
 */
const PRELUDE = `
/** README's producer: your own source of items, any async iterable. */
declare const model: { generate(options: { signal: AbortSignal }): AsyncIterable<string[]> };
`;
const PRELUDE_FILE = join(root, ".docs-blocks", "prelude.d.ts");

/** A block as a module: fragments without import or export would otherwise share one global scope. */
const asModule = (code: string) => `${code}\nexport {};\n`;

/** One Program for all blocks (one per block would take minutes): the prelude and every block as virtual files. */
function typeCheckAll(): ts.Program {
  const files = new Map<string, string>([[PRELUDE_FILE, PRELUDE]]);
  for (const b of ALL.filter(isTs)) {
    const file = fileOf(b);
    if (files.has(file)) throw new Error(`${where(b)}: a second block named ${file}`);
    files.set(file, asModule(b.code));
  }
  const configFile = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  // ```tsx blocks (React) use the automatic JSX runtime.
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, allowJs: true, checkJs: true, jsx: ts.JsxEmit.ReactJSX };
  const host = ts.createCompilerHost(options);
  const dirs = new Set([...files.keys()].map((f) => dirname(f)));
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
  host.directoryExists = (d) => dirs.has(d) || d === join(root, ".docs-blocks") || (directoryExists?.call(host, d) ?? ts.sys.directoryExists(d));
  host.getSourceFile = (f, language, onError, create) => {
    const text = files.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, language) : getSourceFile.call(host, f, language, onError, create);
  };
  return ts.createProgram({ rootNames: [...files.keys()], options, host });
}

/** A diagnostic as `docs/x.md:12: TS2304 Cannot find name 'foo'.`, with the line in the doc. */
function describeDiagnostic(b: Block, d: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (d.file === undefined || d.start === undefined) return `TS${d.code} ${text}`;
  const { line } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${b.doc}:${b.line + 1 + line}: TS${d.code} ${text}`;
}

let program: ts.Program;

// ---- running ----

/** Where blocks marked `run` are written to be imported: under node_modules, so that bare imports resolve as in the repository. */
const RUN_DIR = join(root, "node_modules", ".cache", `streamtypes-docs-${process.pid}`);

/** The import specifiers tsconfig.json maps to src/, as files. */
const ENTRIES: Record<string, string> = {
  streamtypes: join(root, "src/index.ts"),
  "streamtypes/node": join(root, "src/node.ts"),
  "streamtypes/browser": join(root, "src/browser.ts"),
};

function runnable(code: string): string {
  return code.replace(/(from\s+|import\s*\(\s*)(["'])(streamtypes(?:\/node|\/browser)?)\2/g, (_, head: string, quote: string, spec: string) => `${head}${quote}${ENTRIES[spec]}${quote}`);
}

async function run(b: Block): Promise<void> {
  const dir = join(RUN_DIR, b.doc.replace(/[/.]/g, "_"));
  mkdirSync(dir, { recursive: true });
  // The doc's named blocks too, for the block's relative imports.
  for (const other of ALL.filter((o) => o.doc === b.doc && isTs(o))) {
    writeFileSync(join(dir, fileOf(other).slice(blockDir(b.doc).length + 1)), runnable(asModule(other.code)));
  }
  const file = join(dir, fileOf(b).slice(blockDir(b.doc).length + 1));
  await import(/* @vite-ignore */ file);
}

// ---- wire dumps ----

const Words = Type.Object({ words: Type.Array(Type.String()) });

/** docs/protocol.md's stream: a header, two items, a footer, the end. */
function protocolStream(format: Format): Uint8Array[] {
  const STREAM = streamTypes(Words, Type.Object({ time: Type.Number(), msg: Type.String() }), Type.Object({ n: Type.Integer() }), { format });
  const w = STREAM.writer();
  return [w.header({ time: 1.5, msg: "hi" }), w.item({ words: ["a", "b"] }), w.item({ words: [] }), w.footer({ n: 2 }), w.end()];
}

/** docs/protocol.md's failing producer: one item, then an error with a code. */
function errorStream(format: Format): Uint8Array[] {
  const w = streamTypes(Words, undefined, undefined, { format }).writer();
  return [w.item({ words: ["a"] }), w.error(Object.assign(new Error("model crashed"), { code: "E_MODEL" }))];
}

/** docs/framings.md's sample: a header, one token, the end. */
function framingsSample(format: Format): Uint8Array[] {
  const Token = Type.Object({ token: Type.String(), index: Type.Integer() });
  const w = streamTypes(Token, Type.Object({ runId: Type.String() }), undefined, { format }).writer();
  return [w.header({ runId: "r1" }), w.item({ token: "Hi", index: 0 }), w.end()];
}

/** docs/framings.md's SSE ids: a header, three items, the footer, the end; and a resumed stream after Last-Event-ID 2. */
function sseIds(resumeAfter?: string): Uint8Array[] {
  const STREAM = streamTypes(Type.Object({ i: Type.Integer() }), Type.Object({ run: Type.String() }), Type.Object({ n: Type.Integer() }), { format: sse() });
  const w = STREAM.writer({ resumeAfter });
  const frames = [w.header({ run: "r1" })];
  for (let i = w.startIndex; i < 3; i++) frames.push(w.item({ i }));
  frames.push(w.keepAlive(), w.footer({ n: 3 }), w.end());
  return frames;
}

const WIRE: Record<string, () => Uint8Array[]> = {
  "protocol-msgpack": () => protocolStream(binary(msgpack())),
  "protocol-json": () => protocolStream(binary(json())),
  "protocol-truss": () => protocolStream(truss()),
  "protocol-error-msgpack": () => errorStream(binary(msgpack())),
  "protocol-error-json": () => errorStream(binary(json())),
  "framings-binary": () => framingsSample(binary(msgpack())),
  "framings-sse": () => framingsSample(sse()),
  "framings-ndjson": () => framingsSample(ndjson()),
  "framings-sse-ids": () => sseIds(),
  "framings-sse-resumed": () => sseIds("2"),
};

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const HEX_RUN = /^[0-9a-f]{2}( [0-9a-f]{2})*$/;

/**
 * The bytes of an annotated hex dump: on each line, an optional 4-digit offset, then the first column (up to two
 * spaces) if it is hex bytes. With `json`, a JSON text in the next column is its UTF-8 bytes.
 */
function dumpBytes(code: string, withJson: boolean): Uint8Array {
  const bytes: number[] = [];
  for (const raw of code.split("\n")) {
    const line = raw.trim().replace(/^[0-9a-f]{4}\s{2,}/, "");
    const [first = "", second = ""] = line.split(/\s{2,}/);
    if (!HEX_RUN.test(first)) continue;
    for (const h of first.split(" ")) bytes.push(parseInt(h, 16));
    if (withJson && /^[{["]/.test(second)) bytes.push(...new TextEncoder().encode(second));
  }
  return Uint8Array.from(bytes);
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");

/** `expr  written` lines of a values block: the expression evaluated, and what the doc says is written. */
function valueLines(code: string): { expr: string; written: string; value: unknown }[] {
  return code
    .split("\n")
    .filter((l) => l.trim() !== "" && !/^value\s{2,}/.test(l))
    .map((line) => {
      const [expr, written] = line.split(/\s{2,}/).map((s) => s.trim()) as [string, string | undefined];
      if (written === undefined) throw new Error(`a values line needs "expression  written": ${line}`);
      return { expr, written, value: new Function(`return (${expr});`)() as unknown };
    });
}

/** What the writer does with `value` as an item: the payload it writes, or the code it refuses it with. */
function writeItem(format: Format, value: unknown): Uint8Array | string {
  const w = streamTypes(Type.Any(), undefined, undefined, { format }).writer();
  w.keepAlive(); // the binary marker goes out first
  try {
    return w.item(value).subarray(5);
  } catch (err) {
    return err instanceof StreamError ? `refused: ${err.code}` : `threw ${String(err)}`;
  }
}

// ---- the tests ----

beforeAll(() => {
  program = typeCheckAll();
}, 180_000);

afterAll(() => rmSync(RUN_DIR, { recursive: true, force: true }));

describe("docs: TypeScript blocks type-check", () => {
  it("the docs program has no global errors", () => {
    const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  });
  for (const b of ALL.filter(isTs)) {
    it(`${where(b)} (${b.lang})`, () => {
      const sf = program.getSourceFile(fileOf(b))!;
      const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
      expect(diagnostics.map((d) => describeDiagnostic(b, d))).toEqual([]);
    });
  }
});

describe("docs: blocks marked run", () => {
  for (const b of ALL.filter((b) => b.marks.includes("run"))) {
    it(`${where(b)} runs`, async () => {
      expect(isTs(b), "only TypeScript blocks can run").toBe(true);
      await run(b);
    });
  }
});

describe("docs: Python blocks are valid Python", () => {
  for (const b of ALL.filter((b) => b.lang === "python" || b.lang === "py")) {
    it(`${where(b)} parses`, () => {
      execFileSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: b.code, stdio: ["pipe", "pipe", "pipe"] });
    });
  }
});

describe("docs: wire dumps are what the writer writes", () => {
  const marked = ALL.filter((b) => b.marks.some((m) => /^(bytes|hex\+json|text|values):/.test(m)));
  it("every dump names a known sample", () => {
    for (const b of marked) {
      for (const m of b.marks) {
        const [kind, name] = m.split(/:\s*/) as [string, string];
        if (kind === "values") expect(["msgpack", "json"], where(b)).toContain(name);
        else if (kind === "bytes" || kind === "hex+json" || kind === "text") expect(Object.keys(WIRE), where(b)).toContain(name);
      }
    }
  });
  for (const b of marked) {
    const mark = b.marks.find((m) => /^(bytes|hex\+json|text|values):/.test(m))!;
    const [kind, name] = mark.split(/:\s*/) as [string, string];
    it(`${where(b)} (${mark})`, () => {
      if (kind === "values") {
        const format = name === "json" ? binary(json()) : binary(msgpack());
        for (const { expr, written, value } of valueLines(b.code)) {
          const actual = writeItem(format, value);
          const shown = typeof actual === "string" ? actual : name === "json" ? new TextDecoder().decode(actual) : hex(actual);
          expect(`${expr}  ${shown}`, where(b)).toBe(`${expr}  ${written}`);
        }
        return;
      }
      const expected = concat(WIRE[name]!());
      if (kind === "text") expect(b.code.trimEnd()).toBe(new TextDecoder().decode(expected).trimEnd());
      else expect(hex(dumpBytes(b.code, kind === "hex+json"))).toBe(hex(expected));
    });
  }
});
