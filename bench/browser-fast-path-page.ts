// The page script of bench/browser-fast-path.ts (bundled by it with esbuild): the fast-path W1 read figures in Chromium.
// Query: ?n=<items>&rounds=<rounds>. Fetches the stream and NDJSON bytes from the server, packs the raw values here
// with msgpackr, then times every contender in interleaved rounds (after one untimed warm-up round) and writes the
// medians as JSON into #bench. Under a CSP without 'unsafe-eval' (csp=1 on the server) the contenders that compile
// (the main entry's compiled validation, the NDJSON reader's TypeCompiler check) are left out.
import { Packr, Unpackr } from "msgpackr";
import { streamTypes as browserStreamTypes } from "../src/browser.js";
import { streamTypes as mainStreamTypes } from "../src/index.js";
import { chunkedSource } from "./contender.js";
import { libraryRead, ndjsonReader, packValues, unpackAll, type AnyTypes } from "./fast-path-contenders.js";
import { FAST_PATH_W1, makeItems } from "./workloads.js";

const $ = (id: string): HTMLElement => document.getElementById(id)!;

function evalAllowed(): boolean {
  try {
    new Function("");
    return true;
  } catch {
    return false;
  }
}

interface Task {
  key: string;
  validator: string;
  run: () => number | Promise<number>;
  expect: number;
}

async function bytesOf(path: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(path)).arrayBuffer());
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const n = Number(params.get("n"));
  const rounds = Number(params.get("rounds") ?? 5);
  const w = FAST_PATH_W1;
  const [stream, nd] = await Promise.all([bytesOf(`/w1.bin?n=${n}`), bytesOf(`/w1.ndjson?n=${n}`)]);
  const items = makeItems(w, n);
  const values = packValues(new Packr({ useRecords: false }), w, items);
  const unpackr = new Unpackr({ useRecords: false });
  const eval_ = evalAllowed();

  const interpreted = browserStreamTypes(w.item, w.header, w.footer);
  const tasks: Task[] = [{ key: "raw unpack (warm)", validator: "-", run: () => unpackAll(unpackr, values), expect: n + 2 }];
  const reads = (types: AnyTypes & { validation: string }, entry: string) => {
    tasks.push({ key: `readItems(), ${entry}`, validator: types.validation, run: () => libraryRead(types, w, chunkedSource(stream, 65536), false), expect: n });
    tasks.push({ key: `readItemBatches(), ${entry}`, validator: types.validation, run: () => libraryRead(types, w, chunkedSource(stream, 65536), true), expect: n });
  };
  if (eval_) {
    reads(mainStreamTypes(w.item, w.header, w.footer), "streamtypes");
    const nd_ = ndjsonReader(w);
    tasks.push({ key: "NDJSON reader", validator: "compiled", run: () => nd_(chunkedSource(nd, 65536)), expect: n });
  }
  reads(interpreted, "streamtypes/browser");

  $("status").textContent = "measuring";
  const samples = new Map<string, number[]>(tasks.map((t) => [t.key, []]));
  for (let round = -1; round < rounds; round++) {
    for (const t of tasks) {
      const started = performance.now();
      const got = await t.run();
      const ms = performance.now() - started;
      if (got !== t.expect) throw new Error(`${t.key}: got ${got}, expected ${t.expect}`);
      if (round >= 0) samples.get(t.key)!.push(ms);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!;
  $("bench").textContent = JSON.stringify({
    eval: eval_,
    items: n,
    streamBytes: stream.length,
    userAgent: navigator.userAgent,
    results: tasks.map((t) => ({ key: t.key, validator: t.validator, ms: median(samples.get(t.key)!), samples: samples.get(t.key) })),
  });
  $("status").textContent = "done";
}

main().catch((err: unknown) => {
  $("error").textContent = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err);
  $("status").textContent = "failed";
});
