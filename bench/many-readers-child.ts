// Child process: opens many readers at once, each stopped mid-stream waiting for bytes, and reports the memory they hold.
// Usage: node --expose-gc --import tsx bench/many-readers-child.ts <readers>   (one JSON line on stdout)
import { joinBytes } from "./contender.js";
import { typesFor } from "./library.js";
import { W1 } from "./workloads.js";

const readers = Number(process.argv[2] ?? 10_000);
const ITEMS_BEFORE_PAUSE = 5;
const types = typesFor(W1, { codec: "msgpack", validate: true });

// Each connection has delivered: marker, header, 5 items and half of the 6th item's frame; then it stalls.
const writer = types.writer() as unknown as { header(v: unknown): Uint8Array; item(v: unknown): Uint8Array };
const frames = [writer.header(W1.headerValue)];
for (let i = 0; i <= ITEMS_BEFORE_PAUSE; i++) frames.push(writer.item(W1.makeItem(i)));
const whole = joinBytes(frames);
const delivered = whole.subarray(0, whole.length - Math.ceil(frames[frames.length - 1]!.length / 2));

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
gc();
gc();
const before = process.memoryUsage();

const open: unknown[] = [];
for (let r = 0; r < readers; r++) {
  // A ReadableStream like a fetch body; every connection has its own bytes.
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(delivered.slice());
    },
  });
  const reader = types.reader(body) as unknown as { readHeader(): Promise<unknown>; readItems(): AsyncIterableIterator<unknown> };
  await reader.readHeader();
  const items = reader.readItems();
  for (let i = 0; i < ITEMS_BEFORE_PAUSE; i++) await items.next();
  const waiting = items.next(); // pending: the 6th item is incomplete and the body has nothing more yet
  open.push(reader, items, waiting);
}

gc();
gc();
const after = process.memoryUsage();
process.stdout.write(
  JSON.stringify({
    readers,
    heapUsedBytes: after.heapUsed - before.heapUsed,
    arrayBuffersBytes: after.arrayBuffers - before.arrayBuffers,
    rssBytes: after.rss - before.rss,
    stillOpen: open.length / 3,
  }) + "\n",
);
