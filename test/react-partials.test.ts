// usePartialObject() from streamtypes/react in Chromium: the recipe grows in the DOM while the producer is held, open values are marked, and a bad value is VALIDATION with its path.
import type { ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { objectStream, sse } from "../src/index.js";
import { sendResponse } from "../src/node.js";
import { Recipe } from "../examples/recipe-schema.js";
import { bundleScript, chromiumAvailable, launchChromium } from "./browser/harness.js";
import { gate } from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

const HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>usePartialObject</title><link rel="icon" href="data:,">
<script type="module" src="/page.js"></script></head><body><div id="root"></div></body></html>`;

const HEAD = '{"title":"Pancakes","serves":4,"minutes":20,"ingredients":[],"steps":["Mix the ba';
const TAIL = 'tter.","Fry."]}';

let release = gate();
const RECIPE = objectStream(Recipe, { format: sse() });
const RECIPE_UNCHECKED = objectStream(Recipe, { format: sse(), validate: false });

function serveRecipe(name: string, res: ServerResponse): void {
  const held = release;
  void sendResponse(
    res,
    RECIPE.toResponse(async function* (w) {
      // The test's producer checks nothing itself, so that the reader's checks are what is tested.
      const o = name === "invalid" ? RECIPE_UNCHECKED.objectWriter(w) : RECIPE.objectWriter(w);
      if (name === "invalid") {
        yield* o.json('{"title":"Pancakes","serves":0,');
        await held.opened; // never opened: the reader fails before
        return;
      }
      yield* o.json(HEAD);
      await held.opened;
      yield* o.json(TAIL);
      yield* o.finish();
    }),
  );
}


const skip = !chromiumAvailable && !process.env.CI;

describe.skipIf(skip)("usePartialObject() in Chromium with React 19", () => {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  let page: Page | undefined;
  let problems: string[] = [];

  beforeAll(async () => {
    const script = await bundleScript(fileURLToPath(new URL("./browser/react-partials-page.ts", import.meta.url)), {
      minify: false,
      define: { "process.env.NODE_ENV": '"development"' },
    });
    [browser, server] = await Promise.all([
      launchChromium(),
      startServer((req, res) => {
        const { pathname } = new URL(req.url ?? "/", "http://localhost");
        if (pathname === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(HTML);
        else if (pathname === "/page.js") res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(script);
        else if (pathname.startsWith("/recipe/")) serveRecipe(pathname.slice("/recipe/".length), res);
        else res.writeHead(404).end();
      }),
    ]);
  });

  afterEach(async () => {
    await page?.close();
    release.open();
    release = gate();
    expect(problems).toEqual([]);
    problems = [];
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(stream: string): Promise<Page> {
    page = await browser!.newPage();
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") problems.push(`console.${msg.type()}: ${msg.text()}`);
    });
    await page.goto(`${server!.url}/?stream=${stream}`);
    return page;
  }

  it("renders the growing object while the producer is held, marks the unfinished step, then the whole object", async () => {
    const p = await open("held");
    await p.locator("#steps li").first().waitFor();
    expect(await p.locator("#title").textContent()).toBe("Pancakes");
    expect(await p.locator("#title").getAttribute("data-state")).toBe("closed");
    expect(await p.locator("#steps li").first().textContent()).toBe("Mix the ba");
    expect(await p.locator("#steps li").first().getAttribute("data-state")).toBe("open");
    expect(await p.locator("#status").textContent()).toBe("streaming");
    expect(await p.locator("#object").textContent()).toBe("");
    release.open();
    await p.locator("#status").filter({ hasText: /^(done|error)$/ }).waitFor();
    expect(await p.locator("#status").textContent()).toBe("done");
    expect(await p.locator("#steps li").allTextContents()).toEqual(["Mix the batter.", "Fry."]);
    expect(await p.locator("#steps li[data-state=open]").count()).toBe(0);
    expect(await p.locator("#object").textContent()).toBe("Pancakes: 2 steps, serves 4");
  });

  it("a value that fails its subschema is VALIDATION naming the path, while the stream is still open", async () => {
    const p = await open("invalid");
    await p.locator("#status").filter({ hasText: /^(done|error)$/ }).waitFor();
    expect(await p.locator("#error").getAttribute("data-code")).toBe("VALIDATION");
    expect(await p.locator("#error").textContent()).toContain("/serves");
    expect(release.isOpen).toBe(false); // the producer is still held: the value failed when it closed, not at the end
  });
});
