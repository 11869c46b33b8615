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
  /**
   * True on the first part a producer appends. A stream may start at id 1 (no header) only with it: a part 1
   * appended late (a command that waited in a client's queue while the header's failed) must not start a
   * stream without its header.
   */
  readonly first?: boolean | undefined;
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
 *   any id past the next with `StreamError("ORDER")`, so that after a refused part every later one is refused too (a
 *   producer pipelines its appends; a gap must be impossible). An id at or below the last stored one is a retry of a
 *   part the store already has (its reply was lost with a connection): accept it, changing nothing; but an ERROR part
 *   so numbered on a stream that has not ended goes after the last part (the producer gave up on parts that the
 *   store took late), so that the stream still ends. An END or ERROR part
 *   marks the end: nothing may follow it. Throw `StreamError("LIMIT")` when the part would take the stream over
 *   `maxParts` or `maxBytes` (a terminal part is always accepted, so the stream can say why it stopped), and
 *   `StreamError("GONE")` when the stream no longer exists (expired, deleted, or lost with the store's data): a
 *   producer must never write a stream that lost its beginning. A failure to reach the store throws what the
 *   client throws, or a `StreamError("NETWORK")`.
 * - `create(streamId, codec)` records the codec's name with the stream, and `read(streamId, after, signal, codec)`
 *   refuses a reader of another codec with `StreamError("FORMAT")` (both parameters are optional to a store).
 * - `read(streamId, after, signal)`: the parts with ids above `after` (-1: from the start), in order: first the
 *   ones stored, then each new one as it is appended, ending after the END or ERROR part. Throws
 *   `StreamError("GONE")` when the stream does not exist or expires while read (so a reader never mistakes a lost
 *   stream for a quiet one), or when `after` is at or past the end of an ended stream, and `StreamError("STORE")`
 *   (or what its client throws) when the store cannot be reached: the caller retries that from its position. When `signal` aborts, the iteration ends
 *   quietly and releases what it holds (a blocking connection, a subscription).
 * - `delete(streamId)`: remove a stream now (readers waiting on it get `GONE`).
 * - Optional, for stores shared by instances: the producer's lease and stop. `create` starts a lease of
 *   `leaseMs`; `renew(streamId)` extends it (the producer's instance calls it every `leaseMs / 10`, at most every
 *   500 ms) and resolves true once `requestStop(streamId)` was called, from any instance. A `read` that has given
 *   every stored part of a stream that has not ended, and whose lease has lapsed (its instance died), throws
 *   `StreamError("PRODUCER_LOST")`: the caller then appends the error part that ends the stream for every reader.
 * - Never hold more than its limits: memory is bounded by streams × `maxBytes`.
 *
 * Backends: memory (`memoryStore()`, one process), Redis Streams (`redisStore()` from "streamtypes/redis"). Another
 * log (NATS JetStream, Kafka) fits the same shape: a subject or topic per stream, a message per part with the id
 * and kind in its headers, a per-stream limit on messages and bytes, a max age for the TTL, and a consumer that
 * starts after a sequence number for `read`. See docs/resume.md.
 */
export interface ReplayStore {
  readonly limits: StoreLimits;
  create(streamId: string, codec?: string): Promise<boolean>;
  append(streamId: string, part: StoredPart): Promise<void>;
  read(streamId: string, after: number, signal: AbortSignal, codec?: string): AsyncIterable<StoredPart>;
  delete(streamId: string): Promise<void>;
  /** How long a producer's lease lasts without renewal (see `renew`); undefined: the store has no leases. */
  readonly leaseMs?: number | undefined;
  /** Extends the producer's lease by `leaseMs`; true once a stop was requested. */
  renew?(streamId: string): Promise<boolean>;
  /** Asks the stream's producer to stop, wherever it runs: false when the stream does not exist or has ended. */
  requestStop?(streamId: string): Promise<boolean>;
  /** Releases the store's own resources (timers, connections it opened); not the client it was given. */
  close?(): Promise<void>;
}

/** The defaults: 100 000 parts, 32 MiB and 10 minutes per stream. */
export const DEFAULT_STORE_LIMITS: StoreLimits = { maxParts: 100_000, maxBytes: 32 * 1024 * 1024, ttlMs: 10 * 60_000 };

/** Terminal parts (END, ERROR) a store accepts past its limits, up to this payload size. */
export const MAX_TERMINAL_PAYLOAD = 64 * 1024;

/**
 * Whether `id` is the part that may follow `last` (-1: none yet): ids are consecutive, except that a stream without
 * a header starts at 1 (its first part, `first`). A store refuses any other (`ORDER`), so that a part it refused can
 * never leave a gap.
 */
export function isNextId(last: number, id: number, first = true): boolean {
  return id === last + 1 || (last === -1 && id === 1 && first);
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

/**
 * Whether a store failure may pass when retried (a lost connection, a restarting Redis, a command timeout), as
 * opposed to an answer of the store's (`LIMIT`, `ORDER`, `GONE`, `FORMAT`) that a retry gives again.
 */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof StreamError)) return true;
  return err.code === "STORE" || err.code === "NETWORK" || err.code === "TIMEOUT";
}

/** What a store's client threw, for a message: its name, code (ECONNRESET) and message, never an empty "Error: .". */
export function describeStoreFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err) || "an unknown failure";
  const code = (err as { code?: unknown }).code;
  // node-redis's TimeoutError (its command timeout) has neither a name nor a message of its own.
  const name = err.name && err.name !== "Error" ? err.name : (err.constructor?.name ?? "Error");
  if (err.message === "" && /Timeout/.test(name)) return `${name}: the client's command timeout fired (the command waited too long for its reply)`;
  const parts = [name || "Error"];
  if (typeof code === "string" && code !== "" && !(err instanceof StreamError)) parts.push(`(${code})`);
  return `${parts.join(" ")}: ${err.message || "no message"}`;
}

/** The `STORE` error: the replay store could not be reached (or kept failing) while a stream was written or read. */
export function storeError(streamId: string, doing: string, err: unknown, retriedMs?: number): StreamError {
  const tried = retriedMs === undefined ? "" : ` (retried for ${retriedMs} ms)`;
  return new StreamError(
    "STORE",
    `The replay store failed while ${doing} "${streamId}"${tried}: ${describeStoreFailure(err)}. Check the store (Redis) and reconnect: if the stream survived, it continues.`,
    { cause: err },
  );
}

/**
 * Whether `streamId` can name a durable stream: 1 to 256 characters, none of them a control or format character
 * (C0, DEL, C1, bidi overrides), no lone surrogate. Ids come from clients; such characters reach keys and logs.
 */
export function isValidStreamId(streamId: unknown): boolean {
  return typeof streamId === "string" && streamId.length > 0 && streamId.length <= 256 && !/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(streamId);
}

/** `FORMAT` when a stream stored in one codec is read by an endpoint of another (an SSE endpoint would send MessagePack bytes). */
export function checkCodec(streamId: string, stored: string | undefined, wanted: string | undefined): void {
  if (stored === undefined || stored === "" || wanted === undefined || stored === wanted) return;
  throw new StreamError(
    "FORMAT",
    `The durable stream "${streamId}" is stored in the ${stored} codec; this endpoint's format uses ${wanted}. Serve it from an endpoint of the same codec, or start it under another id.`,
  );
}

/** The `PRODUCER_LOST` error: the lease of a stream's producer lapsed before its end (the instance running it died). */
export function producerLostError(streamId: string, leaseMs: number | undefined): StreamError {
  const lease = leaseMs === undefined ? "" : ` for more than ${leaseMs} ms`;
  return new StreamError(
    "PRODUCER_LOST",
    `The producer of the durable stream "${streamId}" stopped renewing its lease${lease} before the stream's end: the instance running it died or lost the store. Start a new stream.`,
  );
}

/** The `GONE` error: a stream (or the position a client asked for) that the store no longer has. */
export function goneError(streamId: string, why: string): StreamError {
  return new StreamError("GONE", `The durable stream "${streamId}" is gone from its replay store (${why}); its parts cannot be replayed. Start a new stream.`);
}
