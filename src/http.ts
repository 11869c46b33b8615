// HTTP helpers for fetch-style servers: media types and a streaming Response with headers that keep proxies from buffering.
import { BINARY_MEDIA_TYPE, NDJSON_MEDIA_TYPE, SSE_MEDIA_TYPE, TRUSS_MEDIA_TYPE } from "./media-types.js";
import type { StreamSpec } from "./spec.js";

/** The Content-Type a stream of this definition is served with. */
export function contentTypeOf(spec: StreamSpec): string {
  if (spec.framing === "sse") return SSE_MEDIA_TYPE;
  if (spec.framing === "ndjson") return NDJSON_MEDIA_TYPE;
  return spec.truss ? TRUSS_MEDIA_TYPE : `${BINARY_MEDIA_TYPE}; codec=${spec.codec.name}`;
}

/** Headers a streaming response needs: no caching, no proxy buffering (nginx honours X-Accel-Buffering). */
export function streamingHeaders(contentType: string, extra?: HeadersInit): Headers {
  const headers = new Headers(extra);
  headers.set("Content-Type", contentType);
  headers.set("Cache-Control", "no-cache");
  headers.set("X-Accel-Buffering", "no");
  headers.set("X-Content-Type-Options", "nosniff");
  return headers;
}

/** Options for a streaming Response. */
export interface StreamResponseInit {
  status?: number;
  statusText?: string;
  /** Extra headers; the streaming headers above win over them. */
  headers?: HeadersInit;
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
