// FORMAT at the start of a stream names the format the bytes look like (or the Content-Type says) and the option
// that reads it: SSE read as binary, binary read as SSE, and the others; `streamtypes inspect --schema` says the same.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { binary, json, msgpack, ndjson, sse, streamTypes, truss, type Format } from "../src/index.js";
import { chunksOf, readAll } from "./helpers.js";

const Item = Type.Object({ words: Type.Array(Type.String()) });
const FORMATS: [string, () => Format, string][] = [
  ["binary", () => binary(msgpack()), "look like binary: read them with { format: binary(msgpack()) }"],
  // A chunk that ends inside the marker, before its codec byte, can only say "binary".
  ["binary-json", () => binary(json()), "look like binary"],
  ["sse", () => sse(), "look like sse: read them with { format: sse() }"],
  ["ndjson", () => ndjson(), "look like ndjson: read them with { format: ndjson() }"],
  ["truss", () => truss(), "look like truss: read them with { format: truss() }"],
];

function written(format: Format): Uint8Array {
  const w = streamTypes(Item, undefined, undefined, { format }).writer();
  return Buffer.concat([w.item({ words: ["typed", "streams", "in", "a", "format"] }), w.item({ words: ["b"] }), w.end()]);
}

describe("format hints on FORMAT at the start", () => {
  it("SSE read as binary names SSE and { format: sse() }, not 'this is not a streamtypes stream'", async () => {
    const BINARY = streamTypes(Item);
    const err = (await readAll(BINARY, BINARY.reader(written(sse())))).error!;
    expect(err.code).toBe("FORMAT");
    expect(err.message).toContain("These bytes look like sse: read them with { format: sse() }.");
  });

  it("binary read as SSE names the binary format", async () => {
    const EVENTS = streamTypes(Item, undefined, undefined, { format: sse() });
    const err = (await readAll(EVENTS, EVENTS.reader(written(binary(msgpack()))))).error!;
    expect(err.code).toBe("FORMAT");
    expect(err.message).toContain("These bytes look like binary: read them with { format: binary(msgpack()) }.");
  });

  for (const [readName, readFormat] of FORMATS) {
    for (const [wroteName, wroteFormat, option] of FORMATS) {
      if (readName === wroteName) continue;
      it(`${wroteName} read as ${readName}: FORMAT, naming ${option} (whole, and in 7-byte chunks)`, async () => {
        const S = streamTypes(Item, undefined, undefined, { format: readFormat() });
        const bytes = written(wroteFormat());
        for (const source of [bytes, chunksOf(bytes, 7)]) {
          const err = (await readAll(S, S.reader(source))).error;
          expect(err?.code).toBe("FORMAT");
          expect(err?.message).toContain(option);
        }
      });
    }
  }

  it("goes by the Content-Type when the bytes tell nothing", async () => {
    const BINARY = streamTypes(Item);
    const response = new Response("garbage that is no format", { headers: { "content-type": "text/event-stream" } });
    const err = (await readAll(BINARY, BINARY.reader(response))).error!;
    expect(err.code).toBe("FORMAT");
    expect(err.message).toContain("The Content-Type (text/event-stream) says sse: read them with { format: sse() }.");
  });

  it("adds nothing when the bytes look like no format, or like the reader's own", async () => {
    const BINARY = streamTypes(Item);
    const err = (await readAll(BINARY, BINARY.reader(new TextEncoder().encode("<!doctype html><p>502</p>")))).error!;
    expect(err.message).not.toContain("look like");
  });
});

describe("streamtypes inspect --schema with bytes of another format", () => {
  it("names the format they look like", async () => {
    const dir = mkdtempSync(join(tmpdir(), "streamtypes-hint-"));
    try {
      const file = join(dir, "events.txt");
      writeFileSync(file, written(sse()));
      const root = new URL("../", import.meta.url).pathname;
      const out = await new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/cli/cli.ts"), "inspect", "--schema", "test/fixtures/cli/shared.ts#TOKENS", file], { cwd: root });
        let text = "";
        child.stdout.on("data", (d: Buffer) => (text += d));
        child.on("close", () => resolve(text));
      });
      expect(out).toContain('"code":"FORMAT"');
      expect(out).toContain("These bytes look like sse: read them with { format: sse() }.");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
