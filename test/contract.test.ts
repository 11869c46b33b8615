// The format contract: every case runs against every format of test/formats.ts and must end with the same
// StreamError code everywhere, with the items delivered before an error intact. Where a format genuinely differs
// (truss has no end frame and no keep-alives; SSE skips events it already has, by id or kind), the test says so.
import { Type, type TSchema } from "@sinclair/typebox";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameKind, StreamError, streamTypes, type ReaderOptions } from "../src/index.js";
import { FORMATS, type FormatEntry, type Part } from "./formats.js";
import { chunksOf, concat, readAll, splitAt, type ReadResult } from "./helpers.js";

const { HEADER, ITEM, FOOTER, END, ERROR, KEEPALIVE } = FrameKind;
const utf8 = (s: string) => new TextEncoder().encode(s);

type Types = ReturnType<typeof streamTypes<TSchema, TSchema | undefined, TSchema | undefined>>;

/** Stream types of `entry`'s format: `Any` schemas unvalidated unless schemas are given. */
function typesOf(
  entry: FormatEntry,
  shape: { header?: boolean; footer?: boolean; item?: TSchema; headerSchema?: TSchema; footerSchema?: TSchema } = {},
): Types {
  const validate = shape.item !== undefined;
  const header = shape.headerSchema ?? (shape.header ? Type.Any() : undefined);
  const footer = shape.footerSchema ?? (shape.footer ? Type.Any() : undefined);
  return streamTypes(shape.item ?? Type.Any(), header, footer, { format: entry.format(), validate }) as Types;
}

/** Reads `source` to its end or its error, failing (rather than stalling the suite) if the reader hangs. */
async function read(S: Types, source: unknown, options?: ReaderOptions): Promise<ReadResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("the reader hung")), 5000)));
  try {
    return await Promise.race([readAll(S, S.reader(source as Uint8Array, options)), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** The chunkings every hand-built case is read under: one chunk, small chunks, and single bytes for short inputs. */
function chunkings(bytes: Uint8Array): Uint8Array[][] {
  const out = [[bytes], chunksOf(bytes, 7), chunksOf(bytes, 64)];
  if (bytes.length <= 4096) out.push(chunksOf(bytes, 1));
  return out;
}

interface Expected {
  items: unknown[];
  code?: StreamError["code"] | undefined;
  message?: RegExp;
  header?: unknown;
  footer?: unknown;
}

/** Reads `bytes` under every chunking and expects the same outcome each time; returns the last result. */
async function expectOutcome(S: Types, bytes: Uint8Array, expected: Expected, options?: ReaderOptions): Promise<ReadResult> {
  let result: ReadResult | undefined;
  for (const chunks of chunkings(bytes)) {
    result = await read(S, chunks, options);
    const where = `${chunks.length} chunks of ${bytes.length} bytes`;
    expect(result.items, where).toEqual(expected.items);
    expect(result.error?.code, `${where}: ${result.error?.message}`).toBe(expected.code);
    if (expected.message) expect(result.error?.message, where).toMatch(expected.message);
    if ("header" in expected) expect(result.header, where).toEqual(expected.header);
    if ("footer" in expected) expect(result.footer, where).toEqual(expected.footer);
  }
  return result!;
}

/** -0 becomes 0 in every codec (JSON has no -0), so generated numbers avoid it. */
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
const Header = Type.Object({ time: Type.Number(), msg: Type.String() });
const Words = Type.Object({ words: Type.Array(Type.String()) });
const Footer = Type.Object({ count: Type.Integer(), msg: Type.String() });
const text = fc.string({ unit: "grapheme", maxLength: 12 });
const streamCase = fc.record({
  header: fc.record({ time: finite, msg: text }),
  items: fc.array(fc.record({ words: fc.array(text, { maxLength: 4 }) }), { maxLength: 8 }),
  footer: fc.record({ count: fc.nat(), msg: text }),
});
type StreamCase = { header: unknown; items: unknown[]; footer: unknown };

/** A valid stream written by the library's writer, and the byte offset where each of its frames ends. */
function written(S: Types, c: StreamCase): { bytes: Uint8Array; boundaries: number[] } {
  const w = S.writer() as unknown as Record<"header" | "item" | "footer", (v: unknown) => Uint8Array> & { end(): Uint8Array };
  const frames = [w.header(c.header), ...c.items.map((i) => w.item(i)), w.footer(c.footer), w.end()];
  const boundaries: number[] = [];
  let at = 0;
  for (const f of frames) boundaries.push((at += f.length));
  return { bytes: concat(frames), boundaries };
}

/** `[[[…]]]` or `{"k":{"k":…}}` `levels` deep, as a raw payload of the entry's codec. */
function nested(entry: FormatEntry, levels: number, shape: "arrays" | "maps"): Uint8Array {
  if (entry.codec === "msgpack") {
    // Built by hand: msgpackr's own encoder would overflow the stack on such a value.
    const open = shape === "arrays" ? [0x91] : [0x81, 0xa1, 0x6b];
    const out = new Uint8Array(levels * open.length + 1);
    for (let i = 0; i < levels; i++) out.set(open, i * open.length);
    out[out.length - 1] = 0xc0;
    return out;
  }
  return utf8(shape === "arrays" ? "[".repeat(levels) + "]".repeat(levels) : '{"k":'.repeat(levels) + "null" + "}".repeat(levels));
}

describe.each(FORMATS)("contract: $name", (entry) => {
  const ANY = typesOf(entry);
  const ANY_HF = typesOf(entry, { header: true, footer: true });
  const p = (value: unknown) => entry.payload(value);

  describe("round trip and truncation", () => {
    const S = typesOf(entry, { item: Words, headerSchema: Header, footerSchema: Footer });

    it("reads back header, items and footer under arbitrary chunking", async () => {
      await fc.assert(
        fc.asyncProperty(
          streamCase.chain((c) => {
            const { bytes } = written(S, c);
            return fc.tuple(fc.constant(c), fc.constant(bytes), fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 }));
          }),
          async ([c, bytes, cuts]) => {
            const result = await read(S, splitAt(bytes, cuts));
            expect(result).toEqual({ header: c.header, items: c.items, footer: c.footer });
          },
        ),
        { numRuns: 15 },
      );
    });

    it(entry.endsAtEof ? "every proper prefix is TRUNCATED, except at a frame boundary, which is a clean (shorter) end" : "every proper prefix is TRUNCATED, with the items before the cut intact", async () => {
      const check = async (c: StreamCase, chunked: (bytes: Uint8Array) => Uint8Array[]) => {
        const { bytes, boundaries } = written(S, c);
        for (let cut = 0; cut < bytes.length; cut++) {
          const result = await read(S, chunked(bytes.subarray(0, cut)));
          const where = `prefix of ${cut}/${bytes.length} bytes`;
          // every item whose frame arrived whole is delivered, unchanged, and no other
          const frames = boundaries.filter((b) => b <= cut).length; // whole frames in the prefix: header, items, …
          expect(result.items, where).toEqual(c.items.slice(0, Math.max(0, frames - 1)));
          if (entry.endsAtEof && (cut === 0 || boundaries.includes(cut))) {
            // truss: a clean end of input at a frame boundary is the end. The parts that arrived are delivered; a
            // declared header or footer that did not arrive is ORDER (missing), never TRUNCATED.
            const footerArrived = frames >= c.items.length + 2;
            expect(result.error?.code, where).toBe(footerArrived ? undefined : "ORDER");
          } else {
            expect(result.error?.code, `${where}: ${result.error?.message}`).toBe("TRUNCATED");
          }
        }
      };
      const sample: StreamCase = { header: { time: 1.5, msg: "héllo" }, items: [{ words: ["a", "😀"] }, { words: [] }, { words: ["日本語"] }], footer: { count: 3, msg: "" } };
      await check(sample, (bytes) => [bytes]);
      await check(sample, (bytes) => chunksOf(bytes, 1));
      await fc.assert(
        fc.asyncProperty(streamCase, fc.nat(), async (c, seed) => check({ ...c, items: c.items.slice(0, 3) }, (bytes) => splitAt(bytes, [seed % (bytes.length + 1), (seed >> 3) % (bytes.length + 1)]))),
        { numRuns: 4 },
      );
    });
  });

  describe("deep nesting", () => {
    for (const shape of ["arrays", "maps"] as const) {
      it(`a 5,000-level nested value (${shape}) is FORMAT, never a RangeError, as an item, header, footer or error payload`, async () => {
        const deep = nested(entry, 5000, shape);
        const asItem = await expectOutcome(ANY, entry.stream([[ITEM, p("before")], [ITEM, deep], [END]]), { items: ["before"], code: "FORMAT", message: /nested more than 1000 levels/ });
        expect(asItem.error).toMatchObject({ part: "item", index: 1 });
        const asHeader = await expectOutcome(ANY_HF, entry.stream([[HEADER, deep], [END]]), { items: [], code: "FORMAT" });
        expect(asHeader.error?.part).toBe("header");
        const asFooter = await expectOutcome(ANY_HF, entry.stream([[HEADER, p(0)], [ITEM, p("before")], [FOOTER, deep], [END]]), { items: ["before"], code: "FORMAT" });
        expect(asFooter.error?.part).toBe("footer");
        await expectOutcome(ANY, entry.stream([[ITEM, p("before")], [ERROR, deep]]), { items: ["before"], code: "FORMAT", message: /error frame that does not decode/ });
      });
    }

    it("1,000 levels (MAX_DEPTH) read back", async () => {
      let value: unknown = 0;
      for (let i = 0; i < 1000; i++) value = [value];
      await expectOutcome(ANY, entry.stream([[ITEM, p(value)], [END]]), { items: [value] });
    });
  });

  describe("__proto__ keys", () => {
    if (entry.codec === "msgpack") {
      // msgpack-check.ts: a map key "__proto__" is rejected (msgpackr would silently rename it).
      it("msgpack: a __proto__ key is FORMAT, at the top or nested, in any string encoding", async () => {
        const key = utf8("__proto__");
        const inner = Uint8Array.of(0x81, 0xa8, ...utf8("polluted"), 0xc3);
        for (const payload of [
          Uint8Array.of(0x81, 0xa9, ...key, ...inner),
          Uint8Array.of(0x81, 0xa1, 0x61, 0x81, 0xa9, ...key, ...inner),
          Uint8Array.of(0x81, 0xd9, 9, ...key, ...inner),
        ]) {
          await expectOutcome(ANY, entry.stream([[ITEM, p("before")], [ITEM, payload], [END]]), { items: ["before"], code: "FORMAT", message: /"__proto__"/ });
        }
        expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      });
    } else {
      // json.ts: a __proto__ key stays an own data property, as JSON.parse makes it, and changes no prototype.
      it("json: a __proto__ key is an own data property, as JSON.parse makes it; no prototype changes", async () => {
        for (const raw of ['{"__proto__":{"polluted":true},"a":1}', '{"a":{"__proto__":{"polluted":true}}}', '{"\\u005f_proto__":{"polluted":true}}']) {
          const result = await expectOutcome(ANY, entry.stream([[ITEM, raw], [END]]), { items: [JSON.parse(raw)] });
          const value = result.items[0] as Record<string, any>;
          const holder = "a" in value && typeof value.a === "object" ? value.a : value;
          expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
          expect(Object.getPrototypeOf(holder)).toBe(Object.prototype);
          expect(Object.hasOwn(holder, "__proto__")).toBe(true);
          expect(Object.getOwnPropertyDescriptor(holder, "__proto__")?.value).toEqual({ polluted: true });
          expect(holder.polluted).toBeUndefined();
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      });
    }
  });

  describe("limits, in bytes", () => {
    for (const ch of ["é", "😀"]) {
      it(`maxFrameBytes counts UTF-8 bytes: a string of "${ch}" under the limit in UTF-16 units, over it in bytes, is LIMIT; exactly at the limit is read`, async () => {
        const big = ch.repeat(200);
        const payload = p(big);
        // JSON text (quotes included) in UTF-16 units, or the string itself for msgpack: under the limit either way
        expect(JSON.stringify(big).length).toBeLessThan(payload.length - 1);
        const bytes = entry.stream([[ITEM, p("before")], [ITEM, payload], [END]]);
        await expectOutcome(ANY, bytes, { items: ["before"], code: "LIMIT", message: /maxFrameBytes/ }, { maxFrameBytes: payload.length - 1 });
        await expectOutcome(ANY, bytes, { items: ["before", big] }, { maxFrameBytes: payload.length });
      });
    }

    it("a header, footer or error frame over maxFrameBytes is LIMIT as well", async () => {
      const big = p("y".repeat(300));
      const limit = { maxFrameBytes: 200 };
      await expectOutcome(ANY_HF, entry.stream([[HEADER, big], [END]]), { items: [], code: "LIMIT" }, limit);
      await expectOutcome(ANY_HF, entry.stream([[HEADER, p(0)], [ITEM, p("before")], [FOOTER, big], [END]]), { items: ["before"], code: "LIMIT" }, limit);
      await expectOutcome(ANY, entry.stream([[ITEM, p("before")], [ERROR, p({ name: "Error", message: "z".repeat(300) })]]), { items: ["before"], code: "LIMIT" }, limit);
    });

    it("an oversized frame that never completes is LIMIT once more than maxFrameBytes of it has arrived, not TRUNCATED", async () => {
      const payload = p("x".repeat(5000));
      const whole = entry.stream([[ITEM, p("before")], [ITEM, payload], [END]]);
      const start = entry.stream([[ITEM, p("before")]]).length;
      const cut = whole.subarray(0, start + 1000 + 300); // 1,300 bytes of a 5,000-byte frame, then the source ends
      await expectOutcome(ANY, cut, { items: ["before"], code: "LIMIT" }, { maxFrameBytes: 1000 });
    });

    it("maxTotalBytes: one byte over is LIMIT; exactly the stream's length is read", async () => {
      const bytes = entry.stream([[ITEM, p(1)], [ITEM, p(2)], [ITEM, p("three")], [END]]);
      const over = await read(ANY, [bytes], { maxTotalBytes: bytes.length - 1 });
      expect(over.error?.code).toBe("LIMIT");
      expect(over.error?.message).toMatch(/maxTotalBytes/);
      // in small chunks, the items that arrived before the limit are delivered
      const small = await read(ANY, chunksOf(bytes, 4), { maxTotalBytes: bytes.length - 1 });
      expect(small.error?.code).toBe("LIMIT");
      expect([1, 2, "three"].slice(0, small.items.length)).toEqual(small.items);
      expect(small.items.length).toBeGreaterThan(0);
      await expectOutcome(ANY, bytes, { items: [1, 2, "three"] }, { maxTotalBytes: bytes.length });
    });

    it("maxItems: one item more is LIMIT after the items allowed; exactly maxItems is read", async () => {
      const bytes = entry.stream([[ITEM, p(1)], [ITEM, p(2)], [ITEM, p(3)], [END]]);
      await expectOutcome(ANY, bytes, { items: [1, 2], code: "LIMIT", message: /maxItems/ }, { maxItems: 2 });
      await expectOutcome(ANY, bytes, { items: [1, 2, 3] }, { maxItems: 3 });
    });
  });

  describe("foreign bytes", () => {
    const page = "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>";
    for (const [name, body] of [
      ["without a final newline", page],
      ["with a final newline", page + "\n"],
      ["over several lines", "<!DOCTYPE html>\n<html>\n<body>502 Bad Gateway</body>\n</html>\n"],
    ] as const) {
      it(`an HTML error page (${name}) read as the stream is FORMAT, not TRUNCATED`, async () => {
        await expectOutcome(ANY, utf8(body), { items: [], code: "FORMAT", message: /<!DOC/ });
        await expectOutcome(ANY_HF, utf8(body), { items: [], code: "FORMAT" });
      });
    }

    it("an HTML page that arrives after good items is FORMAT after them", async () => {
      const bytes = concat([entry.stream([[ITEM, p("before")]]), utf8(page)]);
      await expectOutcome(ANY, bytes, { items: ["before"], code: "FORMAT" });
    });
  });

  describe("after the end", () => {
    it("a whole extra frame after the end frame is ORDER; the items stay delivered", async () => {
      for (const extra of [[ITEM, p("after")], [END], [ERROR, p({ name: "Error", message: "late" })]] as Part[]) {
        const bytes = entry.stream([[ITEM, p("before")], [END], extra]);
        await expectOutcome(ANY, bytes, { items: ["before"], code: "ORDER", message: /follows the end/ });
      }
    });

    if (entry.slack.length === 0) {
      // binary and truss: every byte after the end frame is data (hostile.test.ts covers single bytes and junk).
      it("any byte after the end frame is ORDER (no slack in a length-prefixed framing)", async () => {
        const good = entry.stream([[ITEM, p("before")], [END]]);
        for (const extra of [Uint8Array.of(0), utf8("\n")]) await expectOutcome(ANY, concat([good, extra]), { items: ["before"], code: "ORDER" });
      });
    } else {
      it("text slack after the end (blank lines, a keep-alive) is fine; an unfinished last line is too", async () => {
        const good = entry.stream([[ITEM, p("before")], [END]]);
        for (const extra of entry.slack) {
          const S = ANY;
          const r = S.reader(chunksOf(concat([good, extra]), 5));
          const result = await readAll(S, r);
          expect(result, JSON.stringify(new TextDecoder().decode(extra))).toEqual({ items: ["before"] });
          expect(r.completed).toBe(true);
        }
      });
    }

    it("two streams concatenated", async () => {
      const one = entry.stream([[ITEM, p("before")], [END]]);
      const two = concat([one, one.subarray(entry.opening.length)]);
      if (entry.name === "sse") {
        // SSE: the second copy's events carry ids already delivered, so the reader skips them as a producer's resend
        // (the resume rule, docs/framings.md); the stream reads as one.
        await expectOutcome(ANY, two, { items: ["before"] });
      } else {
        await expectOutcome(ANY, two, { items: ["before"], code: "ORDER", message: /follows the end/ });
      }
      if (entry.opening.length > 0) await expectOutcome(ANY, concat([one, one]), { items: ["before"], code: "ORDER" });
    });
  });

  describe("order", () => {
    it("an item after the footer is ORDER, after the items before it", async () => {
      const S = typesOf(entry, { footer: true });
      const bytes = entry.stream([[ITEM, p(1)], [FOOTER, p("f")], [ITEM, p(2)], [END]]);
      await expectOutcome(S, bytes, { items: [1], code: "ORDER" });
    });

    it("a header after items is ORDER (SSE: a header event after the header was delivered is skipped as a resend)", async () => {
      const S = typesOf(entry, { header: true });
      const bytes = entry.stream([[HEADER, p("h")], [ITEM, p(1)], [HEADER, p("h2")], [ITEM, p(2)], [END]]);
      if (entry.name === "sse") {
        // sse.ts isRepeat(): the header is skipped by kind once delivered, whatever its id (for resumed
        // connections); so a second header on the same connection is dropped silently instead of being ORDER.
        await expectOutcome(S, bytes, { items: [1, 2], header: "h" });
      } else {
        await expectOutcome(S, bytes, { items: [1], code: "ORDER", message: /header frame after 1 items/ });
      }
      // a stream whose header comes only after its first item: readHeader() finds the item first
      await expectOutcome(S, entry.stream([[ITEM, p(1)], [HEADER, p("h")], [END]]), { items: [], code: "ORDER", message: /has no header/ });
    });

    it("a footer when the types have none is ORDER", async () => {
      await expectOutcome(ANY, entry.stream([[ITEM, p(1)], [FOOTER, p("f")], [END]]), { items: [1], code: "ORDER", message: /declare no footer/ });
    });

    it("a header when the types have none is ORDER", async () => {
      await expectOutcome(ANY, entry.stream([[HEADER, p("h")], [ITEM, p(1)], [END]]), { items: [], code: "ORDER", message: /declare no header/ });
    });

    it("a missing declared footer is ORDER; a missing declared header is ORDER", async () => {
      await expectOutcome(typesOf(entry, { footer: true }), entry.stream([[ITEM, p(1)], [END]]), { items: [1], code: "ORDER", message: /no footer/ });
      await expectOutcome(typesOf(entry, { header: true }), entry.stream([[ITEM, p(1)], [END]]), { items: [], code: "ORDER", message: /no header/ });
    });
  });

  describe("error frames", () => {
    it('the producer\'s w.error(new Error("boom")) after 2 items: the 2 items, then REMOTE "boom"', async () => {
      const w = ANY.writer();
      const bytes = concat([w.item({ n: 1 }), w.item({ n: 2 }), w.error(new Error("boom"))]);
      const result = await expectOutcome(ANY, bytes, { items: [{ n: 1 }, { n: 2 }], code: "REMOTE", message: /boom/ });
      expect(result.error?.remote).toMatchObject({ name: "Error", message: "boom" });
    });

    it("an error frame whose payload is not {name, message} is FORMAT", async () => {
      for (const info of ["boom", 42, null, [], { name: "Error" }, { message: 5 }, { error: "boom" }]) {
        await expectOutcome(ANY, entry.stream([[ITEM, p("before")], [ERROR, p(info)]]), { items: ["before"], code: "FORMAT" });
      }
      const junk = entry.codec === "msgpack" ? Uint8Array.of(0xc1) : utf8("{");
      await expectOutcome(ANY, entry.stream([[ITEM, p("before")], [ERROR, junk]]), { items: ["before"], code: "FORMAT", message: /error frame that does not decode/ });
    });
  });

  describe("validation", () => {
    it("a value that does not match its schema is VALIDATION naming item N, after the items before it", async () => {
      const S = typesOf(entry, { item: Type.Object({ n: Type.Number() }) });
      const bytes = entry.stream([[ITEM, p({ n: 0 })], [ITEM, p({ n: 1 })], [ITEM, p({ n: "two" })], [ITEM, p({ n: 3 })], [END]]);
      const result = await expectOutcome(S, bytes, { items: [{ n: 0 }, { n: 1 }], code: "VALIDATION", message: /item 2/ });
      expect(result.error).toMatchObject({ part: "item", index: 2 });
      const H = typesOf(entry, { item: Type.Any(), headerSchema: Header });
      const header = await expectOutcome(H, entry.stream([[HEADER, p({ time: "noon" })], [END]]), { items: [], code: "VALIDATION", message: /header/ });
      expect(header.error?.part).toBe("header");
    });
  });

  describe("keep-alives", () => {
    if (!entry.keepAlive) {
      // truss_chains has no keep-alive frames: kind 7 is an unknown kind there.
      it("truss has no keep-alive frames: a kind-7 frame is FORMAT", async () => {
        await expectOutcome(ANY, entry.stream([[ITEM, p("before")], [KEEPALIVE], [END]]), { items: ["before"], code: "FORMAT" });
      });
      return;
    }

    it("are skipped anywhere between parts, first and last included", async () => {
      const bytes = entry.stream([[KEEPALIVE], [HEADER, p("h")], [KEEPALIVE], [ITEM, p(1)], [KEEPALIVE], [KEEPALIVE], [ITEM, p(2)], [KEEPALIVE], [FOOTER, p("f")], [KEEPALIVE], [END]]);
      await expectOutcome(ANY_HF, bytes, { header: "h", items: [1, 2], footer: "f" });
      const w = ANY_HF.writer() as ReturnType<Types["writer"]> & Record<"header" | "footer", (v: unknown) => Uint8Array>;
      const written = concat([w.keepAlive(), w.header("h"), w.keepAlive(), w.item(1), w.keepAlive(), w.footer("f"), w.keepAlive(), w.end()]);
      await expectOutcome(ANY_HF, written, { header: "h", items: [1], footer: "f" });
    });

    it("keep-alives alone are not a stream: TRUNCATED at the end of input", async () => {
      await expectOutcome(ANY, entry.stream([[KEEPALIVE], [KEEPALIVE]]), { items: [], code: "TRUNCATED" });
    });
  });

  describe("sources", () => {
    it("a source that fails before any byte is NETWORK; after some bytes, TRUNCATED with the items intact", async () => {
      const failing = (chunks: Uint8Array[]) =>
        (async function* () {
          yield* chunks;
          throw new TypeError("fetch failed");
        })();
      const early = await read(ANY, failing([]));
      expect(early.error?.code).toBe("NETWORK");
      expect(early.error?.message).toMatch(/fetch failed/);
      const bytes = entry.stream([[ITEM, p(1)], [ITEM, p(2)], [END]]);
      const twoItems = entry.stream([[ITEM, p(1)], [ITEM, p(2)]]).length;
      // at a frame boundary (where truss would see a clean end, a failure is still a cut), and inside a frame
      for (const cut of [twoItems, twoItems - 1, 1]) {
        const late = await read(ANY, failing([bytes.subarray(0, cut)]));
        expect(late.error?.code, `cut at ${cut}`).toBe("TRUNCATED");
        expect(late.error?.cause).toBeInstanceOf(TypeError);
        expect([1, 2].slice(0, late.items.length)).toEqual(late.items);
      }
    });

    it("an empty source is TRUNCATED (truss: an empty stream)", async () => {
      const result = await read(ANY, []);
      expect(result.items).toEqual([]);
      expect(result.error?.code).toBe(entry.endsAtEof ? undefined : "TRUNCATED");
    });
  });
});

describe("contract: the registry", () => {
  it("covers every format once", () => {
    expect(FORMATS.map((f) => f.name)).toEqual(["binary+msgpack", "binary+json", "truss", "sse", "ndjson"]);
  });

  it("hand-built streams read the same as the library writer's", async () => {
    for (const entry of FORMATS) {
      const S = typesOf(entry, { header: true, footer: true });
      const w = S.writer() as unknown as Record<"header" | "item" | "footer", (v: unknown) => Uint8Array> & { end(): Uint8Array };
      const byWriter = concat([w.header({ h: 1 }), w.item("é"), w.item([1, { a: null }]), w.footer(true), w.end()]);
      const p = entry.payload;
      const byHand = entry.stream([[HEADER, p({ h: 1 })], [ITEM, p("é")], [ITEM, p([1, { a: null }])], [FOOTER, p(true)], [END]]);
      expect(new TextDecoder().decode(byHand), entry.name).toBe(new TextDecoder().decode(byWriter));
      expect(byHand, entry.name).toEqual(byWriter);
    }
  });
});
