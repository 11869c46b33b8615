// Request identity by value for useStream: a URL string, a URL and a Request that name the same method, URL and body are one request.

/** What useStream accepts as a request; see {@link requestKey}. */
type KeyedRequest = string | URL | Request | ((signal: AbortSignal) => unknown) | null | undefined;

/** Ids for values compared by identity (functions, streams): a WeakMap, so that nothing is kept alive. */
const identities = new WeakMap<object, number>();
let nextIdentity = 1;

function identityOf(value: object): number {
  let id = identities.get(value);
  if (id === undefined) identities.set(value, (id = nextIdentity++));
  return id;
}

/**
 * The request's identity as a string, equal for requests that fetch the same thing: method, absolute URL and body
 * (`init`'s, for a URL; a Request's own body is compared once read, see {@link sameBody}). A function is itself
 * (compared by reference); null and undefined are null (no stream).
 *
 * @example
 * requestKey("/tokens") === requestKey(new URL("/tokens", location.href)); // true
 * requestKey("/chat", { method: "POST", body: "{}" }); // "POST http://…/chat body:s{}"
 */
export function requestKey(request: KeyedRequest, init?: RequestInit): string | null {
  if (request === null || request === undefined) return null;
  if (typeof request === "function") return `function#${identityOf(request)}`;
  if (typeof Request !== "undefined" && request instanceof Request) {
    // Headers and other fields are read when the stream starts: only what names the resource counts.
    return `${request.method} ${request.url}${request.body === null ? "" : " body:request"}`;
  }
  const method = (init?.method ?? "GET").toUpperCase();
  const body = init?.body === undefined || init.body === null ? "" : ` body:${bodyKey(init.body)}`;
  return `${method} ${absolute(String(request))}${body}`;
}

/** The URL resolved against the page (in a browser), so that "/a", "./a" and `new URL("/a", location.href)` are one. */
function absolute(url: string): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    return new URL(url, base).href;
  } catch {
    return url; // a relative URL outside a browser: fetch will say what is wrong with it
  }
}

/** A body as text for comparison: the data itself where it can be read at once, else the object's identity. */
function bodyKey(body: BodyInit): string {
  if (typeof body === "string") return `s${body}`;
  if (body instanceof URLSearchParams) return `q${body.toString()}`;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    let hex = "";
    for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
    return `b${hex}`;
  }
  if (typeof FormData !== "undefined" && body instanceof FormData) {
    const entries = [...body.entries()].map(([name, value]) => [name, typeof value === "string" ? value : `file#${identityOf(value)}`]);
    return `f${JSON.stringify(entries)}`;
  }
  return `#${identityOf(body as object)}`; // a Blob or a ReadableStream: cannot be read without waiting
}

/** The body texts of Requests, read once each from a clone (the Request itself stays unread for fetch). */
const bodyTexts = new WeakMap<Request, Promise<string>>();

/** A Request's body as text (empty for none), read from a clone once: call before the Request is fetched. */
export function bodyTextOf(request: Request): Promise<string> {
  let text = bodyTexts.get(request);
  if (text === undefined) {
    text = request.body === null ? Promise.resolve("") : request.clone().text();
    text.catch(() => {}); // compared later, or never: a failed read is "different", not an unhandled rejection
    bodyTexts.set(request, text);
  }
  return text;
}

/** Whether two Requests with bodies (same method and URL) send the same body; false when either cannot be read. */
export async function sameBody(a: Request, b: Request): Promise<boolean> {
  try {
    const [first, second] = await Promise.all([bodyTextOf(a), bodyTextOf(b)]);
    return first === second;
  } catch {
    return false;
  }
}
