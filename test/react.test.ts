// streamtypes/react in a real browser: useStream() with real React and react-dom in Debian's Chromium, reading from a node:http server on 127.0.0.1.
import type { ServerResponse } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { streamTypes } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { chromiumAvailable, launchChromium } from "./browser/harness.js";
import { bundleReactPage, serveReactPage } from "./browser/react-harness.js";
import { Footer, Header, Item } from "./browser/streams.js";
import { startServer, type TestServer } from "./server.js";
import { gate } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BINARY = streamTypes(Item, Header, Footer);


const within = (g: ReturnType<typeof gate>, ms: number) => Promise.race([g.opened.then(() => true), sleep(ms).then(() => false)]);

/** What the producers of the current test hold and report. */
let state = { release: gate(), finallyRan: gate(), log: [] as string[], requests: 0, completed: 0 };
const words = ["Typed", " streams", " in", " React"];

function serveStream(name: string, res: ServerResponse): void {
  const s = state;
  s.requests++;
  const producers: Record<string, Parameters<typeof BINARY.toResponse>[0]> = {
    async *basic(w) {
      yield w.header({ runId: name });
      for (let index = 0; index < 3; index++) yield w.item({ index, text: words[index]! });
      yield w.footer({ items: 3 });
      s.completed++;
    },
    async *progressive(w) {
      yield w.header({ runId: name });
      yield w.item({ index: 0, text: words[0]! });
      s.log.push("producer holds");
      await s.release.opened;
      s.log.push("producer resumes");
      for (let index = 1; index < 3; index++) yield w.item({ index, text: words[index]! });
      yield w.footer({ items: 3 });
    },
    async *remote(w) {
      yield w.header({ runId: name });
      for (let index = 0; index < 2; index++) yield w.item({ index, text: words[index]! });
      throw new Error("GPU out of memory");
    },
    async *endless(w) {
      try {
        yield w.header({ runId: name });
        for (let index = 0; index < 100_000; index++) {
          yield w.item({ index, text: `token ${index}` });
          await sleep(10);
        }
      } finally {
        s.finallyRan.open();
      }
    },
  };
  const producer = producers[name];
  if (producer === undefined) res.writeHead(404, { "content-type": "text/plain" }).end(`no stream ${name}`);
  else void sendResponse(res, BINARY.toResponse(producer));
}

const skip = !chromiumAvailable && !process.env.CI;

describe.skipIf(skip)("useStream() in Chromium with React 19", () => {
  let script: string;
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  let context: BrowserContext | undefined;
  let problems: string[] = [];

  beforeAll(async () => {
    [script, browser] = await Promise.all([bundleReactPage(), launchChromium()]);
    server = await startServer((req, res) => {
      if (serveReactPage(script, req, res)) return;
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname.startsWith("/stream/")) serveStream(decodeURIComponent(url.pathname.slice("/stream/".length)), res);
      else res.writeHead(404).end();
    });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    state.release.open();
    state = { release: gate(), finallyRan: gate(), log: [], requests: 0, completed: 0 };
    expect(problems).toEqual([]);
    problems = [];
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(query: string): Promise<Page> {
    await context?.close();
    context = await browser!.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    // React's development build reports state updates on unmounted components, duplicate keys and the like here.
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") problems.push(`console.${msg.type()}: ${msg.text()}`);
    });
    const response = await page.goto(`${server!.url}/?${query}`);
    expect(response?.ok()).toBe(true);
    return page;
  }

  const status = (page: Page) => page.locator("#status").textContent();
  const settled = async (page: Page) => {
    await page.locator("#status").filter({ hasText: /^(done|error|aborted)$/ }).waitFor();
    return status(page);
  };
  const itemTexts = (page: Page) => page.locator("#items li").allTextContents();

  it("renders progressively: item 0 is in the DOM while the producer is held before the next", async () => {
    const page = await open("stream=progressive");
    await page.locator("#items li").first().waitFor();
    expect(state.log).toEqual(["producer holds"]);
    expect(await itemTexts(page)).toEqual(["0: Typed"]);
    expect(await status(page)).toBe("streaming");
    expect(await page.locator("#header").textContent()).toBe("run progressive");
    expect(await page.locator("#footer").textContent()).toBe("");
    state.release.open();
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(await page.locator("#footer").textContent()).toBe("footer: 3 items");
    expect(await page.locator("#error").textContent()).toBe("");
  });

  it("shows an in-band error as REMOTE with the producer's message, after the items it sent", async () => {
    const page = await open("stream=remote");
    expect(await settled(page)).toBe("error");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams"]);
    expect(await page.locator("#error").getAttribute("data-code")).toBe("REMOTE");
    expect(await page.locator("#error").getAttribute("data-remote")).toBe("GPU out of memory");
    expect(await page.locator("#footer").textContent()).toBe("");
  });

  it("unmounting aborts the stream: the producer's finally runs, no response stays open, no state update after unmount", async () => {
    const page = await open("stream=endless");
    await page.locator("#items li").nth(2).waitFor();
    expect(state.finallyRan.isOpen).toBe(false);
    await page.locator("#unmount").click();
    await page.locator("#unmounted").waitFor();
    expect(await within(state.finallyRan, 5000)).toBe(true);
    expect(await server!.settle(5000)).toBe(0);
    await sleep(100); // time for any late update React would warn about (collected in afterEach)
  });

  it("abort() stops the stream: status aborted, the producer's finally runs", async () => {
    const page = await open("stream=endless");
    await page.locator("#items li").nth(2).waitFor();
    await page.locator("#abort").click();
    expect(await settled(page)).toBe("aborted");
    expect(await page.locator("#error").textContent()).toBe("");
    expect(await within(state.finallyRan, 5000)).toBe(true);
    expect(await server!.settle(5000)).toBe(0);
  });

  it("in StrictMode's double effects: one request, one completed stream, no duplicate items", async () => {
    const page = await open("stream=basic&strict=1");
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(await page.locator("#footer").textContent()).toBe("footer: 3 items");
    expect(state.requests).toBe(1);
    expect(state.completed).toBe(1);
    expect(await server!.settle(5000)).toBe(0);
  });

  it("with a reducer, a token stream is one accumulated value (in StrictMode too)", async () => {
    const page = await open("stream=basic&strict=1&reduce=1");
    expect(await settled(page)).toBe("done");
    expect(await page.locator("#text").textContent()).toBe("Typed streams in");
    expect(state.completed).toBe(1);
  });
});
