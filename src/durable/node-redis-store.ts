// The Redis replay store: one Redis Stream per durable stream (XADD, XREAD BLOCK), a hash for its counters, both expiring together.
import { createHash } from "node:crypto";
import { StreamError } from "../errors.js";
import { FrameKind } from "../protocol.js";
import { readStream, tailSource, type ReadContext } from "./redis-read.js";
import { RedisRunningSet } from "./redis-running-set.js";
import { RedisTail } from "./redis-tail.js";
import { goneError, producerLostError, isTerminal, storeError, storeLimits, MAX_TERMINAL_PAYLOAD, type ReplayStore, type StoreLimits, type StoredPart } from "./store.js";

/**
 * What the store needs of a node-redis client (`createClient()` from "redis", v5 or later, connected): raw
 * commands with binary replies, and `duplicate()` for the blocking reads (one connection per store, shared by all
 * of its tailing readers: XREAD BLOCK over every followed stream at once).
 */
export interface RedisClientLike {
  sendCommand(args: ReadonlyArray<string | Buffer>, options?: { typeMapping?: object }): Promise<unknown>;
  duplicate(): RedisBlockingClient;
}

/** A duplicated client, for one reader's blocking reads. */
export interface RedisBlockingClient {
  sendCommand(args: ReadonlyArray<string | Buffer>, options?: { typeMapping?: object }): Promise<unknown>;
  connect(): Promise<unknown>;
  destroy(): void;
  on(event: "error", listener: (err: Error) => void): unknown;
}

/** Options of {@link redisStore}. */
export interface RedisStoreOptions extends Partial<StoreLimits> {
  /** A connected node-redis client (`await createClient({ url }).connect()`). The store never closes it. */
  client: RedisClientLike;
  /**
   * Prefix of every key, without `{` or `}`. Default "streamtypes:". Keys are `<prefix>{<id>}:parts` and
   * `<prefix>{<id>}:meta`, `%` and `}` in the id escaped: one hash slot per stream, for every id.
   */
  keyPrefix?: string | undefined;
  /**
   * Streams running at once (created, not ended, appended to within `ttlMs`); creating one more throws `LIMIT`.
   * Ended streams do not count. Default 10 000. Redis memory is bounded by the running streams × `maxBytes`, plus
   * the ended ones until their TTL.
   */
  maxStreams?: number | undefined;
  /**
   * How long a producer's lease lasts without renewal, in ms. Default 5000. Its instance renews it every
   * leaseMs / 3 (at most every 500 ms, which is also how soon `STREAM.stop()` reaches it); when it lapses (the
   * instance died), readers end the stream with `PRODUCER_LOST` within about two lease periods.
   */
  leaseMs?: number | undefined;
  /** How long one XREAD BLOCK waits before the reader checks that the stream still exists (and its lease). Default 5000 ms. */
  blockMs?: number | undefined;
}


/** Lua: `now`, Redis's clock in ms (one clock for every instance's leases). */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/* renew: KEYS[1] meta; ARGV[1] leaseMs. The producer's lease, extended: 1, or 2 when a stop was requested; 0 gone or ended. */
const RENEW = `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'ended') == '1' then return 0 end
${NOW}
redis.call('HSET', KEYS[1], 'lease', now + tonumber(ARGV[1]))
if redis.call('HGET', KEYS[1], 'stop') == '1' then return 2 end
return 1`;

/* stop: KEYS[1] meta. Marks the stream for its producer's next renewal: 1, or 0 when gone or ended. */
const REQUEST_STOP = `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'ended') == '1' then return 0 end
redis.call('HSET', KEYS[1], 'stop', 1)
return 1`;

/* state (a reader with nothing new): KEYS[1] meta. -1 gone, 0 ended, 1 running, 2 its lease lapsed. */
const STATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'ended') == '1' then return 0 end
${NOW}
local lease = tonumber(redis.call('HGET', KEYS[1], 'lease'))
if lease ~= nil and lease < now then return 2 end
return 1`;

/*
 * create: KEYS[1] meta; ARGV[1] ttl, ARGV[2] codec, ARGV[3] leaseMs. The `SET NX PX` of a lock, for a hash: exactly one caller creates the stream.
 */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
${NOW}
redis.call('HSET', KEYS[1], 'last', -1, 'parts', 0, 'bytes', 0, 'ended', 0, 'codec', ARGV[2], 'lease', now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/*
 * append: KEYS[1] meta, KEYS[2] parts; ARGV id, kind, payload, maxParts, maxBytes, ttl, terminal (1/0), maxTerminal, first (1/0).
 * -1 gone, -2 out of order, -3 ended, -4 over maxParts, -5 over maxBytes, 1 appended, 2 already stored (a retry).
 */
const APPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local id = tonumber(ARGV[1])
local last = tonumber(redis.call('HGET', KEYS[1], 'last'))
if id <= last then
  if ARGV[2] ~= '${FrameKind.ERROR}' or redis.call('HGET', KEYS[1], 'ended') == '1' then return 2 end
  id = last + 1
end
if id ~= last + 1 and not (last == -1 and id == 1 and ARGV[9] == '1') then return -2 end
if redis.call('HGET', KEYS[1], 'ended') == '1' then return -3 end
local parts = tonumber(redis.call('HGET', KEYS[1], 'parts'))
local bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes'))
local size = string.len(ARGV[3])
local terminal = ARGV[7] == '1' and size <= tonumber(ARGV[8])
if not terminal then
  if parts + 1 > tonumber(ARGV[4]) then return -4 end
  if bytes + size > tonumber(ARGV[5]) then return -5 end
end
redis.call('XADD', KEYS[2], 'MAXLEN', tonumber(ARGV[4]) + 1, '0-' .. (id + 1), 'k', ARGV[2], 'p', ARGV[3])
redis.call('HSET', KEYS[1], 'last', id, 'parts', parts + 1, 'bytes', bytes + size, 'ended', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 1`;

/**
 * A replay store on Redis Streams, shared by every instance behind a load balancer: one stream key per durable
 * stream, entry ids `0-<id + 1>` so that a read after a position is one `XREAD` from `0-<position + 1>`, the
 * counters and the end mark in a hash, and both keys expiring `ttlMs` after the last part (`PEXPIRE`). Appends
 * are one Lua script each, so the limits, the order and "does the stream still exist" are checked atomically: a
 * Redis that restarted without its data makes the producer fail with `GONE` instead of writing a stream that
 * lost its beginning, and readers get `GONE` or the connection's error, never a short stream.
 *
 * @example
 * import { createClient } from "redis";
 * import { redisStore } from "streamtypes/redis";
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = redisStore({ client, ttlMs: 10 * 60_000 });
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options);
}

export class RedisStore implements ReplayStore {
  readonly limits: StoreLimits;
  private readonly client: RedisClientLike;
  private readonly prefix: string;
  private readonly blockMs: number;
  readonly leaseMs: number;
  /** The scripts Redis is known to have, by source: their SHA-1. */
  private readonly loaded = new Map<string, string>();
  private readonly running: RedisRunningSet;
  /** What reads use: the tail shared by this store's readers, and bounded commands. */
  private readonly reading: ReadContext;

  constructor(options: RedisStoreOptions) {
    this.limits = storeLimits(options);
    this.client = options.client;
    this.prefix = options.keyPrefix ?? "streamtypes:";
    if (/[{}]/.test(this.prefix)) throw new StreamError("OPTIONS", `keyPrefix must not contain "{" or "}": the stream id is each key's hash tag (got ${JSON.stringify(this.prefix).slice(0, 60)}).`);
    this.blockMs = options.blockMs ?? 5000;
    if (!Number.isSafeInteger(this.blockMs) || this.blockMs <= 0) throw new StreamError("OPTIONS", `blockMs must be a positive integer, got ${String(options.blockMs)}.`);
    this.leaseMs = options.leaseMs ?? 5000;
    if (!Number.isSafeInteger(this.leaseMs) || this.leaseMs <= 0) throw new StreamError("OPTIONS", `leaseMs must be a positive integer, got ${String(options.leaseMs)}.`);
    const checkQuiet = async (partsKey: string) => {
      const state = await this.bounded(["EVAL", STATE, "1", partsKey.replace(/:parts$/, ":meta")]);
      const streamId = partsKey.slice(this.prefix.length + 1, -"}:parts".length).replace(/%7D|%25/g, (c) => (c === "%7D" ? "}" : "%"));
      if (state === -1) throw goneError(streamId, "it expired or was lost while it was read");
      if (state === 2) throw producerLostError(streamId, this.leaseMs);
    };
    const tail = new RedisTail(tailSource(() => this.client.duplicate(), Math.min(this.blockMs, this.leaseMs), checkQuiet), (id) =>
      this.client.sendCommand(["CLIENT", "UNBLOCK", String(id)]),
    );
    this.reading = { tail, command: (args, options) => this.bounded(args, options) };
    this.running = new RedisRunningSet(this.client, `${this.prefix}running`, options.maxStreams ?? 10_000, this.limits.ttlMs, (source, keys, args) => this.script(source, keys, args));
  }

  async create(streamId: string, codec?: string): Promise<boolean> {
    if ((await this.script(CREATE, [this.key(streamId, "meta")], [String(this.limits.ttlMs), codec ?? "", String(this.leaseMs)])) !== 1) return false;
    if (await this.running.admit(streamId)) return true;
    await this.delete(streamId);
    throw this.running.full(streamId);
  }

  async append(streamId: string, part: StoredPart): Promise<void> {
    const { maxParts, maxBytes, ttlMs } = this.limits;
    const payload = Buffer.from(part.payload.buffer, part.payload.byteOffset, part.payload.byteLength);
    const result = await this.script(
      APPEND,
      [this.key(streamId, "meta"), this.key(streamId, "parts")],
      [String(part.id), String(part.kind), payload, String(maxParts), String(maxBytes), String(ttlMs), isTerminal(part.kind) ? "1" : "0", String(MAX_TERMINAL_PAYLOAD), part.first === true ? "1" : "0"],
    );
    switch (result) {
      case 1:
        if (isTerminal(part.kind)) await this.running.release(streamId);
        else this.running.renew(streamId);
        return;
      case 2:
        return;
      case -1:
        throw goneError(streamId, "Redis no longer has it: it expired, was deleted, or Redis lost its data (a restart without persistence)");
      case -2:
        throw new StreamError("ORDER", `Part ${part.id} does not follow the last part of "${streamId}": parts are appended in sequence.`);
      case -3:
        throw new StreamError("ORDER", `The durable stream "${streamId}" has ended; nothing may be appended after its end.`);
      case -4:
        throw new StreamError("LIMIT", `The durable stream "${streamId}" would hold more than ${maxParts} parts (maxParts of its replay store); it stops here.`);
      default:
        throw new StreamError(
          "LIMIT",
          `The durable stream "${streamId}" would hold more than ${maxBytes} payload bytes (maxBytes of its replay store) with a part of ${part.payload.length} bytes; it stops here.`,
        );
    }
  }

  read(streamId: string, after: number, signal: AbortSignal, codec?: string): AsyncIterable<StoredPart> {
    const keys = { streamId, meta: this.key(streamId, "meta"), parts: this.key(streamId, "parts") };
    return readStream(this.reading, keys, after, signal, codec);
  }

  /** Stops following streams: the tail's connection closes once its readers are gone. */
  async close(): Promise<void> {}

  async renew(streamId: string): Promise<boolean> {
    return (await this.script(RENEW, [this.key(streamId, "meta")], [String(this.leaseMs)])) === 2;
  }

  async requestStop(streamId: string): Promise<boolean> {
    return (await this.script(REQUEST_STOP, [this.key(streamId, "meta")], [])) === 1;
  }

  async delete(streamId: string): Promise<void> {
    await this.client.sendCommand(["DEL", this.key(streamId, "meta"), this.key(streamId, "parts")]);
    await this.running.release(streamId);
  }

  /** A command on the shared client, `STORE` when it fails or Redis does not answer within blockMs (a client queues commands while disconnected). */
  private async bounded(args: string[], options?: { typeMapping?: object }): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const due = new Promise<never>((_, reject) => (timer = setTimeout(reject, this.blockMs, new Error(`no answer from Redis within ${this.blockMs} ms`))));
    const reply = this.client.sendCommand(args, options);
    reply.catch(() => {});
    try {
      return await Promise.race([reply, due]);
    } catch (err) {
      if (err instanceof StreamError) throw err;
      throw storeError("(Redis)", `running ${args[0]} for`, err);
    } finally {
      clearTimeout(timer);
    }
  }

  private key(streamId: string, what: "meta" | "parts"): string {
    return streamKey(this.prefix, streamId, what);
  }

  /**
   * Runs a script: EVAL until Redis has it, EVALSHA after. Every call sends its command at once, in call order
   * (nothing awaited first), so that pipelined appends reach Redis in the order they were made; after a NOSCRIPT
   * (a restarted or flushed Redis) the call is sent again as EVAL, from its rejection, which comes in reply order.
   */
  private async script(source: string, keys: string[], args: (string | Buffer)[]): Promise<unknown> {
    const sha = this.loaded.get(source);
    const tail = [String(keys.length), ...keys, ...args];
    if (sha !== undefined) {
      try {
        return await this.client.sendCommand(["EVALSHA", sha, ...tail]);
      } catch (err) {
        if (!String((err as Error)?.message).startsWith("NOSCRIPT")) throw err;
        this.loaded.delete(source);
      }
    }
    const result = await this.client.sendCommand(["EVAL", source, ...tail]);
    this.loaded.set(source, createHash("sha1").update(source).digest("hex"));
    return result;
  }
}

/**
 * A stream's key: `<prefix>{<id>}:<what>`, the id its hash tag, so that every key of a stream is in one hash slot
 * (one Lua script may touch them on a cluster). Redis hashes the text between the first `{` and the first `}`
 * after it, or the whole key when that is empty: so the id goes in with `%` and `}` escaped (`%25`, `%7D`), which
 * makes the tag the whole id, never empty, for every id. Ids without those characters keep their plain keys.
 */
export function streamKey(prefix: string, streamId: string, what: string): string {
  return `${prefix}{${streamId.replace(/[%}]/g, (c) => (c === "%" ? "%25" : "%7D"))}}:${what}`;
}
