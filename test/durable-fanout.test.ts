// Fan-out of durable streams on one instance, on a real redis-server: each part framed once per format for every caught-up reader (same bytes), a slow reader bounded, a reader joining mid-stream, readers of several formats on one stream.
import { get, type IncomingMessage, type ServerResponse } from "node:http";
import { Type } from "@sinclair/typebox";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FrameKind, binary, json, msgpack, ndjson, sse, streamTypes, type Format } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { redisStore, type RedisStore } from "../src/redis.js";
import { StreamFan } from "../src/durable/fan-out.js";
import { REDIS_SERVER, startRedis, type TestRedis } from "./redis.js";
import { skipWithout } from "./required-program.js";
import { startServer, type TestServer } from "./server.js";

const Item = Type.Object({ n: Type.Integer(), pad: Type.String() });
const Header = Type.Object({ run: Type.String() });

/** A format whose encoders count the part frames they make (keep-alives aside): a part framed per reader would show here. */
function counting(format: Format): { format: Format; frames: () => number } {
  let frames = 0;
  return {
    frames: () => frames,
    format: {
      ...format,
      encoder: (options) => {
        const inner = format.encoder(options);
        return {
          get startIndex() {
            return inner.startIndex;
          },
          get payloadBytes() {
            return inner.payloadBytes;
          },
          frameValue: (kind, value) => inner.frameValue(kind, value),
          frame: (kind, payload) => {
            if (kind !== FrameKind.KEEPALIVE) frames++;
            return inner.frame(kind, payload);
          },
        };
      },
    },
  };
}

/** Items the producers may yield, per stream: the test releases them, so that readers join at known points. */
class Release {
  private allowed = 0;
  private waiters: (() => void)[] = [];
  until(n: number): void {
    this.allowed = n;
    for (const wake of this.waiters.splice(0)) wake();
  }
  async wait(n: number): Promise<void> {
    while (n >= this.allowed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

/** The response's bytes, as the client received them (de-chunked by node:http), once it ends. */
function bytesOf(url: string, headers: Record<string, string> = {}, paused?: Promise<void>): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      if (paused !== undefined) {
        res.pause(); // the socket stops being read once Node's buffer is full: the server's writes back up
        void paused.then(() => res.resume());
      }
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
      res.on("error", reject);
    }).on("error", reject);
  });
}

describe.skipIf(skipWithout(REDIS_SERVER, "the fan-out tests", "apt-get install redis-server"))("durable fan-out on one instance (Redis)", () => {
  let redis: TestRedis;
  let client: ReturnType<typeof createClient>;
  let server: TestServer;
  let store: RedisStore;
  const releases = new Map<string, Release>();
  const releaseOf = (id: string) => releases.get(id) ?? (releases.set(id, new Release()), releases.get(id)!);
  const formats = {
    msgpack: counting(binary(msgpack())),
    json: counting(binary(json())),
    sse: counting(sse()),
    ndjson: counting(ndjson()),
  };
  const specs = Object.fromEntries(Object.entries(formats).map(([name, f]) => [name, streamTypes(Item, Header, undefined, { format: f.format })])) as Record<keyof typeof formats, ReturnType<typeof streamTypes<typeof Item, typeof Header>>>;
  /** The largest res.writableLength seen on responses whose URL ends with ?slow. */
  let slowBuffered = 0;
  const items = new Map<string, number>();
  const padFor = new Map<string, number>();

  beforeAll(async () => {
    redis = await startRedis();
    client = createClient({ url: redis.url });
    client.on("error", () => {});
    await client.connect();
    store = redisStore({ client, keyPrefix: "fan-test:" });
    // /<format>/<id>[?slow]
    server = await startServer((req: IncomingMessage, res: ServerResponse) => {
      const [path, query] = (req.url ?? "/").split("?");
      const [, name, id] = path!.split("/") as [string, keyof typeof formats, string];
      const S = specs[name];
      const total = items.get(id) ?? 0;
      const pad = "x".repeat(padFor.get(id) ?? 0);
      const response = S.durable(
        id,
        async function* (w) {
          yield w.header({ run: id });
          for (let n = 0; n < total; n++) {
            await releaseOf(id).wait(n);
            yield w.item({ n, pad });
          }
        },
        { store, resumeAfter: (req.headers["last-event-id"] as string | undefined) ?? null, continueOnDisconnect: true, maxBufferedBytes: 64 * 1024 },
      );
      if (query === "slow") {
        const write = res.write.bind(res) as (chunk: Uint8Array) => boolean;
        res.write = ((chunk: Uint8Array) => {
          const ok = write(chunk);
          slowBuffered = Math.max(slowBuffered, res.writableLength);
          return ok;
        }) as typeof res.write;
      }
      void sendResponse(res, response);
    });
  }, 20_000);

  afterAll(async () => {
    await server?.close();
    client?.destroy();
    await redis?.stop();
  });

  const readerOf = (name: keyof typeof formats, id: string, startAfter?: string) =>
    specs[name].reader(fetch(`${server.url}/${name}/${id}`, { headers: startAfter === undefined ? {} : { "Last-Event-ID": startAfter } }), { idleTimeoutMs: 20_000, startAfter });
  const expected = (from: number, to: number, pad = "") => Array.from({ length: to - from }, (_, i) => ({ n: from + i, pad }));
  const headed = new WeakMap<object, Promise<unknown>>();
  const iterators = new WeakMap<object, AsyncIterator<unknown>>();
  /** Its header, read once; none for a reader with startAfter (past the header). */
  const readHeader = (reader: ReturnType<typeof readerOf>, startAfter?: string) =>
    headed.get(reader) ?? (headed.set(reader, startAfter === undefined ? reader.readHeader() : Promise.resolve()), headed.get(reader)!);
  /** The next `count` items of `reader` (all that are left by default), its header read first. */
  const readItems = async (reader: ReturnType<typeof readerOf>, count = Infinity) => {
    await readHeader(reader);
    let iterator = iterators.get(reader);
    if (iterator === undefined) iterators.set(reader, (iterator = reader.readItems()[Symbol.asyncIterator]()));
    const out: unknown[] = [];
    while (out.length < count) {
      const next = await iterator.next();
      if (next.done) break;
      out.push(next.value);
    }
    return out;
  };

  it("40 readers of one stream: every part is framed once for all of them, each gets the same bytes and every item exact, over 2 Redis connections", async () => {
    const id = "shared";
    items.set(id, 50);
    const before = formats.msgpack.frames();
    // Each reader's bytes are kept as well (a tee of the body), to compare them.
    const raw: Promise<Uint8Array>[] = [];
    const readers = Array.from({ length: 40 }, () =>
      specs.msgpack.reader(
        fetch(`${server.url}/msgpack/${id}`).then((response) => {
          const [mine, kept] = response.body!.tee();
          raw.push(new Response(kept).arrayBuffer().then((b) => new Uint8Array(b)));
          return new Response(mine, { headers: response.headers });
        }),
        { idleTimeoutMs: 20_000 },
      ),
    );
    await Promise.all(readers.map((r) => readHeader(r)));
    expect(StreamFan.of(store, id, "msgpack")?.readers).toBe(40); // all caught up, all written to by the fan
    releaseOf(id).until(50);
    const results = await Promise.all(readers.map((r) => readItems(r)));
    for (const [i, got] of results.entries()) {
      expect(got, `reader ${i}`).toEqual(expected(0, 50));
      expect(readers[i]!.completed).toBe(true);
    }
    const bytes = await Promise.all(raw);
    expect(bytes.length).toBe(40);
    for (const b of bytes) expect(Buffer.from(b).equals(Buffer.from(bytes[0]!))).toBe(true);
    // 52 parts (header, 50 items, end) for 40 readers: framed once by the fan, plus the header by each reader that
    // came after it had gone out (from the fan's recent parts) — not 40 × 52.
    expect(formats.msgpack.frames() - before).toBeLessThanOrEqual(52 + 40);
    const clients = String(await client.sendCommand(["CLIENT", "LIST"])).trim().split("\n").length;
    expect(clients).toBeLessThanOrEqual(2); // the store's client and its one tail connection
  });

  it("a reader joining mid-stream catches up from its own position (from the store, or the fan's latest parts), then takes the shared frames", async () => {
    const id = "midway";
    items.set(id, 80);
    const first = readerOf("msgpack", id);
    releaseOf(id).until(40);
    expect(await readItems(first, 40)).toEqual(expected(0, 40));
    const before = formats.msgpack.frames();
    const fromStart = readerOf("msgpack", id); // 41 parts behind: more than the fan keeps, so from the store
    const fromTen = readerOf("msgpack", id, "30"); // 10 parts behind: from the fan's latest parts
    void readHeader(fromTen, "30");
    const head = await Promise.all([readItems(fromStart, 40), readItems(fromTen, 10)]);
    expect(head).toEqual([expected(0, 40), expected(30, 40)]);
    expect(StreamFan.of(store, id, "msgpack")?.readers).toBe(3);
    releaseOf(id).until(80);
    const tails = await Promise.all([readItems(first), readItems(fromStart), readItems(fromTen)]);
    expect(tails).toEqual([expected(40, 80), expected(40, 80), expected(40, 80)]);
    expect([first.completed, fromStart.completed, fromTen.completed]).toEqual([true, true, true]);
    // The 41 parts of the one from the start and the 10 of the other framed by themselves; the last 41 once for the three.
    expect(formats.msgpack.frames() - before).toBeLessThanOrEqual(41 + 10 + 41);
  });

  it("a slow reader is bounded: past maxBufferedBytes it leaves the fan and reads the store at its own pace, then gets every item; the others are not held up", async () => {
    const id = "slow";
    items.set(id, 1500);
    padFor.set(id, 8000); // 12 MB in all: more than the socket buffers hold
    let resume = () => {};
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const slow = bytesOf(`${server.url}/msgpack/${id}?slow`, {}, paused);
    const fast = readerOf("msgpack", id);
    await readHeader(fast);
    releaseOf(id).until(1500);
    expect((await readItems(fast)).length).toBe(1500);
    expect(fast.completed).toBe(true);
    // What waited for the slow client on the server: at most the bound (64 KiB) and one frame past it, not megabytes.
    expect(slowBuffered).toBeGreaterThan(0);
    expect(slowBuffered).toBeLessThanOrEqual(64 * 1024 + 8100);
    resume();
    const bytes = await slow;
    const reader = specs.msgpack.reader(bytes);
    expect(await readHeader(reader)).toEqual({ run: id });
    expect(await readItems(reader)).toEqual(expected(0, 1500, "x".repeat(8000)));
    expect(reader.completed).toBe(true);
  });

  it("readers of one stream in three formats (binary JSON, SSE, NDJSON): one fan, each part framed once per format, every reader exact", async () => {
    const id = "formats";
    items.set(id, 30);
    const names = ["json", "sse", "ndjson"] as const;
    const before = names.map((n) => formats[n].frames());
    const readers = names.flatMap((name) => Array.from({ length: 6 }, () => readerOf(name, id)));
    await Promise.all(readers.map((r) => readHeader(r)));
    expect(StreamFan.of(store, id, "json")?.readers).toBe(18);
    releaseOf(id).until(30);
    for (const got of await Promise.all(readers.map((r) => readItems(r)))) expect(got).toEqual(expected(0, 30));
    for (const r of readers) expect(r.completed).toBe(true);
    // Per format: 32 parts framed once, plus the header by each of its 6 readers that came after it went out.
    for (const [i, name] of names.entries()) expect(formats[name].frames() - before[i]!, name).toBeLessThanOrEqual(32 + 6);
  });
});
