// The fast-path W1 read figures in real Chromium: readItems()/readItemBatches() vs raw msgpackr unpack (warm) in the page,
// with compiled validation (main entry) and the CSP-safe interpreted validator (streamtypes/browser).
// Run alone:  node --import tsx bench/browser-fast-path.ts [--quick] [--rounds=5]
// Also run by `npm run bench:browser` (after the CSP table) and by `npm run bench:fast-path -- --browser`.
//
// Two page loads: one without a CSP (every contender, interleaved), one under the strict CSP of the browser tests
// (no 'unsafe-eval': raw unpack and the streamtypes/browser reader only). Ratios are within one page load.
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { streamTypes } from "../src/index.js";
import { bundleScript, launchChromium, chromiumAvailable, CHROMIUM_PATH } from "../test/browser/harness.js";
import { STRICT_CSP } from "../test/browser/streams.js";
import { startServer } from "../test/server.js";
import { libraryBytes, ndjsonBytes } from "./fast-path-contenders.js";
import { markdownTable } from "./report.js";
import { FAST_PATH_W1, makeItems } from "./workloads.js";

const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>streamtypes fast-path bench</title><script type="module" src="/page.js"></script></head>
<body><p>status <span id="status">loading</span></p><pre id="bench"></pre><pre id="error"></pre></body></html>`;

interface PageResult {
  eval: boolean;
  items: number;
  streamBytes: number;
  userAgent: string;
  results: { key: string; validator: string; ms: number; samples: number[] }[];
}

function bundle(): Promise<string> {
  return bundleScript(fileURLToPath(new URL("browser-fast-path-page.ts", import.meta.url)));
}

export interface BrowserFastPathOptions {
  items: number;
  rounds: number;
  log?: (text: string) => void;
  /** A browser already launched (it is left open); otherwise one is launched and closed here. */
  browser?: Browser;
}

export interface BrowserFastPathResult {
  /** The table (Markdown) with a line saying what ran. */
  table: string;
  pages: { csp: boolean; result: PageResult }[];
}

/** Runs both page loads; returns the printed table and the pages' figures. */
export async function runBrowserFastPath(opts: BrowserFastPathOptions): Promise<BrowserFastPathResult> {
  const log = opts.log ?? ((t: string) => process.stderr.write(t + "\n"));
  if (!opts.browser && !chromiumAvailable) return { table: `browser: not measured (no Chromium at ${CHROMIUM_PATH})`, pages: [] };
  const w = FAST_PATH_W1;
  const items = makeItems(w, opts.items);
  const stream = libraryBytes(streamTypes(w.item, w.header, w.footer), w, items);
  const nd = ndjsonBytes(w, items);
  const script = await bundle();
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/") {
      const headers: Record<string, string> = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };
      if (url.searchParams.get("csp") === "1") headers["content-security-policy"] = STRICT_CSP;
      res.writeHead(200, headers).end(PAGE_HTML);
    } else if (url.pathname === "/page.js") res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(script);
    else if (url.pathname === "/w1.bin") res.writeHead(200, { "content-type": "application/octet-stream" }).end(stream);
    else if (url.pathname === "/w1.ndjson") res.writeHead(200, { "content-type": "application/x-ndjson" }).end(nd);
    else res.writeHead(404).end();
  });
  const browser = opts.browser ?? (await launchChromium());
  try {
    const pages: { csp: boolean; result: PageResult }[] = [];
    for (const csp of [false, true]) {
      log(`browser: W1 ${opts.items.toLocaleString("en")} items, ${csp ? "strict CSP" : "no CSP"}`);
      const page = await browser.newPage();
      try {
        await page.goto(`${server.url}/?n=${opts.items}&rounds=${opts.rounds}${csp ? "&csp=1" : ""}`);
        await page.locator("#status").filter({ hasText: /^(done|failed)$/ }).waitFor({ timeout: 300_000 });
        const text = (await page.locator("#bench").textContent()) ?? "";
        if (!text) throw new Error(`the fast-path page failed: ${await page.locator("#error").textContent()}`);
        pages.push({ csp, result: JSON.parse(text) as PageResult });
      } finally {
        await page.close();
      }
    }
    const rows: string[][] = [];
    for (const { csp, result } of pages) {
      const raw = result.results.find((r) => r.key === "raw unpack (warm)")!.ms;
      const ndjson = result.results.find((r) => r.key === "NDJSON reader")?.ms;
      for (const r of result.results) {
        rows.push([
          csp ? "strict (no eval)" : "none",
          r.key,
          r.validator,
          r.ms.toFixed(1),
          ((r.ms / result.items) * 1e6).toFixed(0),
          (raw / r.ms).toFixed(2) + "×",
          ndjson === undefined || r.key === "NDJSON reader" || r.key.startsWith("raw") ? "" : (ndjson / r.ms).toFixed(2) + "×",
          r.samples.map((x) => x.toFixed(0)).join(" "),
        ]);
      }
    }
    const ua = /Chrome\/[\d.]+/.exec(pages[0]!.result.userAgent)?.[0] ?? pages[0]!.result.userAgent;
    const table =
      `Browser (${ua}, headless): W1 ${opts.items.toLocaleString("en")} items (${(pages[0]!.result.streamBytes / 1e6).toFixed(1)} MB), 64 KiB chunks, ` +
      `medians of ${opts.rounds} interleaved rounds after a warm-up round, per page load.\n\n` +
      markdownTable(["page CSP", "contender", "validator", "median ms", "ns/item", "÷ raw unpack (warm)", "÷ NDJSON", "rounds (ms)"], rows, [3, 4, 5, 6]);
    return { table, pages };
  } finally {
    if (!opts.browser) await browser.close();
    await server.close();
  }
}

// Run directly (not imported, nor bundled into fast-path.ts --bundled, where import.meta.url is the bundle's).
if (process.argv[1]?.endsWith("/browser-fast-path.ts")) {
  const quick = process.argv.includes("--quick");
  const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 5);
  console.log((await runBrowserFastPath({ items: quick ? FAST_PATH_W1.quickCount : FAST_PATH_W1.fullCount, rounds })).table);
}
