// The defects issue against the previous version: one test per item, each asserting the behaviour as decided.
import { Type, type TSchema } from "@sinclair/typebox";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { build } from "esbuild";
import { mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { streamTypes as browserStreamTypes } from "../src/browser.js";
import { StreamError, TypedArray, binary, json, msgpack, msgpackReadOnly, ndjson, sse, streamTypes, truss, type Format } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { Chunk, Footer, Header, footer, header, items } from "./fixtures.js";
import { chunksOf, concat, gate, readAll, rejection, splitAt, writeThenDrop } from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

const utf8 = new TextEncoder();
const bytes = (s: string) => utf8.encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every format, by the name a test reports. */
const FORMATS: [string, () => Format][] = [
  ["binary(msgpack())", () => binary(msgpack())],
  ["binary(json())", () => binary(json())],
  ["truss()", () => truss()],
  ["sse()", () => sse()],
  ["ndjson()", () => ndjson()],
];
/** The formats with keep-alive frames (truss has none). */
const KEEPALIVE_FORMATS = FORMATS.filter(([name]) => name !== "truss()");

const SSE = streamTypes(Chunk, Header, Footer, { format: sse() });
const NDJSON = streamTypes(Chunk, Header, Footer, { format: ndjson() });

const servers: TestServer[] = [];
async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The whole body of a ReadableStream, one array entry per chunk (a producer enqueues one frame per chunk). */
async function frames(body: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

/** A reproducible PRNG (mulberry32), so a failing randomized run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("defects issue", () => {
  it("4 a garbage Last-Event-ID (resumeAfter: 'abc') starts the SSE stream over: HTTP 200, startIndex 0, and a reconnecting reader gets each item once", async () => {
    const TOTAL = 6;
    const starts: { lastEventId: string | null; startIndex: number }[] = [];
    let connections = 0;
    const server = await serve((req, res) => {
      const lastEventId = (req.headers["last-event-id"] as string | undefined) ?? null;
      const connection = ++connections;
      let response: Response;
      try {
        response = SSE.toResponse(
          async function* (w) {
            starts.push({ lastEventId, startIndex: w.startIndex });
            yield w.header(header);
            for (let i = w.startIndex; i < TOTAL; i++) yield w.item({ words: [`word ${i}`] });
            yield w.footer(footer);
          },
          { resumeAfter: lastEventId },
        );
      } catch {
        // The old design threw here, which a server turns into a 500.
        res.writeHead(500).end();
        return;
      }
      // The reader's first connection drops after the header and 3 items; any other is served whole.
      if (connection === 2) writeThenDrop(res, SSE.contentType, response.body!, 4);
      else void sendResponse(res, response);
    });

    // A client that sends garbage directly gets a whole stream from the start.
    const direct = await fetch(server.url, { headers: { "Last-Event-ID": "abc" } });
    expect(direct.status).toBe(200);
    const whole = await readAll(SSE, SSE.reader(direct));
    expect(whole.error).toBeUndefined();
    expect(whole.items).toHaveLength(TOTAL);
    expect(starts[0]).toEqual({ lastEventId: "abc", startIndex: 0 });

    // A reader whose reconnect sends garbage: the stream starts over, and what it already has is skipped.
    const statuses: number[] = [];
    const reader = SSE.reader(
      fetch(server.url),
      {
        reconnect: () =>
          fetch(server.url, { headers: { "Last-Event-ID": "abc" } }).then((r) => {
            statuses.push(r.status);
            return r;
          }),
      },
    );
    const result = await readAll(SSE, reader);
    expect(result.error).toBeUndefined();
    expect(statuses).toEqual([200]);
    expect(result.header).toEqual(header);
    expect(result.items).toEqual(Array.from({ length: TOTAL }, (_, i) => ({ words: [`word ${i}`] })));
    expect(result.footer).toEqual(footer);
    expect(reader.completed).toBe(true);
    expect(starts.slice(1)).toEqual([
      { lastEventId: null, startIndex: 0 },
      { lastEventId: "abc", startIndex: 0 },
    ]);
  });

  it("6 a throwing onError hook does not turn REMOTE into TRUNCATED: the reader gets the 2 items, then REMOTE", async () => {
    for (const [name, format] of FORMATS) {
      const S = streamTypes(Chunk, undefined, undefined, { format: format() });
      const hooked: unknown[] = [];
      const hookRan = gate();
      const options = {
        onError: (err: unknown) => {
          hooked.push(err);
          hookRan.open();
          throw new Error("the logger is down");
        },
      };
      const produce = async function* (w: any) {
        yield w.item(items[0]!);
        yield w.item(items[1]!);
        throw new Error("model failed");
      };
      const expectRemote = (result: Awaited<ReturnType<typeof readAll>>, how: string) => {
        expect(result.items, `${name}, ${how}`).toEqual([items[0], items[1]]);
        expect(result.error?.code, `${name}, ${how}`).toBe("REMOTE");
        expect(result.error?.remote?.message, `${name}, ${how}`).toBe("model failed");
      };
      // In process, with the frames queued ahead of the reader (where a failing hook used to error the stream and drop
      // them). The producer starts when its body is first read (issue 21, item 11); with highWaterMark 8 it then runs
      // ahead to its throw while the reader is still taking the first frames.
      const body = S.toReadableStream(produce, { ...options, highWaterMark: 8 });
      const reading = readAll(S, S.reader(body));
      await hookRan.opened; // the producer has thrown and its hook failed
      expectRemote(await reading, "queued in process");
      // Over HTTP, where sendResponse reads the error frame while the hook runs.
      const server = await serve((_req, res) => void sendResponse(res, S.toResponse(produce, options)));
      expectRemote(await readAll(S, S.reader(fetch(server.url))), "over HTTP");
      expect(hooked, name).toHaveLength(2);
    }
  });

  it("7 keep-alives do not restart idleTimeoutMs: a hung producer sending keep-alives every 20 ms gives TIMEOUT (idleTimeoutMs 150)", async () => {
    for (const [name, format] of KEEPALIVE_FORMATS) {
      const S = streamTypes(Chunk, undefined, undefined, { format: format() });
      const writer = S.writer();
      writer.keepAlive(); // binary: the first frame also carries the opening marker
      const keepAliveBytes = text(writer.keepAlive());
      let keepAlives = 0;
      const producerReleased = gate();
      const body = S.toReadableStream(
        async function* (w, signal) {
          yield w.item(items[0]!);
          await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true })); // hangs until cancelled
          producerReleased.open();
        },
        { keepAliveMs: 20 },
      ).pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            if (text(chunk) === keepAliveBytes) keepAlives++;
            controller.enqueue(chunk);
          },
        }),
      );
      // Were keep-alives to restart the idle timer, this read would never end (the test's time bound fails it).
      const result = await readAll(S, S.reader(body, { idleTimeoutMs: 150 }));
      expect(result.items, name).toEqual([items[0]]);
      expect(result.error?.code, name).toBe("TIMEOUT");
      // a timer fires no earlier than it is due, so the first keep-alive (20 ms) precedes the timeout (150 ms)
      expect(keepAlives, `${name}: keep-alives did arrive while waiting`).toBeGreaterThanOrEqual(1);
      await producerReleased.opened; // the timeout cancelled the hung producer
    }
  });

  describe("8 SSE resume at the tail", () => {
    const TOTAL = 3;
    const defs = {
      withHeader: streamTypes(Chunk, Header, Footer, { format: sse() }),
      withoutHeader: streamTypes(Chunk, undefined, Footer, { format: sse() }),
    };
    const combos = [
      { declared: "withHeader", cut: "item" },
      { declared: "withHeader", cut: "footer" },
      { declared: "withoutHeader", cut: "item" },
      { declared: "withoutHeader", cut: "footer" },
    ] as const;

    it("8 SSE resumed after the last item or after the footer, with or without a header declared, delivers the footer and the end exactly once", async () => {
      for (const { declared, cut } of combos) {
        const what = `resumed after the ${cut}, ${declared}`;
        const S = defs[declared];
        const hasHeader = declared === "withHeader";
        const produce = async function* (w: any) {
          if (hasHeader) yield w.header(header);
          for (let i = w.startIndex; i < TOTAL; i++) yield w.item({ words: [`word ${i}`] });
          yield w.footer(footer);
        };
        const seen: (string | null)[] = [];
        const server = await serve((req, res) => {
          const lastEventId = (req.headers["last-event-id"] as string | undefined) ?? null;
          seen.push(lastEventId);
          const body = S.toReadableStream(produce, { resumeAfter: lastEventId });
          if (seen.length > 1) return void sendResponse(res, S.toResponse(() => body));
          // The first connection drops right after the last item's event, or right after the footer's.
          const events = (hasHeader ? 1 : 0) + TOTAL + (cut === "footer" ? 1 : 0);
          writeThenDrop(res, S.contentType, body, events);
        });
        const reader = S.reader(fetch(server.url), { reconnect: (id) => fetch(server.url, { headers: id === undefined ? {} : { "Last-Event-ID": id } }) });
        const result = await readAll(S, reader);
        expect(result.error, what).toBeUndefined();
        if (hasHeader) expect(result.header, what).toEqual(header);
        expect(result.items, what).toEqual(Array.from({ length: TOTAL }, (_, i) => ({ words: [`word ${i}`] })));
        expect(result.footer, what).toEqual(footer);
        expect(reader.completed, what).toBe(true);
        // ids: the header 0 (when written), item i is i + 1, the footer TOTAL + 1
        expect(seen, what).toEqual([null, String(cut === "item" ? TOTAL : TOTAL + 1)]);
      }
    });

    it("8 randomized: 100 SSE streams dropped at a random byte and resumed with reconnect deliver every item, the footer and the end exactly once", async () => {
      const seed = 0x5eed8;
      const random = prng(seed);
      const pick = (n: number) => Math.floor(random() * n);
      const kinds = [
        streamTypes(Type.Integer(), undefined, undefined, { format: sse() }),
        streamTypes(Type.Integer(), Header, undefined, { format: sse() }),
        streamTypes(Type.Integer(), undefined, Footer, { format: sse() }),
        streamTypes(Type.Integer(), Header, Footer, { format: sse() }),
      ];
      for (let run = 0; run < 100; run++) {
        const S = kinds[pick(4)]!;
        const hasHeader = S.header !== undefined;
        const hasFooter = S.footer !== undefined;
        const total = pick(7);
        const drops = 1 + pick(3); // up to 3 connections drop; maxReconnects is 3
        const produce = async function* (w: any) {
          if (hasHeader) yield w.header(header);
          for (let i = w.startIndex; i < total; i++) yield w.item(i);
          if (hasFooter) yield w.footer(footer);
        };
        const log: string[] = [];
        let connections = 0;
        const connect = (lastEventId: string | undefined) => {
          const connection = connections++;
          return (async function* () {
            const all = concat(await frames(S.toReadableStream(produce, { resumeAfter: lastEventId })));
            const dropped = connection < drops;
            const end = dropped ? pick(all.length) : all.length;
            const cuts = Array.from({ length: pick(4) }, () => pick(end + 1));
            log.push(`connection ${connection} after ${lastEventId ?? "-"}: ${dropped ? `drop at ${end} of ${all.length}` : "whole"}`);
            for (const chunk of splitAt(all.subarray(0, end), cuts)) yield chunk;
            if (dropped && random() < 0.5) throw new TypeError("terminated");
          })();
        };
        const reader = S.reader(connect(undefined), { reconnect: connect });
        const result = await readAll(S, reader);
        const context = `seed ${seed}, run ${run}: header ${hasHeader}, footer ${hasFooter}, ${total} items; ${log.join("; ")}`;
        expect(result.error, context).toBeUndefined();
        if (hasHeader) expect(result.header, context).toEqual(header);
        expect(result.items, context).toEqual(Array.from({ length: total }, (_, i) => i));
        if (hasFooter) expect(result.footer, context).toEqual(footer);
        expect(reader.completed, context).toBe(true);
      }
    }, 120_000); // all 100 runs, however loaded the machine: a bound against hangs, not a budget that shrinks the test
  });

  it("9 frame headers are checked before anything is buffered: a second opening frame of 64 MiB is FORMAT, and every kind is held to maxFrameBytes", async () => {
    const MiB = 1 << 20;
    const HUGE = 64 * MiB;
    const header5 = (kind: number, length: number) => Uint8Array.of(kind, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
    const marker = (codecId: number) => concat([header5(1, 6), bytes("STYP"), Uint8Array.of(1, codecId)]);
    /** The prefix, then up to 64 MiB of zeros in 64 KiB chunks; counts the bytes the reader pulled. */
    function counting(prefix: Uint8Array) {
      const counter = { pulled: 0 };
      const zeros = new Uint8Array(64 * 1024);
      const source = (async function* () {
        counter.pulled += prefix.length;
        yield prefix;
        while (counter.pulled < HUGE + 64 * 1024) {
          counter.pulled += zeros.length;
          yield zeros;
        }
      })();
      return { source, counter };
    }
    const cases: { name: string; format: Format; prefix: Uint8Array; code: string }[] = [
      { name: "binary: a second opening frame", format: binary(msgpack()), prefix: concat([marker(1), header5(1, HUGE)]), code: "FORMAT" },
      { name: "binary(json): a second opening frame", format: binary(json()), prefix: concat([marker(2), header5(1, HUGE)]), code: "FORMAT" },
      { name: "binary: a first frame of 64 MiB", format: binary(msgpack()), prefix: header5(1, HUGE), code: "FORMAT" },
      ...[2, 3, 4, 6, 7].map((kind) => ({ name: `binary: kind ${kind}`, format: binary(msgpack()), prefix: concat([marker(1), header5(kind, HUGE)]), code: "LIMIT" })),
      ...[2, 3, 4, 6].map((kind) => ({ name: `truss: kind ${kind}`, format: truss(), prefix: header5(kind, HUGE), code: "LIMIT" })),
      { name: "binary: an end frame of 64 MiB", format: binary(msgpack()), prefix: concat([marker(1), header5(5, HUGE)]), code: "LIMIT|FORMAT" },
      { name: "truss: an end frame of 64 MiB", format: truss(), prefix: header5(5, HUGE), code: "LIMIT|FORMAT" },
    ];
    for (const { name, format, prefix, code } of cases) {
      const S = streamTypes(Chunk, Header, Footer, { format });
      const { source, counter } = counting(prefix);
      const result = await readAll(S, S.reader(source, { maxFrameBytes: MiB }));
      expect(result.error?.code, name).toMatch(new RegExp(`^(${code})$`));
      expect(counter.pulled, `${name}: bytes pulled before the error`).toBeLessThanOrEqual(MiB + 64 * 1024);
    }
  });

  it("10 error frames are shrunk to fit maxFrameBytes: an error of 6,000 × 'é' with maxFrameBytes 5000 reaches the reader as REMOTE in every format", async () => {
    const message = "é".repeat(6000);
    for (const [name, format] of FORMATS) {
      const S = streamTypes(Chunk, undefined, undefined, { format: format(), maxFrameBytes: 5000 });
      const body = S.toReadableStream(async function* (w) {
        yield w.item(items[0]!);
        throw Object.assign(new Error(message), { code: "E_BIG", data: { blob: "x".repeat(10_000) } });
      });
      const result = await readAll(S, S.reader(body));
      expect(result.items, name).toEqual([items[0]]);
      expect(result.error?.code, name).toBe("REMOTE");
      const remote = result.error!.remote!;
      expect(remote.name, name).toBe("Error");
      expect(remote.code, name).toBe("E_BIG");
      expect(remote.message.length, name).toBeLessThan(message.length);
      expect(remote.message.length, `${name}: shortened, not emptied`).toBeGreaterThan(1000);
      expect(remote.message.startsWith("éééé"), name).toBe(true);
    }
  });

  it("11 text framings measure maxFrameBytes in UTF-8 bytes: NDJSON data one byte over is LIMIT, exactly at it is accepted; SSE data within the limit in UTF-16 units but over it in bytes is LIMIT", async () => {
    const MAX = 100;
    const atMax = `"${"é".repeat(49)}"`; // 100 bytes, 51 UTF-16 units
    const overByOne = `"${"é".repeat(49)}a"`; // 101 bytes, 52 UTF-16 units
    expect(bytes(atMax).length).toBe(MAX);
    expect(bytes(overByOne).length).toBe(MAX + 1);

    const N = streamTypes(Type.String(), undefined, undefined, { format: ndjson(), maxFrameBytes: MAX });
    const line = (data: string) => `{"kind":"item","data":${data}}\n`;
    const accepted = await readAll(N, N.reader(bytes(line(atMax) + '{"kind":"end"}\n')));
    expect(accepted.error).toBeUndefined();
    expect(accepted.items).toEqual([JSON.parse(atMax)]);
    const over = await readAll(N, N.reader(bytes(line(overByOne) + '{"kind":"end"}\n')));
    expect(over.error?.code).toBe("LIMIT");
    // one byte at a time, so the line is held in pieces before it completes
    const overChunked = await readAll(N, N.reader(chunksOf(bytes(line(overByOne) + '{"kind":"end"}\n'), 1)));
    expect(overChunked.error?.code).toBe("LIMIT");

    const S = streamTypes(Type.String(), undefined, undefined, { format: sse(), maxFrameBytes: MAX });
    const event = (data: string) => `event: item\nid: 1\ndata: ${data}\n\n`;
    const end = "event: end\nid: 2\ndata: null\n\n";
    const sseAt = await readAll(S, S.reader(bytes(event(atMax) + end)));
    expect(sseAt.error).toBeUndefined();
    expect(sseAt.items).toEqual([JSON.parse(atMax)]);
    const wide = `"${"é".repeat(60)}"`; // 62 UTF-16 units (≤ 100), 122 bytes (> 100)
    expect(wide.length).toBeLessThanOrEqual(MAX);
    const sseOver = await readAll(S, S.reader(bytes(event(wide) + end)));
    expect(sseOver.error?.code).toBe("LIMIT");
    const sseOverByOne = await readAll(S, S.reader(bytes(event(overByOne) + end)));
    expect(sseOverByOne.error?.code).toBe("LIMIT");
  });

  it("12 truncation messages in text framings speak of the unfinished event or line, not of a frame header", async () => {
    const cutInside = (all: Uint8Array, marker: string) => {
      const at = text(all).indexOf(marker);
      expect(at).toBeGreaterThan(0);
      return all.subarray(0, bytes(text(all).slice(0, at)).length + 3);
    };
    const sw = SSE.writer();
    const sseAll = concat([sw.header(header), sw.item(items[0]!), sw.item(items[1]!), sw.footer(footer), sw.end()]);
    const sseCut = await readAll(SSE, SSE.reader(chunksOf(cutInside(sseAll, '"foo"'), 7)));
    expect(sseCut.items).toEqual([items[0]]);
    expect(sseCut.error?.code).toBe("TRUNCATED");
    expect(sseCut.error?.message).toMatch(/event/);
    expect(sseCut.error?.message).not.toMatch(/frame header/);

    const nw = NDJSON.writer();
    const ndAll = concat([nw.header(header), nw.item(items[0]!), nw.item(items[1]!), nw.footer(footer), nw.end()]);
    const ndCut = await readAll(NDJSON, NDJSON.reader(chunksOf(cutInside(ndAll, '"foo"'), 7)));
    expect(ndCut.items).toEqual([items[0]]);
    expect(ndCut.error?.code).toBe("TRUNCATED");
    expect(ndCut.error?.message).toMatch(/line/);
    expect(ndCut.error?.message).not.toMatch(/frame header/);
  });

  it("13 a rejecting fetch() promise that is never read, or is passed with bad options, causes no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", listener);
    try {
      const rejectLater = () => {
        let reject!: (err: unknown) => void;
        const promise = new Promise<Response>((_, r) => (reject = r));
        return { promise, reject };
      };
      // never read
      const neverRead = rejectLater();
      SSE.reader(neverRead.promise);
      neverRead.reject(new TypeError("fetch failed"));
      // bad options around a rejecting fetch
      const badOptions = rejectLater();
      expect((await rejection(() => SSE.reader(badOptions.promise, { maxItems: -1 }))).code).toBe("OPTIONS");
      badOptions.reject(new TypeError("fetch failed"));
      const badReconnect = rejectLater();
      // truss is the one format that cannot resume (the durable-streams issue made binary and NDJSON resumable)
      const TRUSS_TYPES = streamTypes(Chunk, Header, Footer, { format: truss() });
      expect((await rejection(() => TRUSS_TYPES.reader(badReconnect.promise, { reconnect: () => new Uint8Array(0) }))).code).toBe("OPTIONS");
      badReconnect.reject(new TypeError("fetch failed"));
      const badConsume = rejectLater();
      const consumed = SSE.consume(badConsume.promise, { idleTimeoutMs: 0 });
      badConsume.reject(new TypeError("fetch failed"));
      expect((await rejection(consumed)).code).toBe("OPTIONS");
      // real fetches to a port nobody listens on
      const closed = await startServer(() => {});
      await closed.close();
      SSE.reader(fetch(closed.url));
      expect((await rejection(() => SSE.reader(fetch(closed.url), { idleTimeoutMs: -5 }))).code).toBe("OPTIONS");
      // A probe to the same closed port, made after those two (which the test must not handle itself): when it has
      // been refused, so have they.
      await fetch(closed.url).catch(() => {});
      await new Promise((resolve) => setImmediate(resolve)); // then a turn: any rejection left unhandled is reported
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", listener);
    }
  });

  describe("14 smaller defects", () => {
    it("14a connection refused is NETWORK with the cause's message in the text; in Node, fetch('/x') is NETWORK", async () => {
      const closed = await startServer(() => {});
      await closed.close();
      const refused = await readAll(SSE, SSE.reader(fetch(closed.url)));
      expect(refused.error?.code).toBe("NETWORK");
      const cause = refused.error!.cause as Error;
      expect(cause).toBeInstanceOf(Error);
      expect(refused.error!.message).toContain(cause.message);
      const binaryRefused = await readAll({ header: undefined, footer: undefined }, streamTypes(Chunk).reader(fetch(closed.url)));
      expect(binaryRefused.error?.code).toBe("NETWORK");

      const relative = await readAll(SSE, SSE.reader(fetch("/x")));
      expect(relative.error?.code).toBe("NETWORK");
      expect(relative.error!.message).toContain((relative.error!.cause as Error).message);
    });

    it("14b aborting through fetch's own signal mid-stream rejects the read with the signal's reason (AbortError, or the custom reason), not TRUNCATED", async () => {
      const S = streamTypes(Chunk, undefined, undefined, { format: sse() });
      const B = streamTypes(Chunk);
      for (const [name, D] of [["sse", S], ["binary", B]] as const) {
        const server = await serve((_req, res) =>
          void sendResponse(
            res,
            D.toResponse(async function* (w, signal) {
              for (let i = 0; i < 1000 && !signal.aborted; i++) {
                yield w.item({ words: [String(i)] });
                await sleep(5);
              }
            }),
          ),
        );
        for (const reason of [undefined, new Error("user closed the tab")]) {
          const controller = new AbortController();
          const it = D.reader(fetch(server.url, { signal: controller.signal })).readItems();
          for (let i = 0; i < 3; i++) expect((await it.next()).done).toBe(false);
          if (reason === undefined) controller.abort();
          else controller.abort(reason);
          let thrown: unknown;
          try {
            for (let i = 0; i < 1000; i++) if ((await it.next()).done) break;
          } catch (err) {
            thrown = err;
          }
          if (reason === undefined) {
            expect(thrown, name).toBeInstanceOf(DOMException);
            expect((thrown as DOMException).name, name).toBe("AbortError");
          } else {
            expect(thrown, name).toBe(reason);
          }
        }
        // aborted before the response arrived: the fetch promise rejects with the reason, which is not NETWORK either
        const early = new AbortController();
        const pending = D.reader(fetch(server.url, { signal: early.signal })).readItems().next();
        const reason = new Error("gone before the response");
        early.abort(reason);
        await expect(pending, name).rejects.toBe(reason);
      }
    });

    it("14c reader.cancel() during a running for-await ends the loop quietly", async () => {
      for (const [name, format] of FORMATS) {
        const S = streamTypes(Chunk, undefined, undefined, { format: format() });
        // cancelled while the loop waits for the next item
        const waiting = S.reader(
          S.toReadableStream(async function* (w, signal) {
            yield w.item(items[0]!);
            await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
          }),
        );
        const got: unknown[] = [];
        for await (const item of waiting.readItems()) {
          got.push(item);
          setImmediate(() => waiting.cancel()); // a turn later: the loop waits in next() by then
        }
        expect(got, name).toEqual([items[0]]);
        // cancelled from inside the loop body, with items still buffered
        const inBody = S.reader(S.toReadableStream(async function* (w) {
          for (const item of items) yield w.item(item);
        }, { highWaterMark: 8 }));
        const seen: unknown[] = [];
        for await (const item of inBody.readItems()) {
          seen.push(item);
          inBody.cancel();
        }
        expect(seen, name).toEqual([items[0]]);
      }
    });

    it("14d a TypedArray over maxLength is a VALIDATION message about its length, not \"Expected kind 'streamtypes:TypedArray'\"", async () => {
      const Vec = Type.Object({ v: TypedArray("Float32Array", { maxLength: 4 }) });
      const check = (err: StreamError | undefined, what: string) => {
        expect(err?.code, what).toBe("VALIDATION");
        expect(err?.message, what).not.toMatch(/Expected kind/);
        expect(err?.message, what).toMatch(/maxLength|at most 4/);
        expect(err?.message, what).toMatch(/\b5\b/);
        expect(err?.issues?.[0]?.path, what).toBe("/v");
      };
      const S = streamTypes(Vec);
      check(await rejection(() => S.writer().item({ v: new Float32Array(5) })), "writer");
      const unchecked = streamTypes(Vec, undefined, undefined, { validate: false }).writer();
      const wire = concat([unchecked.item({ v: new Float32Array(5) }), unchecked.end()]);
      check((await readAll(S, S.reader(wire))).error, "compiled reader");
      const B = browserStreamTypes(Vec, undefined, undefined, { format: binary(msgpackReadOnly()) });
      expect(B.validation).toBe("interpreted");
      check((await readAll(B, B.reader(wire))).error, "interpreted reader (browser entry)");
      // the other ways a typed array can be wrong are named too
      const short = await rejection(() => streamTypes(Type.Object({ v: TypedArray("Float32Array", { minLength: 2 }) })).writer().item({ v: new Float32Array(1) }));
      expect(short.message).toMatch(/minLength|at least 2/);
      const wrongClass = await rejection(() => S.writer().item({ v: new Float64Array(2) as any }));
      expect(wrongClass.message).toMatch(/Float32Array/);
      expect(wrongClass.message).not.toMatch(/Expected kind/);
    });

    it("14e a printed StreamError shows no undefined fields: code always, part/index/issues/remote/status only when set", async () => {
      const bare = new StreamError("FORMAT", "bad bytes");
      const printed = inspect(bare);
      expect(printed).toContain("code: 'FORMAT'");
      expect(printed).not.toMatch(/undefined/);
      for (const field of ["part", "index", "issues", "remote", "status"]) expect(printed).not.toMatch(new RegExp(`\\b${field}:`));
      expect(Object.entries(bare).filter(([, value]) => value === undefined)).toEqual([]);
      expect(Object.keys(bare)).not.toContain("part");

      const w = streamTypes(Type.Integer(), undefined, undefined, { validate: false }).writer();
      const invalid = (await readAll({ header: undefined, footer: undefined }, streamTypes(Type.Integer()).reader(concat([w.item(1), w.item(1.5 as any), w.end()])))).error!;
      expect(invalid.code).toBe("VALIDATION");
      const printedInvalid = inspect(invalid);
      expect(printedInvalid).toMatch(/part: 'item'/);
      expect(printedInvalid).toMatch(/index: 1/);
      expect(printedInvalid).toMatch(/issues: \[/);
      expect(printedInvalid).not.toMatch(/undefined/);
      expect(printedInvalid).not.toMatch(/\b(remote|status):/);

      const remote = (await readAll({ header: undefined, footer: undefined }, streamTypes(Type.Integer()).reader(streamTypes(Type.Integer()).writer().error(new Error("boom"))))).error!;
      expect(inspect(remote)).toMatch(/remote: \{/);
      expect(inspect(remote)).not.toMatch(/undefined|\b(part|index|issues|status):/);

      const http = new StreamError("HTTP", "HTTP 502", { status: 502 });
      expect(inspect(http)).toMatch(/status: 502/);
      expect(inspect(http)).not.toMatch(/undefined|\b(part|index|issues|remote):/);
    });
  });

  describe("15 SSE and NDJSON wire details", () => {
    it("15a the SSE keep-alive is a comment line with no blank line after it, and eventsource-parser dispatches no event for it", () => {
      const w = SSE.writer();
      const keepAlive = w.keepAlive();
      expect(text(keepAlive)).toBe(": keep-alive\n");
      const stream = concat([keepAlive, w.header(header), keepAlive, keepAlive, w.item(items[0]!), keepAlive, w.end(), keepAlive]);
      for (const size of [1, 5, stream.length]) {
        const events: EventSourceMessage[] = [];
        const comments: string[] = [];
        const parser = createParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c), onError: (err) => events.push({ event: "parse error", data: String(err) }) });
        for (const chunk of chunksOf(stream, size)) parser.feed(text(chunk));
        expect(events.map((e) => e.event)).toEqual(["header", "item", "end"]);
        expect(events.every((e) => e.data !== "")).toBe(true);
        expect(comments).toHaveLength(5);
      }
      // alone, it is no event either
      const events: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (e) => events.push(e) });
      parser.feed(text(keepAlive));
      parser.feed(text(keepAlive));
      parser.reset({ consume: true });
      expect(events).toEqual([]);
    });

    it("15b SSE with CR-only line endings reads completely, including when the final \\r\\r is split across chunks", async () => {
      const w = SSE.writer();
      const crOnly = bytes(text(concat([w.header(header), ...items.map((i) => w.item(i)), w.keepAlive(), w.footer(footer), w.end()])).replaceAll("\n", "\r"));
      expect(crOnly.includes(0x0a)).toBe(false);
      const whole = { header, items, footer };
      expect(await readAll(SSE, SSE.reader(crOnly))).toEqual(whole);
      // the last two bytes are the final \r\r: split between them, and with the last \r alone
      const n = crOnly.length;
      expect(await readAll(SSE, SSE.reader(splitAt(crOnly, [n - 1])))).toEqual(whole);
      expect(await readAll(SSE, SSE.reader(splitAt(crOnly, [n - 2, n - 1])))).toEqual(whole);
      for (let size = 1; size <= 64; size++) expect(await readAll(SSE, SSE.reader(chunksOf(crOnly, size))), `chunks of ${size}`).toEqual(whole);
    });

    it("15c NDJSON's final newline is required: a last line {\"kind\":\"end\"} without it is TRUNCATED, naming the unfinished line", async () => {
      const w = NDJSON.writer();
      const all = concat([w.header(header), ...items.map((i) => w.item(i)), w.footer(footer), w.end()]);
      expect(text(all).endsWith('{"kind":"end"}\n')).toBe(true);
      expect(await readAll(NDJSON, NDJSON.reader(all))).toEqual({ header, items, footer });
      const noNewline = all.subarray(0, all.length - 1);
      for (const source of [noNewline, chunksOf(noNewline, 3)]) {
        const reader = NDJSON.reader(source);
        const result = await readAll(NDJSON, reader);
        expect(result.items).toEqual(items);
        expect(result.error?.code).toBe("TRUNCATED");
        expect(result.error?.message).toMatch(/line 6, which has no newline/);
        expect(reader.completed).toBe(false);
      }
    });
  });

  it("16 instanceof StreamError holds across copies of the class: the ESM and CommonJS builds, the browser entry and the source", async () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const dir = join(root, "node_modules", ".cache", `streamtypes-defects-16-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const common = {
      entryPoints: { index: join(root, "src/index.ts"), browser: join(root, "src/browser.ts") },
      bundle: true,
      platform: "node" as const,
      target: "es2022",
      packages: "external" as const,
      logLevel: "silent" as const,
    };
    try {
      await build({ ...common, format: "esm", outdir: join(dir, "esm"), outExtension: { ".js": ".mjs" } });
      await build({ ...common, format: "cjs", outdir: join(dir, "cjs"), outExtension: { ".js": ".cjs" } });
      const esm = await import(/* @vite-ignore */ pathToFileURL(join(dir, "esm", "index.mjs")).href);
      const esmBrowser = await import(/* @vite-ignore */ pathToFileURL(join(dir, "esm", "browser.mjs")).href);
      const require = createRequire(import.meta.url);
      const cjs = require(join(dir, "cjs", "index.cjs"));
      const cjsBrowser = require(join(dir, "cjs", "browser.cjs"));
      const classes: [string, typeof StreamError][] = [
        ["source", StreamError],
        ["esm", esm.StreamError],
        ["cjs", cjs.StreamError],
        ["esm browser", esmBrowser.StreamError],
        ["cjs browser", cjsBrowser.StreamError],
      ];
      // they are distinct copies of the class...
      expect(new Set(classes.map(([, c]) => c)).size).toBe(classes.length);
      // ...and each recognises every other's errors, including one a reader of another copy threw
      const fromCjsReader = (await readAll({ header: undefined, footer: undefined }, cjs.streamTypes(Chunk as TSchema).reader(bytes("<!DOCTYPE html>")))).error;
      expect(fromCjsReader?.code).toBe("FORMAT");
      for (const [made, Made] of classes) {
        const err = new Made("FORMAT", "x");
        for (const [checked, Checked] of classes) expect(err instanceof Checked, `${made} error instanceof ${checked} class`).toBe(true);
      }
      for (const [checked, Checked] of classes) {
        expect(fromCjsReader instanceof Checked, `cjs reader's error instanceof ${checked}`).toBe(true);
        expect(new Error("x") instanceof Checked).toBe(false);
        expect({ code: "FORMAT", message: "x" } instanceof Checked).toBe(false);
        expect((null as unknown) instanceof Checked).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
