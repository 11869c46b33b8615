// STREAM.fetch(): one signal for the request and the reader, the format's Accept header, HTTP and NETWORK errors, over a real node:http server.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Type } from "@sinclair/typebox";
import { afterEach, describe, expect, it } from "vitest";
import { StreamError, streamTypes } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { anySignal } from "../src/sources/fetch.js";
import { FORMATS } from "./formats.js";
import { gate, rejection } from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const Token = Type.Object({ token: Type.String(), index: Type.Integer() });
const Run = Type.Object({ runId: Type.String() });
const Done = Type.Object({ tokens: Type.Integer() });


let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that records each request's Accept header and serves `handler`'s stream. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ accepts: (string | undefined)[] }> {
  const accepts: (string | undefined)[] = [];
  server = await startServer((req, res) => {
    accepts.push(req.headers.accept);
    handler(req, res);
  });
  return { accepts };
}

describe("STREAM.fetch()", () => {
  for (const entry of FORMATS) {
    it(`reads a whole ${entry.name} stream and asks for it with the format's Accept header`, async () => {
      const TOKENS = streamTypes(Token, Run, Done, { format: entry.format() });
      const { accepts } = await serve((_req, res) => {
        void sendResponse(
          res,
          TOKENS.toResponse(async function* (w) {
            yield w.header({ runId: "r1" });
            for (let index = 0; index < 3; index++) yield w.item({ token: `t${index}`, index });
            yield w.footer({ tokens: 3 });
          }),
        );
      });
      const r = TOKENS.fetch(`${server!.url}/tokens`);
      expect(await r.readHeader()).toEqual({ runId: "r1" });
      const items = [];
      for await (const item of r.readItems()) items.push(item);
      expect(items.map((i) => i.token)).toEqual(["t0", "t1", "t2"]);
      expect(await r.readFooter()).toEqual({ tokens: 3 });
      expect(r.completed).toBe(true);
      expect(accepts).toEqual([TOKENS.format.accept]);
      expect(TOKENS.format.accept.length).toBeGreaterThan(0);
    });
  }

  it("keeps an Accept header the caller set, in init or on a Request, and passes the rest of init on", async () => {
    const TOKENS = streamTypes(Token);
    const seen: { accept?: string; method?: string; body?: string }[] = [];
    await serve((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ accept: req.headers.accept, method: req.method, body });
        void sendResponse(res, TOKENS.toResponse(function* (w) { yield w.item({ token: "a", index: 0 }); }));
      });
    });
    const viaInit = TOKENS.fetch(server!.url, { method: "POST", body: "prompt", headers: { Accept: "*/*" } });
    for await (const _ of viaInit.readItems());
    const viaRequest = TOKENS.fetch(new Request(server!.url, { headers: { accept: "application/x-custom" } }));
    for await (const _ of viaRequest.readItems());
    const viaUrl = TOKENS.fetch(new URL(server!.url), { headers: [["x-other", "1"]] });
    for await (const _ of viaUrl.readItems());
    expect(seen).toEqual([
      { accept: "*/*", method: "POST", body: "prompt" },
      { accept: "application/x-custom", method: "GET", body: "" },
      { accept: TOKENS.format.accept, method: "GET", body: "" },
    ]);
  });

  for (const via of ["reader options", "init", "both (the reader's)", "both (init's)"] as const) {
    it(`an abort mid-stream through ${via} rejects with the signal's reason, ends the request and runs the producer's finally`, async () => {
      const TOKENS = streamTypes(Token, Run);
      const finallyRan = gate();
      await serve((_req, res) => {
        void sendResponse(
          res,
          TOKENS.toResponse(async function* (w) {
            try {
              yield w.header({ runId: "endless" });
              for (let index = 0; ; index++) {
                yield w.item({ token: "x", index });
                await sleep(5);
              }
            } finally {
              finallyRan.open();
            }
          }),
        );
      });
      const readerController = new AbortController();
      const initController = new AbortController();
      const useReader = via !== "init";
      const useInit = via !== "reader options";
      const r = TOKENS.fetch(server!.url, useInit ? { signal: initController.signal } : undefined, useReader ? { signal: readerController.signal } : undefined);
      await r.readHeader();
      const reason = new Error(`stopped through ${via}`);
      const seen: number[] = [];
      const loop = (async () => {
        for await (const item of r.readItems()) {
          seen.push(item.index);
          if (seen.length === 3) (via === "init" || via === "both (init's)" ? initController : readerController).abort(reason);
        }
      })();
      await expect(loop).rejects.toBe(reason);
      expect(seen).toEqual([0, 1, 2]);
      await finallyRan.opened;
      expect(await server!.settle()).toBe(0);
    });
  }

  it("a signal aborted before the call rejects with its reason, and no request is sent", async () => {
    const TOKENS = streamTypes(Token);
    const { accepts } = await serve((_req, res) => res.writeHead(500).end());
    const reason = new Error("too late");
    const r = TOKENS.fetch(server!.url, undefined, { signal: AbortSignal.abort(reason) });
    await expect(r.readItems().next()).rejects.toBe(reason);
    // A request made after it reaches the server: had the aborted call sent one, it would have arrived first.
    await (await fetch(server!.url, { headers: { accept: "probe" } })).arrayBuffer();
    expect(accepts).toEqual(["probe"]);
  });

  it("a 404 is HTTP with the status and a preview of the body", async () => {
    const TOKENS = streamTypes(Token);
    await serve((_req, res) => res.writeHead(404, { "content-type": "text/plain" }).end("no such stream"));
    const err = await rejection(TOKENS.fetch(`${server!.url}/missing`).readItems().next());
    expect(err.code).toBe("HTTP");
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/HTTP 404.*no such stream/);
  });

  it("a refused connection is NETWORK, with fetch's error as the cause", async () => {
    const TOKENS = streamTypes(Token);
    const closed = await startServer(() => {});
    const url = closed.url;
    await closed.close();
    const err = await rejection(TOKENS.fetch(url).readItems().next());
    expect(err).toBeInstanceOf(StreamError);
    expect(err.code).toBe("NETWORK");
    expect(err.cause).toBeInstanceOf(TypeError);
  });
});

describe("anySignal", () => {
  it("is the one signal given, or none", () => {
    const s = new AbortController().signal;
    expect(anySignal([undefined, s, null])).toBe(s);
    expect(anySignal([s, s])).toBe(s);
    expect(anySignal([undefined])).toBeUndefined();
  });

  for (const how of ["AbortSignal.any", "the fallback without AbortSignal.any"]) {
    it(`combines several with ${how}: the first abort wins, with its reason`, () => {
      const original = (AbortSignal as { any?: unknown }).any;
      if (how !== "AbortSignal.any") Object.defineProperty(AbortSignal, "any", { value: undefined, configurable: true, writable: true });
      try {
        const a = new AbortController();
        const b = new AbortController();
        const combined = anySignal([a.signal, b.signal])!;
        expect(combined.aborted).toBe(false);
        b.abort("b first");
        a.abort("a second");
        expect(combined.aborted).toBe(true);
        expect(combined.reason).toBe("b first");
        const already = anySignal([new AbortController().signal, AbortSignal.abort("done")])!;
        expect(already.reason).toBe("done");
      } finally {
        if (how !== "AbortSignal.any") Object.defineProperty(AbortSignal, "any", { value: original, configurable: true, writable: true });
      }
    });
  }
});
