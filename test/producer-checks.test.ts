// What a producer run checks and reports: every frame its writer made is yielded, in order (no silent loss), and
// a failure is reported on the server by default, once, with the stream's context, unless onError is given.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Type } from "@sinclair/typebox";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StreamError, sse, streamTypes } from "../src/index.js";
import { nodeHandler } from "../src/node.js";

const STREAM = streamTypes(Type.Object({ words: Type.Array(Type.String()) }));
const EVENTS = streamTypes(Type.Object({ words: Type.Array(Type.String()) }), undefined, undefined, { format: sse() });

async function readAll(body: ReadableStream<Uint8Array>, types = STREAM) {
  const r = types.reader(body);
  const items: unknown[] = [];
  try {
    for await (const item of r.readItems()) items.push(item);
    return { items, completed: r.completed, error: undefined };
  } catch (err) {
    return { items, completed: r.completed, error: err as StreamError };
  }
}

let logged: unknown[][];
beforeEach(() => {
  logged = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args));
});
afterEach(() => vi.restoreAllMocks());

describe("no silent loss: every frame the writer made is yielded, in order", () => {
  it("a forgotten yield (forEach) fails the run: REMOTE for the reader, naming the fix", async () => {
    const body = STREAM.toReadableStream(async function* (w) {
      ["a", "b", "c"].forEach((x) => w.item({ words: [x] }));
    });
    const { items, completed, error } = await readAll(body);
    expect(items).toEqual([]);
    expect(completed).toBe(false);
    expect(error?.code).toBe("REMOTE");
    expect(error?.remote?.code).toBe("ORDER");
    expect(error?.message).toContain("without yielding 3 frames its writer made (item 0 first)");
    expect(error?.message).toContain("for … of");
  });

  it("in SSE too, and a frame made after those yielded is caught at the return", async () => {
    const body = EVENTS.toReadableStream(async function* (w) {
      yield w.item({ words: ["a"] });
      w.item({ words: ["b"] });
    });
    const { items, error } = await readAll(body, EVENTS);
    expect(items).toEqual([{ words: ["a"] }]);
    expect(error?.code).toBe("REMOTE");
    expect(error?.message).toContain("(item 1 first)");
  });

  it("frames yielded out of the order made fail the run before the misplaced one is sent", async () => {
    const body = STREAM.toReadableStream(async function* (w) {
      const first = w.item({ words: ["first"] });
      const second = w.item({ words: ["second"] });
      yield second;
      yield first;
    });
    const { items, error } = await readAll(body);
    expect(items).toEqual([]);
    expect(error?.remote?.code).toBe("ORDER");
    expect(error?.message).toContain("yielded item 1 before item 0");
  });

  it("frames made and yielded one by one, or a few made and then yielded in order, pass", async () => {
    const body = STREAM.toReadableStream(async function* (w) {
      const frames = ["a", "b"].map((x) => w.item({ words: [x] }));
      yield* frames;
      yield w.item({ words: ["c"] });
      yield w.end();
    });
    const { items, completed, error } = await readAll(body);
    expect(error).toBeUndefined();
    expect(completed).toBe(true);
    expect(items).toHaveLength(3);
  });
});

describe("producer failures are reported on the server", () => {
  it("by default: console.error, once, with the stream's context and the error", async () => {
    const boom = new Error("the model is down");
    const body = STREAM.toReadableStream(async function* (w) {
      yield w.item({ words: ["a"] });
      throw boom;
    });
    const { error } = await readAll(body);
    expect(error?.code).toBe("REMOTE");
    expect(logged).toHaveLength(1);
    expect(String(logged[0]![0])).toContain("the producer of a binary stream, after 1 frame failed");
    expect(logged[0]![1]).toBe(boom);
  });

  it("a writer's VALIDATION inside toResponse, served by nodeHandler over node:http, is logged on the server", async () => {
    const server: Server = createServer(
      nodeHandler(() =>
        STREAM.toResponse(async function* (w) {
          yield w.item({ words: [1 as unknown as string] });
        }),
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const r = STREAM.reader(fetch(`http://127.0.0.1:${port}/`));
      const error = await (async () => {
        for await (const _ of r.readItems());
      })().catch((err: StreamError) => err);
      expect((error as StreamError).code).toBe("REMOTE");
      expect(logged).toHaveLength(1);
      expect((logged[0]![1] as StreamError).code).toBe("VALIDATION");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("with onError, only onError hears of it", async () => {
    const heard: unknown[] = [];
    const body = STREAM.toReadableStream(
      async function* () {
        throw new Error("boom");
      },
      { onError: (err) => heard.push(err) },
    );
    await readAll(body);
    expect(heard).toHaveLength(1);
    expect(logged).toEqual([]);
  });

  it("a channel's fail(err), whose caller has the error, is not logged", async () => {
    const ch = STREAM.channel();
    ch.fail(new Error("upstream failed"));
    const { error } = await readAll(ch.readable);
    expect(error?.code).toBe("REMOTE");
    expect(logged).toEqual([]);
  });
});
