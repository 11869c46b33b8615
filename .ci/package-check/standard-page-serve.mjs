// Serves the zod-only page (its bundle, out/page.js) and two streams written with streamtypes/standard, opens it in
// Chromium (playwright-core from the repository, $ROOT), and checks what the page read. Exits 1 otherwise.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import * as z from "zod";
import { sse, streamTypes } from "streamtypes/standard";
import { sendResponse } from "streamtypes/node";

const { chromium } = createRequire(`${process.env.ROOT}/package.json`)("playwright-core");
const Item = z.object({ words: z.array(z.string()) });
const BINARY = streamTypes(Item, z.object({ model: z.string() }));
const EVENTS = streamTypes(Item, undefined, undefined, { format: sse() });
const page = readFileSync("out/page.js");

const server = createServer((req, res) => {
  if (req.url === "/") return res.end('<!doctype html><p id="out"></p><script type="module" src="/page.js"></script>', "utf8");
  if (req.url === "/page.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(page);
  if (req.url === "/binary") {
    return void sendResponse(res, BINARY.toResponse(async function* (w) {
      yield w.header({ model: "zod" });
      for (const word of ["typed", "streams"]) yield w.item({ words: [word] });
    }));
  }
  if (req.url === "/sse") return void sendResponse(res, EVENTS.toResponse(async function* (w) { yield w.item({ words: ["without", "TypeBox"] }); }));
  res.writeHead(404).end();
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
let text = "";
try {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  await tab.waitForFunction(() => document.querySelector("#out")?.textContent !== "");
  text = (await tab.textContent("#out")) ?? "";
} finally {
  await browser.close();
  server.close();
}
console.log(`the page read: ${text}`);
if (text !== "zod: typed streams without TypeBox") process.exit(1);
