// The replay store contract: where a durable stream's parts wait for the clients that read them, on one instance or many.
import { StreamError } from "../errors.js";
import { FrameKind } from "../protocol.js";

/**
 * One part of a stream as a store keeps it: its position id, its frame kind and its payload, already validated
 * and encoded by the stream's codec. Not a wire frame: each connection frames the parts it sends with the
 * format's encoder, so ids, markers and resume frames are right in every format.
 *
 * Ids are the stream's positions (what a client sends back as `Last-Event-ID`): the header is 0, item i is
 * i + 1, and the footer, the end and an error take the next ids. They only increase.
 */
export interface StoredPart {
  readonly id: number;
  /** A {@link FrameKind}: HEADER, ITEM, FOOTER, END or ERROR (never OPEN, KEEPALIVE or RESUME). */
  readonly kind: number;
  /** The codec-encoded value; empty for END. */
  readonly payload: Uint8Array;
}

/** The bounds every store holds each stream to. */
export interface StoreLimits {
  /** Parts one stream may hold (its END or ERROR part aside). Over it, `append` throws `LIMIT`. */
  readonly maxParts: number;
  /** Payload bytes one stream may hold (its END or ERROR part aside). Over it, `append` throws `LIMIT`. */
  readonly maxBytes: number;
  /** A stream is removed this long after its last append (whether it ended or not); readers then get `GONE`. */
  readonly ttlMs: number;
}

/**
 * Where durable streams keep their parts: written once by the instance that runs the producer, read by every
 * connection on any instance, from any position, then live until the end. An implementation must:
 *
 * - `create(streamId)`: atomically create the stream if it does not exist and return true, or return false if it
 *   does (another request, on any instance, created it and runs its producer). Exactly one caller per stream id
 *   gets true until the stream has expired. The stream expires `ttlMs` after creation unless appended to.
 * - `append(streamId, part)`: add the next part and refresh the TTL. Ids come in sequence ({@link isNextId}): refuse
 *   any other with `StreamError("ORDER")`, so that after a refused part every later one is refused too (a producer
 *   pipelines its appends; a gap must be impossible). An END or ERROR part
 *   marks the end: nothing may follow it. Throw `StreamError("LIMIT")` when the part would take the stream over
 *   `maxParts` or `maxBytes` (a terminal part is always accepted, so the stream can say why it stopped), and
 *   `StreamError("GONE")` when the stream no longer exists (expired, deleted, or lost with the store's data): a
 *   producer must never write a stream that lost its beginning. A failure to reach the store throws what the
 *   client throws, or a `StreamError("NETWORK")`.
 * - `read(streamId, after, signal)`: the parts with ids above `after` (-1: from the start), in order: first the
 *   ones stored, then each new one as it is appended, ending after the END or ERROR part. Throws
 *   `StreamError("GONE")` when the stream does not exist or expires while read (so a reader never mistakes a lost
 *   stream for a quiet one), and whatever reaching the store throws. When `signal` aborts, the iteration ends
 *   quietly and releases what it holds (a blocking connection, a subscription).
 * - `delete(streamId)`: remove a stream now (readers waiting on it get `GONE`).
 * - Never hold more than its limits: memory is bounded by streams × `maxBytes`.
 *
 * Backends: memory (`memoryStore()`, one process), Redis Streams (`redisStore()` from "streamtypes/redis"). Another
 * log (NATS JetStream, Kafka) fits the same shape: a subject or topic per stream, a message per part with the id
 * and kind in its headers, a per-stream limit on messages and bytes, a max age for the TTL, and a consumer that
 * starts after a sequence number for `read`. See docs/resume.md.
 */
export interface ReplayStore {
  readonly limits: StoreLimits;
  create(streamId: string): Promise<boolean>;
  append(streamId: string, part: StoredPart): Promise<void>;
  read(streamId: string, after: number, signal: AbortSignal): AsyncIterable<StoredPart>;
  delete(streamId: string): Promise<void>;
  /** Releases the store's own resources (timers, connections it opened); not the client it was given. */
  close?(): Promise<void>;
}

/** The defaults: 100 000 parts, 32 MiB and 10 minutes per stream. */
export const DEFAULT_STORE_LIMITS: StoreLimits = { maxParts: 100_000, maxBytes: 32 * 1024 * 1024, ttlMs: 10 * 60_000 };

/** Terminal parts (END, ERROR) a store accepts past its limits, up to this payload size. */
export const MAX_TERMINAL_PAYLOAD = 64 * 1024;

/**
 * Whether `id` is the part that may follow `last` (-1: none yet): ids are consecutive, except that a stream without
 * a header starts at 1. A store refuses any other (`ORDER`), so that a part it refused can never leave a gap.
 */
export function isNextId(last: number, id: number): boolean {
  return id === last + 1 || (last === -1 && id === 1);
}

/** Whether a part ends its stream. */
export function isTerminal(kind: number): boolean {
  return kind === FrameKind.END || kind === FrameKind.ERROR;
}

/** Resolves a store's limits from its options, checking each. */
export function storeLimits(options: Partial<StoreLimits>): StoreLimits {
  const out = { ...DEFAULT_STORE_LIMITS };
  for (const key of ["maxParts", "maxBytes", "ttlMs"] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) throw new StreamError("OPTIONS", `${key} must be a positive integer, got ${String(value)}.`);
    out[key] = value;
  }
  return out;
}

/** The `LIMIT` error for a part that would take a stream over its limits, or `undefined` when it fits. */
export function limitError(streamId: string, limits: StoreLimits, parts: number, bytes: number, part: StoredPart): StreamError | undefined {
  if (isTerminal(part.kind) && part.payload.length <= MAX_TERMINAL_PAYLOAD) return undefined;
  if (parts + 1 > limits.maxParts) {
    return new StreamError("LIMIT", `The durable stream "${streamId}" would hold more than ${limits.maxParts} parts (maxParts of its replay store); it stops here.`);
  }
  if (bytes + part.payload.length > limits.maxBytes) {
    return new StreamError(
      "LIMIT",
      `The durable stream "${streamId}" would hold more than ${limits.maxBytes} payload bytes (maxBytes of its replay store) with a part of ${part.payload.length} bytes; it stops here.`,
    );
  }
  return undefined;
}

/** The `GONE` error: a stream (or the position a client asked for) that the store no longer has. */
export function goneError(streamId: string, why: string): StreamError {
  return new StreamError("GONE", `The durable stream "${streamId}" is gone from its replay store (${why}); its parts cannot be replayed. Start a new stream.`);
}
