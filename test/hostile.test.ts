// Hostile input (issue 8): every bad input gives a StreamError, promptly, within the limits, keeping the items before it.
import { Type } from "@sinclair/typebox";
import { Packr, Unpackr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { MAX_BIGINT_BYTES, MAX_DEPTH } from "../src/codecs/codec.js";
import { checkMessagePack } from "./msgpack-check.js";
import { FrameKind, StreamError, encodeFrame, streamTypes } from "../src/index.js";
import { ITEMS_ONLY, items } from "./fixtures.js";
import { chunksOf, concat, readAll, readClean, streamOf } from "./helpers.js";

const ANY = streamTypes(Type.Any(), undefined, undefined, { validate: false });
const ANY_JSON = streamTypes(Type.Any(), undefined, undefined, { validate: false, codec: "json" });
const ANY_TRUSS = streamTypes(Type.Any(), undefined, undefined, { validate: false, compat: "truss" });
const MARKER_MSGPACK = Uint8Array.of(1, 0, 0, 0, 6, 0x53, 0x54, 0x59, 0x50, 1, 1);
const MARKER_JSON = Uint8Array.of(1, 0, 0, 0, 6, 0x53, 0x54, 0x59, 0x50, 1, 2);
const END = Uint8Array.of(5, 0, 0, 0, 0);
const utf8 = (s: string) => new TextEncoder().encode(s);

/** A msgpack stream: one good item, then an item frame with the given raw payload, then the end. */
function msgpackWith(payload: Uint8Array): Uint8Array {
  return concat([MARKER_MSGPACK, encodeFrame(FrameKind.ITEM, new Packr({ useRecords: false }).pack("before")), encodeFrame(FrameKind.ITEM, payload), END]);
}

function jsonWith(payload: Uint8Array): Uint8Array {
  return concat([MARKER_JSON, encodeFrame(FrameKind.ITEM, utf8('"before"')), encodeFrame(FrameKind.ITEM, payload), END]);
}

/** Reads the stream with the ANY types; expects "before" to be delivered, then a StreamError with `code`. */
async function expectRejected(types: typeof ANY, bytes: Uint8Array, code: string, message?: RegExp): Promise<StreamError> {
  for (const size of [bytes.length, 3]) {
    const result = await readAll(types, types.reader(chunksOf(bytes, size)));
    expect(result.items).toEqual(["before"]);
    expect(result.error, `no error for ${size}-byte chunks`).toBeInstanceOf(StreamError);
    expect(result.error!.code).toBe(code);
    if (message) expect(result.error!.message).toMatch(message);
  }
  return (await readAll(types, types.reader(bytes))).error!;
}

async function readOne(types: typeof ANY, payload: Uint8Array): Promise<unknown> {
  const bytes = types === ANY ? msgpackWith(payload) : jsonWith(payload);
  const result = await readAll(types, types.reader(bytes));
  expect(result.error).toBeUndefined();
  return result.items[1];
}

/** A ReadableStream that sends `chunks`, then stalls forever (until cancelled); records pulls and cancellation. */
function stalling(chunks: Uint8Array[]) {
  const log = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        log.pulls++;
        if (log.pulls <= chunks.length) controller.enqueue(chunks[log.pulls - 1]!);
        else return new Promise<void>(() => {});
      },
      cancel() {
        log.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, log };
}

function header(kind: number, length: number): Uint8Array {
  return Uint8Array.of(kind, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
}

describe("hostile: frame lengths", () => {
  it("a frame header announcing more than maxFrameBytes is LIMIT at once, with nothing buffered, while the source stalls", async () => {
    const first = ANY.writer().item("before");
    const cases: [number, number, number | undefined][] = [
      [FrameKind.ITEM, 0xffffffff, undefined],
      [FrameKind.HEADER, 0xffffffff, undefined],
      [FrameKind.ERROR, 16 * 1024 * 1024 + 1, undefined],
      [FrameKind.KEEPALIVE, 0x80000000, undefined],
      [FrameKind.ITEM, 1001, 1000],
      [FrameKind.END, 9, 8], // (a maxFrameBytes under 6 rejects the opening marker itself)
    ];
    for (const [kind, length, maxFrameBytes] of cases) {
      const { stream, log } = stalling([kind === FrameKind.HEADER ? MARKER_MSGPACK : first, header(kind, length)]);
      const S = kind === FrameKind.HEADER ? streamTypes(Type.Any(), Type.Any(), undefined, { validate: false }) : ANY;
      const r = S.reader(stream, maxFrameBytes === undefined ? {} : { maxFrameBytes });
      const result = kind === FrameKind.HEADER ? await readAll(S, r) : await readAll(ANY, r);
      expect(result.error?.code, `kind ${kind} length ${length}`).toBe("LIMIT");
      expect(result.error?.message).toContain(`announces ${length} payload bytes`);
      expect(result.error?.message).toMatch(/nothing of this frame was buffered/);
      if (kind !== FrameKind.HEADER) expect(result.items).toEqual(["before"]);
      expect(log.cancelled).toBe(true);
    }
  });

  it("the same in truss mode, where there is no marker", async () => {
    const { stream, log } = stalling([ANY_TRUSS.writer().item("before"), header(FrameKind.ITEM, 0xffffffff)]);
    const result = await readAll(ANY_TRUSS, ANY_TRUSS.reader(stream));
    expect(result.items).toEqual(["before"]);
    expect(result.error?.code).toBe("LIMIT");
    expect(log.cancelled).toBe(true);
  });

  it("a length under the limit but past the end of the input is TRUNCATED, naming what arrived", async () => {
    const bytes = concat([ANY.writer().item("before"), header(FrameKind.ITEM, 1000), new Uint8Array(10)]);
    const result = await readAll(ANY, ANY.reader(bytes));
    expect(result.items).toEqual(["before"]);
    expect(result.error?.code).toBe("TRUNCATED");
    expect(result.error?.message).toMatch(/10 of 1000 payload bytes/);
  });
});

describe("hostile: MessagePack lengths", () => {
  // Each declares far more than its 5-9 byte frame holds; none may allocate for the declared size.
  const cases: [string, number[]][] = [
    ["array 32 of 2^32-1", [0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0]],
    ["array 16 of 65535", [0xdc, 0xff, 0xff, 0x01, 0x02]],
    ["map 32 of 2^32-1", [0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61, 0xc0]],
    ["map 16 of 65535", [0xde, 0xff, 0xff, 0xa1, 0x61]],
    ["fixmap of 15 with 2 bytes", [0x8f, 0xa1, 0x61]],
    ["str 32 of 2^32-1", [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]],
    ["str 8 of 255", [0xd9, 0xff, 0x61]],
    ["bin 32 of 2^32-1", [0xc6, 0xff, 0xff, 0xff, 0xff, 0x00]],
    ["bin 16 of 65535", [0xc5, 0xff, 0xff, 0x00]],
    ["ext 32 of 2^32-1", [0xc9, 0xff, 0xff, 0xff, 0xff, 0x74, 0x01]],
    ["nested arrays of 2^32-1 each", [0x91, 0x91, 0x91, 0xdd, 0xff, 0xff, 0xff, 0xff]],
    ["length field cut short", [0xdb, 0xff]],
  ];
  for (const [name, bytes] of cases) {
    it(`${name}: FORMAT`, async () => {
      const err = await expectRejected(ANY, msgpackWith(Uint8Array.from(bytes)), "FORMAT", /does not decode as msgpack/);
      expect(err.index).toBe(1);
      expect(err.message).toMatch(/declares|ends/);
    });
  }

  it("a value followed by extra bytes, or cut short, is FORMAT", async () => {
    await expectRejected(ANY, msgpackWith(Uint8Array.of(0x01, 0x02)), "FORMAT", /1 bytes follow the value/);
    await expectRejected(ANY, msgpackWith(Uint8Array.of(0xcb, 0x01)), "FORMAT", /ends in the middle/);
    await expectRejected(ANY, msgpackWith(new Uint8Array(0)), "FORMAT", /ends in the middle/);
  });
});

describe("hostile: deep nesting", () => {
  const LEVELS = 100_000;
  const deepArrays = () => Uint8Array.from({ length: LEVELS + 1 }, (_, i) => (i < LEVELS ? 0x91 : 0xc0));
  const deepMaps = () => {
    const out = new Uint8Array(LEVELS * 3 + 1);
    for (let i = 0; i < LEVELS; i++) out.set([0x81, 0xa1, 0x6b], i * 3); // {"k": {"k": …}}
    out[LEVELS * 3] = 0xc0;
    return out;
  };

  it("msgpackr itself overflows the stack on such input (why the codec checks depth first)", () => {
    const unpackr = new Unpackr({ useRecords: false, moreTypes: true });
    expect(() => unpackr.unpack(deepArrays())).toThrow(RangeError);
    // and is still usable afterwards
    expect(unpackr.unpack(new Packr({ useRecords: false }).pack({ a: [1, "x"] }))).toEqual({ a: [1, "x"] });
  });

  for (const [name, make] of [["arrays", deepArrays], ["maps", deepMaps]] as const) {
    it(`100,000 nested msgpack ${name}: FORMAT before decoding, and the next stream reads normally`, async () => {
      const err = await expectRejected(ANY, msgpackWith(make()), "FORMAT", new RegExp(`nested more than ${MAX_DEPTH} levels`));
      expect(err.part).toBe("item");
      const w = ANY.writer();
      const next = await readAll(ANY, ANY.reader(concat([w.item({ a: [1, { b: "x" }] }), w.item([[[]]]), w.end()])));
      expect(next).toEqual({ items: [{ a: [1, { b: "x" }] }, [[[]]]] });
    });
  }

  it("100,000 nested JSON arrays and objects: FORMAT, and the next stream reads normally", async () => {
    await expectRejected(ANY_JSON, jsonWith(utf8("[".repeat(LEVELS) + "]".repeat(LEVELS))), "FORMAT", /nested more than/);
    await expectRejected(ANY_JSON, jsonWith(utf8('{"k":'.repeat(LEVELS) + "1" + "}".repeat(LEVELS))), "FORMAT", /nested more than/);
    const w = ANY_JSON.writer();
    expect((await readClean(ANY_JSON, ANY_JSON.reader(concat([w.item({ a: [1] }), w.end()])))).items).toEqual([{ a: [1] }]);
  });

  it("MAX_DEPTH levels are accepted, one more is not, in both codecs", async () => {
    let value: unknown = 1;
    for (let i = 0; i < MAX_DEPTH; i++) value = [value];
    expect(await readOne(ANY, new Packr({ useRecords: false }).pack(value))).toEqual(value);
    expect(await readOne(ANY_JSON, utf8(JSON.stringify(value)))).toEqual(value);
    await expectRejected(ANY, msgpackWith(new Packr({ useRecords: false }).pack([value])), "FORMAT", /nested more than/);
    await expectRejected(ANY_JSON, jsonWith(utf8(JSON.stringify([value]))), "FORMAT", /nested more than/);
  });

  it("a recursive schema is checked without overflowing on the deepest accepted value", async () => {
    const Node = Type.Recursive((This) => Type.Union([Type.Number(), Type.Array(This)]));
    let value: unknown = 1;
    for (let i = 0; i < MAX_DEPTH - 1; i++) value = [value];
    for (const codec of ["msgpack", "json"] as const) {
      const S = streamTypes(Node, undefined, undefined, { codec });
      const w = S.writer();
      expect((await readClean(S, S.reader(concat([w.item(value as number), w.end()])))).items).toEqual([value]);
    }
  });
});

describe("hostile: prototype keys", () => {
  const polluting = ["__proto__", "constructor", "prototype"];

  it("msgpack: a __proto__ key is FORMAT (msgpackr would silently rename it); constructor and prototype are plain keys", async () => {
    const mapWith = (key: string, nested = false) => {
      const k = utf8(key);
      const inner = Uint8Array.of(0x81, 0xa8, ...utf8("polluted"), 0xc3);
      const entry = Uint8Array.of(0x81, 0xa0 | k.length, ...k, ...inner);
      return nested ? Uint8Array.of(0x81, 0xa1, 0x61, ...entry) : entry;
    };
    await expectRejected(ANY, msgpackWith(mapWith("__proto__")), "FORMAT", /"__proto__"/);
    await expectRejected(ANY, msgpackWith(mapWith("__proto__", true)), "FORMAT", /"__proto__"/);
    // str 8 spelling of the same key
    await expectRejected(ANY, msgpackWith(Uint8Array.of(0x81, 0xd9, 9, ...utf8("__proto__"), 0x80)), "FORMAT", /"__proto__"/);
    // as a value it is only a string
    expect(await readOne(ANY, Uint8Array.of(0x81, 0xa1, 0x61, 0xa9, ...utf8("__proto__")))).toEqual({ a: "__proto__" });
    for (const key of ["constructor", "prototype"]) {
      const value = (await readOne(ANY, mapWith(key))) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.keys(value)).toEqual([key]);
      expect(value[key]).toEqual({ polluted: true });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("json: the keys stay own data properties, as JSON.parse makes them; no prototype changes", async () => {
    for (const key of polluting) {
      for (const text of [`{"${key}":{"polluted":true}}`, `{"a":{"${key}":{"polluted":true}}}`, `{"\\u005f_proto__":{"polluted":true}}`]) {
        const value = (await readOne(ANY_JSON, utf8(text.replace("__proto__", key)))) as Record<string, any>;
        expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
        const holder = "a" in value ? value.a : value;
        expect(Object.getPrototypeOf(holder)).toBe(Object.prototype);
        expect(Object.getOwnPropertyNames(holder)).toEqual([text.includes("\\u005f") ? "__proto__" : key]);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("validation with a schema does not see or create prototype properties", async () => {
    const S = streamTypes(Type.Object({ a: Type.Number() }), undefined, undefined, { codec: "json" });
    const bytes = concat([MARKER_JSON, encodeFrame(FrameKind.ITEM, utf8('{"a":1,"__proto__":{"a":"x","polluted":1}}')), END]);
    const result = await readAll(S, S.reader(bytes));
    expect(result.error).toBeUndefined();
    expect((result.items[0] as { a: number }).a).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("hostile: invalid UTF-8", () => {
  const bad: [string, number[]][] = [
    ["a lone continuation byte", [0x80]],
    ["0xFF", [0x61, 0xff]],
    ["an overlong NUL", [0xc0, 0x80]],
    ["an overlong slash", [0xe0, 0x80, 0xaf]],
    ["a surrogate", [0xed, 0xa0, 0x80]],
    ["past U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["a cut sequence", [0x61, 0xe2, 0x82]],
  ];
  for (const [name, bytes] of bad) {
    it(`${name}, in a short string, a long string and a key: FORMAT in msgpack and json`, async () => {
      const long = [...Array(100).fill(0x61), ...bytes];
      const fix = Uint8Array.of(0xa0 | bytes.length, ...bytes);
      await expectRejected(ANY, msgpackWith(fix), "FORMAT", /not valid UTF-8/);
      await expectRejected(ANY, msgpackWith(Uint8Array.of(0xd9, long.length, ...long)), "FORMAT", /not valid UTF-8/);
      await expectRejected(ANY, msgpackWith(Uint8Array.of(0x81, ...fix, 0x01)), "FORMAT", /not valid UTF-8/);
      await expectRejected(ANY_JSON, jsonWith(Uint8Array.of(0x22, ...bytes, 0x22)), "FORMAT", /does not decode as json/);
    });
  }

  it("valid non-ASCII strings, U+FFFD itself included, read back unchanged", async () => {
    const S = streamTypes(Type.Object({ s: Type.String() }));
    for (const s of ["é", "日本語", "😀", "\uFFFD", "a\uFFFDb", "x".repeat(40) + "€😀", "日本".repeat(100)]) {
      const w = S.writer();
      expect((await readClean(S, S.reader(concat([w.item({ s }), w.end()])))).items).toEqual([{ s }]);
    }
  });
});

describe("hostile: MessagePack extensions and 0xC1", () => {
  it("0xC1 is FORMAT, not msgpackr's marker object", async () => {
    await expectRejected(ANY, msgpackWith(Uint8Array.of(0xc1)), "FORMAT", /0xC1/);
    await expectRejected(ANY, msgpackWith(Uint8Array.of(0x92, 0x01, 0xc1)), "FORMAT", /0xC1/);
  });

  const rejected: [string, number[], RegExp][] = [
    ["an unknown type", [0xd4, 0x10, 0x00], /extension type 16 is not accepted/],
    ["a negative reserved type", [0xd4, 0xfe, 0x00], /extension type -2 is not accepted/],
    ["msgpackr Error", [0xd4, 0x65, 0x00, 0x92, 0xa1, 0x61, 0xa1, 0x62], /msgpackr Error/],
    ["msgpackr RegExp", [0xd4, 0x78, 0x00, 0x92, 0xa2, 0x28, 0x61, 0xa0], /msgpackr RegExp/],
    ["msgpackr Set", [0xd4, 0x73, 0x00, 0x90], /msgpackr Set/],
    ["a structured-clone reference (cycles)", [0xd6, 0x69, 0, 0, 0, 1, 0x91, 0xd6, 0x70, 0, 0, 0, 1], /structured-clone reference/],
    ["a structured-clone pointer", [0xd6, 0x70, 0, 0, 0, 1], /structured-clone pointer/],
    ["a record definition", [0xd4, 0x72, 0x40, 0x91, 0xa1, 0x61, 0x01], /record definition/],
    ["bundled strings", [0xd6, 0x62, 0, 0, 0, 9, 0xc0], /bundled strings/],
    ["undefined with a body", [0xd5, 0x00, 0x00, 0x00], /malformed body/],
    ["a timestamp of 3 bytes", [0xc7, 0x03, 0xff, 0, 0, 0], /malformed body/],
    ["a typed array with an unknown code", [0xc7, 0x02, 0x74, 0x0c, 0x00], /not a typed array/],
    ["a Float64Array of 3 bytes", [0xc7, 0x04, 0x74, 0x08, 0, 0, 0], /not a typed array/],
    ["an empty bigint", [0xc7, 0x00, 0x42], /malformed body/],
  ];
  for (const [name, bytes, message] of rejected) {
    it(`${name}: FORMAT`, async () => {
      await expectRejected(ANY, msgpackWith(Uint8Array.from(bytes)), "FORMAT", message);
    });
  }

  it(`a bigint over ${MAX_BIGINT_BYTES} bytes is FORMAT; one at the limit reads`, async () => {
    const head = (n: number) => Uint8Array.of(0xc8, n >> 8, n & 0xff, 0x42);
    await expectRejected(ANY, msgpackWith(concat([head(MAX_BIGINT_BYTES + 1), new Uint8Array(MAX_BIGINT_BYTES + 1).fill(1)])), "FORMAT", /over the limit/);
    const big = (await readOne(ANY, concat([head(MAX_BIGINT_BYTES), new Uint8Array(MAX_BIGINT_BYTES).fill(0x11)]))) as bigint;
    expect(typeof big).toBe("bigint");
    expect(big.toString(16).length).toBe(MAX_BIGINT_BYTES * 2);
  });

  it("the extensions the writer uses for schema types read back: undefined, Date, typed arrays, bigints", async () => {
    const value = {
      u: undefined,
      d: new Date(1_700_000_000_123),
      d32: new Date(1_700_000_000_000),
      old: new Date(-1e12),
      f32: Float32Array.of(1.5, -2),
      f64: Float64Array.of(Math.PI),
      i16: Int16Array.of(-3),
      u8: Uint8Array.of(1, 2, 3),
      big: 2n ** 100n + 7n,
      neg: -(2n ** 70n),
      int64: 2n ** 60n,
    };
    const w = ANY.writer();
    const result = await readAll(ANY, ANY.reader(concat([w.item(value), w.end()])));
    expect(result.error).toBeUndefined();
    expect(result.items[0]).toEqual(value);
    expect((result.items[0] as typeof value).f32).toBeInstanceOf(Float32Array);
  });

  it("every single-byte payload either decodes or is FORMAT", async () => {
    for (let byte = 0; byte < 256; byte++) {
      const result = await readAll(ANY, ANY.reader(msgpackWith(Uint8Array.of(byte))));
      expect(result.items[0]).toBe("before");
      if (result.error) expect(result.error.code, `byte ${byte}`).toBe("FORMAT");
      else expect(result.items).toHaveLength(2);
    }
  });

  it("checkMessagePack accepts whatever the writer produces", () => {
    const packr = new Packr({ useRecords: false, moreTypes: true });
    const samples = [null, true, 0, -1, 2 ** 40, -(2 ** 40), 1.5, "", "a".repeat(70000), [], {}, { a: [{ b: null }] }, new Uint8Array(300), [undefined], new Date(NaN)];
    for (const sample of samples) expect(() => checkMessagePack(packr.pack(sample))).not.toThrow();
  });
});

describe("hostile: frame kinds and framing", () => {
  it("unknown frame kinds are FORMAT after the items before them", async () => {
    // 8 is the resume frame since the durable-streams issue: one that does not carry a position is FORMAT too.
    for (const payload of [Uint8Array.of(0xa1, 0x78), Uint8Array.of(0xc1), Uint8Array.of(0xff, 0xff), new Uint8Array(0)]) {
      // not a number, 0xC1, a negative fixint plus a stray byte, nothing: every one FORMAT, never a DecodeError
      const badResume = await readAll(ANY, ANY.reader(concat([ANY.writer().item("before"), encodeFrame(8, payload), END])));
      expect(badResume.items).toEqual(["before"]);
      expect(badResume.error).toBeInstanceOf(StreamError);
      expect(badResume.error?.code).toBe("FORMAT");
    }
    for (const kind of [0, 9, 0x7f, 0xff]) {
      const bytes = concat([ANY.writer().item("before"), encodeFrame(kind, Uint8Array.of(1, 2, 3)), END]);
      const result = await readAll(ANY, ANY.reader(bytes));
      expect(result.items).toEqual(["before"]);
      expect(result.error?.code).toBe("FORMAT");
      expect(result.error?.message).toContain(`Unknown frame kind ${kind}`);
    }
    // truss has no opening or keep-alive frames
    for (const kind of [FrameKind.OPEN, FrameKind.KEEPALIVE]) {
      const result = await readAll(ANY_TRUSS, ANY_TRUSS.reader(concat([ANY_TRUSS.writer().item("before"), encodeFrame(kind, new Uint8Array(0))])));
      expect(result.items).toEqual(["before"]);
      expect(result.error?.code).toBe("FORMAT");
    }
  });

  it("a second opening marker is FORMAT; an end frame with a payload is FORMAT", async () => {
    const two = concat([ANY.writer().item("before"), MARKER_MSGPACK]);
    expect((await readAll(ANY, ANY.reader(two))).error?.code).toBe("FORMAT");
    const end = concat([ANY.writer().item("before"), encodeFrame(FrameKind.END, Uint8Array.of(0))]);
    const result = await readAll(ANY, ANY.reader(end));
    expect(result.items).toEqual(["before"]);
    expect(result.error?.code).toBe("FORMAT");
  });

  it("trailing bytes after the end frame are ORDER, in any chunking; the items stay delivered", async () => {
    const w = ANY.writer();
    const good = concat([w.item("before"), w.end()]);
    for (const extra of [Uint8Array.of(0), END, good, utf8("<html>")]) {
      const bytes = concat([good, extra]);
      for (const size of [1, 6, bytes.length]) {
        const result = await readAll(ANY, ANY.reader(chunksOf(bytes, size)));
        expect(result.items).toEqual(["before"]);
        expect(result.error?.code).toBe("ORDER");
        expect(result.error?.message).toMatch(/follows the end frame/);
      }
    }
  });

  it("error frames with hostile payloads are FORMAT, never another error", async () => {
    const payloads = [Uint8Array.of(0xc1), Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff), Uint8Array.of(0x01), Uint8Array.of(0x81, 0xa7, ...utf8("message"), 0x01), Uint8Array.from({ length: 5000 }, () => 0x91)];
    for (const payload of payloads) {
      const bytes = concat([ANY.writer().item("before"), encodeFrame(FrameKind.ERROR, payload)]);
      const result = await readAll(ANY, ANY.reader(bytes));
      expect(result.items).toEqual(["before"]);
      expect(result.error?.code).toBe("FORMAT");
    }
  });

  it("a flood of keep-alive frames is bounded by maxTotalBytes", async () => {
    const keepAlives = new Uint8Array(5 * 1000);
    for (let i = 0; i < 1000; i++) keepAlives[i * 5] = FrameKind.KEEPALIVE;
    let sent = 0;
    const source = {
      *[Symbol.iterator]() {
        yield ANY.writer().item("before");
        for (;;) {
          sent++;
          yield keepAlives;
        }
      },
    };
    const result = await readAll(ANY, ANY.reader(source, { maxTotalBytes: 1_000_000 }));
    expect(result.items).toEqual(["before"]);
    expect(result.error?.code).toBe("LIMIT");
    expect(sent).toBeLessThan(250);
  });
});

describe("hostile: sources", () => {
  it("an empty source is TRUNCATED (truss mode: an empty stream)", async () => {
    const empties = () => [new Uint8Array(0), [], [new Uint8Array(0)], streamOf([]), (async function* () {})(), new Response(null), new Response("")];
    for (const source of empties()) {
      const result = await readAll(ANY, ANY.reader(source as any));
      expect(result.items).toEqual([]);
      expect(result.error?.code).toBe("TRUNCATED");
      expect(result.error?.message).toMatch(/before any bytes arrived/);
    }
    for (const source of empties()) expect(await readAll(ANY_TRUSS, ANY_TRUSS.reader(source as any))).toEqual({ items: [] });
  });

  it("a source that throws, at once or midway, is TRUNCATED with the thrown value as cause", async () => {
    const first = ANY.writer().item("before");
    const thrown = [new TypeError("network error"), "a string", 42, null, undefined, new StreamError("REMOTE", "relayed")];
    for (const value of thrown) {
      const makers = [
        () => ({ *[Symbol.iterator]() { yield first; throw value; } }),
        () => (async function* () { yield first; throw value; })(),
        () => new ReadableStream<Uint8Array>({ start(c) { c.enqueue(first); }, pull(c) { c.error(value); } }),
      ];
      for (const make of makers) {
        const result = await readAll(ANY, ANY.reader(make() as any));
        expect(result.items).toEqual(["before"]);
        expect(result.error).toBeInstanceOf(StreamError);
        if (value instanceof StreamError) {
          expect(result.error).toBe(value);
        } else {
          expect(result.error?.code).toBe("TRUNCATED");
          expect(result.error?.message).toMatch(/the source failed/);
          expect(result.error?.cause).toBe(value);
        }
      }
    }
    // throwing before the first chunk: no byte arrived, so it is NETWORK (the defects issue, item 14)
    const early = await readAll(ANY, ANY.reader({ [Symbol.iterator]: () => ({ next: () => { throw new Error("boom"); } }) } as any));
    expect(early.error?.code).toBe("NETWORK");
    expect(early.error?.message).toMatch(/boom/);
  });

  it("chunks that are not bytes are FORMAT, from every kind of source", async () => {
    const first = ANY.writer().item("before");
    const junk: unknown[] = ["text", "", 42, 0, null, undefined, { length: 3 }, [1, 2, 3], true, Symbol("s"), () => 1, 10n];
    for (const chunk of junk) {
      const makers = [
        () => [first, chunk],
        () => (async function* () { yield first; yield chunk; })(),
        () => streamOf([first, chunk as Uint8Array]),
      ];
      for (const make of makers) {
        const result = await readAll(ANY, ANY.reader(make() as any));
        expect(result.items).toEqual(["before"]);
        expect(result.error?.code, String(typeof chunk)).toBe("FORMAT");
        expect(result.error?.message).toMatch(/where bytes were expected/);
      }
    }
  });

  it("other views of bytes (DataView, Int16Array, ArrayBuffer) are read as their bytes", async () => {
    const w = ANY.writer();
    const bytes = concat([w.item("before"), w.end()]);
    const buffer = bytes.buffer.slice(0);
    for (const chunk of [new DataView(buffer), buffer]) expect((await readClean(ANY, ANY.reader([chunk as any]))).items).toEqual(["before"]);
  });

  it("a stalled producer is TIMEOUT with idleTimeoutMs, also when it dribbles bytes of an unfinished frame", async () => {
    const first = ANY.writer().item("before");
    const { stream, log } = stalling([first, header(FrameKind.ITEM, 100)]);
    const result = await readAll(ANY, ANY.reader(stream, { idleTimeoutMs: 30 }));
    expect(result.items).toEqual(["before"]);
    expect(result.error?.code).toBe("TIMEOUT");
    expect(log.cancelled).toBe(true);
    // one byte every 5 ms: bytes flow, but no frame completes
    let dribbled = 0;
    let cancelled = false;
    const dribble = new ReadableStream<Uint8Array>({
      start(c) { c.enqueue(first); c.enqueue(header(FrameKind.ITEM, 1000)); },
      async pull(c) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (cancelled) return;
        dribbled++;
        c.enqueue(Uint8Array.of(0));
      },
      cancel() { cancelled = true; },
    }, { highWaterMark: 0 });
    const slow = await readAll(ANY, ANY.reader(dribble, { idleTimeoutMs: 60 }));
    expect(slow.items).toEqual(["before"]);
    expect(slow.error?.code).toBe("TIMEOUT");
    expect(cancelled).toBe(true);
    expect(dribbled).toBeLessThan(1000);
  });

  // BUG (src/reader.ts, pull()/readChunk()): a source whose read() always resolves at once with an empty chunk
  // never lets a macrotask run, so the idle timer cannot fire and the reader spins forever with the event loop
  // starved. The source here gives up after 200,000 empty chunks so that the test ends; the reader should have
  // raised TIMEOUT (or FORMAT for a run of empty chunks) long before.
  it("a source of endless empty chunks ends in TIMEOUT, not a busy loop", async () => {
    let reads = 0;
    const source = {
      *[Symbol.iterator]() {
        yield ANY.writer().item("before");
        while (reads++ < 200_000) yield new Uint8Array(0);
      },
    };
    const result = await readAll(ANY, ANY.reader(source, { idleTimeoutMs: 20 }));
    expect(result.items).toEqual(["before"]);
    expect(result.error?.code).toBe("TIMEOUT");
    expect(reads).toBeLessThan(200_000);
  });
});

describe("hostile: a consumer that stops reading", () => {
  it("a pull-based producer writes only as far as the stream's highWaterMark ahead of the reader", async () => {
    const w = ITEMS_ONLY.writer();
    let produced = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          produced++;
          controller.enqueue(w.item(items[produced % items.length]!));
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 2 },
    );
    const it = ITEMS_ONLY.reader(body).readItems();
    for (let i = 0; i < 5; i++) expect((await it.next()).done).toBe(false);
    // the consumer stops; give the producer every chance to run ahead
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(produced).toBeLessThanOrEqual(5 + 2 + 1);
    await it.return!();
    expect(cancelled).toBe(true);
  });
});
