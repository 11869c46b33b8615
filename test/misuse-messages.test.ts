// Mistakes a new user makes, each answered by an error that says what happened and what to do: a Response read
// twice, a nodeHandler handler that forgets `return`, a durable stream id from the URL that is not valid.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Type } from "@sinclair/typebox";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ndjson, sse, streamTypes } from "../src/index.js";
import { nodeHandler } from "../src/node.js";
import { readAll, rejection } from "./helpers.js";

const STREAM = streamTypes(Type.Object({ n: Type.Integer() }));
const EVENTS = streamTypes(Type.Object({ n: Type.Integer() }), undefined, undefined, { format: sse() });

let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = undefined;
});

async function serve(handler: Parameters<typeof nodeHandler>[0], options?: Parameters<typeof nodeHandler>[1]): Promise<string> {
  server = createServer(nodeHandler(handler, options));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("a Response whose body was already read", () => {
  it("is OPTIONS, saying so, not NETWORK advising to check the URL", async () => {
    const response = STREAM.toResponse(async function* (w) {
      yield w.item({ n: 1 });
    });
    await response.arrayBuffer();
    const result = await readAll(STREAM, STREAM.reader(response));
    expect(result.error?.code).toBe("OPTIONS");
    expect(result.error?.message).toContain("body was already read");
    expect(result.error?.message).not.toContain("check the URL");
  });
});

describe("nodeHandler", () => {
  it("a handler that returns no Response (a forgotten `return`) is reported as such, and the client gets 500", async () => {
    const reported: unknown[] = [];
    const url = await serve(
      ((_request: Request) => {
        STREAM.toResponse(async function* (w) {
          yield w.item({ n: 1 });
        });
      }) as unknown as (request: Request) => Response,
      { onError: (err) => reported.push(err) },
    );
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(reported).toHaveLength(1);
    expect(String((reported[0] as Error).message)).toContain("returned undefined, not a Response: did you forget `return`");
    expect(String((reported[0] as Error).message)).not.toContain("reading 'headers'");
  });

  it("a durable stream id that is not valid (from the URL) answers 400 with the reason, not a bare 500", async () => {
    const reported: unknown[] = [];
    const url = await serve(
      (request) => EVENTS.durable(new URL(request.url).searchParams.get("id") ?? "", async function* (w) {
        yield w.item({ n: 1 });
      }, { request }),
      { onError: (err) => reported.push(err) },
    );
    const res = await fetch(`${url}/?id=`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("a durable stream's id is 1 to 256 characters");
    expect(reported).toEqual([]);
    const err = await rejection(() => EVENTS.reader(fetch(`${url}/?id=${"x".repeat(300)}`)).readItems().next());
    expect(err.code).toBe("HTTP");
    expect(err.status).toBe(400);
  });
});

describe("an NDJSON line with a key besides kind and data", () => {
  it("is FORMAT naming the key, not 'not valid JSON' (the line is valid JSON)", async () => {
    const LINES = streamTypes(Type.Object({ n: Type.Integer() }), undefined, undefined, { format: ndjson() });
    const bytes = new TextEncoder().encode('{"kind":"item","data":{"n":1},"extra":2}\n{"kind":"end"}\n');
    const result = await readAll(LINES, LINES.reader(bytes));
    expect(result.error?.code).toBe("FORMAT");
    expect(result.error?.message).toContain('NDJSON line 1 has a key besides "kind" and "data", which is all a line may have: "extra"');
    expect(result.error?.message).not.toContain("not valid JSON");
    const bad = await readAll(LINES, LINES.reader(new TextEncoder().encode('{"kind":"item","data":{"n":1,}}\n')));
    expect(bad.error?.message).toContain("not valid JSON");
  });
});
