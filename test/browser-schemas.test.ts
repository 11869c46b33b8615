// zod 4, valibot 1, arktype 2 and TypeBox 1.x (typebox1()) as stream schemas in Chromium, under the strict CSP (no 'unsafe-eval'):
// each page (test/browser/schemas/<library>.ts, bundled with esbuild) reads a stream from node:http with streamtypes/browser
// and lists every securitypolicyviolation it causes, so that what each library needs under the policy is asserted here.
import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { streamTypes } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { bundleScript, chromiumAvailable, launchChromium } from "./browser/harness.js";
import { Footer, Header, Item, STRICT_CSP } from "./browser/streams.js";
import { startServer, type TestServer } from "./server.js";

const LIBRARIES = ["zod", "valibot", "arktype", "typebox1"] as const;
type Library = (typeof LIBRARIES)[number];

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
/** An image from another origin, which STRICT_CSP's img-src blocks: the test's own last violation (see finished()). */
const SENTINEL_IMAGE = "http://sentinel.invalid/last-violation.png";

/** One page script per library, so that a page loads no other library (arktype probes eval when it loads). */
function bundle(library: Library): Promise<string> {
  return bundleScript(here(`browser/schemas/${library}.ts`));
}

const BINARY = streamTypes(Item, Header, Footer);
const UNCHECKED = streamTypes(Item, Header, Footer, { validate: false });
const words = ["Typed", " streams", " in", " Chromium"];

function serveStream(name: string, res: ServerResponse): void {
  if (name === "basic") {
    void sendResponse(
      res,
      BINARY.toResponse(async function* (w) {
        yield w.header({ runId: name });
        for (let index = 0; index < 3; index++) yield w.item({ index, text: words[index]! });
        yield w.footer({ items: 3 });
      }),
    );
  } else if (name === "invalid") {
    void sendResponse(
      res,
      UNCHECKED.toResponse(async function* (w) {
        yield w.header({ runId: name });
        yield w.item({ index: 0, text: words[0]! });
        yield w.item({ index: 1, text: 42 as unknown as string });
        yield w.footer({ items: 2 });
      }),
    );
  } else {
    res.writeHead(404, { "content-type": "text/plain" }).end(`no stream ${name}`);
  }
}

const skip = !chromiumAvailable && !process.env.CI;
if (skip) console.warn(`browser schema tests skipped: no Chromium at ${process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"}`);

describe.skipIf(skip)("schema libraries in Chromium under a strict CSP", () => {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  let context: BrowserContext | undefined;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    const [html, scripts, b] = await Promise.all([
      readFile(here("browser/page.html"), "utf8"),
      Promise.all(LIBRARIES.map(bundle)),
      launchChromium(),
    ]);
    browser = b;
    const byPath = new Map(LIBRARIES.map((lib, i) => [`/schemas-${lib}.js`, scripts[i]!]));
    server = await startServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const script = byPath.get(url.pathname);
      if (url.pathname === "/") {
        const lib = url.searchParams.get("lib") ?? "";
        res
          .writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": STRICT_CSP })
          .end(html.replace('src="/page.js"', `src="/schemas-${lib}.js"`));
      } else if (script !== undefined) {
        res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(script);
      } else if (url.pathname.startsWith("/stream/")) {
        serveStream(decodeURIComponent(url.pathname.slice("/stream/".length)), res);
      } else if (url.pathname === "/favicon.ico") {
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    expect(pageErrors).toEqual([]);
    pageErrors = [];
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

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

  /** The page's status once it has finished reading, and the violations it reported (every one, late ones included). */
  async function finished(page: Page): Promise<{ status: string; violations: string[] }> {
    await page.locator("#status").filter({ hasText: /^(done|failed)$/ }).waitFor();
    // Violation events are queued tasks, dispatched in order: a violation of our own now (an image the policy's
    // img-src blocks) is listed only after every earlier one, so once it is there, so are they.
    await page.evaluate((src) => void (new Image().src = src), SENTINEL_IMAGE);
    await page.locator("#violations li").filter({ hasText: SENTINEL_IMAGE }).waitFor();
    const violations = await page.locator("#violations li").allTextContents();
    return { status: (await page.locator("#status").textContent()) ?? "", violations: violations.filter((v) => !v.includes(SENTINEL_IMAGE)) };
  }

  /** What each library's page, configured as documented, reports under the strict CSP. */
  const EXPECTED: Record<Library, { validation: string; violations: string[] }> = {
    zod: { validation: "standard", violations: [] }, // z.config({ jitless: true }): zod skips its eval probe
    valibot: { validation: "standard", violations: [] }, // no code generation at all
    // arktype probes `new Function` once when it loads, whatever the configuration: one report, then it runs jitless.
    arktype: { validation: "standard", violations: ["script-src eval"] },
    typebox1: { validation: "interpreted", violations: [] }, // typebox1(schema, { compile: false })
  };

  it.each(LIBRARIES)("%s: header, items and footer rendered; a bad item is VALIDATION with its path; only the documented violations", async (lib) => {
    const page = await open(`lib=${lib}&stream=basic`);
    const { status, violations } = await finished(page);
    expect(await page.locator("#error").textContent()).toBe("");
    expect(status).toBe("done");
    expect(await page.locator("#entry").textContent()).toBe(lib);
    expect(await page.locator("#validator").textContent()).toBe(EXPECTED[lib].validation);
    expect(await page.locator("#header").textContent()).toBe("run basic");
    expect(await page.locator("#items li").allTextContents()).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(await page.locator("#footer").textContent()).toBe("footer: 3 items, completed true");
    expect(violations).toEqual(EXPECTED[lib].violations);

    const invalid = await open(`lib=${lib}&stream=invalid`);
    const bad = await finished(invalid);
    expect(bad.status).toBe("failed");
    expect(await invalid.locator("#items li").allTextContents()).toEqual(["0: Typed"]);
    const error = invalid.locator("#error");
    expect(await error.getAttribute("data-code")).toBe("VALIDATION");
    expect(await error.getAttribute("data-paths")).toBe("/text");
    expect(await error.textContent()).toMatch(/item 1/);
    expect(await error.textContent()).toMatch(/\/text/);
    expect(bad.violations).toEqual(EXPECTED[lib].violations);
  });

  it("without their jitless settings, zod and arktype still read the stream, and the policy reports their eval probe", async () => {
    for (const lib of ["zod", "arktype"] as const) {
      const page = await open(`lib=${lib}&stream=basic&jitless=0`);
      const { status, violations } = await finished(page);
      expect(status, lib).toBe("done");
      expect(await page.locator("#items li").count(), lib).toBe(3);
      expect(violations, lib).toEqual(["script-src eval"]); // one probe, cached
    }
  });

  it("typebox1() with its default compile: Compile is refused under the policy, and validation falls back to interpreting", async () => {
    const page = await open("lib=typebox1&stream=basic&compile=1");
    const { status, violations } = await finished(page);
    expect(status).toBe("done");
    expect(await page.locator("#validator").textContent()).toBe("interpreted");
    expect(await page.locator("#items li").count()).toBe(3);
    expect(violations).toEqual(["script-src eval"]); // TypeBox probes once (CanEvaluate, cached) for its three schemas
  });
});
