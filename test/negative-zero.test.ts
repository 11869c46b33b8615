// -0 across languages: the truss format writes -0.0, so that its Python readers (the `json` module, as truss_chains
// uses it) get the float -0.0; the other JSON formats write -0, which Python reads as the integer 0 (docs/framings.md).
import { execFileSync } from "node:child_process";
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { binary, json, ndjson, sse, streamTypes, truss } from "../src/index.js";
import { readAll } from "./helpers.js";

const Item = Type.Object({ x: Type.Number() });
const python = (() => {
  try {
    execFileSync("python3", ["-c", "pass"]);
    return true;
  } catch {
    return false;
  }
})();

/** What Python's json.loads makes of a JSON text's "x": its repr. */
const pythonReads = (text: string): string => execFileSync("python3", ["-c", "import json, sys; print(repr(json.loads(sys.stdin.read())['x']))"], { input: text, encoding: "utf8" }).trim();

describe("-0 in the JSON formats", () => {
  it("truss writes -0.0 (and reads it back as -0)", async () => {
    const S = streamTypes(Item, undefined, undefined, { format: truss() });
    const frame = S.writer().item({ x: -0 });
    const payload = new TextDecoder().decode(frame.subarray(5));
    expect(payload).toBe('{"x":-0.0}');
    const read = await readAll(S, S.reader([frame]));
    expect(Object.is((read.items[0] as { x: number }).x, -0)).toBe(true);
  });

  it.runIf(python)("Python's json reads truss's -0.0 as -0.0, and the other formats' -0 as the integer 0, as documented", () => {
    const S = streamTypes(Item, undefined, undefined, { format: truss() });
    expect(pythonReads(new TextDecoder().decode(S.writer().item({ x: -0 }).subarray(5)))).toBe("-0.0");
    for (const format of [binary(json()), sse(), ndjson()]) {
      const codec = format.codec;
      expect(new TextDecoder().decode(codec.encode({ x: -0 }))).toBe('{"x":-0}');
      expect(pythonReads('{"x":-0}')).toBe("0");
    }
  });
});
