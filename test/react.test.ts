// streamtypes/react in a real browser: useStream() with real React 19 and React 18 (react-dom, development builds) in Debian's Chromium, reading from a node:http server on 127.0.0.1.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { memoryStore, streamTypes } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { chromiumAvailable, launchChromium } from "./browser/harness.js";
import { bundleReactPage, serveReactPage, type ReactVersion } from "./browser/react-harness.js";
import { Footer, Header, Item } from "./browser/streams.js";
import { startServer, type TestServer } from "./server.js";
import { gate } from "./helpers.js";

const BINARY = streamTypes(Item, Header, Footer);
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** One request the server answered: the stream's name, the method, the body, and the position the client resumed after. */
interface Served {
  name: string;
  method: string;
  body: string;
  lastEventId: string | undefined;
}

/** What the producers of the current test hold and report. */
const fresh = () => ({
  release: gate(),
  finallyRan: gate(),
  held: gate(),
  log: [] as string[],
  served: [] as Served[],
  completed: 0,
  durableStarts: 0,
  durableId: crypto.randomUUID(),
});
let state = fresh();
const words = ["Typed", " streams", " in", " React"];
const BURST = 20_000;
const store = memoryStore();
/** The durable stream's items as the page lists them. */
const DURABLE_TEXTS = ["0: Typed", "1:  streams", "2: 2", "3: 3", "4: 4"];

type Producer = Parameters<typeof BINARY.toResponse>[0];

function producersFor(name: string): Record<string, Producer> {
  const s = state;
  return {
    async *basic(w) {
      yield w.header({ runId: name });
      for (let index = 0; index < 3; index++) yield w.item({ index, text: words[index]! });
      yield w.footer({ items: 3 });
      s.completed++;
    },
    async *other(w) {
      yield w.header({ runId: name });
      yield w.item({ index: 0, text: "Other" });
      yield w.footer({ items: 1 });
      s.completed++;
    },
    async *progressive(w) {
      yield w.header({ runId: name });
      yield w.item({ index: 0, text: words[0]! });
      s.log.push("producer holds");
      s.held.open();
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
        // Paced by the event loop, not a clock: the pull-based producer advances as fast as the page reads.
        for (let index = 0; ; index++) {
          yield w.item({ index, text: "t" });
          await nextTurn();
        }
      } finally {
        s.finallyRan.open();
      }
    },
    async *burst(w) {
      yield w.header({ runId: name });
      for (let index = 0; index < BURST; index++) yield w.item({ index, text: "" });
      yield w.footer({ items: BURST });
    },
    trickle: trickle(name, 2_000),
    "long-trickle": trickle(name, BURST),
  };
}

/** Items one at a time, each written on its own turn of the server's event loop: many small network chunks. */
function trickle(name: string, count: number): Producer {
  return async function* (w) {
    yield w.header({ runId: name });
    for (let index = 0; index < count; index++) {
      yield w.item({ index, text: "" });
      await nextTurn();
    }
    yield w.footer({ items: count });
  };
}

/** A durable stream (replay store in memory): header, items 0–1, held until the test releases it, items 2–4, footer. */
const durable: Producer = async function* (w) {
  const s = state;
  s.durableStarts++;
  yield w.header({ runId: "durable" });
  for (let index = 0; index < 2; index++) yield w.item({ index, text: words[index]! });
  s.held.open();
  await s.release.opened;
  for (let index = 2; index < 5; index++) yield w.item({ index, text: String(index) });
  yield w.footer({ items: 5 });
  s.completed++;
};

function serveStream(name: string, req: IncomingMessage, res: ServerResponse): void {
  const s = state;
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (body += chunk));
  req.on("end", () => {
    const lastEventId = req.headers["last-event-id"] as string | undefined;
    s.served.push({ name, method: req.method ?? "GET", body, lastEventId });
    if (name === "durable") {
      void sendResponse(res, BINARY.durable(s.durableId, durable, { store, resumeAfter: lastEventId }));
      return;
    }
    const producer = producersFor(name)[name];
    if (producer === undefined) res.writeHead(404, { "content-type": "text/plain" }).end(`no stream ${name}`);
    else void sendResponse(res, BINARY.toResponse(producer));
  });
}

const skip = !chromiumAvailable && !process.env.CI;

/** Every commit the page logged: the request it was for, the status, header, item count and text, and the frame. */
interface Commit {
  request: string;
  status: string;
  header: string | undefined;
  items: number;
  text: string;
  frame: number;
}

describe.skipIf(skip).each<ReactVersion>(["19", "18"])("useStream() in Chromium with React %s", (version) => {
  let script: string;
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  let context: BrowserContext | undefined;
  let problems: string[] = [];

  beforeAll(async () => {
    [script, browser] = await Promise.all([bundleReactPage(version), launchChromium()]);
    server = await startServer((req, res) => {
      if (serveReactPage(script, req, res)) return;
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname.startsWith("/stream/")) serveStream(decodeURIComponent(url.pathname.slice("/stream/".length)), req, res);
      else res.writeHead(404).end();
    });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    state.release.open();
    state = fresh();
    expect(problems).toEqual([]);
    problems = [];
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store.close();
  });

  async function open(query: string): Promise<Page> {
    await context?.close();
    context = await browser!.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    // React's development build reports state updates on unmounted components, update loops and the like here.
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") problems.push(`console.${msg.type()}: ${msg.text()}`);
    });
    const response = await page.goto(`${server!.url}/?${query}`);
    expect(response?.ok()).toBe(true);
    expect(await page.locator("#react-version").textContent()).toMatch(new RegExp(`^${version}\\.`));
    return page;
  }

  const status = (page: Page) => page.locator("#status").textContent();
  const settled = async (page: Page) => {
    await page.locator("#status").filter({ hasText: /^(done|error|aborted)$/ }).waitFor();
    return status(page);
  };
  const itemTexts = (page: Page) => page.locator("#items li").allTextContents();
  const commits = (page: Page) => page.evaluate(() => (window as unknown as { __log: { commits: Commit[] } }).__log.commits);
  const countAtLeast = (page: Page, n: number) => page.waitForFunction((n) => Number(document.querySelector("#count")?.textContent) >= n, n);
  /** Two animation frames in the page: any commit the hook had scheduled has been made. */
  const twoFrames = (page: Page) => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  /**
   * Unmounts the view (or hides it in <Activity>) once the durable producer holds after item 1 (two items shown),
   * lets the producer go on, and mounts (shows) the view again; returns how many commits the page had logged before.
   */
  const remountMidway = async (page: Page, how: "unmount" | "hide" = "unmount") => {
    await state.held.opened;
    await countAtLeast(page, 2);
    await page.locator(how === "unmount" ? "#unmount" : "#hide").click();
    await (how === "unmount" ? page.locator("#unmounted") : page.locator("#visibility").filter({ hasText: "hidden" })).waitFor();
    const before = (await commits(page)).length;
    state.release.open();
    await page.locator(how === "unmount" ? "#mount" : "#show").click();
    return before;
  };
  /** Takes the page's console warnings that match out of the problems, for a test that expects them. */
  const takeWarnings = (pattern: RegExp) => {
    const taken = problems.filter((p) => pattern.test(p));
    problems = problems.filter((p) => !pattern.test(p));
    return taken;
  };

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
    await countAtLeast(page, 3);
    expect(state.finallyRan.isOpen).toBe(false);
    await page.locator("#unmount").click();
    await page.locator("#unmounted").waitFor();
    await state.finallyRan.opened;
    expect(await server!.settle(5000)).toBe(0);
    await twoFrames(page); // a commit the hook had scheduled would have come (and React warned, collected in afterEach)
  });

  it("abort() stops the stream: status aborted, the producer's finally runs", async () => {
    const page = await open("stream=endless");
    await countAtLeast(page, 3);
    await page.locator("#abort").click();
    expect(await settled(page)).toBe("aborted");
    expect(await page.locator("#error").textContent()).toBe("");
    await state.finallyRan.opened;
    expect(await server!.settle(5000)).toBe(0);
  });

  it("in StrictMode's double effects: one request, one completed stream, no duplicate items", async () => {
    const page = await open("stream=basic&strict=1");
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(await page.locator("#footer").textContent()).toBe("footer: 3 items");
    expect(state.served).toHaveLength(1);
    expect(state.completed).toBe(1);
    expect(await server!.settle(5000)).toBe(0);
  });

  it("with a reducer, a token stream is one accumulated value (in StrictMode too)", async () => {
    const page = await open("stream=basic&strict=1&reduce=1");
    expect(await settled(page)).toBe("done");
    expect(await page.locator("#text").textContent()).toBe("Typed streams in");
    expect(state.completed).toBe(1);
  });

  // Item 1 of issue 24: the render that passes a new request shows that request's state, never the old one's.
  it("a changed request shows its own state from its first commit: A → B, URL → null, null → URL", async () => {
    const page = await open("scenario=switch&stream=basic");
    expect(await settled(page)).toBe("done");
    await page.locator("#to-other").click();
    expect(await settled(page)).toBe("done");
    expect(await page.locator("#header").textContent()).toBe("run other");
    await page.locator("#to-null").click();
    await page.locator("#status").filter({ hasText: /^idle$/ }).waitFor();
    await page.locator("#to-basic").click();
    expect(await settled(page)).toBe("done");
    const log = await commits(page);
    const firstOf = (request: string, after: number) => log.find((c, i) => i > after && c.request === request)!;
    const switchToOther = log.findIndex((c) => c.request === "other");
    expect(log[switchToOther]).toMatchObject({ status: "streaming", header: undefined, items: 0, text: "" });
    const switchToNull = log.findIndex((c) => c.request === "null");
    expect(log[switchToNull]).toMatchObject({ status: "idle", header: undefined, items: 0 });
    expect(firstOf("basic", switchToNull)).toMatchObject({ status: "streaming", header: undefined, items: 0 });
    // No commit ever pairs a request with another stream's header.
    for (const c of log) if (c.header !== undefined) expect(`/stream/${c.header}`).toBe(`/stream/${c.request}`);
    expect(state.served.map((s) => s.name)).toEqual(["basic", "other", "basic"]);
  });

  // Item 2: at most one commit per animation frame by default, for a burst and for a trickle, with no update-depth error.
  it.each(["burst", "long-trickle"])("a %s of 20,000 items commits at most twice per animation frame", async (stream) => {
    const page = await open(`stream=${stream}`);
    expect(await settled(page)).toBe("done");
    const total = BURST;
    expect(await page.locator("#count").textContent()).toBe(String(total));
    expect(await page.locator("#footer").textContent()).toBe(`footer: ${total} items`);
    const log = await commits(page);
    const frames = log.at(-1)!.frame - log[0]!.frame + 1;
    expect(log.length).toBeLessThanOrEqual(2 * frames);
    // Every commit's items are a new array only as they grow; the counts never go back.
    for (let i = 1; i < log.length; i++) expect(log[i]!.items).toBeGreaterThanOrEqual(log[i - 1]!.items);
  });

  it("throttleMs: 0 commits every batch, and the items come out the same", async () => {
    const page = await open("stream=trickle&throttle=0");
    expect(await settled(page)).toBe("done");
    expect(await page.locator("#count").textContent()).toBe("2000");
    expect(await page.locator("#footer").textContent()).toBe("footer: 2000 items");
  });

  // Item 4: restart(), after done and after an abort.
  it("restart() reads the stream again after it is done", async () => {
    const page = await open("stream=basic");
    expect(await settled(page)).toBe("done");
    await page.locator("#restart").click();
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(state.served).toHaveLength(2);
    expect(state.completed).toBe(2);
    const log = await commits(page);
    const firstDone = log.findIndex((c) => c.status === "done");
    expect(log[firstDone + 1]).toMatchObject({ status: "streaming", items: 0, header: undefined });
  });

  it("restart() after abort() reads the stream again from the start", async () => {
    const page = await open("stream=progressive");
    await state.held.opened;
    await page.locator("#items li").first().waitFor();
    await page.locator("#abort").click();
    expect(await settled(page)).toBe("aborted");
    state.held = gate();
    await page.locator("#restart").click();
    await state.held.opened;
    state.release.open();
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(state.served).toHaveLength(2);
  });

  // Item 5: request identity by value, and a definition made inside a component.
  it("an inline new URL(...) at every render is one request, not a fetch storm", async () => {
    const page = await open("scenario=inline-url&stream=trickle");
    expect(await settled(page)).toBe("done");
    expect(await page.locator("#count").textContent()).toBe("2000");
    expect(state.served).toHaveLength(1);
  });

  it("an inline POST Request is compared by method, URL and body: the same body is one request, a new body a new one", async () => {
    const page = await open("scenario=inline-request&stream=trickle");
    expect(await settled(page)).toBe("done");
    expect(state.served).toEqual([{ name: "trickle", method: "POST", body: '{"question":"first"}', lastEventId: undefined }]);
    await page.locator("#ask").click();
    await page.waitForFunction(() => (window as unknown as { __log: { commits: Commit[] } }).__log.commits.some((c) => c.request === "second" && c.status === "streaming"));
    expect(await settled(page)).toBe("done");
    expect(await page.locator("#count").textContent()).toBe("2000");
    expect(state.served.map((s) => s.body)).toEqual(['{"question":"first"}', '{"question":"second"}']);
  });

  it("streamTypes() called inside a component: one request, and a development warning that says what to do", async () => {
    const page = await open("scenario=inline-types&stream=trickle");
    expect(await settled(page)).toBe("done");
    expect(await page.locator("#count").textContent()).toBe("2000");
    expect(state.served).toHaveLength(1);
    const warnings = takeWarnings(/useStream: the stream definition is a new object/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("define it once, at module level");
  });

  // Item 6: a finished stream is not fetched again when shown again; a durable one continues from its position.
  it.runIf(version === "19")("<Activity> hidden and shown again: a finished stream is not fetched again", async () => {
    const page = await open("stream=basic&activity=1");
    expect(await settled(page)).toBe("done");
    await page.locator("#hide").click();
    await page.locator("#visibility").filter({ hasText: "hidden" }).waitFor();
    await page.locator("#show").click();
    await page.locator("#visibility").filter({ hasText: "visible" }).waitFor();
    await twoFrames(page);
    expect(await status(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(state.served).toHaveLength(1);
  });

  it("with resume, a remounted finished stream shows its parts without a request", async () => {
    const page = await open("stream=basic&resume=1");
    expect(await settled(page)).toBe("done");
    await page.locator("#unmount").click();
    await page.locator("#unmounted").waitFor();
    await page.locator("#mount").click();
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(await page.locator("#footer").textContent()).toBe("footer: 3 items");
    expect(state.served).toHaveLength(1);
  });

  it("with resume, a durable stream remounted mid-way continues after its position: the producer runs once, each item once", async () => {
    const page = await open("stream=durable&resume=1");
    const beforeRemount = await remountMidway(page);
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(DURABLE_TEXTS);
    expect(await page.locator("#header").textContent()).toBe("run durable");
    expect(await page.locator("#footer").textContent()).toBe("footer: 5 items");
    expect(state.durableStarts).toBe(1);
    expect(state.served.map((s) => s.lastEventId)).toEqual([undefined, "2"]);
    // The remount's first commit already shows what the first mount had.
    expect((await commits(page))[beforeRemount]).toMatchObject({ status: "streaming", header: "durable", items: 2 });
  });

  it("with resume: \"session\", a reload continues after the position kept in sessionStorage", async () => {
    const page = await open("stream=durable&resume=session");
    await state.held.opened;
    await countAtLeast(page, 2);
    await page.reload();
    await page.locator("#header").filter({ hasText: "run durable" }).waitFor();
    expect(await status(page)).toBe("streaming");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams"]);
    state.release.open();
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(DURABLE_TEXTS);
    expect(state.durableStarts).toBe(1);
    expect(state.served.map((s) => s.lastEventId)).toEqual([undefined, "2"]);
  });

  it("with resume, an endpoint that is not durable starts over on the remount: each item is shown once", async () => {
    const page = await open("stream=progressive&resume=1");
    await state.held.opened;
    await page.locator("#items li").first().waitFor();
    await page.locator("#unmount").click();
    await page.locator("#unmounted").waitFor();
    state.release.open();
    await page.locator("#mount").click();
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(["0: Typed", "1:  streams", "2:  in"]);
    expect(state.served.map((s) => s.lastEventId)).toEqual([undefined, "1"]);
  });

  it.runIf(version === "19")("<Activity> hidden mid-way and shown again, with resume: the durable stream continues after its position", async () => {
    const page = await open("stream=durable&resume=1&activity=1");
    await remountMidway(page, "hide");
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(DURABLE_TEXTS);
    expect(state.durableStarts).toBe(1);
    expect(state.served.map((s) => s.lastEventId)).toEqual([undefined, "2"]);
  });

  it("a request function (made once) gets the position to resume after, as Last-Event-ID", async () => {
    const page = await open("scenario=function&stream=durable&resume=1");
    await remountMidway(page);
    expect(await settled(page)).toBe("done");
    expect(await itemTexts(page)).toEqual(DURABLE_TEXTS);
    expect(state.served.map((s) => s.lastEventId)).toEqual([undefined, "2"]);
    expect(state.durableStarts).toBe(1);
  });
});
