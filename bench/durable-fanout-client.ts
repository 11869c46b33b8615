// Child process of bench/durable-fanout.ts: R tailing readers in one process, each a node:http request read by the library's reader (every item checked: exact, in order), latency from the producer's clock.
// Usage: node --import tsx bench/durable-fanout-client.ts <base url> <readers> <streams>   (IPC: "connected" with the connect time; then the results once every reader ended)
import { Agent, get, type IncomingMessage } from "node:http";
import { binary, msgpack, streamTypes } from "../src/index.js";
import { profileOnMessages } from "./cpu-profile-summary.js";
import { FanHeader, FanItem, ITEMS } from "./durable-fanout-server.js";

const [base, readerCount, streamCount] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
/** Readers opened at once; the next batch once these have their headers. */
const BATCH = 250;
const S = streamTypes(FanItem, FanHeader, undefined, { format: binary(msgpack()) });
profileOnMessages();
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

/** A response's bytes as an async iterable: chunks queued from 'data' events (no stream machinery per chunk). */
function bodyOf(url: string): AsyncIterable<Uint8Array> {
  const queue: Uint8Array[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let response: IncomingMessage | undefined;
  const request = get(url, { agent }, (res) => {
    response = res;
    res.on("data", (chunk: Uint8Array) => {
      queue.push(chunk);
      signal();
    });
    res.on("end", () => {
      ended = true;
      signal();
    });
    res.on("error", (err) => {
      failure = err;
      signal();
    });
  });
  request.on("error", (err) => {
    failure = err;
    signal();
  });
  return {
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<Uint8Array>> {
        while (queue.length === 0 && !ended && failure === undefined) await new Promise<void>((resolve) => (wake = resolve));
        if (queue.length > 0) return { value: queue.shift()!, done: false };
        if (failure !== undefined) throw failure;
        return { value: undefined, done: true };
      },
      async return(): Promise<IteratorResult<Uint8Array>> {
        response?.destroy();
        request.destroy();
        return { value: undefined, done: true };
      },
    }),
  };
}

const latencies = new Float64Array(readerCount * ITEMS);
let delivered = 0;
let complete = 0;
const reasons = new Map<string, number>();
const readings: Promise<void>[] = [];
const cpuStart = process.cpuUsage();
const opened = performance.now();
for (let i = 0; i < readerCount; i += BATCH) {
  const headers: Promise<unknown>[] = [];
  for (let j = i; j < Math.min(readerCount, i + BATCH); j++) {
    const reader = S.reader(bodyOf(`${base}/s${j % streamCount}`), { idleTimeoutMs: 120_000 });
    const header = reader.readHeader();
    headers.push(header.catch(() => undefined)); // a reader that never connects counts as not complete
    readings.push(
      (async () => {
        await header;
        let n = 0;
        for await (const item of reader.readItems()) {
          latencies[delivered++] = Date.now() - item.t;
          if (item.n !== n) break;
          n++;
        }
        if (n === ITEMS && reader.completed) complete++;
      })().catch((err: unknown) => {
        const key = String((err as Error)?.message ?? err).slice(0, 160);
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }),
    );
  }
  await Promise.all(headers);
}
const connectSeconds = (performance.now() - opened) / 1000;
const connectCpu = process.cpuUsage(cpuStart);
process.send!({ connected: true, connectSeconds });
const runCpuStart = process.cpuUsage();
await Promise.all(readings);
const runCpu = process.cpuUsage(runCpuStart);
const sorted = latencies.subarray(0, delivered).sort();
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
process.send!({
  complete,
  delivered,
  latencyMs: { p50: pct(0.5), p99: pct(0.99), max: pct(1) },
  clientCpuSecondsConnecting: +((connectCpu.user + connectCpu.system) / 1e6).toFixed(1),
  clientCpuSecondsRunning: +((runCpu.user + runCpu.system) / 1e6).toFixed(1),
  clientCpuPerDeliveredItemMicros: +((runCpu.user + runCpu.system) / Math.max(1, delivered)).toFixed(1),
  failures: Object.fromEntries([...reasons].slice(0, 5)),
});
process.disconnect();
