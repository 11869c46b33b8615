// Child process for text-bounds.test.ts and text-fuzz.test.ts: feeds hostile inputs to the decoders and `inspect` and reports the most heap each held.
// Run with --expose-gc: `node --expose-gc --import tsx test/text-memory-child.ts attacks | fuzz <seed> <cases>`.
import { Rng } from "../bench/fuzz-core.js";
import { inspect } from "../src/cli/inspect.js";
import { StreamError, binary, msgpack, ndjson, sse, type Format } from "../src/index.js";

const gc = (globalThis as { gc?: () => void }).gc!;
const utf8 = new TextEncoder();
const MiB = 1024 * 1024;

/** What one input did: the error code it ended with (or "none"), the items it gave and the most heap held above the start. */
export interface Outcome {
  name: string;
  maxFrameBytes: number;
  bytes: number;
  code: string;
  items: number;
  peakBytes: number;
  ms?: number;
}

/** The JS heap and the ArrayBuffers outside it (where byte buffers live). */
function held(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Samples the heap (after a full collection) every `every` bytes fed, and keeps the highest. */
class Peak {
  private readonly base: number;
  private fed = 0;
  private next: number;
  peak = 0;
  constructor(private readonly every: number) {
    gc();
    this.base = held();
    this.next = every;
  }
  add(bytes: number): void {
    this.fed += bytes;
    if (this.fed >= this.next) {
      this.next = this.fed + this.every;
      this.sample();
    }
  }
  sample(): void {
    gc();
    this.peak = Math.max(this.peak, held() - this.base);
  }
}

/** Feeds `chunks` to a fresh decoder of `format`, taking frames as they complete, until an error or the end. */
function decode(name: string, format: Format, maxFrameBytes: number, chunks: Iterable<Uint8Array>, every = 256 * 1024): Outcome {
  const t0 = performance.now();
  const peak = new Peak(every);
  const decoder = format.decoder({ maxFrameBytes });
  let code = "none";
  let items = 0;
  let bytes = 0;
  try {
    for (const chunk of chunks) {
      decoder.push(chunk);
      bytes += chunk.length;
      peak.add(chunk.length);
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
        if (frame.kind === 3) {
          try {
            decoder.value(frame);
            items++;
          } catch {
            // a payload that does not decode: the reader's FORMAT, not the framing's
          }
        }
      }
    }
    peak.sample();
    decoder.atEnd();
    while (decoder.next() !== undefined) items += 0;
  } catch (err) {
    if (!(err instanceof StreamError)) throw err;
    code = err.code;
  }
  peak.sample();
  return { name, maxFrameBytes, bytes, code, items, peakBytes: peak.peak, ms: Math.round(performance.now() - t0) };
}

/** `count` chunks made of `unit` repeated, `size` bytes each (views of one buffer: the input costs nothing to hold). */
function* repeated(unit: string, total: number, size: number, head = ""): Generator<Uint8Array> {
  if (head) yield utf8.encode(head);
  const one = utf8.encode(unit);
  const buffer = new Uint8Array(Math.max(size, one.length) + one.length);
  for (let at = 0; at < buffer.length; at += one.length) buffer.set(one.subarray(0, buffer.length - at), at);
  // A chunk of `size` bytes starting at any offset of the pattern: the pattern repeats every one.length bytes.
  for (let sent = 0; sent < total; sent += size) {
    const offset = sent % one.length;
    yield buffer.subarray(offset, offset + Math.min(size, total - sent));
  }
}

/** The inputs of the issue (items 1–3): each must be held to 2 × maxFrameBytes plus a constant. */
function attacks(): Outcome[] {
  const M = MiB;
  const kib = "a".repeat(1000);
  return [
    // 1. Comment lines between data lines: each comment used to reset the count of bytes held.
    decode("sse: data lines between comments", sse(), M, repeated(`data: ${kib}\n: c\n`, 6 * M, 64 * 1024, "event: item\n")),
    decode("sse: empty data lines", sse(), M / 4, repeated("data:\n", 3 * M, 64 * 1024, "event: item\n")),
    decode("sse: one event, one byte per chunk", sse(), M, repeated("a", M - 64, 1, "event: item\ndata: ")),
    decode("sse: comment lines, one byte per chunk", sse(), M, repeated(`: ${kib}\n`, 2 * M, 1), 1024 * 1024),
    decode("sse: data lines ending in CR", sse(), M, repeated(`data: ${kib}\r`, 3 * M, 64 * 1024, "event: item\r")),
    decode("sse: ids and event names", sse(), M, repeated(`id: ${kib.slice(0, 200)}\nevent: ${kib}\n`, 3 * M, 64 * 1024)),
    // 2. A line one byte per chunk: NDJSON held an object per byte.
    decode("ndjson: one line, one byte per chunk", ndjson(), M, repeated("a", M - 64, 1, '{"kind":"item","data":"'), 1024 * 1024),
    decode("binary: one frame, one byte per chunk", binary(msgpack()), M, binaryFrameByteByByte(M - 64), 1024 * 1024),
  ];
}

function* binaryFrameByteByByte(payload: number): Generator<Uint8Array> {
  yield Uint8Array.of(1, 0, 0, 0, 6, 0x53, 0x54, 0x59, 0x50, 1, 1);
  const be = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  yield Uint8Array.of(3, ...be(payload), 0xdb, ...be(payload - 5)); // an item: one msgpack str32
  yield* repeated("a", payload - 5, 1);
}

/** `streamtypes inspect` on the comment attack, in process: the same bound. */
async function inspectAttack(): Promise<Outcome> {
  const peak = new Peak(256 * 1024);
  let bytes = 0;
  async function* source(): AsyncGenerator<Uint8Array> {
    for (const chunk of repeated(`data: ${"a".repeat(1000)}\n: c\n`, 6 * MiB, 64 * 1024, "event: item\n")) {
      bytes += chunk.length;
      peak.add(chunk.length);
      yield chunk;
    }
  }
  const summary = await inspect(source(), { format: "sse", maxFrameBytes: MiB, write: () => undefined });
  peak.sample();
  return { name: "inspect: sse data lines between comments", maxFrameBytes: MiB, bytes, code: summary.error?.code ?? "none", items: summary.kinds.item ?? 0, peakBytes: peak.peak };
}

/**
 * Random hostile text streams: SSE built from comment lines, data lines (empty, long), ids, event names, retry,
 * blank lines and CR / LF / CR LF line ends; NDJSON from long lines, whitespace, CRs and blank lines. Each is fed in
 * chunks of random sizes, one byte per chunk one time in three, with maxFrameBytes 64 KiB.
 */
function* fuzzInputs(seed: number, count: number): Generator<{ name: string; format: Format; chunks: Iterable<Uint8Array> }> {
  const rng = new Rng(seed);
  const next = () => rng.next();
  const pick = <T>(xs: readonly T[]): T => rng.pick(xs);
  const text = (n: number) => pick(["a", "\u00e9", "\u202e", "{", '"', " ", "0"]).repeat(n);
  const size = () => Math.floor(next() ** 3 * 200_000);
  for (let i = 0; i < count; i++) {
    const ssePart = () => {
      const eol = pick(["\n", "\r", "\r\n"]);
      return pick([
        () => `:${text(size())}${eol}`,
        () => `data:${text(size())}${eol}`,
        () => `data${eol}`.repeat(1 + Math.floor(next() * 2000)),
        () => `id: ${text(Math.floor(next() * 300))}${eol}`,
        () => `event: ${pick(["item", "item", "header", "end", text(size())])}${eol}`,
        () => `retry: ${pick(["10", "10", "x"])}${eol}`,
        () => eol,
        () => `event: item${eol}data: {"x":1}${eol}${eol}`,
        () => `event: item${eol}data: "${"a".repeat(size())}"${eol}${eol}`,
        () => `: keep-alive${eol}`.repeat(1 + Math.floor(next() * 5000)),
      ])();
    };
    const ndjsonPart = () =>
      pick([
        () => `{"kind":"item","data":"${text(size())}"}\n`,
        () => `${" ".repeat(Math.floor(next() * 100))}{"kind":"keep-alive"}\r\n`,
        () => `{"kind":"item","data":${text(size())}`,
        () => "\n",
        () => "\r\r\n",
        () => `{"kind":"item","data":"${"\r".repeat(size())}"}\r\n`,
        () => '{"kind":"keep-alive"}\n'.repeat(1 + Math.floor(next() * 5000)),
        () => text(Math.floor(next() * 20)),
      ])();
    const isSse = next() < 0.6;
    const parts: string[] = [];
    let total = 0;
    const budget = Math.floor(next() * 600_000);
    while (total < budget) {
      const part = isSse ? ssePart() : ndjsonPart();
      parts.push(part);
      total += part.length;
    }
    const bytes = utf8.encode(parts.join(""));
    const oneByte = next() < 1 / 3;
    const cut = 1 + Math.floor(next() * 70_000);
    yield {
      name: `${isSse ? "sse" : "ndjson"} #${i} (${bytes.length} bytes, ${oneByte ? "1-byte" : `${cut}-byte`} chunks)`,
      format: isSse ? sse() : ndjson(),
      chunks: (function* () {
        const step = oneByte ? 1 : cut;
        for (let at = 0; at < bytes.length; at += step) yield bytes.subarray(at, at + step);
      })(),
    };
  }
}

const [mode, seed, count] = process.argv.slice(2);
const outcomes: Outcome[] = [];
if (mode === "attacks") {
  outcomes.push(...attacks(), await inspectAttack());
} else {
  for (const input of fuzzInputs(Number(seed ?? 1), Number(count ?? 40))) outcomes.push(decode(input.name, input.format, 64 * 1024, input.chunks, 128 * 1024));
}
process.stdout.write(JSON.stringify(outcomes));
