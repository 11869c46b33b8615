// Node adapter (node:http only): send a fetch Response through a ServerResponse, and serve fetch-style handlers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import { sendPushBody } from "./durable/node-sink.js";
import { takePushBody, type PushBody } from "./durable/push-body.js";
import { StreamError } from "./errors.js";
import { TurnWrites } from "./writer/node-turn-writes.js";
import { takeProducerRun } from "./writer/producer.js";

/**
 * Writes a fetch `Response` to a Node `ServerResponse`, streaming its body with backpressure. When the client
 * disconnects, at any moment (even before this is called), the body is cancelled, which aborts a streamtypes
 * producer's `signal` and runs its `finally` blocks. Resolves when the response has ended or the client has gone;
 * never rejects for a client that left.
 *
 * @example
 * http.createServer((req, res) => sendResponse(res, STREAM.toResponse(async function* (w) { yield w.item(x); })));
 */
export function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  // Only the status, headers and body are kept: a long stream does not keep the Response (its Headers and the body's
  // ReadableStream, some KiB per stream) alive while it is sent.
  try {
    checkResponse(response, "sendResponse() was given");
    // A durable stream's body pushes frames it shares with other responses straight to the socket.
    const pushed = takePushBody(response.body);
    if (pushed !== undefined) return sendHeadAndPushed(res, headOf(response), pushed);
    return sendHeadAndBody(res, headOf(response), bodyReader(response.body));
  } catch (err) {
    return Promise.reject(err); // a body already read, say: as a rejection, as from an async function
  }
}

/** A Response's status line and headers, as node:http writes them. */
interface Head {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Record<string, string | string[]>;
}

async function sendHeadAndBody(res: ServerResponse, head: Head, reader: BodyReader | undefined): Promise<void> {
  // Member functions rather than named closures: a build that keeps function names (tsx, esbuild's keepNames)
  // gives each named closure a property table of its own, which thousands of open streams would each hold.
  const client = { gone: false, wake: NOTHING, onClose: NOTHING };
  client.onClose = () => {
    client.gone = true;
    // Cancelling settles a read that waits on a quiet producer, aborts its signal and runs its finally blocks.
    reader?.cancel(new Error("the client disconnected")).catch(() => {});
    client.wake();
  };
  const onClose = client.onClose;
  // The socket too: a response queued behind a pipelined one has no socket of its own yet.
  const socket = res.req?.socket ?? res.socket;
  res.on("close", onClose);
  socket?.on("close", onClose);
  try {
    // The client may have left while the handler was still working, before these listeners existed.
    if (clientGone(res)) {
      onClose();
      return;
    }
    writeHead(res, head);
    if (!reader || res.req?.method === "HEAD") {
      // Node drops a HEAD response's body; reading it would run the producer for nobody.
      reader?.cancel(new Error("a HEAD response has no body")).catch(() => {});
      res.end();
      return;
    }
    // The frames a producer makes in one turn go out in one write, when the turn's microtasks are done; the first
    // such write carries the head, which goes alone at the end of the first turn if the producer has no frame yet.
    const writes = new TurnWrites(res, () => reader.releaseBuffers?.());
    writes.headAtTurnEnd();
    for (;;) {
      const chunk = await reader.next();
      if (client.gone || clientGone(res)) {
        onClose();
        return;
      }
      if (chunk === undefined) break;
      writes.add(chunk);
      if (res.writableNeedDrain) {
        // Wait for the socket to take more, or for the client to leave: a closed socket never drains.
        await new Promise<void>((resolve) => {
          client.wake = resolve;
          res.once("drain", resolve);
        });
        res.off("drain", client.wake);
        client.wake = NOTHING;
        if (client.gone) return;
      }
    }
    writes.flush();
    res.end();
  } catch (err) {
    // The body failed without an error frame (a bug in a hand-made body): cut the connection so the client sees
    // TRUNCATED rather than a response that looks complete.
    reader?.cancel(err).catch(() => {});
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  } finally {
    res.off("close", onClose);
    socket?.off("close", onClose);
  }
}

/** A pushed body (see durable/push-body.ts): the head, then the body writes to `res` itself until it ends or the client goes. */
function sendHeadAndPushed(res: ServerResponse, head: Head, body: PushBody): Promise<void> {
  if (clientGone(res)) {
    body.cancel();
    return Promise.resolve();
  }
  writeHead(res, head);
  if (res.req?.method === "HEAD") {
    res.end(); // Node drops a HEAD response's body; the stream is not opened for nobody
    return Promise.resolve();
  }
  res.flushHeaders(); // the client learns the status before the first frame
  return sendPushBody(res, body);
}

const NOTHING = (): void => {};

/** How sendResponse reads a body: a streamtypes producer's frames straight from its run, any other body through its stream. */
interface BodyReader {
  next(): Promise<Uint8Array | undefined>;
  cancel(reason: unknown): Promise<void>;
  /** A producer's run: its writer may drop its slab while the producer waits. */
  releaseBuffers?(): void;
}

function bodyReader(body: ReadableStream<Uint8Array> | null): BodyReader | undefined {
  if (body === null) return undefined;
  // A producer's own frames, without the stream's promise chain per frame: the same frames and pacing, less CPU and memory per stream.
  const run = takeProducerRun(body);
  if (run !== undefined) return run;
  const reader = body.getReader();
  return {
    next: () => reader.read().then((result) => (result.done ? undefined : result.value)),
    cancel: (reason) => reader.cancel(reason),
  };
}

/** Options for {@link nodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * Called with what the handler threw or rejected with. The client only gets a bare 500, since error messages
   * can reveal server internals. Default: `console.error`.
   */
  onError?: ((err: unknown) => void) | undefined;
}

/**
 * Adapts a fetch-style handler `(request) => Response` to `node:http`. The Request's `signal` aborts when the
 * client disconnects. A request that cannot be a fetch `Request` (a Host that is no host, a method fetch
 * forbids such as TRACE, a header value `Headers` refuses) gets 400 without reaching the handler; a handler that
 * throws gets a bare 500 and its error goes to `onError`.
 *
 * @example
 * http.createServer(nodeHandler((req) => STREAM.toResponse(produce), { onError: (err) => log.error(err) })).listen(8080);
 */
export function nodeHandler(
  handler: (request: Request) => Response | Promise<Response>,
  options: NodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const onError = options.onError ?? ((err: unknown) => console.error("streamtypes/node: the handler failed:", err));
  return (req, res) => {
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort(new Error("the client disconnected"));
    });
    let request: Request;
    try {
      request = toRequest(req, abort.signal);
    } catch {
      // Node's parser let the request through, but fetch's URL, Headers or Request refuse it.
      sendPlain(res, 400, "Bad Request");
      return;
    }
    Promise.resolve()
      .then(() => handler(request))
      .then((response) => sendResponse(res, checkResponse(response, "The handler returned")))
      .catch((err: unknown) => {
        try {
          onError(err);
        } catch (hookErr) {
          console.error("streamtypes/node: onError threw:", hookErr, "while reporting:", err);
        }
        if (!res.headersSent) sendPlain(res, 500, "Internal Server Error");
        else res.destroy(); // the client sees TRUNCATED, not a short success
      });
  };
}

/** `OPTIONS` for what is not a Response (a handler that forgot `return` gives undefined), rather than a TypeError about `headers`. */
function checkResponse(value: unknown, what: string): Response {
  if (typeof value === "object" && value !== null && "headers" in value && "status" in value) return value as Response;
  const got = value === null || value === undefined ? String(value) : typeof value === "object" ? "an object that is not a Response" : `a ${typeof value}`;
  throw new StreamError("OPTIONS", `${what} ${got}, not a Response: did you forget \`return\` before STREAM.toResponse(...)? A fetch-style handler must return (or resolve to) its Response.`);
}

function clientGone(res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded || res.req?.socket?.destroyed === true;
}

function headOf(response: Response): Head {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  return { status: response.status, statusText: response.statusText, headers };
}

function writeHead(res: ServerResponse, head: Head): void {
  // Without a statusText, Node writes its standard reason phrase ("200 OK") instead of an empty one.
  if (head.statusText) res.writeHead(head.status, head.statusText, head.headers);
  else res.writeHead(head.status, head.headers);
}

function sendPlain(res: ServerResponse, status: number, text: string): void {
  if (res.destroyed || res.writableEnded) return;
  // After a bad request the connection's state is doubtful, so it is not reused.
  const close = status === 400 ? { connection: "close" } : {};
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...close });
  res.end(text);
}

/** The fetch `Request` for a Node request; throws when URL, Headers or Request refuse a part of it. */
function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(requestUrl(req), {
    method: req.method ?? "GET",
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? "/";
  if (!target.startsWith("/")) {
    // The absolute form ("GET http://host/path", as sent to proxies) names its own host; anything else
    // ("OPTIONS *") has no URL a fetch Request could carry.
    const url = new URL(target);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`Unsupported request target: ${target}`);
    return url;
  }
  const scheme = (req.socket as Partial<TLSSocket>).encrypted ? "https" : "http";
  const host = req.headers.host ?? "localhost";
  const origin = new URL(`${scheme}://${host}`);
  // A Host such as "a/b", "a?b" or "a@b" would otherwise move part of itself into the path, query or userinfo.
  if (origin.pathname !== "/" || origin.search || origin.hash || origin.username || origin.password) {
    throw new TypeError(`Invalid Host header: ${host}`);
  }
  // Concatenated, not resolved against the origin: a path "//other/x" must stay a path, not become a host.
  return new URL(origin.origin + target);
}
