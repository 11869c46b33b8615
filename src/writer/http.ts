// HTTP helpers for fetch-style servers: a streaming Response with headers that keep proxies from buffering.

/** Headers a streaming response needs: no caching, no proxy buffering (nginx honours X-Accel-Buffering). */
export function streamingHeaders(contentType: string, extra?: HeadersLike): Headers {
  const headers = new Headers(extra as ConstructorParameters<typeof Headers>[0]);
  headers.set("Content-Type", contentType);
  headers.set("Cache-Control", "no-cache");
  headers.set("X-Accel-Buffering", "no");
  headers.set("X-Content-Type-Options", "nosniff");
  return headers;
}

/** Headers as the Fetch API accepts them, spelt out so that declarations need no DOM library. */
export type HeadersLike = Headers | Record<string, string> | [string, string][];

/** Options for a streaming Response. */
export interface StreamResponseInit {
  status?: number | undefined;
  statusText?: string | undefined;
  /** Extra headers; the streaming headers above win over them. */
  headers?: HeadersLike | undefined;
}

/**
 * A `Response` that streams `body` with the streaming headers, for any fetch-style handler (Hono, Deno, Bun,
 * workers, or Node through `streamtypes/node`).
 *
 * @example
 * export default { fetch: () => streamResponse(body, "application/vnd.streamtypes; codec=msgpack") };
 */
export function streamResponse(body: ReadableStream<Uint8Array>, contentType: string, init: StreamResponseInit = {}): Response {
  return new Response(body as ReadableStream<Uint8Array<ArrayBuffer>>, {
    status: init.status ?? 200,
    ...(init.statusText === undefined ? {} : { statusText: init.statusText }),
    headers: streamingHeaders(contentType, init.headers),
  });
}
