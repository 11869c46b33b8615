// Node adapter (node:http only): send a fetch Response through a ServerResponse, and serve fetch-style handlers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

/**
 * Writes a fetch `Response` to a Node `ServerResponse`, streaming its body with backpressure. When the client
 * disconnects, the body is cancelled, which stops a streamtypes producer and runs its `finally` blocks.
 * Resolves when the response has ended or the client has gone.
 *
 * @example
 * http.createServer((req, res) => sendResponse(res, STREAM.toResponse(async function* (w) { yield w.item(x); })));
 */
export async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, response.statusText, headers);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders(); // the client learns the status before the first frame
  const reader = response.body.getReader();
  let gone = false;
  let wake: (() => void) | undefined;
  const onClose = () => {
    gone = true;
    reader.cancel(new Error("the client disconnected")).catch(() => {});
    wake?.();
  };
  res.on("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || gone) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          res.once("drain", resolve);
        });
        wake = undefined;
        if (gone) break;
      }
    }
  } catch (err) {
    // The body failed without an error frame (a bug in a hand-made body): cut the connection so the client sees TRUNCATED.
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  } finally {
    res.off("close", onClose);
  }
  if (!gone) res.end();
}

/**
 * Adapts a fetch-style handler `(request) => Response` to `node:http`. The Request's `signal` aborts when the
 * client disconnects.
 *
 * @example
 * http.createServer(nodeHandler((req) => STREAM.toResponse(produce))).listen(8080);
 */
export function nodeHandler(handler: (request: Request) => Response | Promise<Response>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort(new Error("the client disconnected"));
    });
    const host = req.headers.host ?? "localhost";
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(new URL(req.url ?? "/", `http://${host}`), {
      method: req.method ?? "GET",
      headers,
      signal: abort.signal,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
    } as RequestInit);
    Promise.resolve()
      .then(() => handler(request))
      .then((response) => sendResponse(res, response))
      .catch((err) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
          res.end(`Internal error: ${err instanceof Error ? err.message : String(err)}`);
        } else res.destroy();
      });
  };
}
