// Child process: reads one stream from stdin with one contender and reports its peak memory, so the figure is not polluted by the parent's data.
// Usage: node --expose-gc --import tsx bench/read-child.ts <workload> <contender-key>   (stream bytes on stdin; one JSON line on stdout)
import { CONTENDERS } from "./contenders.js";
import { workloadById } from "./workloads.js";

const [workloadId, contenderKey] = process.argv.slice(2);
const workload = workloadById(workloadId!);
const contender = CONTENDERS.find((c) => c.key === contenderKey);
if (contender === undefined || !contender.framed) throw new Error(`no framed contender ${contenderKey}`);
const prepared = contender.prepare(workload);

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
const baseline = process.memoryUsage();
let peakRss = baseline.rss;
let peakHeapUsed = baseline.heapUsed;
let peakArrayBuffers = baseline.arrayBuffers;

/** stdin's chunks (as the pipe delivers them, up to 64 KiB), sampling memory at each one. */
async function* sampledStdin(): AsyncGenerator<Uint8Array> {
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeapUsed) peakHeapUsed = m.heapUsed;
    if (m.arrayBuffers > peakArrayBuffers) peakArrayBuffers = m.arrayBuffers;
    yield chunk;
  }
}

const start = performance.now();
const items = await prepared.read(sampledStdin());
const ms = performance.now() - start;
const end = process.memoryUsage();
peakRss = Math.max(peakRss, end.rss);
peakHeapUsed = Math.max(peakHeapUsed, end.heapUsed);

process.stdout.write(
  JSON.stringify({
    items,
    ms,
    baselineRss: baseline.rss,
    peakRss,
    // ru_maxrss covers the whole life of the process (startup included), so it is only an upper bound.
    maxRssLifetime: process.resourceUsage().maxRSS * 1024,
    baselineHeapUsed: baseline.heapUsed,
    peakHeapUsed,
    baselineArrayBuffers: baseline.arrayBuffers,
    peakArrayBuffers,
  }) + "\n",
);
