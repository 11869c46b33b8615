// The Node adapter (src/node.ts) against real node:http servers on 127.0.0.1: malformed requests, clients that leave
// at any moment, handler errors, reason phrases and HEAD, over raw sockets and fetch.
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { Type } from "@sinclair/typebox";
import { afterEach, describe, expect, it, vi } from "vitest";
import { streamTypes } from "../src/index.js";
import { nodeHandler, sendResponse } from "../src/node.js";
import { gate } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NUMBERS = streamTypes(Type.Object({ i: Type.Integer() }));

const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** A node:http server on 127.0.0.1 with an ephemeral port, closed after the test. */
async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: ServerOptions = {},
): Promise<{ url: string; port: number; readonly connections: number; allClosed(): Promise<void> }> {
  const server = createServer(options, handler);
  servers.push(server);
  let connections = 0;
  let wake: (() => void)[] = [];
  server.on("connection", (socket) => {
    connections++;
    socket.on("close", () => {
      if (--connections > 0) return;
      for (const resolve of wake) resolve();
      wake = [];
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    /** Resolves when no connection accepted so far is open (woken by their close events). */
    allClosed: () => (connections === 0 ? Promise.resolve() : new Promise<void>((resolve) => wake.push(resolve))),
  };
}

/**
 * Writes `request` as is on a new socket and returns what came back (latin1) when the server closes the
 * connection, or when the headers are complete if `headersOnly` (the test's time bound guards against a hang).
 */
function raw(port: number, request: string, { headersOnly = false } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const done = () => {
      socket.destroy();
      resolve(received);
    };
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (headersOnly && received.includes("\r\n\r\n")) done();
    });
    socket.on("close", done);
    socket.on("error", done);
    socket.write(request, "latin1");
  });
}

const statusLine = (response: string) => response.split("\r\n", 1)[0];

describe("nodeHandler: requests a fetch Request cannot represent get 400, and the server keeps serving", () => {
  const cases: [string, string][] = [
    ["a Host that is no host ([)", "GET / HTTP/1.1\r\nHost: [\r\nConnection: close\r\n\r\n"],
    ["a Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n"],
    ["a Host with a path and query", "GET / HTTP/1.1\r\nHost: evil.example/x?\r\nConnection: close\r\n\r\n"],
    ["a bad absolute-form URL", "GET http://[/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["an absolute-form URL that is not http(s)", "GET ftp://x/y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["a method fetch forbids (TRACE)", "TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["a method Node's parser refuses (FOO)", "FOO / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["the asterisk form (OPTIONS *)", "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  ];
  it.each(cases)("%s", async (_name, request) => {
    let handled = 0;
    const { url, port } = await listen(
      nodeHandler(() => {
        handled++;
        return new Response("ok");
      }),
    );
    expect(statusLine(await raw(port, request))).toBe("HTTP/1.1 400 Bad Request");
    expect(handled).toBe(0);
    const res = await fetch(url);
    expect(await res.text()).toBe("ok");
    expect(handled).toBe(1);
  });

  it("a header value Headers refuses (NUL, let through by insecureHTTPParser)", async () => {
    const { url, port } = await listen(
      nodeHandler(() => new Response("ok")),
      { insecureHTTPParser: true },
    );
    const response = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Odd: a\0b\r\nConnection: close\r\n\r\n");
    expect(statusLine(response)).toBe("HTTP/1.1 400 Bad Request");
    expect(await (await fetch(url)).text()).toBe("ok");
  });

  it("a path that starts with // stays a path: request.url keeps the Host", async () => {
    const seen: string[] = [];
    const { port } = await listen(
      nodeHandler((request) => {
        seen.push(request.url);
        return new Response("ok");
      }),
    );
    expect(statusLine(await raw(port, "GET //evil.example/x?q=1 HTTP/1.1\r\nHost: app.example:8080\r\nConnection: close\r\n\r\n"))).toBe("HTTP/1.1 200 OK");
    expect(seen).toEqual(["http://app.example:8080//evil.example/x?q=1"]);
  });

  it("a client that leaves mid-upload fails the handler's body read, not the process", async () => {
    const errors: unknown[] = [];
    const reading = gate();
    const failed = gate();
    const { url, port } = await listen(
      nodeHandler(
        async (request) => {
          if (request.method === "POST") {
            reading.open();
            await request.text(); // rejects: the body ends early
          }
          return new Response("ok");
        },
        { onError: (err) => (errors.push(err), failed.open()) },
      ),
    );
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly ten b");
    await reading.opened; // the handler is reading the body
    socket.destroy();
    await failed.opened;
    expect(errors).toHaveLength(1);
    expect(await (await fetch(url)).text()).toBe("ok");
  });
});

describe("sendResponse: a client that leaves at any moment stops the producer", () => {
  it("300 clients leave at random moments (before the handler returns, mid-stream): every producer runs its finally and every sendResponse settles", async () => {
    const total = 300;
    let handled = 0;
    let goneBeforeSend = 0;
    let started = 0;
    let finished = 0;
    let goneMidStream = 0;
    let settled = 0;
    const handlers: Promise<void>[] = [];
    const producersDone: Promise<void>[] = [];
    const { url, port, allClosed } = await listen((_req, res) => {
      handled++;
      const handling = (async () => {
        // The handler's own async work, before or after it makes the Response (whose producer then starts at once);
        // the random pauses spread the moments the clients leave at, they synchronise nothing.
        const early = Math.random() < 0.5;
        if (!early) await sleep(Math.random() * 15);
        const response = NUMBERS.toResponse(async function* (w, signal) {
          started++;
          const done = gate();
          producersDone.push(done.opened);
          try {
            for (let i = 0; i < 200; i++) {
              yield w.item({ i });
              await sleep(Math.random() * 2);
            }
          } finally {
            finished++;
            done.open();
          }
        });
        if (early) await sleep(Math.random() * 15);
        if (res.destroyed || res.req.socket.destroyed) goneBeforeSend++;
        else res.on("close", () => void (res.headersSent && !res.writableFinished && goneMidStream++));
        await sendResponse(res, response);
        settled++;
      })();
      handlers.push(handling);
    });

    const leave = async (n: number) => {
      const after = Math.random() * 60;
      if (n % 2 === 0) {
        // A raw socket that goes away, whether or not the response has started.
        const socket = connect(port, "127.0.0.1");
        socket.on("error", () => {});
        socket.on("data", () => {});
        socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await sleep(after);
        socket.destroy();
      } else {
        // fetch, aborted while waiting for the response or while reading the body.
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), after);
        try {
          const res = await fetch(url, { signal: controller.signal });
          for await (const _ of res.body!) void _;
        } catch {
          // the abort
        } finally {
          clearTimeout(timer);
        }
      }
    };
    const queue = Array.from({ length: total }, (_, n) => n);
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let n = queue.shift(); n !== undefined; n = queue.shift()) await leave(n);
      }),
    );

    // The server accepts and parses some connections after their clients have already gone. A last request, on a
    // connection made after all of theirs, completes only once the server has accepted those before it; when every
    // connection has then closed, every request has been handled: wait for each handler and each started producer.
    expect(statusLine(await raw(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))).toBe("HTTP/1.1 200 OK");
    await allClosed();
    await Promise.all(handlers);
    await Promise.all(producersDone);
    expect({ settled, finished }).toEqual({ settled: handled, finished: started });
    // Most requests reached the server (a socket may go before it has sent its request), and both moments were exercised.
    expect(handled).toBeGreaterThan(total / 2);
    expect(goneBeforeSend).toBeGreaterThan(0);
    expect(goneMidStream).toBeGreaterThan(0);
  });

  it("a client gone before sendResponse is called: the body is cancelled at once, and the producer, which nobody read, never runs", async () => {
    const ran: string[] = [];
    const requested = gate();
    const sent = gate();
    const { port } = await listen((_req, res) => {
      // The Response exists before the client leaves, and sendResponse is only called after the response's 'close'
      // event. Its producer starts only when its body is read (issue 21, item 11): here, never.
      const response = NUMBERS.toResponse(async function* (w, signal) {
        ran.push("started");
        try {
          yield w.item({ i: 0 });
          await new Promise((resolve) => signal.addEventListener("abort", resolve));
        } finally {
          ran.push(`finally, aborted: ${signal.aborted}`);
        }
      });
      res.on("close", () => void sendResponse(res, response).then(() => (ran.push("settled"), sent.open())));
      requested.open();
    });
    const socket = connect(port, "127.0.0.1");
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await requested.opened;
    socket.destroy();
    await sent.opened;
    expect(ran).toEqual(["settled"]);
  });
});

describe("nodeHandler: a handler that throws", () => {
  const secret = "connect ECONNREFUSED db.internal:5432 (user admin)";

  it("gets a bare 500 without the error's message; the error goes to onError", async () => {
    const errors: unknown[] = [];
    const { url } = await listen(
      nodeHandler(
        async () => {
          throw new Error(secret);
        },
        { onError: (err) => errors.push(err) },
      ),
    );
    const res = await fetch(url);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).toBe("Internal Server Error");
    expect(body).not.toContain("db.internal");
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe(secret);
  });

  it("without onError, the error goes to console.error", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const { url } = await listen(
      nodeHandler(() => {
        throw new Error(secret);
      }),
    );
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("Internal Server Error");
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]!.some((arg) => arg instanceof Error && arg.message === secret)).toBe(true);
  });
});

describe("sendResponse: the status line and HEAD", () => {
  it("a Response without statusText gets Node's reason phrase; a given statusText is kept", async () => {
    const { port } = await listen((req, res) => {
      const response =
        req.url === "/created"
          ? new Response("made", { status: 201, statusText: "Made It" })
          : req.url === "/stream"
            ? NUMBERS.toResponse(function* (w) {
                yield w.item({ i: 1 });
              })
            : new Response("plain");
      void sendResponse(res, response);
    });
    const line = async (path: string) => statusLine(await raw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { headersOnly: true }));
    expect(await line("/")).toBe("HTTP/1.1 200 OK");
    expect(await line("/stream")).toBe("HTTP/1.1 200 OK");
    expect(await line("/created")).toBe("HTTP/1.1 201 Made It");
  });

  it("a HEAD request gets the headers, and the producer is never run for nobody while the connection stays open", async () => {
    let started = 0;
    let produced = 0;
    const finallyRan: string[] = [];
    const producerDone = gate();
    const headers = gate();
    const { port, allClosed } = await listen(
      nodeHandler(() =>
        NUMBERS.toResponse(async function* (w, signal) {
          started++;
          try {
            for (let i = 0; i < 100_000; i++) {
              yield w.item({ i });
              produced++;
              await sleep(1);
            }
          } finally {
            finallyRan.push(signal.aborted ? "aborted" : "completed");
            producerDone.open();
          }
        }),
      ),
    );
    // A raw keep-alive connection that stays open: only the server can end the producer.
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (received.includes("\r\n\r\n")) headers.open();
    });
    socket.write("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    try {
      await headers.opened;
      expect(statusLine(received)).toMatch(/^HTTP\/1\.1 200\b/);
      expect(received.toLowerCase()).toContain(`content-type: ${NUMBERS.contentType}`);
      // The producer never started: nobody reads a HEAD response's body (issue 21, item 11). Shown once the server
      // has closed the connection too, when nothing of this request can run any more.
      socket.destroy();
      await allClosed();
      expect(started).toBe(0);
      expect(produced).toBe(0);
      expect(finallyRan).toEqual([]);
    } finally {
      socket.destroy();
    }
  });
});

describe("sendResponse: a Response whose stream has already pulled frames ahead", () => {
  it.each([
    ["the default high-water mark", undefined],
    ["highWaterMark 4", 4],
    ["highWaterMark 0", 0],
  ])("%s, sent after the handler awaited: every item once, in order, and the body is locked", async (_, highWaterMark) => {
    const bodies: (ReadableStream | null)[] = [];
    const { url } = await listen(async (_req, res) => {
      const response = NUMBERS.toResponse(
        async function* (w) {
          for (let i = 0; i < 10; i++) yield w.item({ i });
        },
        { highWaterMark },
      );
      bodies.push(response.body);
      await new Promise(setImmediate); // a turn of the event loop: the stream's own pulls (microtasks) have run meanwhile
      await sendResponse(res, response);
    });
    for (let round = 0; round < 3; round++) {
      const items: number[] = [];
      for await (const item of NUMBERS.fetch(url).readItems()) items.push(item.i);
      expect(items).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(bodies.every((body) => body?.locked === true)).toBe(true);
  });
});

describe("sendResponse: the status line before the first frame", () => {
  it("a producer that waits before its first frame: the client gets the headers first (the producer waits on the client)", async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const { url } = await listen((_req, res) => {
      void sendResponse(
        res,
        NUMBERS.toResponse(async function* (w) {
          await released; // until the client has the headers
          yield w.item({ i: 1 });
        }),
      );
    });
    const response = await fetch(url); // resolves with the headers while the producer still waits
    expect(response.status).toBe(200);
    release();
    const items: unknown[] = [];
    for await (const item of NUMBERS.reader(response).readItems()) items.push(item);
    expect(items).toEqual([{ i: 1 }]);
  });
});
