// Resuming in every resumable format: wherever the connection drops, each item, the footer and the end arrive exactly once.
import { Type } from "@sinclair/typebox";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { binary, json, msgpack, ndjson, sse, streamTypes, type Format } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { concat, droppingSource, readAll } from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

const Item = Type.Object({ n: Type.Integer(), text: Type.String() });
const Header = Type.Object({ run: Type.String() });
const Footer = Type.Object({ count: Type.Integer() });

const FORMATS: [string, () => Format][] = [
  ["binary(msgpack())", () => binary(msgpack())],
  ["binary(json())", () => binary(json())],
  ["sse()", () => sse()],
  ["ndjson()", () => ndjson()],
];

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Types = ReturnType<typeof streamTypes<typeof Item, typeof Header | undefined, typeof Footer | undefined>>;

/** The whole stream a producer that honours `startIndex` writes, resumed after `lastEventId` (or from the start). */
function streamBytes(S: Types, total: number, lastEventId: string | undefined, hasHeader: boolean, hasFooter: boolean): Uint8Array {
  const w = S.writer({ resumeAfter: lastEventId }) as ReturnType<Types["writer"]> & { header(v: unknown): Uint8Array; footer(v: unknown): Uint8Array };
  const frames: Uint8Array[] = [];
  if (hasHeader) frames.push(w.header({ run: "r" }));
  for (let n = w.startIndex; n < total; n++) frames.push(w.item({ n, text: `item ${n}` }));
  if (hasFooter) frames.push(w.footer({ count: total }));
  frames.push(w.end());
  return concat(frames);
}

describe.each(FORMATS)("%s", (_name, format) => {
  it("drops at random bytes, any number of times, with or without header and footer: every part arrives exactly once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        async (total, hasHeader, hasFooter, drops) => {
          const S = streamTypes(Item, hasHeader ? Header : undefined, hasFooter ? Footer : undefined, { format: format() }) as unknown as Types;
          const seen: (string | undefined)[] = [];
          let connection = 0;
          const open = (lastEventId: string | undefined) => {
            seen.push(lastEventId);
            const bytes = streamBytes(S, total, lastEventId, hasHeader, hasFooter);
            const drop = drops[connection++];
            return droppingSource(bytes, drop === undefined ? undefined : Math.floor(drop * bytes.length));
          };
          const reader = S.reader(open(undefined), { reconnect: open, maxReconnects: Math.max(1, drops.length) });
          const result = await readAll({ header: hasHeader ? Header : undefined, footer: hasFooter ? Footer : undefined }, reader);
          expect(result.error).toBeUndefined();
          expect(result.items).toEqual(Array.from({ length: total }, (_, n) => ({ n, text: `item ${n}` })));
          if (hasHeader) expect(result.header).toEqual({ run: "r" });
          if (hasFooter) expect(result.footer).toEqual({ count: total });
          expect(reader.completed).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("over HTTP: the client is cut mid-stream, reconnects with Last-Event-ID, and the producer continues from startIndex", async () => {
    const S = streamTypes(Item, Header, Footer, { format: format() });
    const TOTAL = 20;
    const asked: (string | null)[] = [];
    server = await startServer((req, res) => {
      const lastEventId = (req.headers["last-event-id"] as string | undefined) ?? null;
      asked.push(lastEventId);
      const first = asked.length === 1;
      const response = S.toResponse(
        async function* (w) {
          yield w.header({ run: "http" });
          for (let n = w.startIndex; n < TOTAL; n++) {
            if (first && n === 7) {
              await new Promise((resolve) => setTimeout(resolve, 50)); // the 7 items reach the client
              res.destroy(); // then the connection drops
              return;
            }
            yield w.item({ n, text: `item ${n}` });
          }
          yield w.footer({ count: TOTAL });
        },
        { resumeAfter: lastEventId },
      );
      void sendResponse(res, response);
    });
    const url = server.url;
    const r = S.reader(fetch(url), { reconnect: (id) => fetch(url, { headers: id === undefined ? {} : { "Last-Event-ID": id } }) });
    const result = await readAll(S, r);
    expect(result.error).toBeUndefined();
    expect(result.items).toEqual(Array.from({ length: TOTAL }, (_, n) => ({ n, text: `item ${n}` })));
    expect(result.footer).toEqual({ count: TOTAL });
    expect(asked).toEqual([null, "7"]);
  });
});
