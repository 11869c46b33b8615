// Producers and consumers over a real node:http server on 127.0.0.1 and the real fetch.
import { Type } from "@sinclair/typebox";
import { afterEach, describe, expect, it } from "vitest";
import { StreamError, streamTypes } from "../src/index.js";
import { nodeHandler, sendResponse } from "../src/node.js";
import { ITEMS_ONLY, items } from "./fixtures.js";
import { gate, readAll, rejection } from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const Token = Type.Object({ token: Type.String(), index: Type.Integer() });
const Run = Type.Object({ runId: Type.String() });
const Done = Type.Object({ tokens: Type.Integer() });
const TOKENS = streamTypes(Token, Run, Done);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});


describe("over HTTP", () => {
  it("serves the streaming headers", async () => {
    server = await startServer((_req, res) => void sendResponse(res, TOKENS.toResponse(function* () {})));
    const res = await fetch(server.url);
    expect(res.headers.get("content-type")).toBe("application/vnd.streamtypes; codec=msgpack");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    await res.body?.cancel();
  });

  it("items arrive incrementally: the client has the first item while the producer waits to produce the second", async () => {
    const second = gate();
    const log: string[] = [];
    server = await startServer((_req, res) =>
      void sendResponse(
        res,
        TOKENS.toResponse(async function* (w) {
          yield w.header({ runId: "r1" });
          yield w.item({ token: "Hello", index: 0 });
          log.push("producer waits");
          await second.opened;
          log.push("producer resumes");
          yield w.item({ token: " world", index: 1 });
          yield w.footer({ tokens: 2 });
        }),
      ),
    );
    const r = TOKENS.reader(fetch(server.url));
    expect(await r.readHeader()).toEqual({ runId: "r1" });
    const it = r.readItems();
    expect((await it.next()).value).toEqual({ token: "Hello", index: 0 });
    log.push("client has item 0");
    second.open();
    expect((await it.next()).value).toEqual({ token: " world", index: 1 });
    expect((await it.next()).done).toBe(true);
    expect(await r.readFooter()).toEqual({ tokens: 2 });
    expect(log).toEqual(["producer waits", "client has item 0", "producer resumes"]);
  });

  it("a slow consumer pauses the producer: it stops far short of the stream's length, and never runs to its end", async () => {
    const Blob = streamTypes(Type.Object({ i: Type.Integer(), data: Type.Uint8Array() }));
    let produced = 0;
    let ranToEnd = false;
    const total = 2000;
    const waitsForDrain = gate();
    const finallyRan = gate();
    server = await startServer((_req, res) => {
      // sendResponse waits for "drain" only when the socket is full: the positive sign that the client holds back
      res.on("newListener", (event) => event === "drain" && waitsForDrain.open());
      void sendResponse(
        res,
        Blob.toResponse(async function* (w) {
          try {
            for (let i = 0; i < total; i++) {
              yield w.item({ i, data: new Uint8Array(64 * 1024) });
              produced++;
            }
            ranToEnd = true;
          } finally {
            finallyRan.open();
          }
        }),
      );
    });
    const it = Blob.reader(fetch(server.url)).readItems();
    for (let i = 0; i < 3; i++) await it.next();
    await waitsForDrain.opened;
    // Paused: what runs ahead of the client is the producer's high-water mark plus the transport's buffers (Node's
    // socket buffer, the kernel's, fetch's), a bounded number of frames.
    expect(produced).toBeLessThan(total / 4);
    await it.return!();
    // The client left: the producer is cancelled where it waited, never having run on to its end.
    await finallyRan.opened;
    expect(ranToEnd).toBe(false);
    expect(produced).toBeLessThan(total / 4);
  });

  it("the client aborts mid-stream: the producer's finally runs and no stream stays open", async () => {
    const finallyRan = gate();
    server = await startServer((_req, res) =>
      void sendResponse(
        res,
        ITEMS_ONLY.toResponse(async function* (w) {
          try {
            for (let i = 0; i < 10_000; i++) {
              yield w.item({ words: [String(i)] });
              await sleep(5);
            }
          } finally {
            finallyRan.open();
          }
        }),
      ),
    );
    const controller = new AbortController();
    const r = ITEMS_ONLY.reader(fetch(server.url, { signal: controller.signal }), { signal: controller.signal });
    const it = r.readItems();
    for (let i = 0; i < 3; i++) await it.next();
    controller.abort(new Error("user closed the tab"));
    await expect(it.next()).rejects.toThrow("user closed the tab");
    await finallyRan.opened;
    expect(await server.settle()).toBe(0);
  });

  it("the producer throws after 3 items: the client gets the 3 items, then REMOTE with the producer's message", async () => {
    server = await startServer((_req, res) =>
      void sendResponse(
        res,
        ITEMS_ONLY.toResponse(async function* (w) {
          for (const item of items) yield w.item(item);
          throw new Error("GPU out of memory");
        }),
      ),
    );
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(fetch(server.url)));
    expect(result.items).toEqual(items);
    expect(result.error?.code).toBe("REMOTE");
    expect(result.error?.remote?.message).toBe("GPU out of memory");
    expect(result.error?.remote?.stack).toBeUndefined();
  });

  it("the server destroys the socket mid-stream: the client gets TRUNCATED after the items it had", async () => {
    server = await startServer((_req, res) => {
      const w = ITEMS_ONLY.writer();
      res.writeHead(200, { "content-type": ITEMS_ONLY.contentType });
      res.write(w.item(items[0]!));
      // cut once the partial frame has gone out to the socket
      res.write(w.item(items[1]!).subarray(0, 4), () => res.destroy());
    });
    const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(fetch(server.url)));
    expect(result.items).toEqual([items[0]]);
    expect(result.error?.code).toBe("TRUNCATED");
    expect(result.error?.cause).toBeDefined();
  });

  it("keep-alives do not restart idleTimeoutMs: a producer quiet for longer gets TIMEOUT with keep-alive on or off", async () => {
    for (const keepAliveMs of [40, undefined]) {
      // The first request's producer stays quiet until its reader has timed out (keep-alives flowing meanwhile)
      let requests = 0;
      const timedOut = gate();
      server = await startServer((_req, res) => {
        const quietUntilTimedOut = ++requests === 1;
        void sendResponse(
          res,
          ITEMS_ONLY.toResponse(
            async function* (w) {
              for (let i = 0; i < 3; i++) {
                if (quietUntilTimedOut) await timedOut.opened;
                else await sleep(100);
                yield w.item({ words: [String(i)] });
              }
            },
            keepAliveMs === undefined ? {} : { keepAliveMs },
          ),
        );
      });
      const result = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(fetch(server.url), { idleTimeoutMs: 150 }));
      timedOut.open();
      expect(result.items).toHaveLength(0);
      expect(result.error?.code).toBe("TIMEOUT");
      // An idle timeout far longer than the pauses lets the same stream complete, keep-alives or not.
      const complete = await readAll(ITEMS_ONLY, ITEMS_ONLY.reader(fetch(server.url), { idleTimeoutMs: 10_000 }));
      expect(complete.error).toBeUndefined();
      expect(complete.items).toHaveLength(3);
      expect(await server.settle()).toBe(0);
      await server.close();
      server = undefined;
    }
  });

  it("a non-2xx response is an HTTP error with its status and a preview of the body", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(503, { "content-type": "text/html" });
      res.end("<html><body><h1>503 Service Unavailable</h1></body></html>");
    });
    const err = await rejection(ITEMS_ONLY.reader(fetch(server.url)).readItems().next());
    expect(err.code).toBe("HTTP");
    expect(err.status).toBe(503);
    expect(err.message).toMatch(/HTTP 503/);
    expect(err.message).toMatch(/503 Service Unavailable<\/h1>/);
  });

  it("a fetch that fails before any response is NETWORK with the network error as cause and in the message", async () => {
    const s = await startServer(() => {});
    const url = s.url;
    await s.close();
    const err = await rejection(ITEMS_ONLY.reader(fetch(url)).readItems().next());
    expect(err).toBeInstanceOf(StreamError);
    expect(err.code).toBe("NETWORK");
    expect(err.cause).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/fetch failed/);
  });

  it("serves a fetch-style handler through nodeHandler, POST body included, and consume() reads it", async () => {
    server = await startServer(
      nodeHandler(async (request) => {
        const { prompt } = (await request.json()) as { prompt: string };
        return TOKENS.toResponse(async function* (w) {
          yield w.header({ runId: "post" });
          const words = prompt.split(" ");
          for (const [index, token] of words.entries()) yield w.item({ token, index });
          yield w.footer({ tokens: words.length });
        });
      }),
    );
    const seen: string[] = [];
    const summary = await TOKENS.consume(fetch(server.url, { method: "POST", body: JSON.stringify({ prompt: "a b c" }) }), {
      onHeader: (h) => void seen.push(h.runId),
      onItem: (t) => void seen.push(t.token),
      onFooter: (f) => void seen.push(String(f.tokens)),
    });
    expect(seen).toEqual(["post", "a", "b", "c", "3"]);
    expect(summary.items).toBe(3);
  });
});
