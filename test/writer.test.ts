// The writer: one frame per call, the opening marker, order rules, validation and limits.
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { FrameKind, StreamError, streamTypes } from "../src/index.js";
import { FULL, ITEMS_ONLY, WITH_FOOTER, WITH_HEADER, footer, header, items } from "./fixtures.js";
import { concat, readAll, rejection } from "./helpers.js";

const MARKER = [0x01, 0, 0, 0, 6, 0x53, 0x54, 0x59, 0x50, 1];

function kindsOf(bytes: Uint8Array): number[] {
  const kinds: number[] = [];
  for (let at = 0; at < bytes.length; ) {
    kinds.push(bytes[at]!);
    at += 5 + new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getUint32(0);
  }
  return kinds;
}

describe("writer", () => {
  it("returns one complete frame per call; the first also carries the opening marker", () => {
    const w = FULL.writer();
    const first = w.header(header);
    expect([...first.subarray(0, 10)]).toEqual(MARKER);
    expect(first[10]).toBe(1); // msgpack codec id
    expect(kindsOf(first)).toEqual([FrameKind.OPEN, FrameKind.HEADER]);
    const item = w.item(items[0]!);
    expect(kindsOf(item)).toEqual([FrameKind.ITEM]);
    expect(new DataView(item.buffer, item.byteOffset + 1, 4).getUint32(0)).toBe(item.length - 5);
    expect(kindsOf(w.footer(footer))).toEqual([FrameKind.FOOTER]);
    expect([...w.end()]).toEqual([FrameKind.END, 0, 0, 0, 0]);
    expect(w.ended).toBe(true);
  });

  it("marks the json codec in the opening marker", () => {
    const w = streamTypes(Type.Number(), undefined, undefined, { codec: "json" }).writer();
    const bytes = w.item(1);
    expect(bytes[10]).toBe(2);
    expect(new TextDecoder().decode(bytes.subarray(16))).toBe("1");
  });

  it("a stream of only end() is the marker and the end frame", () => {
    const bytes = ITEMS_ONLY.writer().end();
    expect(kindsOf(bytes)).toEqual([FrameKind.OPEN, FrameKind.END]);
  });

  it("enforces header → items → footer → end", async () => {
    const cases: [string, (w: any) => void][] = [
      ["header after item", (w) => (w.item(items[0]), w.header(header))],
      ["header twice", (w) => (w.header(header), w.header(header))],
      ["item after footer", (w) => (w.footer(footer), w.item(items[0]))],
      ["footer twice", (w) => (w.footer(footer), w.footer(footer))],
      ["item after end", (w) => (w.end(), w.item(items[0]))],
      ["end twice", (w) => (w.end(), w.end())],
      ["error after end", (w) => (w.end(), w.error(new Error("x")))],
      ["item after error", (w) => (w.error(new Error("x")), w.item(items[0]))],
    ];
    for (const [name, run] of cases) {
      const err = await rejection(() => run(FULL.writer()));
      expect(err.code, name).toBe("ORDER");
      expect(err.message, name).toMatch(/Cannot write/);
    }
  });

  it("header()/footer() called from plain JS on types without them raise ORDER", async () => {
    expect((await rejection(() => (ITEMS_ONLY.writer() as any).header(header))).code).toBe("ORDER");
    expect((await rejection(() => (WITH_HEADER.writer() as any).footer(footer))).code).toBe("ORDER");
    expect((await rejection(() => (WITH_FOOTER.writer() as any).header(header))).code).toBe("ORDER");
  });

  it("validates before encoding, names the part and path, and writes nothing for a bad value", async () => {
    const w = FULL.writer();
    w.header(header);
    w.item(items[0]!);
    const err = await rejection(() => w.item({ words: ["ok", 5] } as any));
    expect(err.code).toBe("VALIDATION");
    expect(err.part).toBe("item");
    expect(err.index).toBe(1);
    expect(err.issues?.[0]?.path).toBe("/words/1");
    expect(err.message).toMatch(/item 1 cannot be written: \/words\/1/);
    // the writer is still usable: the bad value left no trace
    const next = w.item(items[1]!);
    expect(next[0]).toBe(FrameKind.ITEM);
    const herr = await rejection(() => FULL.writer().header({ time: "noon" } as any));
    expect(herr.part).toBe("header");
    expect(herr.message).toMatch(/header cannot be written/);
  });

  it("validate: false skips validation on both ends", async () => {
    const loose = streamTypes(Type.Object({ n: Type.Number() }), undefined, undefined, { validate: false });
    const w = loose.writer();
    const bytes = concat([w.item({ n: "not a number" } as any), w.end()]);
    const result = await readAll(loose, loose.reader(bytes));
    expect(result.items).toEqual([{ n: "not a number" }]);
  });

  it("refuses a value that encodes past maxFrameBytes with LIMIT", async () => {
    const small = streamTypes(Type.String(), undefined, undefined, { maxFrameBytes: 64 });
    const w = small.writer();
    const err = await rejection(() => w.item("x".repeat(100)));
    expect(err.code).toBe("LIMIT");
    expect(err.message).toMatch(/maxFrameBytes \(64\)/);
    expect(w.item("short")[0]).toBe(FrameKind.OPEN);
  });

  it("a value the codec cannot encode is a VALIDATION error, not a raw exception", async () => {
    const any = streamTypes(Type.Any(), undefined, undefined, { codec: "json" });
    const err = await rejection(() => any.writer().item(10n));
    expect(err.code).toBe("VALIDATION");
    expect(err.message).toMatch(/cannot be encoded as json/);
  });

  it("error(): name, message, code and data reach the reader as REMOTE after the items", async () => {
    const w = ITEMS_ONLY.writer();
    const failure = Object.assign(new RangeError("model overloaded"), { code: "E_BUSY", data: { retryAfter: 3 } });
    const bytes = concat([w.item(items[0]!), w.item(items[1]!), w.error(failure)]);
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(bytes));
    expect(result.items).toEqual([items[0], items[1]]);
    expect(result.error?.code).toBe("REMOTE");
    expect(result.error?.remote).toEqual({ name: "RangeError", message: "model overloaded", code: "E_BUSY", data: { retryAfter: 3 } });
    expect(result.error?.message).toMatch(/after 2 items: RangeError: model overloaded \(code E_BUSY\)/);
  });

  it("error() sends a stack only when asked", async () => {
    const plain = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(ITEMS_ONLY.writer().error(new Error("boom"))));
    expect(plain.error?.remote?.stack).toBeUndefined();
    const withStack = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(ITEMS_ONLY.writer().error(new Error("boom"), { includeStack: true })));
    expect(withStack.error?.remote?.stack).toMatch(/Error: boom/);
  });

  it("error() accepts non-Error values and unencodable data", async () => {
    const w = streamTypes(Type.Any(), undefined, undefined, { codec: "json" }).writer();
    const bytes = w.error({ message: "plain object", data: 10n });
    const result = await readAll(ITEMS_ONLY, streamTypes(Type.Any(), undefined, undefined, { codec: "json" }).reader(bytes));
    expect(result.error?.remote).toEqual({ name: "Error", message: "plain object" });
    const str = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(ITEMS_ONLY.writer().error("just a string")));
    expect(str.error?.remote?.message).toBe("just a string");
  });

  it("rejects bad options with OPTIONS", async () => {
    expect((await rejection(() => streamTypes(Type.Any(), undefined, undefined, { codec: "xml" as any }))).code).toBe("OPTIONS");
    expect((await rejection(() => streamTypes(Type.Any(), undefined, undefined, { maxFrameBytes: -1 }))).code).toBe("OPTIONS");
    expect((await rejection(() => streamTypes(Type.Any(), undefined, undefined, { compat: "truss", codec: "msgpack" }))).code).toBe("OPTIONS");
    expect(() => streamTypes(Type.Any(), undefined, undefined, { compat: "grpc" as any })).toThrow(StreamError);
  });
});
