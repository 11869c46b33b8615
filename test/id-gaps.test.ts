// Gaps in a stream's part ids are FORMAT, never a stream that completes short: SSE ids that jump (items, footer,
// end), a resume frame or line anywhere but first on its connection, a resumed connection that starts past the
// reader's position.
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { binary, msgpack, ndjson, sse, streamTypes, type Format } from "../src/index.js";
import { concat, readAll } from "./helpers.js";

const Item = Type.Object({ n: Type.Integer() });
const Header = Type.Object({ run: Type.String() });
const Footer = Type.Object({ count: Type.Integer() });
const text = (s: string) => new TextEncoder().encode(s);
const shape = { header: Header, footer: Footer };

describe("SSE: an id that jumps is FORMAT", () => {
  const S = streamTypes(Item, Header, Footer, { format: sse() });
  const start = () => {
    const w = S.writer();
    return [w.header({ run: "r" }), w.item({ n: 0 }), w.item({ n: 1 })];
  };

  it("a footer whose id jumps past the next one (items lost before it)", async () => {
    const result = await readAll(shape, S.reader(concat([...start(), text('event: footer\nid: 7\ndata: {"count":6}\n\nevent: end\nid: 8\ndata: null\n\n')])));
    expect(result.items).toEqual([{ n: 0 }, { n: 1 }]);
    expect(result.error?.code).toBe("FORMAT");
    expect(result.error?.message).toContain("expected the footer with id 3, got id 7");
  });

  it("an end whose id jumps (a stream without a footer)", async () => {
    const NoFooter = streamTypes(Item, Header, undefined, { format: sse() });
    const w = NoFooter.writer();
    const result = await readAll({ header: Header, footer: undefined }, NoFooter.reader(concat([w.header({ run: "r" }), w.item({ n: 0 }), text("event: end\nid: 9\ndata: null\n\n")])));
    expect(result.error?.code).toBe("FORMAT");
    expect(result.error?.message).toContain("expected the end with id 2, got id 9");
  });

  it("an item whose id jumps", async () => {
    const result = await readAll(shape, S.reader(concat([...start(), text('event: item\nid: 9\ndata: {"n":8}\n\n')])));
    expect(result.error?.code).toBe("FORMAT");
    expect(result.error?.message).toContain("expected the item with id 3, got id 9");
  });

  it("ids in sequence still complete", async () => {
    const w = S.writer();
    const result = await readAll(shape, S.reader(concat([w.header({ run: "r" }), w.item({ n: 0 }), w.footer({ count: 1 }), w.end()])));
    expect(result.error).toBeUndefined();
    expect(result.footer).toEqual({ count: 1 });
  });
});

const COUNTED: [string, () => Format, Uint8Array][] = [
  ["binary(msgpack())", () => binary(msgpack()), new Uint8Array([8, 0, 0, 0, 1, 5])], // a resume frame: after id 5
  ["ndjson()", () => ndjson(), text('{"kind":"resume","data":5}\n')],
];

describe.each(COUNTED)("%s: counted ids", (_, format, resumeFrame) => {
  const S = streamTypes(Item, Header, Footer, { format: format() });

  it("a resume frame in the middle of a connection is FORMAT, not items renumbered", async () => {
    const w = S.writer();
    const bytes = concat([w.header({ run: "r" }), w.item({ n: 0 }), resumeFrame, w.item({ n: 1 }), w.footer({ count: 2 }), w.end()]);
    const result = await readAll(shape, S.reader(bytes));
    expect(result.items).toEqual([{ n: 0 }]);
    expect(result.error?.code).toBe("FORMAT");
    expect(result.error?.message).toContain("resume frame (after id 5) in the middle of a connection");
  });

  it("a resumed connection that starts past the reader's position is FORMAT", async () => {
    const w = S.writer();
    const first = concat([w.header({ run: "r" }), w.item({ n: 0 })]); // cut: no end
    const reader = S.reader(first, {
      reconnect: () => {
        const resumed = S.writer({ resumeAfter: "4" }); // the reader has id 2 (item 0); items 1–3 would be lost
        return concat([resumed.item({ n: 4 }), resumed.footer({ count: 5 }), resumed.end()]);
      },
    });
    const result = await readAll(shape, reader);
    expect(result.items).toEqual([{ n: 0 }]);
    expect(result.error?.code).toBe("FORMAT");
    expect(result.error?.message).toContain("expected the item with id 2, got id 5");
  });

  it("a resumed connection from the reader's position completes", async () => {
    const w = S.writer();
    const first = concat([w.header({ run: "r" }), w.item({ n: 0 })]);
    const reader = S.reader(first, {
      reconnect: (lastEventId) => {
        const resumed = S.writer({ resumeAfter: lastEventId ?? null });
        return concat([resumed.item({ n: 1 }), resumed.footer({ count: 2 }), resumed.end()]);
      },
    });
    const result = await readAll(shape, reader);
    expect(result.error).toBeUndefined();
    expect(result.items).toEqual([{ n: 0 }, { n: 1 }]);
  });
});
