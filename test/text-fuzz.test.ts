// Fuzzing the text framings (issue 21): comment lines, CRs and one-byte chunkings with a memory bound, and the SSE parser against eventsource-parser.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createParser } from "eventsource-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSseParser, type SseMessage } from "../src/formats/sse-parser.js";
import type { Outcome } from "./text-memory-child.js";

describe("text framings under random hostile input", () => {
  it("60 seeded inputs of comments, long lines, empty data lines, CRs and one-byte chunks: only frames or FORMAT/LIMIT, at most 2 × maxFrameBytes + 512 KiB held", async () => {
    const outcomes: Outcome[] = [];
    for (const seed of [21, 22]) {
      const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", "test/text-memory-child.ts", "fuzz", String(seed), "30"], {
        timeout: 240_000,
      });
      outcomes.push(...(JSON.parse(stdout) as Outcome[]));
    }
    expect(outcomes).toHaveLength(60);
    for (const outcome of outcomes) {
      expect({ name: outcome.name, code: ["none", "FORMAT", "LIMIT"].includes(outcome.code), bounded: outcome.peakBytes <= 2 * outcome.maxFrameBytes + 512 * 1024 }).toEqual({
        name: outcome.name,
        code: true,
        bounded: true,
      });
    }
    // The inputs reach past the first line: some complete items, some hit each limit.
    expect(outcomes.some((o) => o.items > 0)).toBe(true);
    expect(outcomes.some((o) => o.code === "LIMIT")).toBe(true);
  }, 300_000);
});

describe("the SSE parser agrees with eventsource-parser on valid input", () => {
  /** A field value: any text without CR, LF or NUL (eventsource-parser drops an id with NUL; the SSE standard keeps the last). */
  const value = fc.string({ unit: "binary", maxLength: 12 }).map((s) => s.replace(/[\r\n\0]/g, "_"));
  const line = fc.oneof(
    value.map((v) => `data:${v}`),
    value.map((v) => `data: ${v}`),
    fc.constant("data"),
    value.map((v) => `event: ${v}`),
    fc.constantFrom("event: item", "event:end", "event"),
    value.map((v) => `id: ${v}`),
    fc.constantFrom("id", "id:"),
    fc.nat(99_999).map((n) => `retry: ${n}`),
    value.map((v) => `:${v}`),
    fc.constant(""),
  );
  const input = fc.record({
    bom: fc.boolean(),
    lines: fc.array(fc.record({ line, eol: fc.constantFrom("\n", "\r", "\r\n") }), { maxLength: 30 }),
    cuts: fc.array(fc.nat(), { maxLength: 10 }),
  });

  it("the same events, ids and data for any chunking (eventsource-parser fed the text whole)", () => {
    fc.assert(
      fc.property(input, ({ bom, lines, cuts }) => {
        // Ends with LF: eventsource-parser waits for what follows a final CR, as a reader of an unfinished stream would.
        const text = `${bom ? "\ufeff" : ""}${lines.map((l) => l.line + l.eol).join("")}\n`;
        const bytes = new TextEncoder().encode(text);
        const expected: SseMessage[] = [];
        const reference = createParser({ onEvent: (e) => expected.push({ event: e.event, id: e.id, data: e.data }), onError: (err) => expect.fail(String(err)) });
        reference.feed(new TextDecoder().decode(bytes)); // the decoder drops the BOM, as our parser does
        const got: SseMessage[] = [];
        const parser = createSseParser({ onEvent: (e) => got.push(e), onError: (err) => expect.fail(err.message), maxDataBytes: 1 << 20, maxLineBytes: 1 << 20 });
        let from = 0;
        for (const cut of [...cuts.map((c) => c % (bytes.length + 1)), bytes.length].sort((a, b) => a - b)) {
          parser.feed(bytes.subarray(from, cut));
          from = cut;
        }
        parser.end();
        expect(got).toEqual(expected);
      }),
      { numRuns: 3000, seed: 2121 },
    );
  });
});
