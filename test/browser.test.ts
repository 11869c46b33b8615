// The reader in a real browser: Debian's Chromium (via playwright-core) loads a page whose own script reads typed streams from a node:http server on 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { streamTypes } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { chromiumAvailable, launchChromium, pageAssets, servePage, type PageAssets } from "./browser/harness.js";
import { Footer, Header, Item, STRICT_CSP } from "./browser/streams.js";
import { startServer, type TestServer } from "./server.js";
import { gate } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BINARY = streamTypes(Item, Header, Footer);
const SSE = streamTypes(Item, Header, Footer, { framing: "sse" });
/** Writes what the schemas forbid, to see the page reject it. */
const UNCHECKED = streamTypes(Item, Header, Footer, { validate: false });


/** Resolves true once `g` opens, false after `ms`: a bound, not a timing claim. */
const within = (g: ReturnType<typeof gate>, ms: number) => Promise.race([g.opened.then(() => true), sleep(ms).then(() => false)]);

/** What the producers of the current test hold and report. */
let state = { release: gate(), finallyRan: gate(), log: [] as string[] };

const words = ["Typed", " streams", " in", " Chromium"];

/** The streams the page can ask for: /stream/<name>. */
function serveStream(name: string, res: ServerResponse): void {
  const s = state;
  switch (name) {
    case "basic":
    case "sse-basic":
      void sendResponse(
        res,
        (name === "basic" ? BINARY : SSE).toResponse(async function* (w) {
          yield w.header({ runId: name });
          for (let index = 0; index < 3; index++) yield w.item({ index, text: words[index]! });
          yield w.footer({ items: 3 });
        }),
      );
      return;
    case "progressive":
      void sendResponse(
        res,
        BINARY.toResponse(async function* (w) {
          yield w.header({ runId: name });
          yield w.item({ index: 0, text: words[0]! });
          s.log.push("producer holds");
          await s.release.opened;
          s.log.push("producer resumes");
          for (let index = 1; index < 3; index++) yield w.item({ index, text: words[index]! });
          yield w.footer({ items: 3 });
        }),
      );
      return;
    case "remote":
    case "sse-remote":
      void sendResponse(
        res,
        (name === "remote" ? BINARY : SSE).toResponse(async function* (w) {
          yield w.header({ runId: name });
          for (let index = 0; index < 3; index++) yield w.item({ index, text: words[index]! });
          throw new Error("GPU out of memory");
        }),
      );
      return;
    case "endless":
      void sendResponse(
        res,
        BINARY.toResponse(async function* (w) {
          try {
            yield w.header({ runId: name });
            for (let index = 0; index < 100_000; index++) {
              yield w.item({ index, text: `token ${index}` });
              await sleep(10);
            }
          } finally {
            s.finallyRan.open();
          }
        }),
      );
      return;
    case "truncated": {
      const w = BINARY.writer();
      res.writeHead(200, { "content-type": BINARY.contentType, "cache-control": "no-cache" });
      res.write(w.header({ runId: name }));
      res.write(w.item({ index: 0, text: words[0]! }));
      res.write(w.item({ index: 1, text: words[1]! }));
      const third = w.item({ index: 2, text: words[2]! });
      res.write(third.subarray(0, third.length - 3));
      setTimeout(() => res.destroy(), 50);
      return;
    }
    case "invalid":
      void sendResponse(
        res,
        UNCHECKED.toResponse(async function* (w) {
          yield w.header({ runId: name });
          yield w.item({ index: 0, text: words[0]! });
          yield w.item({ index: 1, text: 42 as unknown as string });
          yield w.footer({ items: 2 });
        }),
      );
      return;
    default:
      res.writeHead(404, { "content-type": "text/plain" }).end(`no stream ${name}`);
  }
}

const skip = !chromiumAvailable && !process.env.CI; // CI installs Chromium (.ci/run); elsewhere it is optional
if (skip) console.warn(`browser tests skipped: no Chromium at ${process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"}`);

describe.skipIf(skip)("the reader in Chromium", () => {
  let assets: PageAssets;
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  let context: BrowserContext | undefined;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    [assets, browser] = await Promise.all([pageAssets(), launchChromium()]);
    server = await startServer((req, res) => {
      if (servePage(assets, req, res)) return;
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname.startsWith("/stream/")) serveStream(decodeURIComponent(url.pathname.slice("/stream/".length)), res);
      else res.writeHead(404).end();
    });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    state.release.open(); // a held producer goes on and ends
    state = { release: gate(), finallyRan: gate(), log: [] };
    expect(pageErrors).toEqual([]);
    pageErrors = [];
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens the page with `query` in a fresh context, closing the previous one. */
  async function open(query: string): Promise<Page> {
    await context?.close();
    context = await browser!.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const response = await page.goto(`${server!.url}/?${query}`);
    expect(response?.ok()).toBe(true);
    return page;
  }

  /** Waits until the page has finished reading: "done", "failed" or "aborted". */
  async function settled(page: Page): Promise<string> {
    await page.locator("#status").filter({ hasText: /^(done|failed|aborted)$/ }).waitFor();
    return (await page.locator("#status").textContent()) ?? "";
  }

  const itemTexts = (page: Page) => page.locator("#items li").allTextContents();

  it("renders items as they arrive: item 0 is in the DOM while the producer is still held", async () => {
    const page = await open("stream=progressive");
    await page.locator("#items li").first().waitFor();
    expect(state.log).toEqual(["producer holds"]); // the producer has not produced item 1
    expect(await itemTexts(page)).toEqual(["0: Typed"]);
    expect(await page.locator("#status").textContent()).toBe("reading");
    expect(await page.locator("#header").textContent()).toBe("run progressive");
    expect(await page.locator("#footer").textContent()).toBe("");
    state.release.open();
    expect(await settled(page)).toBe("done");
    expect(state.log).toEqual(["producer holds", "producer resumes"]);
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(await page.locator("#footer").textContent()).toMatch(/^footer: 3 items, \d+ bytes, completed true$/);
    expect(await page.locator("#error").textContent()).toBe("");
  });

  it("shows the producer's error frame as REMOTE with its message, after the items it sent", async () => {
    const page = await open("stream=remote");
    expect(await settled(page)).toBe("failed");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    const error = page.locator("#error");
    expect(await error.getAttribute("data-code")).toBe("REMOTE");
    expect(await error.getAttribute("data-remote")).toBe("GPU out of memory");
    expect(await error.textContent()).toMatch(/^REMOTE: The producer failed after 3 items: Error: GPU out of memory/);
    expect(await page.locator("#footer").textContent()).toBe("");
  });

  it("aborts from a page button: the page shows the abort, the producer's finally runs and no response stays open", async () => {
    const page = await open("stream=endless");
    await page.locator("#items li").nth(2).waitFor();
    expect(state.finallyRan.isOpen).toBe(false);
    await page.locator("#abort").click();
    expect(await settled(page)).toBe("aborted");
    expect(await page.locator("#error").getAttribute("data-code")).toBe("AbortError");
    expect(await within(state.finallyRan, 5000)).toBe(true);
    expect(await server!.settle(5000)).toBe(0);
    const shown = (await itemTexts(page)).length;
    expect(shown).toBeGreaterThanOrEqual(3);
    expect(shown).toBeLessThan(100_000);
  });

  it("a socket destroyed mid-stream is TRUNCATED, after the items that arrived whole", async () => {
    const page = await open("stream=truncated");
    expect(await settled(page)).toBe("failed");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams"]);
    const error = page.locator("#error");
    expect(await error.getAttribute("data-code")).toBe("TRUNCATED");
    expect(await error.textContent()).toMatch(/^TRUNCATED: The stream is incomplete: the source failed inside an item frame/);
    expect(await page.locator("#footer").textContent()).toBe("");
  });

  it("works under a strict Content-Security-Policy without 'unsafe-eval': validation interprets, no code generation", async () => {
    const page = await open("stream=basic&csp=1");
    expect(await settled(page)).toBe("done");
    expect(await page.locator("#eval").textContent()).toBe("blocked"); // the page's own new Function("") probe
    expect(await page.locator("#entry").textContent()).toBe("browser");
    expect(await page.locator("#validator").textContent()).toBe("interpreted");
    // The items were decoded and checked in one pass by the codec compiled from the schema, as closures.
    expect(await page.locator("#codec").textContent()).toBe("closures");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(await page.locator("#footer").textContent()).toMatch(/^footer: 3 items/);
    // The only thing the policy blocked is the probe; the script, the fetch and the validation needed nothing more.
    expect(await page.locator("#violations li").allTextContents()).toEqual(["script-src eval"]);

    const invalid = await open("stream=invalid&csp=1");
    expect(await settled(invalid)).toBe("failed");
    expect(await itemTexts(invalid)).toEqual(["0: Typed"]);
    const error = invalid.locator("#error");
    expect(await error.getAttribute("data-code")).toBe("VALIDATION");
    expect(await error.textContent()).toMatch(/item 1/);
    expect(await error.textContent()).toMatch(/\/text/);
  });

  it("the main entry compiles validators where eval is allowed and falls back to interpreting under the strict CSP", async () => {
    const csp = await open("stream=basic&csp=1&entry=main");
    expect(await settled(csp)).toBe("done");
    expect(await csp.locator("#entry").textContent()).toBe("main");
    expect(await csp.locator("#eval").textContent()).toBe("blocked");
    expect(await csp.locator("#validator").textContent()).toBe("interpreted");
    // msgpackReadOnly() reads through closures built from the schema's plan, wherever it runs (msgpack()'s generated
    // code falling back to closures under a CSP is tested in Node, with code generation forbidden: compiled-differential).
    expect(await csp.locator("#codec").textContent()).toBe("closures");
    expect(await itemTexts(csp)).toHaveLength(3);
    // TypeCompiler tried to generate code and was refused (an EvalError the entry caught); nothing else was blocked.
    const violations = await csp.locator("#violations li").allTextContents();
    expect(violations.length).toBeGreaterThan(1);
    expect(new Set(violations)).toEqual(new Set(["script-src eval"]));

    const open_ = await open("stream=basic&entry=main");
    expect(await settled(open_)).toBe("done");
    expect(await open_.locator("#eval").textContent()).toBe("allowed");
    expect(await open_.locator("#validator").textContent()).toBe("compiled");
    expect(await open_.locator("#codec").textContent()).toBe("closures");
    expect(await open_.locator("#violations li").count()).toBe(0);
  });

  it("reads an SSE stream through fetch and through the browser's EventSource", async () => {
    for (const via of ["fetch", "eventsource"]) {
      const page = await open(`stream=sse-basic&via=${via}&csp=1`);
      expect(await settled(page)).toBe("done");
      expect(await page.locator("#header").textContent()).toBe("run sse-basic");
      expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
      expect(await page.locator("#footer").textContent()).toMatch(/^footer: 3 items, \d+ bytes, completed true$/);
    }
    // The producer's error event arrives through EventSource as REMOTE, not as a connection error.
    const page = await open("stream=sse-remote&via=eventsource");
    expect(await settled(page)).toBe("failed");
    expect(await itemTexts(page)).toHaveLength(3);
    expect(await page.locator("#error").getAttribute("data-code")).toBe("REMOTE");
    expect(await page.locator("#error").getAttribute("data-remote")).toBe("GPU out of memory");
    // EventSource was closed at the end and error events: it did not reconnect, and no response stays open.
    expect(await server!.settle(5000)).toBe(0);
  });

  it("the page's strict CSP header is the one the CSP tests rely on", async () => {
    const res = await fetch(`${server!.url}/?csp=1`);
    expect(res.headers.get("content-security-policy")).toBe(STRICT_CSP);
    expect(res.headers.get("content-security-policy")).not.toMatch(/unsafe/);
    await res.body?.cancel();
  });
});

describe.skipIf(skip)("the browser demo (npm run demo:browser)", () => {
  let browser: Browser | undefined;
  let child: ChildProcess | undefined;

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  });

  it("shows the live token stream and the footer's summary; with --once it exits after the page load", { timeout: 60_000 }, async () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const demo = spawn(process.execPath, ["--import", "tsx", "examples/browser-demo.ts", "--once", "--port", "0"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = demo;
    const exited = new Promise<number | null>((resolve) => demo.on("exit", (code) => resolve(code)));
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo printed no URL: ${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const found = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(output);
        if (found) {
          clearTimeout(timer);
          resolve(found[0]);
        }
      };
      demo.stdout!.on("data", onData);
      demo.stderr!.on("data", onData);
      void exited.then(() => reject(new Error(`the demo exited early: ${output}`)));
    });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 900, height: 540 } });
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(url);
    await page.locator("#footer").filter({ hasText: /tokens in/ }).waitFor();
    const footer = (await page.locator("#footer").textContent()) ?? "";
    expect(footer).toMatch(/65 tokens in \d+ ms · finish reason stop/);
    expect(await page.locator("#output").textContent()).toMatch(/^Typed streams carry a header.*stops it\.$/);
    expect(await page.locator("#progress").textContent()).toMatch(/^65 tokens · \d+% of max_tokens 80 · \d+ tok\/s/);
    expect(await page.locator("#error").textContent()).toBe("");
    // The recipe panel: a fake model's JSON read as an object stream (issue 25), every value closed at the end.
    await page.locator("#recipe-footer").filter({ hasText: /5 ingredients, 4 steps · \d+ patches/ }).waitFor();
    expect(await page.locator("#recipe-title").textContent()).toBe("Buttermilk pancakes");
    expect(await page.locator("#recipe-steps li").count()).toBe(4);
    expect(await page.locator("#recipe .typing").count()).toBe(0);
    expect(await page.locator("#recipe-error").textContent()).toBe("");
    const png = await page.screenshot();
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    if (process.env.UPDATE_SCREENSHOT === "1") await writeFile(new URL("../docs/browser-demo.png", import.meta.url), png);
    expect(errors).toEqual([]);
    const code = await Promise.race([exited, sleep(10_000).then(() => "still running")]);
    expect(code).toBe(0);
  });
});
