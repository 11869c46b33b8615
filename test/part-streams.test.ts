// STREAM.decoderStream() and STREAM.encoderStream(): transform streams between a stream's bytes and its typed parts.
import { Type } from "@sinclair/typebox";
import { afterEach, describe, expect, it } from "vitest";
import { StreamError, streamTypes, type TypedPart, type TypedPartInput } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { FORMATS } from "./formats.js";
import { concat, splitAt, streamOf } from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const Token = Type.Object({ token: Type.String(), index: Type.Integer() });
const Run = Type.Object({ runId: Type.String() });
const Done = Type.Object({ tokens: Type.Integer() });
const TOKENS = streamTypes(Token, Run, Done);
type Part = TypedPart<typeof Token, typeof Run, typeof Done>;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function collect<T>(stream: ReadableStream<T>): Promise<{ parts: T[]; error?: unknown }> {
  const parts: T[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { parts };
      parts.push(value);
    }
  } catch (error) {
    return { parts, error };
  }
}

const EXPECTED: Part[] = [
  { part: "header", value: { runId: "r1" } },
  { part: "item", value: { token: "a", index: 0 }, index: 0 },
  { part: "item", value: { token: "b", index: 1 }, index: 1 },
  { part: "item", value: { token: "c", index: 2 }, index: 2 },
  { part: "footer", value: { tokens: 3 } },
];

/** A source of `chunks` that reports its cancellation. */
function cancellable(chunks: Uint8Array[]) {
  const state = { cancelled: false as boolean, reason: undefined as unknown };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++]!);
      // then stays open: only a cancel ends it
    },
    cancel(reason) {
      state.cancelled = true;
      state.reason = reason;
    },
  });
  return { stream, state };
}

describe("decoderStream()", () => {
  it("pipes a real fetch body into typed parts: header, items with their index, footer", async () => {
    server = await startServer((_req, res) => {
      void sendResponse(
        res,
        TOKENS.toResponse(async function* (w) {
          yield w.header({ runId: "r1" });
          for (const [index, token] of ["a", "b", "c"].entries()) {
            yield w.item({ token, index });
            await sleep(2);
          }
          yield w.footer({ tokens: 3 });
        }),
      );
    });
    const response = await fetch(server.url);
    const { parts, error } = await collect(response.body!.pipeThrough(TOKENS.decoderStream()));
    expect(error).toBeUndefined();
    expect(parts).toEqual(EXPECTED);
    // The parts are typed by the definition.
    const tokens = parts.flatMap((p) => (p.part === "item" ? [p.value.token] : []));
    const header = parts.find((p) => p.part === "header");
    expect(tokens.join("")).toBe("abc");
    expect(header?.part === "header" && header.value.runId).toBe("r1");
    expect(await server.settle(2000)).toBe(0);
  });

  for (const entry of FORMATS) {
    it(`${entry.name}: the same parts whatever the chunking`, async () => {
      const T = streamTypes(Token, Run, Done, { format: entry.format() });
      const w = T.writer();
      const bytes = concat([w.header({ runId: "r1" }), ...["a", "b", "c"].map((token, index) => w.item({ token, index })), w.footer({ tokens: 3 }), w.end()]);
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
      const chunkings = [
        [bytes],
        Array.from(bytes, (_, i) => bytes.slice(i, i + 1)),
        ...Array.from({ length: 20 }, () => splitAt(bytes, Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * bytes.length)))),
      ];
      for (const chunks of chunkings) {
        const { parts, error } = await collect(streamOf(chunks).pipeThrough(T.decoderStream()));
        expect(error).toBeUndefined();
        expect(parts).toEqual(EXPECTED);
      }
    });
  }

  it("a bad frame errors the readable side with the reader's StreamError after the good parts, and cancels the source", async () => {
    const UNCHECKED = streamTypes(Token, Run, Done, { validate: false });
    const w = UNCHECKED.writer();
    const frames = [w.header({ runId: "r1" }), w.item({ token: "a", index: 0 }), w.item({ token: 42 as unknown as string, index: 1 }), w.item({ token: "c", index: 2 })];
    const { stream, state } = cancellable(frames);
    const { parts, error } = await collect(stream.pipeThrough(TOKENS.decoderStream()));
    expect(parts).toEqual(EXPECTED.slice(0, 2));
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).code).toBe("VALIDATION");
    expect((error as StreamError).message).toMatch(/item 1/);
    await sleep(10);
    expect(state.cancelled).toBe(true);
  });

  it("limits and truncation are the reader's: LIMIT on maxItems, TRUNCATED on a cut stream", async () => {
    const w = TOKENS.writer();
    const frames = [w.header({ runId: "r1" }), ...["a", "b", "c"].map((token, index) => w.item({ token, index })), w.footer({ tokens: 3 }), w.end()];
    const limited = await collect(streamOf(frames).pipeThrough(TOKENS.decoderStream({ maxItems: 2 })));
    expect(limited.parts).toEqual(EXPECTED.slice(0, 3));
    expect((limited.error as StreamError).code).toBe("LIMIT");
    const all = concat(frames);
    const cut = await collect(streamOf([all.slice(0, all.length - 4)]).pipeThrough(TOKENS.decoderStream()));
    expect((cut.error as StreamError).code).toBe("TRUNCATED");
    expect(cut.parts).toEqual(EXPECTED.slice(0, 4));
  });

  it("an in-band error frame is REMOTE after the items before it", async () => {
    const w = TOKENS.writer();
    const frames = [w.header({ runId: "r1" }), w.item({ token: "a", index: 0 }), w.error(new Error("GPU out of memory"))];
    const { parts, error } = await collect(streamOf(frames).pipeThrough(TOKENS.decoderStream()));
    expect(parts).toEqual(EXPECTED.slice(0, 2));
    expect((error as StreamError).code).toBe("REMOTE");
    expect((error as StreamError).remote?.message).toBe("GPU out of memory");
  });

  it("cancelling the readable side cancels the source, and an abort signal errors it with the signal's reason", async () => {
    const w = TOKENS.writer();
    const { stream, state } = cancellable([w.header({ runId: "r1" }), w.item({ token: "a", index: 0 })]);
    const parts = stream.pipeThrough(TOKENS.decoderStream());
    const reader = parts.getReader();
    expect((await reader.read()).value).toEqual(EXPECTED[0]);
    await reader.cancel("enough");
    await sleep(10);
    expect(state.cancelled).toBe(true);

    const controller = new AbortController();
    const second = cancellable([TOKENS.writer().header({ runId: "r1" })]);
    const reader2 = second.stream.pipeThrough(TOKENS.decoderStream({ signal: controller.signal })).getReader();
    expect((await reader2.read()).value).toEqual(EXPECTED[0]);
    const pending = reader2.read();
    const reason = new Error("user left");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await sleep(10);
    expect(second.state.cancelled).toBe(true);
  });

  it("the upstream's error is the reader's NETWORK before any byte, TRUNCATED after", async () => {
    const failing = (first?: Uint8Array) => {
      let sent = first === undefined;
      return new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent) c.error(new TypeError("connection reset"));
          else c.enqueue(first!);
          sent = true;
        },
      });
    };
    const early = await collect(failing().pipeThrough(TOKENS.decoderStream()));
    expect((early.error as StreamError).code).toBe("NETWORK");
    const late = await collect(failing(TOKENS.writer().header({ runId: "r1" })).pipeThrough(TOKENS.decoderStream()));
    expect(late.parts).toEqual([EXPECTED[0]]);
    expect((late.error as StreamError).code).toBe("TRUNCATED");
  });
});

describe("encoderStream()", () => {
  const input: TypedPartInput<typeof Token, typeof Run, typeof Done>[] = [
    { part: "header", value: { runId: "r1" } },
    { part: "item", value: { token: "a", index: 0 } },
    { part: "item", value: { token: "b", index: 1 }, index: 1 },
    { part: "item", value: { token: "c", index: 2 } },
    { part: "footer", value: { tokens: 3 } },
  ];
  const partsOf = <T>(values: readonly T[]) =>
    new ReadableStream<T>({
      start(c) {
        for (const v of values) c.enqueue(v);
        c.close();
      },
    });

  for (const entry of FORMATS) {
    it(`${entry.name}: encoder → decoder round trip, and the frames are the writer's`, async () => {
      const T = streamTypes(Token, Run, Done, { format: entry.format() });
      const { parts, error } = await collect(partsOf(input).pipeThrough(T.encoderStream()).pipeThrough(T.decoderStream()));
      expect(error).toBeUndefined();
      expect(parts).toEqual(EXPECTED);
      const frames = await collect(partsOf(input).pipeThrough(T.encoderStream()));
      const w = T.writer();
      expect(concat(frames.parts)).toEqual(concat([w.header({ runId: "r1" }), ...["a", "b", "c"].map((token, index) => w.item({ token, index })), w.footer({ tokens: 3 }), w.end()]));
      // and the reader reads the encoded bytes too
      const r = T.reader(partsOf(input).pipeThrough(T.encoderStream()));
      expect(await r.readHeader()).toEqual({ runId: "r1" });
    });
  }

  it("a part the writer refuses sends an error frame (REMOTE for the reader) and errors the writable side", async () => {
    const bad = [input[0]!, input[1]!, { part: "item", value: { token: 1, index: 1 } } as never, input[3]!];
    const encoder = TOKENS.encoderStream();
    const piped = partsOf(bad).pipeTo(encoder.writable);
    const { parts, error } = await collect(encoder.readable.pipeThrough(TOKENS.decoderStream()));
    expect(parts).toEqual(EXPECTED.slice(0, 2));
    expect((error as StreamError).code).toBe("REMOTE");
    expect((error as StreamError).remote?.message).toMatch(/item 1/);
    const pipeError = await piped.then(() => undefined, (err: unknown) => err);
    expect(pipeError).toBeInstanceOf(StreamError);
    expect((pipeError as StreamError).code).toBe("VALIDATION");
  });

  it("an upstream error becomes an error frame; cancelling the frames cancels the upstream", async () => {
    let pulls = 0;
    const upstream = new ReadableStream({
      pull(c) {
        if (pulls++ === 0) c.enqueue(input[0]!);
        else c.error(new Error("model crashed"));
      },
    });
    const { parts, error } = await collect(upstream.pipeThrough(TOKENS.encoderStream()).pipeThrough(TOKENS.decoderStream()));
    expect(parts).toEqual(EXPECTED.slice(0, 1));
    expect((error as StreamError).remote?.message).toBe("model crashed");

    let cancelled: unknown = "not cancelled";
    const slow = new ReadableStream({
      start(c) {
        c.enqueue(input[0]!);
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const frames = slow.pipeThrough(TOKENS.encoderStream()).getReader();
    await frames.read(); // the header frame
    await frames.cancel("consumer left");
    await sleep(20);
    expect(cancelled).toBe("consumer left");
  });
});
