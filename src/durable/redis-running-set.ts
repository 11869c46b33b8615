// The Redis store's bound on streams: a sorted set of the running streams (score: when each lapses), so that ended or abandoned streams do not hold a place.
import { StreamError } from "../errors.js";

/** What the running set needs of a client: raw commands. */
interface Commands {
  sendCommand(args: ReadonlyArray<string | Buffer>): Promise<unknown>;
}

/*
 * admit: KEYS[1] the set; ARGV id, maxStreams, ttl. Drops lapsed entries (score before now, by Redis's clock), then
 * adds the stream unless the set is full: 1 admitted, 0 full.
 */
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/* renew: KEYS[1] the set; ARGV id, ttl. The stream's place lasts ttl more (only if it still has one). */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/**
 * The streams running on a Redis store, at most `maxStreams`: a stream takes a place when created and gives it up
 * when its terminal part is stored, when it is deleted, or `ttlMs` after its last renewal (its producer died). One
 * key for all streams (its own hash slot on a cluster: the set is never in a script with a stream's keys).
 */
export class RedisRunningSet {
  /** When this instance last renewed each stream it appends to, to renew at most every ttlMs / 4. */
  private readonly renewed = new Map<string, number>();

  constructor(
    private readonly client: Commands,
    private readonly key: string,
    private readonly maxStreams: number,
    private readonly ttlMs: number,
    private readonly script: (source: string, keys: string[], args: string[]) => Promise<unknown>,
  ) {
    if (!Number.isSafeInteger(maxStreams) || maxStreams <= 0) throw new StreamError("OPTIONS", `maxStreams must be a positive integer, got ${String(maxStreams)}.`);
  }

  /** Takes a place for a new stream: false when `maxStreams` streams are running. */
  async admit(streamId: string): Promise<boolean> {
    const admitted = (await this.script(ADMIT, [this.key], [streamId, String(this.maxStreams), String(this.ttlMs)])) === 1;
    if (admitted) this.renewed.set(streamId, Date.now());
    return admitted;
  }

  /** After an append: keeps the stream's place while it runs (a command every ttlMs / 4 at most). */
  renew(streamId: string): void {
    const now = Date.now();
    if (now - (this.renewed.get(streamId) ?? 0) < this.ttlMs / 4) return;
    this.renewed.set(streamId, now);
    this.script(RENEW, [this.key], [streamId, String(this.ttlMs)]).catch(() => {}); // the next renewal tries again
  }

  /** The stream ended or was deleted: its place is free. */
  async release(streamId: string): Promise<void> {
    this.renewed.delete(streamId);
    await this.client.sendCommand(["ZREM", this.key, streamId]);
  }

  /** The `LIMIT` error for a stream refused a place. */
  full(streamId: string): StreamError {
    return new StreamError("LIMIT", `The Redis replay store runs ${this.maxStreams} streams (maxStreams); "${streamId}" cannot start until one ends.`);
  }
}
