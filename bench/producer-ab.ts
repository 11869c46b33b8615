// CPU-time A/B of producing W2 through toReadableStream against the hand-written NDJSON pull stream (the compiled-codec
// issue's producing figure, measured with process.cpuUsage so that other processes on a shared machine matter less).
// node --import tsx bench/producer-ab.ts [--rounds=7] [--items=200000]
import { streamTypes } from "../src/index.js";
import { drainStream, libraryBytes, ndjsonBytes, ndjsonPullStream } from "./fast-path-contenders.js";
import { median } from "./measure.js";
import { FAST_PATH_W2, makeItems } from "./workloads.js";

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROUNDS = Number(arg("rounds") ?? 7);
const w2 = FAST_PATH_W2;
const N = Number(arg("items") ?? w2.fullCount);
const items = makeItems(w2, N);
const types = streamTypes(w2.item, w2.header, w2.footer);
const libBytes = libraryBytes(types, w2, items).length;
const ndBytes = ndjsonBytes(w2, items).length;

const contenders: Record<string, { run: () => Promise<number>; expect: number }> = {
  "toReadableStream() producer": {
    run: () =>
      drainStream(
        types.toReadableStream(async function* (writer) {
          for (const item of items) yield writer.item(item as never);
        }),
      ),
    expect: libBytes,
  },
  "NDJSON pull stream": { run: () => drainStream(ndjsonPullStream(w2, items)), expect: ndBytes },
};

const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (let round = -1; round < ROUNDS; round++) {
  for (const [name, c] of Object.entries(contenders)) {
    const t0 = process.cpuUsage();
    const bytes = await c.run();
    const t = process.cpuUsage(t0);
    if (bytes !== c.expect) throw new Error(`${name}: ${bytes} bytes, expected ${c.expect}`);
    if (round >= 0) cpu[name]!.push((t.user + t.system) / N); // µs per item; round -1 warms up
  }
}
const lib = median(cpu["toReadableStream() producer"]!);
const nd = median(cpu["NDJSON pull stream"]!);
for (const [name, samples] of Object.entries(cpu)) {
  console.log(`${name.padEnd(30)} ${(median(samples) * 1000).toFixed(0).padStart(6)} ns/item CPU  (${samples.map((s) => (s * 1000).toFixed(0)).join(" ")})`);
}
console.log(`NDJSON ÷ toReadableStream: ${(nd / lib).toFixed(2)}× (target ≥ 1.5×)`);
