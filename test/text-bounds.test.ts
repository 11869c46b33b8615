// Bounds on what the text framings hold and do (issue 21, items 1–3), and one result for any chunking of the same bytes (issue 22, item 15).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Type } from "@sinclair/typebox";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameKind, StreamError, ndjson, sse, streamTypes, type Format } from "../src/index.js";
import { FORMATS, type FormatEntry, type Part } from "./formats.js";
import { concat, readAll, splitAt, streamOf, type ReadResult } from "./helpers.js";
import type { Outcome } from "./text-memory-child.js";

const utf8 = new TextEncoder();
const bytes = (text: string) => utf8.encode(text);
const MiB = 1024 * 1024;

/** Runs test/text-memory-child.ts with --expose-gc: the most each hostile input held. */
async function childOutcomes(...args: string[]): Promise<Outcome[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", "test/text-memory-child.ts", ...args], {
    timeout: 240_000,
    maxBuffer: 16 * MiB,
  });
  return JSON.parse(stdout) as Outcome[];
}

/** The frames a decoder gives for these chunks, or the error it throws: what the bytes say so far. */
function decodeChunks(format: Format, maxFrameBytes: number, chunks: Uint8Array[]): { kinds: number[]; error?: StreamError } {
  const decoder = format.decoder({ maxFrameBytes });
  const kinds: number[] = [];
  try {
    for (const chunk of chunks) {
      decoder.push(chunk);
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) kinds.push(frame.kind);
    }
  } catch (err) {
    if (!(err instanceof StreamError)) throw err;
    return { kinds, error: err };
  }
  return { kinds };
}

describe("text framings: the bytes held for one frame are bounded (items 1 and 2)", () => {
  it("comment lines, empty data lines, CRs, ids, event names and one-byte chunks: at most 2 × maxFrameBytes + 512 KiB held, in the decoders and in inspect", async () => {
    const outcomes = await childOutcomes("attacks");
    expect(outcomes.map((o) => o.name)).toEqual([
      "sse: data lines between comments",
      "sse: empty data lines",
      "sse: one event, one byte per chunk",
      "sse: comment lines, one byte per chunk",
      "sse: data lines ending in CR",
      "sse: ids and event names",
      "ndjson: one line, one byte per chunk",
      "binary: one frame, one byte per chunk",
      "inspect: sse data lines between comments",
    ]);
    for (const outcome of outcomes) {
      expect({ name: outcome.name, withinBound: outcome.peakBytes <= 2 * outcome.maxFrameBytes + 512 * 1024 }).toEqual({ name: outcome.name, withinBound: true });
    }
    // Data past maxFrameBytes is LIMIT as it arrives, however many comments come between its lines.
    const code = (name: string) => outcomes.find((o) => o.name === name)!.code;
    expect(code("sse: data lines between comments")).toBe("LIMIT");
    expect(code("sse: empty data lines")).toBe("LIMIT");
    expect(code("sse: data lines ending in CR")).toBe("LIMIT");
    expect(code("inspect: sse data lines between comments")).toBe("LIMIT");
  }, 300_000);

  it("SSE: an event's data past maxFrameBytes is LIMIT before its blank line, whatever comes between its data lines", () => {
    const M = 10_000;
    const line = `data: ${"a".repeat(999)}\n`;
    for (const between of [": keep-alive\n", "", "id: 1\n", "event: item\n", "data\n"]) {
      const input = bytes(`event: item\n${(line + between).repeat(20)}`); // no blank line: the event never completes
      const result = decodeChunks(sse(), M, [input]);
      expect({ between, code: result.error?.code }).toEqual({ between, code: "LIMIT" });
    }
    // Empty data lines each add a line feed to the data.
    expect(decodeChunks(sse(), 100, [bytes(`event: item\n${"data:\n".repeat(200)}`)]).error?.code).toBe("LIMIT");
    // A line longer than maxFrameBytes + 256 (a comment, say) is LIMIT before its line break.
    expect(decodeChunks(sse(), 100, [bytes(`: ${"c".repeat(400)}`)]).error?.code).toBe("LIMIT");
    // An id over 256 bytes is LIMIT: the reader sends it back as Last-Event-ID.
    expect(decodeChunks(sse(), 1 * MiB, [bytes(`id: ${"1".repeat(300)}\n`)]).error?.code).toBe("LIMIT");
  });
});

describe("SSE: time linear in the input for any chunking (item 3)", () => {
  /** Counts the bytes or characters every indexOf call looks at while `run` runs: the parser's scanning work. */
  function scannedBy(run: () => void): number {
    let scanned = 0;
    const typed = Uint8Array.prototype.indexOf;
    const text = String.prototype.indexOf;
    Uint8Array.prototype.indexOf = function (this: Uint8Array, value: number, from = 0) {
      const at = typed.call(this, value, from);
      scanned += (at < 0 ? this.length : at + 1) - Math.max(0, from);
      return at;
    };
    String.prototype.indexOf = function (this: string, value: string, from = 0) {
      const at = text.call(this, value, from);
      scanned += (at < 0 ? this.length : at + 1) - Math.max(0, from);
      return at;
    };
    try {
      run();
    } finally {
      Uint8Array.prototype.indexOf = typed;
      String.prototype.indexOf = text;
    }
    return scanned;
  }

  it("a large chunk with one CR at its end is scanned a constant number of times, not once per line", () => {
    const events = 'event: item\nid: 1\ndata: {"a":1}\n\n'.repeat(8_000);
    const input = bytes(`${events}: keep-alive\r`); // ~260 KB, a CR only at the very end
    const scanned = scannedBy(() => decodeChunks(sse(), MiB, [input]));
    expect(scanned).toBeLessThanOrEqual(4 * input.length);
  });

  it("the same for CR line ends, CR LF line ends, and one byte per chunk", () => {
    for (const eol of ["\r", "\r\n", "\n"]) {
      const input = bytes(`event: item${eol}data: {"a":1}${eol}${eol}: c${eol}`.repeat(4_000));
      const whole = scannedBy(() => decodeChunks(sse(), MiB, [input]));
      const oneByte = scannedBy(() => decodeChunks(sse(), MiB, [...input].map((b) => Uint8Array.of(b))));
      expect({ eol, whole: whole <= 4 * input.length, oneByte: oneByte <= 4 * input.length }).toEqual({ eol, whole: true, oneByte: true });
    }
  });
});

// ---- one result for any chunking (issue 22, item 15) ----

const ANY = streamTypes(Type.Any(), Type.Any(), Type.Any());

/** What a reader makes of these chunks: header, items, footer and the error code. */
async function resultOf(format: Format, chunks: Uint8Array[], maxFrameBytes: number): Promise<ReadResult & { code?: string }> {
  const reader = streamTypes(Type.Any(), Type.Any(), Type.Any(), { format }).reader(streamOf(chunks), { maxFrameBytes });
  const result: ReadResult & { code?: string } = await readAll(ANY, reader);
  if (result.error !== undefined) result.code = result.error.code;
  delete result.error;
  return result;
}

/** One byte per chunk. */
const bytewise = (input: Uint8Array) => [...input].map((b) => Uint8Array.of(b));

describe("one result for any chunking of the same bytes (issue 22, item 15)", () => {
  it("NDJSON with a BOM before its first line: FORMAT read whole and a byte at a time", async () => {
    const input = bytes('\ufeff{"kind":"item","data":1}\n{"kind":"end"}\n');
    const whole = await resultOf(ndjson(), [input], 1024);
    expect(whole.code).toBe("FORMAT");
    expect(await resultOf(ndjson(), bytewise(input), 1024)).toEqual(whole);
  });

  it("SSE with a 400-digit id and maxFrameBytes 64: LIMIT read whole and a byte at a time", async () => {
    const input = bytes(`event: item\nid: ${"7".repeat(400)}\ndata: 1\n\nevent: end\ndata: null\n\n`);
    const whole = await resultOf(sse(), [input], 64);
    expect(whole.code).toBe("LIMIT");
    expect(await resultOf(sse(), bytewise(input), 64)).toEqual(whole);
  });

  it("SSE with a UTF-8 BOM split across chunks: skipped either way", async () => {
    const input = bytes('\ufeffevent: header\ndata: {}\n\nevent: item\ndata: 1\n\nevent: footer\ndata: 2\n\nevent: end\ndata: null\n\n');
    const whole = await resultOf(sse(), [input], 1024);
    expect(whole).toEqual({ header: {}, items: [1], footer: 2 });
    expect(await resultOf(sse(), bytewise(input), 1024)).toEqual(whole);
  });

  /** Mutations that text framings are sensitive to: line ends, comments, BOMs, long fields, and bytes of the grammar. */
  const TOKENS = ["\n", "\r", "\r\n", "\n\n", ": c\n", "\ufeff", " ", "{", "}", '"', ":", "data:", "id: 12\n", `id: ${"9".repeat(300)}\n`, "event: item\n", "\u00e9", "x".repeat(80)].map(bytes);

  const entryArb = fc.constantFrom(...FORMATS);
  const partsArb = fc.array(
    fc.oneof(
      fc.constant<Part>([FrameKind.ITEM, "1"]),
      fc.constant<Part>([FrameKind.ITEM, `"${"w".repeat(70)}"`]),
      fc.constant<Part>([FrameKind.KEEPALIVE]),
      fc.constant<Part>([FrameKind.HEADER, '{"h":1}']),
      fc.constant<Part>([FrameKind.FOOTER, "2"]),
    ),
    { maxLength: 6 },
  );
  const caseArb = fc.record({
    entry: entryArb,
    parts: partsArb,
    end: fc.boolean(),
    edits: fc.array(fc.record({ at: fc.nat(), token: fc.nat(TOKENS.length - 1), remove: fc.nat(3) }), { maxLength: 3 }),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
    maxFrameBytes: fc.constantFrom(64, 100, 4096),
  });

  function build(entry: FormatEntry, parts: Part[], end: boolean, edits: { at: number; token: number; remove: number }[]): Uint8Array {
    let input = entry.stream(end ? [...parts, [FrameKind.END]] : parts);
    for (const edit of edits) {
      const at = input.length === 0 ? 0 : edit.at % (input.length + 1);
      input = concat([input.subarray(0, at), TOKENS[edit.token]!, input.subarray(Math.min(input.length, at + edit.remove))]);
    }
    return input;
  }

  it("every format: whole, a byte at a time and at random cuts give the same items and the same error code", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ entry, parts, end, edits, cuts, maxFrameBytes }) => {
        const input = build(entry, parts, end, edits);
        const whole = await resultOf(entry.format(), [input], maxFrameBytes);
        expect(await resultOf(entry.format(), bytewise(input), maxFrameBytes)).toEqual(whole);
        expect(await resultOf(entry.format(), splitAt(input, cuts.map((c) => c % (input.length + 1))), maxFrameBytes)).toEqual(whole);
      }),
      { numRuns: 400, seed: 2122 },
    );
  }, 120_000);
});
