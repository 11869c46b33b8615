// `streamtypes inspect`, run as a process: golden truss vectors, captured streams of every format, hostile input, --schema, stdin and a live URL.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Type } from "@sinclair/typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binary, json, ndjson, sse, streamTypes, type Format } from "../src/index.js";
import { startServer } from "./server.js";

const root = new URL("../", import.meta.url).pathname;
const TRUSS = join(root, "test/fixtures/truss");
let dir: string;

interface Run {
  code: number | null;
  lines: Record<string, unknown>[];
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a bounded time; stdin gets `input` when given. */
function cli(args: string[], input?: Uint8Array, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/cli/cli.ts"), ...args], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the CLI did not finish within ${timeoutMs} ms: ${args.join(" ")}\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, lines, stdout, stderr });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input === undefined ? undefined : Buffer.from(input));
  });
}

const frames = (run: Run) => run.lines.filter((l) => !("summary" in l));
const summaryOf = (run: Run) => run.lines.find((l) => "summary" in l) as { error: { code: string; message: string } | null; kinds: Record<string, number>; ended: string | null; exitCode: number; invalidCount?: number };

const Item = Type.Object({ words: Type.Array(Type.String()) });
const Header = Type.Object({ model: Type.String() });
const Footer = Type.Object({ tokens: Type.Integer() });

function capture(format: Format, items = 3): Uint8Array {
  const w = streamTypes(Item, Header, Footer, { format }).writer();
  const parts = [w.header({ model: "m1" })];
  for (let i = 0; i < items; i++) parts.push(w.item({ words: ["w", String(i)] }));
  if (format.keepAlive) parts.push(w.keepAlive());
  parts.push(w.footer({ tokens: items }), w.end());
  return Buffer.concat(parts);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "streamtypes-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("streamtypes inspect", () => {
  it("prints --help with the exit codes, and exits 1 on usage errors", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit status:[\s\S]*3\s+an incomplete stream/);
    expect((await cli(["inspect"])).code).toBe(1);
    expect((await cli(["inspect", "--format", "xml", "x.bin"])).code).toBe(1);
    expect((await cli(["inspect", join(dir, "missing.bin")])).code).toBe(1);
  });

  it("reads every truss golden vector: exit 0, frame kinds as in its description", async () => {
    const bins = readdirSync(TRUSS).filter((f) => f.endsWith(".bin"));
    expect(bins.length).toBeGreaterThan(5);
    for (const bin of bins) {
      const description = JSON.parse(readFileSync(join(TRUSS, bin.replace(/\.bin$/, ".json")), "utf8")) as { frames: [number, number][] };
      const run = await cli(["inspect", "--max-value-bytes", "64", join(TRUSS, bin)]);
      expect(run.code, bin).toBe(0);
      const got = frames(run).map((f) => [f.kind, f.payloadBytes]);
      const want = description.frames.map(([kind, size]) => [["", "", "header", "item", "footer", "end", "error"][kind], size]);
      expect(got, bin).toEqual(want);
      expect(summaryOf(run).ended).toBe("end of input");
    }
  });

  for (const [name, format] of [
    ["binary", undefined],
    ["binary-json", binary(json())],
    ["sse", sse()],
    ["ndjson", ndjson()],
  ] as [string, Format | undefined][]) {
    it(`detects and reads a captured ${name} stream`, async () => {
      const bytes = capture(format ?? streamTypes(Item).format);
      const file = join(dir, `capture.${name}`);
      writeFileSync(file, bytes);
      const run = await cli(["inspect", file]);
      expect(run.code).toBe(0);
      const s = summaryOf(run) as unknown as { format: string; bytes: number; ended: string };
      expect(s.format).toBe(name);
      expect(s.bytes).toBe(bytes.length);
      expect(s.ended).toBe("end frame");
      const kinds = frames(run).map((f) => f.kind);
      expect(kinds.filter((k) => k === "item")).toHaveLength(3);
      expect(kinds.slice(-2)).toEqual(["footer", "end"]);
      const items = frames(run).filter((f) => f.kind === "item");
      expect(items[1]!.value).toEqual({ words: ["w", "1"] });
      // offsets point at the frame's first byte
      const text = Buffer.from(bytes);
      const at = items[1]!.offset as number;
      if (name.startsWith("binary")) expect(text[at]).toBe(3);
      else expect(text.subarray(at, at + 16).toString()).toMatch(name === "sse" ? /^event: item/ : /^\{"kind":"item/);
    });
  }

  it("renders bigints, typed arrays and Dates readably", async () => {
    const S = streamTypes(Type.Object({ n: Type.BigInt(), d: Type.Date(), f: Type.Any() }));
    const w = S.writer();
    const file = join(dir, "values.bin");
    writeFileSync(file, Buffer.concat([w.item({ n: 2n ** 70n, d: new Date(0), f: new Float32Array([1, 2.5]) }), w.end()]));
    const run = await cli(["inspect", file]);
    expect(run.code).toBe(0);
    expect(frames(run)[1]!.value).toEqual({ n: { $bigint: String(2n ** 70n) }, d: { $date: "1970-01-01T00:00:00.000Z" }, f: { $Float32Array: [1, 2.5], length: 2 } });
  });

  describe("hostile input: a clean summary and an exit code, never a crash or a hang", () => {
    it("random bytes: FORMAT, exit 2", async () => {
      let seed = 7;
      const random = Uint8Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) | 0x80);
      const run = await cli(["inspect", "-"], random);
      expect(run.code).toBe(2);
      expect(summaryOf(run).error!.code).toBe("FORMAT");
    });

    it("an HTML page: FORMAT, exit 2, with a preview", async () => {
      const run = await cli(["inspect", "-"], new TextEncoder().encode("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>\n"));
      expect(run.code).toBe(2);
      expect(summaryOf(run).error!.message).toContain("<!DOCTYPE html>");
    });

    it("an HTML page read as --format sse: FORMAT, exit 2", async () => {
      const run = await cli(["inspect", "--format", "sse", "-"], new TextEncoder().encode("<!DOCTYPE html>\n"));
      expect(run.code).toBe(2);
      expect(summaryOf(run).error!.code).toBe("FORMAT");
    });

    it("a truncated stream: TRUNCATED with where it stopped, exit 3", async () => {
      const bytes = capture(streamTypes(Item).format);
      const run = await cli(["inspect", "-"], bytes.subarray(0, bytes.length - 12));
      expect(run.code).toBe(3);
      const s = summaryOf(run);
      expect(s.error!.code).toBe("TRUNCATED");
      expect(s.error!.message).toMatch(/inside a footer frame|inside an? \w+ frame/);
      expect(s.ended).toBeNull();
    });

    it("a 4 GiB length announcement: LIMIT from the frame header, exit 2, quickly", async () => {
      const marker = capture(streamTypes(Item).format).subarray(0, 11);
      const run = await cli(["inspect", "-"], Buffer.concat([marker, Uint8Array.of(3, 0xff, 0xff, 0xff, 0xff, 1, 2, 3)]));
      expect(run.code).toBe(2);
      expect(summaryOf(run).error!.code).toBe("LIMIT");
      const truss = await cli(["inspect", "--format", "truss", "-"], Uint8Array.of(3, 0xff, 0xff, 0xff, 0xff, 0x7b));
      expect(truss.code).toBe(2);
      expect(summaryOf(truss).error!.code).toBe("LIMIT");
    });

    it("an empty input: TRUNCATED, exit 3; an error frame: REMOTE, exit 2", async () => {
      expect((await cli(["inspect", "-"], new Uint8Array(0))).code).toBe(3);
      const w = streamTypes(Item).writer();
      const run = await cli(["inspect", "-"], Buffer.concat([w.item({ words: [] }), w.error(new Error("model crashed"))]));
      expect(run.code).toBe(2);
      expect(summaryOf(run).error!.message).toContain("model crashed");
    });
  });

  it("--schema reports every failing value, then the summary (exit 2)", async () => {
    const module = join(dir, "streams.mjs");
    const typebox = createRequire(import.meta.url).resolve("@sinclair/typebox");
    writeFileSync(
      module,
      `import * as tb from ${JSON.stringify(pathToFileURL(typebox).href)};
import { streamTypes } from ${JSON.stringify(pathToFileURL(join(root, "src/index.ts")).href)};
const { Type } = tb.Type ? tb : tb.default;
export const STRICT = streamTypes(Type.Object({ words: Type.Array(Type.String(), { maxItems: 1 }) }), Type.Object({ model: Type.String() }), Type.Object({ tokens: Type.Integer() }));
`,
    );
    const file = join(dir, "schema.bin");
    // the schema allows one word per item: items 0 and 2 fail, item 1 passes
    const w = streamTypes(Item, Header, Footer).writer();
    writeFileSync(file, Buffer.concat([w.header({ model: "m" }), w.item({ words: ["a", "b"] }), w.item({ words: ["ok"] }), w.item({ words: ["c", "d"] }), w.footer({ tokens: 3 }), w.end()]));
    const run = await cli(["inspect", "--schema", `${module}#STRICT`, file]);
    expect(run.code).toBe(2);
    const invalid = frames(run).filter((f) => f.invalid !== undefined).map((f) => f.invalid as { part: string; index: number; code: string });
    expect(invalid.map((i) => [i.part, i.index, i.code])).toEqual([
      ["item", 0, "VALIDATION"],
      ["item", 2, "VALIDATION"],
    ]);
    const s = summaryOf(run);
    expect(s.invalidCount).toBe(2);
    expect(s.error!.code).toBe("VALIDATION");
    expect(s.ended).toBe("end frame");
    expect((await cli(["inspect", "--schema", `${module}#NOPE`, file])).code).toBe(1);
  });

  it("reads standard input, with --plain output", async () => {
    const run = await cli(["inspect", "--plain", "-"], capture(ndjson()));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/#1 item\s+@\d+ \d+B\s+\{"words":\["w","0"\]\}/);
    expect(run.stdout).toMatch(/-- OK: ended with the end frame \(exit 0\)/);
  });

  it("reads a live URL, with the time of each frame", async () => {
    const bytes = [...(function* () {
      const w = streamTypes(Item, Header, Footer).writer();
      yield w.header({ model: "m" });
      for (let i = 0; i < 3; i++) yield w.item({ words: [String(i)] });
      yield w.footer({ tokens: 3 });
      yield w.end();
    })()];
    const server = await startServer(async (_req, res) => {
      res.writeHead(200, { "content-type": "application/vnd.streamtypes; codec=msgpack" });
      for (const frame of bytes) {
        res.write(frame);
        await new Promise((r) => setTimeout(r, 150));
      }
      res.end();
    });
    try {
      const run = await cli(["inspect", `${server.url}/stream`]);
      expect(run.code).toBe(0);
      const ms = frames(run)
        .filter((f) => f.kind !== "open")
        .map((f) => f.ms as number);
      expect(ms).toHaveLength(6);
      for (let i = 1; i < ms.length; i++) expect(ms[i]!).toBeGreaterThan(ms[i - 1]! + 50);
      const cut = await startServer((_req, res) => {
        res.writeHead(200);
        res.write(bytes[0]);
        setTimeout(() => res.destroy(), 100);
      });
      try {
        const truncated = await cli(["inspect", `${cut.url}/cut`]);
        expect(truncated.code).toBe(3);
        expect(summaryOf(truncated).error!.code).toBe("TRUNCATED");
      } finally {
        await cut.close();
      }
      const refused = await cli(["inspect", "http://127.0.0.1:9/none"]);
      expect(refused.code).toBe(3);
      expect(summaryOf(refused).error!.code).toBe("NETWORK");
    } finally {
      await server.close();
    }
  });
});

/** Any character a terminal would act on or hide: C0 (but the line feeds between lines), DEL, C1, bidi and other format characters. */
const UNSAFE_OUTPUT = /[\0-\x09\x0b-\x1f\x7f-\x9f\p{Cf}\u2028\u2029]/u;
const HOSTILE = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\r\x9b31m\u202eevil\u2066";

describe("streamtypes inspect: untrusted bytes are printed escaped, in bounded lines (issue 21, items 4–6)", () => {
  it("an error frame, a JSON parse error and a key name full of terminal escapes: nothing raw reaches stdout, in --plain and JSON", async () => {
    const w = streamTypes(Item).writer();
    const remote = Buffer.concat([w.item({ words: [HOSTILE] }), w.error(Object.assign(new Error(HOSTILE), { name: `Bad${HOSTILE}` }))]);
    const badJson = new TextEncoder().encode(`{"kind":"item","data":{"words":["ok"]}}\n{"kind":"item","data":${HOSTILE}}\n`);
    const keyName = new TextEncoder().encode(`${JSON.stringify({ kind: "item", data: { [HOSTILE]: 1 } })}\n{"kind":"end"}\n`);
    for (const [input, code] of [[remote, 2], [badJson, 2], [keyName, 0]] as const) {
      for (const mode of ["--plain", "--json"]) {
        const run = await cli(["inspect", mode, "-"], input);
        expect(run.code).toBe(code);
        expect(run.stdout).toContain("\\u001b");
        expect(UNSAFE_OUTPUT.test(run.stdout)).toBe(false);
      }
    }
    // JSON lines stay JSON: the escapes decode to the characters the stream had.
    const json = await cli(["inspect", "-"], remote);
    expect((frames(json).find((f) => f.kind === "item")!.value as { words: string[] }).words[0]).toBe(HOSTILE);
  });

  it("the HTTP reason phrase and error body are escaped, and an endless error body is not read on", async () => {
    let written = 0;
    const server = createServer((socket) => {
      let closed = false;
      socket.on("error", () => undefined);
      socket.once("data", () => {
        socket.write(Buffer.from(`HTTP/1.1 500 Oops\u009b31m\u202e\r\ncontent-type: text/plain\r\n\r\n${HOSTILE}`, "utf8"));
        const chunk = Buffer.alloc(64 * 1024, "x");
        const pump = () => {
          while (!closed && written < 256 * 1024 * 1024) {
            written += chunk.length;
            if (!socket.write(chunk)) return void socket.once("drain", pump);
          }
        };
        pump();
      });
      socket.on("close", () => (closed = true));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      for (const mode of ["--plain", "--json"]) {
        const run = await cli(["inspect", mode, `http://127.0.0.1:${port}/`]);
        expect(run.code).toBe(2);
        expect(run.stdout).toContain("HTTP 500");
        expect(UNSAFE_OUTPUT.test(run.stdout)).toBe(false);
      }
      // Socket buffers take some megabytes per connection; reading the whole body would take all 256 MiB.
      expect(written).toBeLessThan(128 * 1024 * 1024);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a 1 MiB error message: every line is bounded by --max-value-bytes", async () => {
    const w = streamTypes(Item).writer();
    const input = Buffer.concat([w.item({ words: ["a"] }), w.error(new Error("m".repeat(1024 * 1024)))]);
    for (const mode of ["--plain", "--json"]) {
      const run = await cli(["inspect", mode, "--max-value-bytes", "100", "-"], input);
      expect(run.code).toBe(2);
      for (const line of run.stdout.split("\n")) expect(line.length).toBeLessThan(1000);
    }
  });

  it("a directory or a missing file: exit 1 with a message that says so", async () => {
    const directory = await cli(["inspect", dir]);
    expect(directory.code).toBe(1);
    expect(directory.stderr).toMatch(/Cannot read .*: it is a directory/);
    const missing = await cli(["inspect", join(dir, "no-such-file")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read .*no-such-file/);
  });
});
