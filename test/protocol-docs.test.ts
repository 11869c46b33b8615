// What docs/protocol.md and docs/framings.md say where a reimplementation from them alone disagreed with the
// library (issue 22, item 15): each statement next to the behaviour it describes.
import { readFileSync } from "node:fs";
import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { ndjson, sse, streamTypes } from "../src/index.js";
import { concat, readAll, rejection } from "./helpers.js";

const doc = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), "utf8").replace(/\s+/g, " ");
const protocol = doc("protocol.md");
const framings = doc("framings.md");

describe("docs/protocol.md", () => {
  it("a bigint beyond what readers accept is refused by the writer (VALIDATION), as it says", async () => {
    const S = streamTypes(Type.Object({ n: Type.BigInt() }));
    const err = await rejection(() => S.writer().item({ n: 1n << 70000n }));
    expect(err.code).toBe("VALIDATION");
    expect(protocol).toContain("the writer refuses a bigint outside that range (`VALIDATION`");
    expect(protocol).not.toContain("a bigint outside that range is written");
  });

  it("frame kind 8 is in the grammar, the FORMAT row and step 2 of writing a reader", () => {
    expect(protocol).toContain("stream = open , [ resume ] , K ,");
    expect(protocol).toContain("^ 1 8? 7* (2 7*)? (3 7*)* (4 7*)? (5 $ | 6)");
    expect(protocol).toContain("unknown frame kind (0, 9–255; 1, 7 and 8 in truss); a resume frame (8) anywhere but right after the marker");
    expect(protocol).toContain("allowed set (binary: 1–8; truss: 2–6)");
  });

  it("says which formats skip repeats on the first connection, as framings.md does", () => {
    expect(protocol).toContain("an SSE reader skips a repeated id on any connection");
    expect(framings).toContain("The reader skips an event (on any connection");
  });
});

describe("docs/framings.md", () => {
  const Item = Type.Object({ i: Type.Integer() });
  const S = streamTypes(Item, undefined, undefined, { format: sse() });

  it("a producer given resumeAfter that starts over gives a reader more items than there are, as it warns", async () => {
    const total = 5;
    const w = S.writer();
    const first = concat([w.item({ i: 0 }), w.item({ i: 1 }), w.item({ i: 2 })]); // cut after 3 of 5
    const reader = S.reader(first, {
      reconnect: (lastEventId) => {
        const resumed = S.writer({ resumeAfter: lastEventId ?? null });
        const frames = Array.from({ length: total }, (_, i) => resumed.item({ i })); // ignores w.startIndex
        return concat([...frames, resumed.end()]);
      },
    });
    const result = await readAll({ header: undefined, footer: undefined }, reader);
    expect(result.items).toHaveLength(8);
    expect(framings).toContain("a reader that had 5 of 5 items would get 8");
    expect(framings).not.toContain("simply ignores `w.startIndex`");
  });

  it("resume has a grammar in both docs", () => {
    expect(framings).toContain("resume = '{\"kind\":\"resume\",\"data\":' 1*15DIGIT '}' LF");
    expect(framings).toMatch(/resumed = \*keep-alive \[ header \*keep-alive \]/);
  });

  it("NDJSON's nesting limit counts from the data in the writer's layout, from the line's object in any other, as it says", async () => {
    const L = streamTypes(Type.Any(), undefined, undefined, { format: ndjson(), validate: false });
    const data = "[".repeat(1000) + "]".repeat(1000);
    const read = (line: string) => readAll({ header: undefined, footer: undefined }, L.reader(new TextEncoder().encode(`${line}\n{"kind":"end"}\n`)));
    expect((await read(`{"kind":"item","data":${data}}`)).error).toBeUndefined();
    expect((await read(`{"data":${data},"kind":"item"}`)).error?.code).toBe("FORMAT");
    expect(framings).toContain("and from the line's own object in any other layout, where the data may then nest 999 levels");
  });
});
