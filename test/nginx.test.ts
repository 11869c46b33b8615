// Streams through a real nginx (Debian's /usr/sbin/nginx) running docs/nginx.md's config in front of a node:http
// server: items as they are produced, client aborts, keep-alive against proxy_read_timeout, and cuts as TRUNCATED.
import { Type } from "@sinclair/typebox";
import { afterEach, describe, expect, it } from "vitest";
import { StreamError, streamTypes } from "../src/index.js";
import { nodeHandler, sendResponse } from "../src/node.js";
import { NGINX_BINARY, startNginx, type Nginx } from "./nginx.js";
import { skipWithout } from "./required-program.js";
import { startServer, type TestServer } from "./server.js";
import { gate } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const Token = Type.Object({ token: Type.String(), index: Type.Integer() });
const Run = Type.Object({ runId: Type.String() });
const Done = Type.Object({ tokens: Type.Integer() });
const TOKENS = streamTypes(Token, Run, Done);
const SSE_TOKENS = streamTypes(Token, Run, Done, { framing: "sse" });


let app: TestServer | undefined;
let nginx: Nginx | undefined;
afterEach(async () => {
  await nginx?.stop();
  await app?.close();
  nginx = undefined;
  app = undefined;
});

describe.skipIf(skipWithout(NGINX_BINARY, "the nginx tests", "apt-get install nginx"))("through nginx (docs/nginx.md's config)", () => {
  it.each([
    ["binary", TOKENS],
    ["SSE", SSE_TOKENS],
  ] as const)("items arrive as they are produced (%s): the client has item 0 while the producer is held before item 1", async (_name, STREAM) => {
    const second = gate();
    const log: string[] = [];
    app = await startServer(
      nodeHandler(() =>
        STREAM.toResponse(async function* (w) {
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
    nginx = await startNginx(Number(new URL(app.url).port));
    const r = STREAM.reader(fetch(`${nginx.url}/stream/tokens`));
    expect(await r.readHeader()).toEqual({ runId: "r1" });
    const it = r.readItems();
    // were item 0 held back (buffered) until the producer goes on, this would never resolve
    expect((await it.next()).value).toEqual({ token: "Hello", index: 0 });
    log.push("client has item 0");
    second.open();
    expect((await it.next()).value).toEqual({ token: " world", index: 1 });
    expect((await it.next()).done).toBe(true);
    expect(await r.readFooter()).toEqual({ tokens: 2 });
    expect(log).toEqual(["producer waits", "client has item 0", "producer resumes"]);
  });

  it("X-Accel-Buffering: no is what passes a slow client's backpressure on; without it nginx reads the whole stream ahead into a temp file", async () => {
    const Blob = streamTypes(Type.Object({ i: Type.Integer(), data: Type.Uint8Array() }));
    const total = 1000; // 64 MB
    const produced = { with: 0, without: 0 };
    const ranToEnd = { with: false, without: false };
    const waitsForDrain = { with: gate(), without: gate() };
    const finallyRan = { with: gate(), without: gate() };
    app = await startServer((req, res) => {
      const key = req.url?.endsWith("/without") ? "without" : "with";
      // sendResponse waits for "drain" only when nginx stops taking the stream: the sign that backpressure holds
      res.on("newListener", (event) => event === "drain" && waitsForDrain[key].open());
      const response = Blob.toResponse(async function* (w) {
        try {
          for (let i = 0; i < total; i++) {
            yield w.item({ i, data: new Uint8Array(64 * 1024) });
            produced[key]++;
          }
          ranToEnd[key] = true;
        } finally {
          finallyRan[key].open();
        }
      });
      if (key === "without") response.headers.delete("X-Accel-Buffering");
      void sendResponse(res, response);
    });
    nginx = await startNginx(Number(new URL(app.url).port));
    // With the header: the client reads 3 items, then stops; the producer waits for it (it runs ahead only by the
    // sockets' buffers) until the client leaves, and never runs to its end.
    const slow = Blob.reader(fetch(`${nginx.url}/stream/with`)).readItems();
    for (let i = 0; i < 3; i++) await slow.next();
    await waitsForDrain.with.opened;
    expect(produced.with).toBeLessThan(total / 2);
    await slow.return!();
    await finallyRan.with.opened;
    expect(ranToEnd.with).toBe(false);
    expect(produced.with).toBeLessThan(total / 2);
    // Without it, nginx's proxy_buffering (on by default) drains the producer into a temp file while the client,
    // after 3 items, reads nothing more: the producer runs to its end.
    const stalled = Blob.reader(fetch(`${nginx.url}/stream/without`)).readItems();
    for (let i = 0; i < 3; i++) await stalled.next();
    await finallyRan.without.opened;
    await stalled.return!();
    expect(ranToEnd.without).toBe(true);
    expect(produced.without).toBe(total);
    expect(nginx.log).toMatch(/buffered to a temporary file/);
  });

  it("a client abort reaches the producer: its signal aborts and its finally runs", async () => {
    const aborted = gate();
    const finallyRan = gate();
    let ranToEnd = false;
    app = await startServer(
      nodeHandler(() =>
        TOKENS.toResponse(async function* (w, signal) {
          signal.addEventListener("abort", aborted.open);
          try {
            yield w.header({ runId: "abort" });
            for (let i = 0; i < 10_000; i++) {
              yield w.item({ token: String(i), index: i });
              await sleep(10);
            }
            yield w.footer({ tokens: 10_000 });
            ranToEnd = true;
          } finally {
            finallyRan.open();
          }
        }),
      ),
    );
    nginx = await startNginx(Number(new URL(app.url).port));
    const controller = new AbortController();
    const r = TOKENS.reader(fetch(`${nginx.url}/stream/tokens`, { signal: controller.signal }), { signal: controller.signal });
    await r.readHeader();
    const it = r.readItems();
    for (let i = 0; i < 3; i++) expect((await it.next()).value).toEqual({ token: String(i), index: i });
    controller.abort(new Error("user closed the tab"));
    await expect(it.next()).rejects.toThrow("user closed the tab");
    await aborted.opened;
    await finallyRan.opened; // the producer is over: it produces nothing more
    expect(ranToEnd).toBe(false);
    expect(await app.settle()).toBe(0);
  });

  it("a client abort reaches a quiet producer too (nothing to write that would notice the closed client)", async () => {
    const waiting = gate();
    const finallyRan = gate();
    let reason: unknown;
    app = await startServer(
      nodeHandler(() =>
        TOKENS.toResponse(async function* (w, signal) {
          try {
            yield w.header({ runId: "quiet" });
            yield w.item({ token: "a", index: 0 });
            waiting.open();
            await new Promise((resolve) => signal.addEventListener("abort", resolve));
            reason = signal.reason;
          } finally {
            finallyRan.open();
          }
        }),
      ),
    );
    nginx = await startNginx(Number(new URL(app.url).port));
    const r = TOKENS.reader(fetch(`${nginx.url}/stream/tokens`));
    await r.readHeader();
    const it = r.readItems();
    expect((await it.next()).value).toEqual({ token: "a", index: 0 });
    await waiting.opened;
    await r.cancel();
    await finallyRan.opened;
    expect(reason).toBeInstanceOf(Error);
  });

  it.each([
    ["binary", TOKENS],
    ["SSE", SSE_TOKENS],
  ] as const)("keepAliveMs (300 ms) keeps a producer that is quiet for 2.5 s alive past proxy_read_timeout (1 s) (%s)", async (_name, STREAM) => {
    app = await startServer(
      nodeHandler(() =>
        STREAM.toResponse(
          async function* (w) {
            yield w.header({ runId: "slow" });
            yield w.item({ token: "thinking", index: 0 });
            await sleep(2500);
            yield w.item({ token: "done", index: 1 });
            yield w.footer({ tokens: 2 });
          },
          { keepAliveMs: 300 },
        ),
      ),
    );
    nginx = await startNginx(Number(new URL(app.url).port), { readTimeout: "1s" });
    const r = STREAM.reader(fetch(`${nginx.url}/stream/tokens`));
    expect(await r.readHeader()).toEqual({ runId: "slow" });
    const items = [];
    for await (const item of r.readItems()) items.push(item);
    expect(items).toEqual([
      { token: "thinking", index: 0 },
      { token: "done", index: 1 },
    ]);
    expect(await r.readFooter()).toEqual({ tokens: 2 });
  });

  it("without keep-alive, nginx cuts the quiet stream at proxy_read_timeout (1 s): TRUNCATED after the items before the cut", async () => {
    const finallyRan = gate();
    let abortedByNginx = false;
    app = await startServer(
      nodeHandler(() =>
        TOKENS.toResponse(async function* (w, signal) {
          try {
            yield w.header({ runId: "slow" });
            yield w.item({ token: "a", index: 0 });
            yield w.item({ token: "b", index: 1 });
            // Quiet until the app learns that nginx has closed the connection: only nginx's timeout can end this
            // stream (were it not to, the test's time bound fails it).
            await new Promise((resolve) => signal.addEventListener("abort", resolve));
            abortedByNginx = true;
          } finally {
            finallyRan.open();
          }
        }),
      ),
    );
    nginx = await startNginx(Number(new URL(app.url).port), { readTimeout: "1s" });
    const r = TOKENS.reader(fetch(`${nginx.url}/stream/tokens`));
    expect(await r.readHeader()).toEqual({ runId: "slow" });
    const items: unknown[] = [];
    let error: unknown;
    try {
      for await (const item of r.readItems()) items.push(item);
      await r.readFooter();
    } catch (err) {
      error = err;
    }
    expect(items).toEqual([
      { token: "a", index: 0 },
      { token: "b", index: 1 },
    ]);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).code).toBe("TRUNCATED");
    await finallyRan.opened;
    expect(abortedByNginx).toBe(true); // nginx closed the app's connection too
    expect(nginx.log).toMatch(/upstream timed out/);
  });

  it("the app is down: nginx's 502 page is an HTTP error with status 502, not a stream", async () => {
    const gone = await startServer(() => {});
    const port = Number(new URL(gone.url).port);
    await gone.close();
    nginx = await startNginx(port);
    let error: unknown;
    try {
      await TOKENS.reader(fetch(`${nginx.url}/stream/tokens`)).readHeader();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).code).toBe("HTTP");
    expect((error as StreamError).status).toBe(502);
    expect((error as StreamError).message).toMatch(/502 Bad Gateway/);
  });
});
