// Measures the cost of the CSP fallback in Chromium: reading 200,000 small items with interpreted vs compiled validation. Run: npm run bench:browser
// A measurement, not a test: it prints figures (recorded in docs/browser.md) and asserts nothing about time.
// Then the fast-path W1 read figures in the same browser (bench/browser-fast-path.ts; recorded in bench/RESULTS.md).
import { runBrowserFastPath } from "../../bench/browser-fast-path.js";
import { FAST_PATH_W1 } from "../../bench/workloads.js";
import { streamTypes } from "../../src/index.js";
import { startServer } from "../server.js";
import { launchChromium, pageAssets, servePage } from "./harness.js";
import { BenchItem } from "./streams.js";

const N = Number(process.argv[2] ?? 200_000);
const RUNS = Number(process.argv[3] ?? 7);

/** The whole stream, written once: N token-like items, then the end frame. */
function benchBytes(n: number): Uint8Array {
  const w = streamTypes(BenchItem).writer();
  const texts = [" the", " stream", " of", " typed", " tokens", ",", " validated"];
  const frames: Uint8Array[] = [];
  let length = 0;
  for (let index = 0; index < n; index++) {
    const frame = w.item({ index, text: texts[index % texts.length]!, logprob: -((index * 13) % 17) / 10 });
    frames.push(frame.slice());
    length += frame.length;
  }
  const end = w.end();
  frames.push(end);
  length += end.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

interface Result {
  entry: string;
  validator: string;
  eval: boolean;
  items: number;
  bytes: number;
  validatedMs: number;
  unvalidatedMs: number;
}

const bytes = benchBytes(N);
const assets = await pageAssets();
const server = await startServer((req, res) => {
  if (servePage(assets, req, res)) return;
  if (req.url?.startsWith("/stream/bench")) {
    res.writeHead(200, { "content-type": "application/vnd.streamtypes; codec=msgpack" }).end(bytes);
  } else res.writeHead(404).end();
});
const browser = await launchChromium();
try {
  console.log(`Chromium ${browser.version()} · ${N} items · ${(bytes.length / 1e6).toFixed(1)} MB · median of ${RUNS} runs each\n`);
  console.log("| entry | page CSP | validator | with validation | without validation | validation's share | items/s validated |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [entry, csp] of [["browser", false], ["browser", true], ["main", false], ["main", true]] as const) {
    const page = await browser.newPage();
    await page.goto(`${server.url}/?bench=${N}&runs=${RUNS}&entry=${entry}${csp ? "&csp=1" : ""}`);
    await page.locator("#status").filter({ hasText: /^(done|failed)$/ }).waitFor({ timeout: 300_000 });
    const text = (await page.locator("#bench").textContent()) ?? "";
    if (!text) throw new Error(`the page failed: ${await page.locator("#error").textContent()}`);
    const r = JSON.parse(text) as Result;
    const share = ((r.validatedMs - r.unvalidatedMs) / r.validatedMs) * 100;
    console.log(
      `| ${r.entry} | ${csp ? "strict (no eval)" : "none"} | ${r.validator} | ${r.validatedMs.toFixed(0)} ms | ${r.unvalidatedMs.toFixed(0)} ms | ` +
        `${share.toFixed(0)}% | ${((r.items / r.validatedMs) * 1000 / 1e6).toFixed(2)} M |`,
    );
    await page.close();
  }
  console.log("\n" + (await runBrowserFastPath({ items: FAST_PATH_W1.fullCount, rounds: Math.max(5, RUNS), browser })).table);
} finally {
  await browser.close();
  await server.close();
}
