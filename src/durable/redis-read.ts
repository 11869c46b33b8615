// Reading one stream from the Redis store: its stored parts by XRANGE on the store's client, then the live ones from the store's shared tail, in order and without a gap.
import { StreamError } from "../errors.js";
import type { RedisTail, TailConnection, TailSource, TailSubscriber } from "./redis-tail.js";
import { checkCodec, goneError, isTerminal, storeError, type StoredPart } from "./store.js";

/** RESP blob strings as Buffers, so that payloads round-trip byte for byte (node-redis `RESP_TYPES.BLOB_STRING`). */
export const BUFFERS = { [36]: Buffer } as const;
/** Parts fetched by one XRANGE while catching up. */
const RANGE = 512;

/** What a read needs of its store. */
export interface ReadContext {
  readonly tail: RedisTail;
  /** A command on the store's client, failing with `STORE` when Redis does not answer within a bound. */
  command(args: string[], options?: { typeMapping?: object }): Promise<unknown>;
}

/** Keys and names of the stream read. */
export interface StreamKeys {
  readonly streamId: string;
  readonly meta: string;
  readonly parts: string;
}

/**
 * The parts of a stream after `after`: checks that it exists (`GONE`), is in `codec` (`FORMAT`) and that `after`
 * is not at or past its end (`GONE`), subscribes to the tail, then yields the stored parts (XRANGE) and the live
 * ones the tail hands over; a part the tail gives past a gap (it was following the stream from further on) first
 * brings the missing ones by XRANGE. Ends after the terminal part, or quietly when `signal` aborts.
 */
export async function* readStream(ctx: ReadContext, keys: StreamKeys, after: number, signal: AbortSignal, codec: string | undefined): AsyncIterable<StoredPart> {
  const { streamId } = keys;
  const [last, ended, stored] = (await ctx.command(["HMGET", keys.meta, "last", "ended", "codec"])) as [unknown, unknown, unknown];
  if (last === null || last === undefined) throw goneError(streamId, "Redis does not have it: it expired, was deleted, never existed, or Redis lost its data");
  checkCodec(streamId, stored === null || stored === undefined ? undefined : String(stored), codec);
  if (String(ended) === "1" && after >= Number(String(last))) throw goneError(streamId, `the position asked for, ${after}, is at or past its end (part ${String(last)})`);
  const queue: StoredPart[] = [];
  let failure: unknown;
  let wake = () => {};
  const subscriber: TailSubscriber = {
    part: (part) => {
      queue.push(part);
      wake();
    },
    fail: (err) => {
      failure ??= err;
      wake();
    },
  };
  const onAbort = () => wake();
  signal.addEventListener("abort", onAbort, { once: true });
  // Subscribed before the stored parts are read: a part appended in between comes from one or the other.
  const unsubscribe = ctx.tail.subscribe(keys.parts, after, subscriber);
  let position = after;
  try {
    for (const part of await range(ctx, keys, position, undefined)) {
      yield part;
      position = part.id;
      if (isTerminal(part.kind) || signal.aborted) return;
    }
    for (;;) {
      while (queue.length === 0 && failure === undefined && !signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
      if (signal.aborted) return;
      const part = queue.shift();
      if (part === undefined) throw failure;
      if (part.id <= position) continue;
      const missing = part.id > position + 1 ? await range(ctx, keys, position, part.id - 1) : [];
      for (const p of [...missing, part]) {
        if (p.id !== position + 1 && !(position === -1 && p.id === 1)) throw goneError(streamId, `the part with id ${position + 1} is missing: Redis gave ${p.id}`);
        yield p;
        position = p.id;
        if (isTerminal(p.kind) || signal.aborted) return;
      }
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}

/** The stored parts after `after`, up to id `until` (all when undefined), by XRANGE pages. */
async function range(ctx: ReadContext, keys: StreamKeys, after: number, until: number | undefined): Promise<StoredPart[]> {
  const out: StoredPart[] = [];
  for (let from = after; ; ) {
    const reply = (await ctx.command(["XRANGE", keys.parts, `0-${from + 2}`, until === undefined ? "+" : `0-${until + 1}`, "COUNT", String(RANGE)], { typeMapping: BUFFERS })) as unknown[][];
    for (const [id, fields] of reply) out.push(toPart(id, fields));
    if (reply.length < RANGE) return out;
    from = out[out.length - 1]!.id;
  }
}

/**
 * The tail's side of the store: connections made by `duplicate()` whose first error fails them (no reconnecting
 * forever: the tail opens a new one), XREAD replies by key, and the check of a quiet stream.
 */
export function tailSource(
  duplicate: () => { sendCommand(args: ReadonlyArray<string | Buffer>, options?: { typeMapping?: object }): Promise<unknown>; connect(): Promise<unknown>; destroy(): void; on(event: "error", listener: (err: Error) => void): unknown },
  blockMs: number,
  checkQuiet: (key: string) => Promise<void>,
): TailSource {
  return {
    blockMs,
    checkQuiet,
    storeError: (err) => (err instanceof StreamError ? err : storeError("(the store's tail)", "following", err)),
    entries: entriesByKey,
    async connect(): Promise<TailConnection> {
      const client = duplicate();
      let failed: (err: Error) => void = () => {};
      const failure = new Promise<never>((_, reject) => (failed = reject));
      failure.catch(() => {});
      client.on("error", (err) => failed(err));
      const close = () => {
        try {
          client.destroy();
        } catch {
          // already closed
        }
      };
      const send = (args: string[], options?: { typeMapping?: object }) => Promise.race([client.sendCommand(args, options), failure]);
      try {
        await Promise.race([client.connect(), failure]);
        const id = Number(await send(["CLIENT", "ID"]));
        return { id, send: (args) => send(args, { typeMapping: BUFFERS }), close };
      } catch (err) {
        close();
        throw err;
      }
    },
  };
}

/** The parts of an XREAD reply, per stream key, in RESP2 (arrays) or RESP3 (a map) shape. */
function entriesByKey(reply: unknown): Map<string, StoredPart[]> {
  const out = new Map<string, StoredPart[]>();
  if (reply === null || reply === undefined) return out;
  const streams: [unknown, unknown][] = Array.isArray(reply)
    ? reply.map((s) => [(s as unknown[])[0], (s as unknown[])[1]])
    : reply instanceof Map
      ? [...reply.entries()]
      : Object.entries(reply as object);
  for (const [key, entries] of streams) out.set(String(key), (entries as unknown[][]).map((entry) => toPart(entry[0], entry[1])));
  return out;
}

/** One stream entry as a part: its id from the entry id (`0-<id + 1>`), its kind and payload from the fields. */
export function toPart(id: unknown, fields: unknown): StoredPart {
  const match = /^0-(\d+)$/.exec(String(id));
  if (!match) throw new StreamError("FORMAT", `Not an entry of a streamtypes replay stream: id ${String(id)}.`);
  let kind: number | undefined;
  let payload: Uint8Array | undefined;
  const list = fields instanceof Map ? [...fields].flat() : (fields as unknown[]);
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = String(list[i]);
    const value = list[i + 1] as Buffer;
    if (name === "k") kind = Number(String(value));
    else if (name === "p") payload = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (kind === undefined || payload === undefined) throw new StreamError("FORMAT", `Not an entry of a streamtypes replay stream: ${String(id)} lacks its kind or payload.`);
  return { id: Number(match[1]) - 1, kind, payload };
}
