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


/** Resolves true if `p` settles within `ms`, false otherwise. */
const within = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), sleep(ms).then(() => false)]);

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
    const first = it.next();
    expect(await within(first, 3000)).toBe(true);
    expect((await first).value).toEqual({ token: "Hello", index: 0 });
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
    app = await startServer((req, res) => {
      const key = req.url?.endsWith("/without") ? "without" : "with";
      const response = Blob.toResponse(async function* (w) {
        for (let i = 0; i < total; i++) {
          yield w.item({ i, data: new Uint8Array(64 * 1024) });
          produced[key]++;
        }
      });
      if (key === "without") response.headers.delete("X-Accel-Buffering");
      void sendResponse(res, response);
    });
    nginx = await startNginx(Number(new URL(app.url).port));
    for (const key of ["with", "without"] as const) {
      // The client reads 3 items, then stops reading for a while.
      const it = Blob.reader(fetch(`${nginx.url}/stream/${key}`)).readItems();
      for (let i = 0; i < 3; i++) await it.next();
      let last = -1;
      for (let waited = 0; produced[key] !== last && produced[key] < total && waited < 5000; waited += 250) {
        last = produced[key];
        await sleep(250);
      }
      await it.return!();
    }
    // With the header, the producer waits for the client (it runs ahead only by the sockets' buffers).
    expect(produced.with).toBeLessThan(total / 2);
    // Without it, nginx's proxy_buffering (on by default) drains the producer into a temp file.
    expect(produced.without).toBe(total);
    expect(nginx.log).toMatch(/buffered to a temporary file/);
  });

  it("a client abort reaches the producer: its signal aborts and its finally runs", async () => {
    const aborted = gate();
    const finallyRan = gate();
    let produced = 0;
    app = await startServer(
      nodeHandler(() =>
        TOKENS.toResponse(async function* (w, signal) {
          signal.addEventListener("abort", aborted.open);
          try {
            yield w.header({ runId: "abort" });
            for (let i = 0; i < 10_000; i++) {
              yield w.item({ token: String(i), index: i });
              produced++;
              await sleep(10);
            }
            yield w.footer({ tokens: 10_000 });
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
    expect(await within(aborted.opened, 3000)).toBe(true);
    expect(await within(finallyRan.opened, 3000)).toBe(true);
    const stopped = produced;
    await sleep(100);
    expect(produced).toBe(stopped);
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
    expect(await within(finallyRan.opened, 3000)).toBe(true);
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
    app = await startServer(
      nodeHandler(() =>
        TOKENS.toResponse(async function* (w, signal) {
          try {
            yield w.header({ runId: "slow" });
            yield w.item({ token: "a", index: 0 });
            yield w.item({ token: "b", index: 1 });
            // Quiet for 2.5 s, unless the app learns first that nginx has closed the connection.
            await Promise.race([sleep(2500), new Promise((resolve) => signal.addEventListener("abort", resolve))]);
            if (signal.aborted) return;
            yield w.item({ token: "late", index: 2 });
            yield w.footer({ tokens: 3 });
          } finally {
            finallyRan.open();
          }
        }),
      ),
    );
    nginx = await startNginx(Number(new URL(app.url).port), { readTimeout: "1s" });
    const started = Date.now();
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
    expect(Date.now() - started).toBeLessThan(2400); // cut by nginx's timeout, not ended by the producer
    expect(await within(finallyRan.opened, 1000)).toBe(true); // nginx closed the app's connection too
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
