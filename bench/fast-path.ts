// The compiled-codec issue's figures (the fast-path round's definitions, W2 added), in one process, with its targets table.
// npm run bench:fast-path [-- --quick] [-- --browser] [-- --no-server] [-- --rounds=7] [-- --streams=1000,5000] [-- --pace=timeout]
//   --browser    also the W1 read figures in Chromium (bench/browser-fast-path.ts)
//   --no-server  leave out the server load (bench/server-load.ts); its two rows are then missing from the table
//   --streams    server-load stream counts (default 1000,5000; the table uses 1000); --pace: see server-load-child.ts
//   --bundled    run this script as one esbuild bundle of src/ and bench/ (packages external), without tsx: tsx compiles
//                with keepNames, which adds a __name() call per closure created (visible in the 16-byte-chunk profile);
//                the published build (tsup) has none. The server child still runs through tsx.
//
// W1 = the issue's 200,000 items (workloads.ts FAST_PATH_W1) with header and footer, fed as 64 KiB chunks unless
// a figure says otherwise. Every figure is the median of ≥ 5 rounds, and the contenders of one figure run
// interleaved in each round (A B C, A B C, …) after one untimed warm-up round, so that a slow spell of the
// shared machine hits them all. Prints the table (Markdown), the figures behind it, and writes JSON to
// bench/results/fast-path-<mode>-<date>.json. --quick: 50,000 items, 3 server rounds (a smoke run, not for judging).
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Packr, Unpackr } from "msgpackr";
import { streamTypes } from "../src/index.js";
import { bundledSize } from "../test/bundle-size.js";
import { chunkedSource } from "./contender.js";
import { drain, drainStream, libraryBytes, libraryRead, libraryWrite, ndjsonBytes, ndjsonPullStream, ndjsonReader, ndjsonWriter, packAll, packValues, unpackAll } from "./fast-path-contenders.js";
import { interleavedSamples, median } from "./measure.js";
import { describeMachine, markdownTable } from "./report.js";
import { runServerLoad, serverLoadTable, SERVER_LOAD_NOTES, type Pace, type ServerLoadResult } from "./server-load.js";
import { FAST_PATH_F32, FAST_PATH_W1, FAST_PATH_W2, makeItems, type Workload } from "./workloads.js";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const arg = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag("quick");

const ROUNDS = Math.max(5, Number(arg("rounds") ?? 5));
/** The Float32Array reads take 10–100 ms and their times swing with GC: more rounds for their medians. */
const F32_ROUNDS = ROUNDS * 3;
const RUNNER = process.env.FAST_PATH_BUNDLED === undefined ? "sources through tsx (keepNames)" : "sources as one esbuild bundle (--bundled, no keepNames)";
const log = (text: string) => process.stderr.write(text + "\n");

/** The library as the README shows it: streamTypes(Item, Header, Footer), defaults (binary MessagePack, compiled validation). */
function libraryTypes(w: Workload) {
  return streamTypes(w.item, w.header, w.footer);
}

/** New views of the same bytes (the same class as Packr returned: Buffer in Node), so msgpackr has no cached DataView on them. */
function freshViews(values: readonly Uint8Array[]): Uint8Array[] {
  return values.map((v) => (Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
}

// ---------------------------------------------------------------- the measured groups

interface Sampled {
  /** Median seconds. */
  s: number;
  samples: number[];
}

/** Runs a group: one untimed warm-up round, then ROUNDS interleaved rounds; checks every result; returns medians. */
async function group(
  name: string,
  tasks: Record<string, { run: () => number | Promise<number>; expect: number; before?: () => void }>,
  rounds = ROUNDS,
): Promise<Record<string, Sampled>> {
  const checked = new Map<string, { run: () => Promise<void>; before?: () => void }>();
  for (const [key, t] of Object.entries(tasks)) {
    checked.set(key, {
      before: t.before,
      run: async () => {
        const got = await t.run();
        if (got !== t.expect) throw new Error(`${name}/${key}: got ${got}, expected ${t.expect}`);
      },
    });
  }
  log(`${name}: warm-up`);
  await interleavedSamples(1, checked);
  const samples = await interleavedSamples(rounds, checked, (r) => log(`${name}: round ${r + 1}/${rounds}`));
  const out: Record<string, Sampled> = {};
  for (const [key, xs] of samples) out[key] = { s: median(xs), samples: xs };
  return out;
}

interface Row {
  figure: string;
  now: string;
  measured: number;
  unit: string;
  must: ">=" | "<=";
  limit: number;
  from: string;
}

const ns = (seconds: number, items: number) => (seconds / items) * 1e9;
/** The same ratio from each contender's fastest round: a cross-check on noise, not the figure. */
const fastestRatio = (num: Sampled, den: Sampled) => `; fastest rounds ${(Math.min(...num.samples) / Math.min(...den.samples)).toFixed(2)}×`;
const f2 = (n: number) => n.toFixed(2);

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg();
  const machine = describeMachine();
  const date = new Date().toISOString();
  const rows: Row[] = [];
  const details: string[] = [];

  // ---- W1: reads, writes, bytes
  const w = FAST_PATH_W1;
  const N = quick ? w.quickCount : w.fullCount;
  log(`W1 (fast path): ${N.toLocaleString("en")} items`);
  const items = makeItems(w, N);
  const values = w.header && w.footer ? N + 2 : N;
  const types = libraryTypes(w);
  const stream = libraryBytes(types, w, items);
  const nd = ndjsonBytes(w, items);
  const packr = new Packr({ useRecords: false });
  const rawValues = packValues(packr, w, items);
  const unpackr = new Unpackr({ useRecords: false });
  const ndRead = ndjsonReader(w);
  const rawBytes = rawValues.reduce((n, v) => n + v.length, 0);
  const packer = new Packr({ useRecords: false });

  // The very first pass over the buffers Packr.pack returned: cold views and a cold JIT, once.
  const firstStart = performance.now();
  unpackAll(unpackr, rawValues);
  const firstPassMs = performance.now() - firstStart;

  let coldViews: Uint8Array[] = [];
  const w1 = await group("W1 64 KiB", {
    "raw unpack (warm)": { run: () => unpackAll(unpackr, rawValues), expect: values },
    "raw unpack (cold views)": { before: () => (coldViews = freshViews(rawValues)), run: () => unpackAll(unpackr, coldViews), expect: values },
    "readItems()": { run: () => libraryRead(types, w, chunkedSource(stream, 65536), false), expect: N },
    "readItemBatches()": { run: () => libraryRead(types, w, chunkedSource(stream, 65536), true), expect: N },
    "NDJSON reader": { run: () => ndRead(chunkedSource(nd, 65536)), expect: N },
    "raw pack": { run: () => packAll(packer, w, items), expect: rawBytes },
    "writer().item(), validated": { run: () => libraryWrite(types, w, items), expect: stream.length },
  });
  coldViews = [];
  const rawWarm = w1["raw unpack (warm)"]!.s;
  rows.push({
    figure: "`readItems()` ÷ raw unpack (warm)",
    now: "0.62–1.03×",
    measured: rawWarm / w1["readItems()"]!.s,
    unit: "×",
    must: ">=",
    limit: 1.3,
    from: `${ns(w1["readItems()"]!.s, N).toFixed(0)} vs ${ns(rawWarm, N).toFixed(0)} ns/item${fastestRatio(w1["raw unpack (warm)"]!, w1["readItems()"]!)}`,
  });
  rows.push({
    figure: "`readItemBatches()` ÷ raw unpack (warm)",
    now: "1.08–1.42×",
    measured: rawWarm / w1["readItemBatches()"]!.s,
    unit: "×",
    must: ">=",
    limit: 2.0,
    from: `${ns(w1["readItemBatches()"]!.s, N).toFixed(0)} vs ${ns(rawWarm, N).toFixed(0)} ns/item${fastestRatio(w1["raw unpack (warm)"]!, w1["readItemBatches()"]!)}`,
  });
  rows.push({
    figure: "`readItems()` ÷ the NDJSON reader",
    now: "1.11–1.74×",
    measured: w1["NDJSON reader"]!.s / w1["readItems()"]!.s,
    unit: "×",
    must: ">=",
    limit: 2.5,
    from: `${ns(w1["readItems()"]!.s, N).toFixed(0)} vs ${ns(w1["NDJSON reader"]!.s, N).toFixed(0)} ns/item${fastestRatio(w1["NDJSON reader"]!, w1["readItems()"]!)}`,
  });
  rows.push({
    figure: "`writer().item()`, validated ÷ raw msgpackr `pack`, W1",
    now: "0.40–0.64×",
    measured: w1["raw pack"]!.s / w1["writer().item(), validated"]!.s,
    unit: "×",
    must: ">=",
    limit: 1.5,
    from: `${ns(w1["writer().item(), validated"]!.s, N).toFixed(0)} vs ${ns(w1["raw pack"]!.s, N).toFixed(0)} ns/item${fastestRatio(w1["raw pack"]!, w1["writer().item(), validated"]!)}`,
  });
  details.push(
    markdownTable(
      ["W1, 64 KiB chunks", "median ms", "ns/item", "M items/s", "rounds (ms)"],
      Object.entries(w1).map(([k, v]) => [k, (v.s * 1000).toFixed(1), ns(v.s, N).toFixed(0), (N / v.s / 1e6).toFixed(2), v.samples.map((x) => (x * 1000).toFixed(0)).join(" ")]),
      [1, 2, 3],
    ),
    `raw unpack, the very first pass over the buffers Packr.pack returned (cold views and cold JIT, once): ${firstPassMs.toFixed(1)} ms = ${ns(firstPassMs / 1000, N).toFixed(0)} ns/item.` +
      ` "cold views" = each round on new views of the same bytes (no cached DataView), JIT warm.`,
  );

  // ---- bytes per item
  const libPerItem = stream.length / N;
  const ndPerItem = nd.length / N;
  rows.push({
    figure: "bytes per item ÷ NDJSON, W1",
    now: "0.72×",
    measured: libPerItem / ndPerItem,
    unit: "×",
    must: "<=",
    limit: 0.72,
    from: `${libPerItem.toFixed(1)} vs ${ndPerItem.toFixed(1)} B/item (raw msgpackr payloads ${(rawBytes / N).toFixed(1)} B)`,
  });

  // ---- W2: the writer against a hand-written NDJSON line writer with validation; producing through toReadableStream
  const w2 = FAST_PATH_W2;
  const N2 = quick ? w2.quickCount : w2.fullCount;
  const items2 = makeItems(w2, N2);
  const types2 = libraryTypes(w2);
  const ndWrite2 = ndjsonWriter(w2);
  const ndBytes2 = ndjsonBytes(w2, items2).length;
  const libBytes2 = libraryBytes(types2, w2, items2).length;
  const produce = () => drainStream(types2.toReadableStream(async function* (writer) {
    for (const item of items2) yield writer.item(item as never);
  }));
  const g2 = await group("W2 writes", {
    "writer().item(), validated": { run: () => libraryWrite(types2, w2, items2), expect: libBytes2 },
    "check + JSON.stringify + TextEncoder.encode per line": { run: () => ndWrite2(items2), expect: ndBytes2 },
    "toReadableStream() producer, read to the end": { run: produce, expect: libBytes2 },
    "NDJSON pull stream, read to the end": { run: () => drainStream(ndjsonPullStream(w2, items2)), expect: ndBytes2 },
  });
  rows.push({
    figure: "W2 `writer().item()` ÷ (compiled check + `JSON.stringify` + `TextEncoder.encode` per line)",
    now: "1.50–2.01×",
    measured: g2["check + JSON.stringify + TextEncoder.encode per line"]!.s / g2["writer().item(), validated"]!.s,
    unit: "×",
    must: ">=",
    limit: 2.5,
    from: `${ns(g2["writer().item(), validated"]!.s, N2).toFixed(0)} vs ${ns(g2["check + JSON.stringify + TextEncoder.encode per line"]!.s, N2).toFixed(0)} ns/item${fastestRatio(g2["check + JSON.stringify + TextEncoder.encode per line"]!, g2["writer().item(), validated"]!)}`,
  });
  rows.push({
    figure: "producing with `toReadableStream` ÷ NDJSON pull stream (W2)",
    now: "0.87–1.07×",
    measured: g2["NDJSON pull stream, read to the end"]!.s / g2["toReadableStream() producer, read to the end"]!.s,
    unit: "×",
    must: ">=",
    limit: 1.5,
    from: `${ns(g2["toReadableStream() producer, read to the end"]!.s, N2).toFixed(0)} vs ${ns(g2["NDJSON pull stream, read to the end"]!.s, N2).toFixed(0)} ns/item`,
  });
  details.push(
    markdownTable(
      [`W2, ${N2.toLocaleString("en")} tokens`, "median ms", "ns/item", "rounds (ms)"],
      Object.entries(g2).map(([k, v]) => [k, (v.s * 1000).toFixed(1), ns(v.s, N2).toFixed(0), v.samples.map((x) => (x * 1000).toFixed(0)).join(" ")]),
      [1, 2],
    ),
  );

  // ---- per-chunk cost: 16-byte vs 64 KiB chunks
  const chunks16 = Math.ceil(stream.length / 16);
  const chunks64 = Math.ceil(stream.length / 65536);
  const cc = await group("W1 chunk cost", {
    "readItems(), 16 B chunks": { run: () => libraryRead(types, w, chunkedSource(stream, 16), false), expect: N },
    "readItems(), 64 KiB chunks": { run: () => libraryRead(types, w, chunkedSource(stream, 65536), false), expect: N },
    "source alone, 16 B chunks": { run: () => drain(chunkedSource(stream, 16)), expect: stream.length },
    "source alone, 64 KiB chunks": { run: () => drain(chunkedSource(stream, 65536)), expect: stream.length },
  });
  const t16 = cc["readItems(), 16 B chunks"]!.s;
  const t64 = cc["readItems(), 64 KiB chunks"]!.s;
  const s16 = cc["source alone, 16 B chunks"]!.s;
  const s64 = cc["source alone, 64 KiB chunks"]!.s;
  const perChunkNs = (((t16 - t64) - (s16 - s64)) / chunks16) * 1e9;
  rows.push({
    figure: "reader's extra cost per 16-byte chunk over 64 KiB chunks",
    now: "584–3,015 ns",
    measured: perChunkNs,
    unit: "ns",
    must: "<=",
    limit: 250,
    from: `(${(t16 * 1000).toFixed(0)} − ${(t64 * 1000).toFixed(0)} ms) − source (${(s16 * 1000).toFixed(0)} − ${(s64 * 1000).toFixed(1)} ms), ÷ ${chunks16.toLocaleString("en")} chunks`,
  });
  details.push(
    markdownTable(
      ["W1 chunk cost", "median ms", "ns/item", "ns/chunk", "rounds (ms)"],
      Object.entries(cc).map(([k, v]) => [
        k,
        (v.s * 1000).toFixed(1),
        ns(v.s, N).toFixed(0),
        ((v.s / (k.includes("16 B") ? chunks16 : chunks64)) * 1e9).toFixed(0),
        v.samples.map((x) => (x * 1000).toFixed(0)).join(" "),
      ]),
      [1, 2, 3],
    ),
    `reader's extra cost per chunk = ((T16 − T64) − (S16 − S64)) ÷ C16, where T = readItems() over the stream in 16-byte / 64 KiB chunks, ` +
      `S = draining the same chunked source with for await and no reader, C16 = ${chunks16.toLocaleString("en")} 16-byte chunks ` +
      `(${stream.length.toLocaleString("en")} stream bytes, ${chunks64} chunks of 64 KiB). ` +
      `Equivalently: (ns/item at 16 B − ns/item at 64 KiB) × items ÷ C16, minus the source's own cost per 16-byte chunk (${(((s16 - s64) / chunks16) * 1e9).toFixed(0)} ns).`,
  );

  // ---- Float32Array items
  const f = FAST_PATH_F32;
  const NF = quick ? f.quickCount : f.fullCount;
  log(`Float32Array items: ${NF.toLocaleString("en")} × 4 KiB`);
  const fItems = makeItems(f, NF);
  const fTypes = libraryTypes(f);
  const fStream = libraryBytes(fTypes, f, fItems);
  const fValues = packValues(new Packr({ useRecords: false, moreTypes: true }), f, fItems);
  const fUnpackr = new Unpackr({ useRecords: false, moreTypes: true });
  const fg = await group("Float32Array 64 KiB", {
    "raw unpack (warm), moreTypes": { run: () => unpackAll(fUnpackr, fValues), expect: NF },
    "readItems()": { run: () => libraryRead(fTypes, f, chunkedSource(fStream, 65536), false), expect: NF },
    "readItemBatches()": { run: () => libraryRead(fTypes, f, chunkedSource(fStream, 65536), true), expect: NF },
  }, F32_ROUNDS);
  const fRaw = fg["raw unpack (warm), moreTypes"]!.s;
  details.push(
    `Float32Array items (4 KiB) ÷ raw unpack: ${f2(fRaw / fg["readItems()"]!.s)}× (${ns(fg["readItems()"]!.s, NF).toFixed(0)} vs ${ns(fRaw, NF).toFixed(0)} ns/item; ` +
      `${((NF * 4096) / fg["readItems()"]!.s / 1e9).toFixed(2)} GB/s of floats${fastestRatio(fg["raw unpack (warm), moreTypes"]!, fg["readItems()"]!)}); not a target of this round.`,
  );
  details.push(
    markdownTable(
      ["Float32Array(1024) items, 64 KiB chunks", "median ms", "µs/item", "GB/s floats", "rounds (ms)"],
      Object.entries(fg).map(([k, v]) => [k, (v.s * 1000).toFixed(1), ((v.s / NF) * 1e6).toFixed(2), ((NF * 4096) / v.s / 1e9).toFixed(2), v.samples.map((x) => (x * 1000).toFixed(1)).join(" ")]),
      [1, 2, 3],
    ),
  );

  // ---- server load
  const serverResults: ServerLoadResult[] = [];
  if (!flag("no-server")) {
    const counts = (arg("streams") ?? (quick ? "1000" : "1000,5000")).split(",").map(Number);
    for (const streams of counts) {
      log(`server load: ${streams} streams`);
      try {
        serverResults.push(
          await runServerLoad({
            streams,
            items: 200,
            rounds: quick || streams > 1000 ? 3 : ROUNDS,
            pace: (arg("pace") ?? "immediate") as Pace,
            // Bounded: 120 s for up to 1,000 streams (≈ 40 s normally), 240 s for 5,000 (≈ 110 s normally).
            timeoutMs: Number(arg("server-timeout") ?? (streams > 1000 ? 240 : 120)) * 1000,
            log,
          }),
        );
      } catch (err) {
        log(`server load, ${streams} streams: ${(err as Error).message}`);
        details.push(`server load, ${streams} streams: not measured (${(err as Error).message})`);
      }
    }
  }
  const at1000 = serverResults.find((r) => r.streams === 1000);
  const at5000 = serverResults.find((r) => r.streams === 5000);
  const notRunWhy = (count: number) => `not run (${flag("no-server") ? "--no-server" : `no ${count.toLocaleString("en")}-stream result: see below`})`;
  const serverRow = (figure: string, now: string, limit: number, result: ServerLoadResult | undefined, count: number, pick: (s: ServerLoadResult["summary"]["ndjson"]) => number, from: (a: ServerLoadResult["summary"]["ndjson"], b: ServerLoadResult["summary"]["ndjson"]) => string) => {
    if (result === undefined) return rows.push({ figure, now, measured: NaN, unit: "×", must: "<=", limit, from: notRunWhy(count) });
    const a = result.summary.streamtypes;
    const b = result.summary.ndjson;
    return rows.push({ figure, now, measured: pick(a) / pick(b), unit: "×", must: "<=", limit, from: from(a, b) });
  };
  serverRow("server CPU per item over HTTP, 1,000 streams ÷ NDJSON", "1.3×", 0.9, at1000, 1000, (s) => s.cpuMicrosPerItem, (a, b) => `${f2(a.cpuMicrosPerItem)} vs ${f2(b.cpuMicrosPerItem)} µs/item`);
  serverRow("server event-loop lag p99, 1,000 streams ÷ NDJSON", "4.9×", 1.5, at1000, 1000, (s) => s.eventLoopP99Ms, (a, b) => `${f2(a.eventLoopP99Ms)} vs ${f2(b.eventLoopP99Ms)} ms (median over rounds of monitorEventLoopDelay's p99)`);
  serverRow("server memory per stream, 5,000 streams ÷ NDJSON", "3.2×", 1.5, at5000, 5000, (s) => s.peakBytesPerStream, (a, b) => `peak ${(a.peakBytesPerStream / 1024).toFixed(1)} vs ${(b.peakBytesPerStream / 1024).toFixed(1)} KiB/stream (held after GC: ${(a.heldBytesPerStream / 1024).toFixed(1)} vs ${(b.heldBytesPerStream / 1024).toFixed(1)})`);
  if (serverResults.length > 0) {
    details.push(
      `Server load: each stream 200 W1 items from an async generator that ${serverResults[0]!.pace === "timeout" ? "awaits setTimeout(1) before every item" : "awaits a setImmediate turn after every 10th item"}; ` +
        `medians of ${serverResults.map((r) => `${r.rounds.length / 2} rounds (${r.streams.toLocaleString("en")} streams)`).join(", ")} per contender, alternating, after a warm-up round.\n\n` +
        serverLoadTable(serverResults) +
        "\n\n" +
        SERVER_LOAD_NOTES,
    );
  }

  // ---- bundle: the library's gzipped cost on a binary-only reading page
  const readingPage = `
    import { streamTypes } from "./src/browser.ts";
    import { Object as TObject, Number as TNumber } from "@sinclair/typebox";
    const S = streamTypes(TObject({ a: TNumber() }));
    export async function read(url) { for await (const item of S.reader(fetch(url)).readItems()) console.log(item); }
  `;
  const schemaOnlyPage = `
    import { Object as TObject, Number as TNumber } from "@sinclair/typebox";
    const S = TObject({ a: TNumber() });
    export async function read(url) { for await (const chunk of (await fetch(url)).body) console.log(chunk, S); }
  `;
  const [withReader, schemaOnly] = await Promise.all([bundledSize(readingPage), bundledSize(schemaOnlyPage)]);
  const libraryCost = withReader.gzipped - schemaOnly.gzipped;
  rows.push({
    figure: "library's gzipped cost on a binary reading page (`Type.Object` schema)",
    now: "20.1 KB",
    measured: libraryCost / 1024,
    unit: "KB",
    must: "<=",
    limit: 12,
    from: `${withReader.gzipped.toLocaleString("en")} B page − ${schemaOnly.gzipped.toLocaleString("en")} B page with the same schema and no reader (KB = 1,024 B)`,
  });
  details.push(
    `Bundle (esbuild, minified, browser, esm; gzip -9; test/bundle-size.ts): the binary reading page of test/size.test.ts is ${withReader.minified.toLocaleString("en")} B minified, ` +
      `${withReader.gzipped.toLocaleString("en")} B gzipped; the same page with the schema and no reader is ${schemaOnly.minified.toLocaleString("en")} / ${schemaOnly.gzipped.toLocaleString("en")} B.`,
  );

  // ---- the browser table, when asked for
  let browser: Awaited<ReturnType<typeof import("./browser-fast-path.js").runBrowserFastPath>> | undefined;
  if (flag("browser")) {
    const { runBrowserFastPath } = await import("./browser-fast-path.js");
    browser = await runBrowserFastPath({ items: N, rounds: ROUNDS, log });
  }
  const openPage = browser?.pages.find((p) => !p.csp)?.result.results;
  const cspSafe = openPage?.find((r) => r.key === "readItems(), streamtypes/browser");
  const ndInPage = openPage?.find((r) => r.key === "NDJSON reader");
  rows.push({
    figure: "Chromium, CSP-safe `streamtypes/browser` `readItems()` ÷ NDJSON reader with compiled check",
    now: "1.29×",
    measured: cspSafe && ndInPage ? ndInPage.ms / cspSafe.ms : NaN,
    unit: "×",
    must: ">=",
    limit: 1.5,
    from: cspSafe && ndInPage ? `${((cspSafe.ms / N) * 1e6).toFixed(0)} vs ${((ndInPage.ms / N) * 1e6).toFixed(0)} ns/item (page without a CSP, both contenders interleaved)` : "not run (--browser)",
  });

  // ---- print
  const fmt = (r: Row) => (Number.isNaN(r.measured) ? "—" : r.unit === "×" ? `${f2(r.measured)}×` : r.unit === "ns" ? `${r.measured.toFixed(0)} ns` : `${r.measured.toFixed(1)} ${r.unit}`);
  const target = (r: Row) => `${r.must === ">=" ? "≥" : "≤"} ${r.unit === "×" ? `${r.limit}×` : `${r.limit} ${r.unit}`}`;
  const pass = (r: Row) => (r.must === ">=" ? r.measured >= r.limit : r.measured <= r.limit);
  const table = markdownTable(
    ["figure", "at issue", "measured", "target", "result", "from"],
    rows.map((r) => [r.figure, r.now, fmt(r), target(r), Number.isNaN(r.measured) ? "MISS (not measured)" : pass(r) ? "PASS" : "MISS", r.from]),
    [1, 2, 3],
  );
  console.log(
    `\nstreamtypes fast path (${quick ? "quick" : "full"}) ${date} — Node ${machine.node}, ${machine.nproc} cores, ${machine.cpu}, ${machine.memory}\n` +
      `W1 = ${N.toLocaleString("en")} items, 64 KiB chunks unless stated; medians of ${ROUNDS} interleaved rounds after a warm-up round; ${RUNNER}. ` +
      `Load average at start ${loadAtStart.map((x) => x.toFixed(1)).join(" ")}, at end ${loadavg().map((x) => x.toFixed(1)).join(" ")} (other work on the machine inflates and spreads the times).\n`,
  );
  console.log(table);
  const notRun = rows.filter((r) => Number.isNaN(r.measured)).length;
  console.log(`\n${rows.filter(pass).length}/${rows.length} targets pass${notRun ? ` (${notRun} not run)` : ""}\n`);
  for (const d of details) console.log(d + "\n");
  if (browser) console.log(browser.table + "\n");

  const dir = fileURLToPath(new URL("results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}fast-path-${quick ? "quick" : "full"}-${date.replace(/[:.]/g, "-")}.json`;
  writeFileSync(path, JSON.stringify({ date, mode: quick ? "quick" : "full", runner: RUNNER, machine, items: N, rounds: ROUNDS, rows: rows.map((r) => ({ ...r, pass: pass(r) })), w1, chunkCost: cc, float32: fg, server: serverResults, bundle: { withReader, schemaOnly }, firstPassMs, browser: browser?.pages }, null, 2));
  console.log(`results: ${path} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

if (flag("bundled") && process.env.FAST_PATH_BUNDLED === undefined) {
  // In bench/ itself, so that the import.meta.url-relative paths of the bundled modules stay right.
  const out = fileURLToPath(new URL(".fast-path.bundle.mjs", import.meta.url));
  const { build } = await import("esbuild");
  await build({ entryPoints: [fileURLToPath(import.meta.url)], bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", outfile: out, logLevel: "warning" });
  try {
    const run = spawnSync(process.execPath, [out, ...argv], { stdio: "inherit", env: { ...process.env, FAST_PATH_BUNDLED: "1" } });
    process.exitCode = run.status ?? 1;
  } finally {
    rmSync(out, { force: true });
  }
} else {
  await main();
}
