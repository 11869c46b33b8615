// The SSE and NDJSON framings: wire text, strictness, keep-alive, limits, resume over real HTTP, and EventSource.
import { Type } from "@sinclair/typebox";
import { afterEach, describe, expect, it } from "vitest";
import { StreamError, eventSourceStream, streamTypes } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { Chunk, Footer, Header, footer, header, items } from "./fixtures.js";
import { chunksOf, concat, readAll, readClean, rejection, writeThenDrop } from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

const SSE = streamTypes(Chunk, Header, Footer, { framing: "sse" });
const NDJSON = streamTypes(Chunk, Header, Footer, { framing: "ndjson" });
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

function writeAll(S: typeof SSE | typeof NDJSON): Uint8Array {
  const w = S.writer();
  return concat([w.header(header), ...items.map((i) => w.item(i)), w.footer(footer), w.end()]);
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("SSE framing", () => {
  it("writes one event per part, with sequence ids and JSON data", () => {
    const w = SSE.writer();
    expect(text(w.header(header))).toBe('event: header\nid: 0\ndata: {"time":123.456,"msg":"Start of stream"}\n\n');
    expect(text(w.item(items[0]!))).toBe('event: item\nid: 1\ndata: {"words":["hello","world"]}\n\n');
    // A comment line without a blank line after it: generic SSE clients see no event (the defects issue, item 15).
    expect(text(w.keepAlive())).toBe(": keep-alive\n");
    expect(text(w.item(items[1]!))).toBe('event: item\nid: 2\ndata: {"words":["foo","bar"]}\n\n');
    expect(text(w.footer(footer))).toMatch(/^event: footer\nid: 3\n/);
    expect(text(w.end())).toBe("event: end\nid: 4\ndata: null\n\n");
    expect(text(SSE.writer().error(new Error("x")))).toBe('event: error\nid: 0\ndata: {"name":"Error","message":"x"}\n\n');
    expect(SSE.contentType).toBe("text/event-stream; charset=utf-8");
  });

  it("reads back under any chunking, and through a JSON line with a newline inside a string", async () => {
    const all = writeAll(SSE);
    for (const size of [1, 3, all.length]) expect(await readAll(SSE, SSE.reader(chunksOf(all, size)))).toEqual({ header, items, footer });
    const S = streamTypes(Type.String(), undefined, undefined, { framing: "sse" });
    const w = S.writer();
    expect((await readClean(S, S.reader(concat([w.item("two\nlines\r\n"), w.end()])))).items).toEqual(["two\nlines\r\n"]);
  });

  it("is strict: unknown events, non-SSE bodies and invalid UTF-8 are FORMAT", async () => {
    const unknown = await readAll(SSE, SSE.reader(bytes("event: ping\ndata: 1\n\n")));
    expect(unknown.error?.code).toBe("FORMAT");
    expect(unknown.error?.message).toMatch(/"ping" is not part of a streamtypes stream/);
    const plain = await readAll(SSE, SSE.reader(bytes("data: 1\n\n")));
    expect(plain.error?.message).toMatch(/"message" is not part/);
    const html = await readAll(SSE, SSE.reader(bytes("<!DOCTYPE html>\n<html>\n")));
    expect(html.error?.code).toBe("FORMAT");
    expect(html.error?.message).toMatch(/<!DOCTYPE html>/);
    const utf8 = await readAll(SSE, SSE.reader(concat([bytes("event: header\ndata: \""), Uint8Array.of(0xff), bytes('"\n\n')])));
    expect(utf8.error?.code).toBe("FORMAT");
  });

  it("an event that never completes is LIMIT past maxFrameBytes", async () => {
    const source = (async function* () {
      yield bytes("event: header\ndata: ");
      for (let i = 0; i < 100; i++) yield new Uint8Array(1024).fill(0x61);
    })();
    const result = await readAll(SSE, SSE.reader(source, { maxFrameBytes: 10_000 }));
    expect(result.error?.code).toBe("LIMIT");
  });

  it("skips events it already has and rejects a gap in the item ids", async () => {
    const w = SSE.writer();
    const first = [w.header(header), w.item(items[0]!), w.item(items[1]!)];
    const repeated = concat([...first, first[1]!, first[2]!, w.item(items[2]!), w.footer(footer), w.end()]);
    expect(await readAll(SSE, SSE.reader(repeated))).toEqual({ header, items, footer });
    const gap = concat([first[0]!, first[1]!, bytes('event: item\nid: 5\ndata: {"words":[]}\n\n')]);
    const result = await readAll(SSE, SSE.reader(gap));
    expect(result.items).toEqual([items[0]]);
    expect(result.error?.code).toBe("FORMAT");
    expect(result.error?.message).toMatch(/expected the item with id 2, got id 5/);
  });

  it("truncation without the end event is TRUNCATED; an error event is REMOTE", async () => {
    const all = writeAll(SSE);
    const cut = await readAll(SSE, SSE.reader(all.subarray(0, all.length - 1)));
    expect(cut.error?.code).toBe("TRUNCATED");
    const w = SSE.writer();
    const failed = await readAll(SSE, SSE.reader(concat([w.header(header), w.item(items[0]!), w.error(new Error("boom"))])));
    expect(failed.items).toEqual([items[0]]);
    expect(failed.error?.code).toBe("REMOTE");
  });

  it("resume options need a resumable format (every one but truss, since the durable-streams issue)", async () => {
    const TRUSS = streamTypes(Chunk, Header, Footer, { compat: "truss" });
    expect((await rejection(() => TRUSS.writer({ resumeAfter: "3" }))).code).toBe("OPTIONS");
    expect((await rejection(() => TRUSS.reader(new Uint8Array(0), { reconnect: () => new Uint8Array(0) }))).code).toBe("OPTIONS");
    expect(NDJSON.writer({ resumeAfter: "3" }).startIndex).toBe(3);
    // A client's garbage Last-Event-ID starts the stream over (the defects issue, item 4): the reader skips what it has.
    expect(SSE.writer({ resumeAfter: "x" }).startIndex).toBe(0);
    expect(SSE.writer({ resumeAfter: "7" }).startIndex).toBe(7);
  });
});

describe("SSE resume over HTTP", () => {
  const TOTAL = 10;
  /** A producer that supports resume: it starts at w.startIndex. The first connection is cut after 4 items. */
  async function resumableServer(opts: { rewind?: number } = {}) {
    const seen: (string | null)[] = [];
    let connections = 0;
    server = await startServer((req, res) => {
      const lastEventId = (req.headers["last-event-id"] as string | undefined) ?? null;
      seen.push(lastEventId);
      const connection = ++connections;
      // A careless producer may resume a little early; the reader skips what it already has.
      const resumeAfter = lastEventId === null ? null : String(Math.max(0, Number(lastEventId) - (opts.rewind ?? 0)));
      const body = SSE.toReadableStream(
        async function* (w) {
          yield w.header(header);
          for (let i = w.startIndex; i < TOTAL; i++) yield w.item({ words: [`word ${i}`] });
          yield w.footer(footer);
        },
        { resumeAfter },
      );
      if (connection > 1) return void sendResponse(res, SSE.toResponse(() => body));
      writeThenDrop(res, SSE.contentType, body, 5); // the connection drops after the header and 4 items
    });
    return seen;
  }

  it("drops mid-stream, reconnects with Last-Event-ID, and delivers every item exactly once", async () => {
    const seen = await resumableServer();
    const url = server!.url;
    const r = SSE.reader(fetch(url), { reconnect: (id) => fetch(url, { headers: id ? { "Last-Event-ID": id } : {} }) });
    const result = await readAll(SSE, r);
    expect(result.error).toBeUndefined();
    expect(result.items).toEqual(Array.from({ length: TOTAL }, (_, i) => ({ words: [`word ${i}`] })));
    expect(result.footer).toEqual(footer);
    expect(seen).toEqual([null, "4"]);
  });

  it("skips what a producer resending from an earlier point repeats", async () => {
    await resumableServer({ rewind: 2 });
    const url = server!.url;
    const result = await readAll(SSE, SSE.reader(fetch(url), { reconnect: (id) => fetch(url, { headers: { "Last-Event-ID": id ?? "" } }) }));
    expect(result.items.map((i: any) => i.words[0])).toEqual(Array.from({ length: TOTAL }, (_, i) => `word ${i}`));
  });

  it("without reconnect, a dropped connection is TRUNCATED after the items that arrived", async () => {
    await resumableServer();
    const result = await readAll(SSE, SSE.reader(fetch(server!.url)));
    expect(result.items).toHaveLength(4);
    expect(result.error?.code).toBe("TRUNCATED");
  });
});

describe("EventSource", () => {
  /** Stands in for the browser's EventSource (Node 20 has none): dispatches MessageEvents by name. */
  class FakeEventSource extends EventTarget {
    readyState = 1;
    closed = false;
    close() {
      this.readyState = 2;
      this.closed = true;
    }
    emit(type: string, data: string, lastEventId: string) {
      this.dispatchEvent(new MessageEvent(type, { data, lastEventId }));
    }
  }

  it("feeds EventSource events through the SSE reader with the same checks, and closes it at the end", async () => {
    const es = new FakeEventSource();
    const reader = SSE.reader(eventSourceStream(es as any));
    const done = readAll(SSE, reader);
    es.emit("header", JSON.stringify(header), "0");
    items.forEach((item, i) => es.emit("item", JSON.stringify(item), String(i + 1)));
    es.dispatchEvent(new Event("error")); // a dropped connection the browser is retrying: not the end
    es.emit("item", JSON.stringify(items[2]), "3"); // resent after the browser reconnected with Last-Event-ID
    es.emit("footer", JSON.stringify(footer), "4");
    es.emit("end", "null", "5");
    expect(await done).toEqual({ header, items, footer });
    expect(es.closed).toBe(true);
  });

  it("a closed EventSource is TRUNCATED; the producer's error event is REMOTE", async () => {
    const es = new FakeEventSource();
    const done = readAll(SSE, SSE.reader(eventSourceStream(es as any)));
    es.emit("header", JSON.stringify(header), "0");
    es.close();
    es.dispatchEvent(new Event("error"));
    expect((await done).error?.code).toBe("TRUNCATED");
    const es2 = new FakeEventSource();
    const done2 = readAll(SSE, SSE.reader(eventSourceStream(es2 as any)));
    es2.emit("error", JSON.stringify({ name: "Error", message: "model failed" }), "0");
    expect((await done2).error?.remote?.message).toBe("model failed");
  });

  it("holds at most maxBufferedBytes of events the reader has not taken: then LIMIT, and the EventSource is closed (issue 21, item 7)", async () => {
    const es = new FakeEventSource();
    const stream = eventSourceStream(es as any, { maxBufferedBytes: 1024 * 1024 });
    const big = JSON.stringify({ words: ["x".repeat(64 * 1024)] });
    es.emit("header", JSON.stringify(header), "0");
    for (let i = 1; i <= 100 && !es.closed; i++) es.emit("item", big, String(i)); // nobody reads meanwhile
    expect(es.closed).toBe(true);
    const result = await readAll(SSE, SSE.reader(stream, { maxTotalBytes: 1024 * 1024 }));
    expect(result.error?.code).toBe("LIMIT");
    expect(result.error?.message).toMatch(/maxBufferedBytes/);
  });

  it("data of several lines arrives as it was sent", async () => {
    const es = new FakeEventSource();
    const done = readAll(SSE, SSE.reader(eventSourceStream(es as any)));
    es.emit("header", JSON.stringify(header, null, 1), "0");
    es.emit("footer", JSON.stringify(footer), "1");
    es.emit("end", "null", "2");
    expect(await done).toEqual({ header, items: [], footer });
  });
});

describe("NDJSON framing", () => {
  it("writes one object per line", () => {
    const w = NDJSON.writer();
    expect(text(w.header(header))).toBe('{"kind":"header","data":{"time":123.456,"msg":"Start of stream"}}\n');
    expect(text(w.item(items[0]!))).toBe('{"kind":"item","data":{"words":["hello","world"]}}\n');
    expect(text(w.keepAlive())).toBe('{"kind":"keep-alive"}\n');
    expect(text(w.end())).toBe('{"kind":"end"}\n');
    expect(NDJSON.contentType).toBe("application/x-ndjson");
  });

  it("reads back under any chunking, with CRLF line ends and blank lines", async () => {
    const all = writeAll(NDJSON);
    for (const size of [1, 5, all.length]) expect(await readAll(NDJSON, NDJSON.reader(chunksOf(all, size)))).toEqual({ header, items, footer });
    const crlf = bytes(text(all).replaceAll("\n", "\r\n\n"));
    expect(await readAll(NDJSON, NDJSON.reader(crlf))).toEqual({ header, items, footer });
  });

  it("is strict about lines", async () => {
    const cases: [string, RegExp][] = [
      ["not json\n", /not valid JSON/],
      ['{"kind":"chunk","data":1}\n', /not a streamtypes line/],
      ['["item",1]\n', /not a streamtypes line/],
      ['{"kind":"header"}\n', /needs "data"/],
      ['{"kind":"end","data":1}\n', /has no "data"/],
    ];
    for (const [line, message] of cases) {
      const result = await readAll(NDJSON, NDJSON.reader(bytes(line)));
      expect(result.error?.code, line).toBe("FORMAT");
      expect(result.error?.message, line).toMatch(message);
    }
  });

  it("a line longer than maxFrameBytes is LIMIT before it completes", async () => {
    const source = (async function* () {
      yield bytes('{"kind":"header","data":"');
      for (let i = 0; i < 100; i++) yield new Uint8Array(1024).fill(0x61);
    })();
    expect((await readAll(NDJSON, NDJSON.reader(source, { maxFrameBytes: 10_000 }))).error?.code).toBe("LIMIT");
  });

  it("serves over HTTP with its content type", async () => {
    server = await startServer((_req, res) =>
      void sendResponse(
        res,
        NDJSON.toResponse(async function* (w) {
          yield w.header(header);
          for (const item of items) yield w.item(item);
          yield w.footer(footer);
        }),
      ),
    );
    const response = await fetch(server.url);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    expect(await readAll(NDJSON, NDJSON.reader(response))).toEqual({ header, items, footer });
  });
});

void StreamError;
