// Resuming in a real browser: Chromium's fetch reads a stream the node:http producer cuts after N items; the page's
// `reconnect` reopens it with Last-Event-ID, the producer continues from `w.startIndex`, and every item shows exactly once.
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binary, msgpack, ndjson, sse, streamTypes, type Format } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { bundleScript, chromiumAvailable, launchChromium } from "./browser/harness.js";
import { Footer, Header, Item } from "./browser/streams.js";
import { startServer, type TestServer } from "./server.js";

const TOTAL = 12;
const CUT = 5;

const FORMATS: Record<string, () => Format> = {
  binary: () => binary(msgpack()),
  sse: () => sse(),
  ndjson: () => ndjson(),
};

const HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>streamtypes resume test</title><script type="module" src="/resume-page.js"></script></head>
  <body>
    <p>status <span id="status">loading</span> · <span id="reconnects">0</span> reconnects</p>
    <p id="header"></p>
    <ol id="items"></ol>
    <p id="footer"></p>
    <p id="error"></p>
  </body>
</html>`;

function bundleResumePage(): Promise<string> {
  return bundleScript(fileURLToPath(new URL("./browser/resume-page.ts", import.meta.url)));
}

const skip = !chromiumAvailable && !process.env.CI;
if (skip) console.warn(`browser resume tests skipped: no Chromium at ${process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"}`);

describe.skipIf(skip)("resuming in Chromium", () => {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  /** The Last-Event-ID of each request for /stream/<format> (null when absent). */
  const asked: Record<string, (string | null)[]> = {};

  beforeAll(async () => {
    let script: string;
    [script, browser] = await Promise.all([bundleResumePage(), launchChromium()]);
    server = await startServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname === "/") return void res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(HTML);
      if (url.pathname === "/resume-page.js") return void res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(script);
      const name = url.pathname.startsWith("/stream/") ? decodeURIComponent(url.pathname.slice("/stream/".length)) : "";
      const format = FORMATS[name];
      if (format === undefined) return void res.writeHead(404).end();
      const S = streamTypes(Item, Header, Footer, { format: format() });
      const lastEventId = (req.headers["last-event-id"] as string | undefined) ?? null;
      const seen = (asked[name] ??= []);
      seen.push(lastEventId);
      const first = seen.length === 1;
      void sendResponse(
        res,
        S.toResponse(
          async function* (w) {
            yield w.header({ runId: name });
            for (let index = w.startIndex; index < TOTAL; index++) {
              if (first && index === CUT) {
                await new Promise((r) => setTimeout(r, 50)); // the CUT items reach the page
                res.destroy(); // then the server cuts the connection
                return;
              }
              yield w.item({ index, text: `item ${index}` });
            }
            yield w.footer({ items: TOTAL });
          },
          { resumeAfter: lastEventId },
        ),
      );
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each(Object.keys(FORMATS))("a page that resumes after the server cuts it: %s", async (name) => {
    let context: BrowserContext | undefined;
    const pageErrors: string[] = [];
    try {
      context = await browser!.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.on("pageerror", (err) => pageErrors.push(err.message));
      const response = await page.goto(`${server!.url}/?format=${name}`);
      expect(response?.ok()).toBe(true);
      await page.locator("#status").filter({ hasText: /^(done|failed)$/ }).waitFor();
      expect(await page.locator("#error").textContent()).toBe("");
      expect(await page.locator("#status").textContent()).toBe("done");
      expect(await page.locator("#header").textContent()).toBe(`run ${name}`);
      expect(await page.locator("#items li").allTextContents()).toEqual(Array.from({ length: TOTAL }, (_, i) => `${i}: item ${i}`));
      expect(await page.locator("#footer").textContent()).toBe(`footer: ${TOTAL} items, completed true`);
      expect(await page.locator("#reconnects").textContent()).toBe("1");
      expect(asked[name]).toEqual([null, String(CUT)]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context?.close();
    }
  });
});
