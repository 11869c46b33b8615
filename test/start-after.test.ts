// Readers opened at a position (the startAfter option): what they deliver in every resumable format, whether or not the server resumed there.
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { binary, json, msgpack, ndjson, sse, streamTypes, truss } from "../src/index.js";
import { concat, rejection, streamOf } from "./helpers.js";

const FORMATS = [
  ["binary(msgpack())", () => binary(msgpack())],
  ["binary(json())", () => binary(json())],
  ["sse()", () => sse()],
  ["ndjson()", () => ndjson()],
] as const;

const Item = Type.Object({ n: Type.Integer() });
const Header = Type.Object({ run: Type.String() });
const Footer = Type.Object({ count: Type.Integer() });

describe("startAfter", () => {
  for (const [name, format] of FORMATS) {
    const S = streamTypes(Item, Header, Footer, { format: format() });
    /** The stream of 10 items as a writer resumed after `resumeAfter` writes it (undefined: from the start). */
    const bytes = (resumeAfter?: string) => {
      const w = S.writer({ resumeAfter });
      const frames = resumeAfter === undefined ? [w.header({ run: "r" })] : [];
      for (let n = w.startIndex; n < 10; n++) frames.push(w.item({ n }));
      frames.push(w.footer({ count: 10 }), w.end());
      return concat(frames);
    };
    const read = async (source: Uint8Array, startAfter: string | number) => {
      const reader = S.reader(streamOf([source]), { startAfter });
      const items: unknown[] = [];
      for await (const item of reader.readItems()) items.push(item);
      return { items, footer: await reader.readFooter(), completed: reader.completed };
    };

    it(`${name}: a server that resumed there: readItems() starts at the next item, the footer follows`, async () => {
      const got = await read(bytes("6"), "6");
      expect(got.items).toEqual([6, 7, 8, 9].map((n) => ({ n })));
      expect(got.footer).toEqual({ count: 10 });
      expect(got.completed).toBe(true);
    });

    it(`${name}: a server that starts over: what is at or before the position is skipped, each item once`, async () => {
      const got = await read(bytes(), 6);
      expect(got.items).toEqual([6, 7, 8, 9].map((n) => ({ n })));
      expect(got.footer).toEqual({ count: 10 });
    });

    it(`${name}: position 0 (the header alone): every item`, async () => {
      const got = await read(bytes("0"), "0");
      expect(got.items).toEqual(Array.from({ length: 10 }, (_, n) => ({ n })));
    });

    it(`${name}: readHeader() is ORDER (the header is before the position), and a bad position is OPTIONS`, async () => {
      const reader = S.reader(streamOf([bytes("3")]), { startAfter: 3 });
      expect((await rejection(reader.readHeader())).message).toMatch(/startAfter/);
      const items: unknown[] = [];
      for await (const item of reader.readItems()) items.push(item);
      expect(items).toHaveLength(7);
      for (const bad of ["abc", "-1", -1, 1.5, ""]) {
        expect(() => S.reader(streamOf([]), { startAfter: bad })).toThrow(expect.objectContaining({ code: "OPTIONS" }));
      }
    });
  }

  it("a format without positions (truss) refuses startAfter with OPTIONS", () => {
    const T = streamTypes(Item, undefined, undefined, { format: truss() });
    expect(() => T.reader(streamOf([]), { startAfter: 1 })).toThrow(expect.objectContaining({ code: "OPTIONS" }));
  });
});
