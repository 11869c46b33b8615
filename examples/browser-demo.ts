// npm run demo:browser: a server on 127.0.0.1 with a page that reads a live typed token stream in the browser. --once: serve one page load, then exit.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { sendResponse } from "streamtypes/node";
import { simulateTokens } from "./generate.js";
import { TOKENS } from "./tokens.js";
import { RECIPE, fakeModelJson } from "./recipe.js";

const args = process.argv.slice(2);
const once = args.includes("--once");
const portArg = args.indexOf("--port");
const port = portArg >= 0 ? Number(args[portArg + 1]) : 8080;

/** The page's own policy: scripts, styles and fetches from this origin only, and no eval. */
const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'";

const HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>streamtypes · live token stream</title>
  <link rel="stylesheet" href="/demo.css">
  <script type="module" src="/demo.js"></script>
</head>
<body>
  <main>
    <h1>streamtypes <small>· a typed token stream, read in the browser</small></h1>
    <p id="run" class="meta">connecting…</p>
    <progress id="bar" value="0" max="80"></progress>
    <p id="progress" class="meta">0 tokens</p>
    <p id="output"></p>
    <p class="meta legend"><span class="unsure">highlighted</span>: the model's least likely tokens (logprob below −1.4)</p>
    <p id="footer"></p>
    <p id="error"></p>
    <button id="stop" type="button">Stop</button>
  </main>
  <main id="recipe">
    <h1>A fake model writes a recipe <small>· JSON token by token, as a typed object stream</small></h1>
    <h2 id="recipe-title"></h2>
    <p id="recipe-meta" class="meta"></p>
    <ul id="recipe-ingredients"></ul>
    <ol id="recipe-steps"></ol>
    <p id="recipe-footer"></p>
    <p id="recipe-error"></p>
  </main>
</body>
</html>
`;

const CSS = `
body { margin: 0; background: #f4f5f7; color: #1d2330; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 780px; margin: 32px auto; padding: 28px 32px; background: #fff; border-radius: 10px; box-shadow: 0 1px 4px #0002; }
h1 { margin: 0 0 6px; font-size: 22px; }
h1 small { font-weight: 400; color: #5b6475; font-size: 16px; }
.meta { margin: 4px 0; color: #5b6475; font-size: 14px; font-variant-numeric: tabular-nums; }
progress { width: 100%; height: 10px; margin: 10px 0 2px; accent-color: #2f6fde; }
#output { min-height: 7.5em; margin: 16px 0; padding: 14px 16px; background: #f8f9fb; border: 1px solid #e3e6ec; border-radius: 8px; font-size: 17px; white-space: pre-wrap; }
#output span { animation: appear 0.25s ease-out; }
.unsure { background: #fff3c4; border-radius: 3px; padding: 0 1px; }
.legend { font-size: 13px; margin-top: -8px; }
@keyframes appear { from { opacity: 0; } to { opacity: 1; } }
#footer { margin: 8px 0; color: #17753a; font-weight: 600; }
#footer:empty, #error:empty { display: none; }
#error { margin: 8px 0; color: #b3261e; font-weight: 600; }
#recipe h2 { margin: 12px 0 0; min-height: 1.3em; }
.typing::after { content: "▍"; color: #2f6fde; animation: blink 0.8s step-end infinite; }
@keyframes blink { 50% { opacity: 0; } }
#recipe-footer { margin: 8px 0; color: #17753a; font-weight: 600; }
#recipe-footer:empty, #recipe-error:empty { display: none; }
#recipe-error { margin: 8px 0; color: #b3261e; font-weight: 600; }
button { font: inherit; padding: 4px 14px; border-radius: 6px; border: 1px solid #c5cad3; background: #fff; cursor: pointer; }
button:disabled { color: #9aa1ad; cursor: default; }
`;

/** The page's reading-only streamtypes: "streamtypes" (imported by tokens.ts for its TOKENS) becomes the browser entry too. */
const browserEntry: Plugin = {
  name: "streamtypes-browser",
  setup(b) {
    const entry = fileURLToPath(new URL("../src/browser.ts", import.meta.url));
    b.onResolve({ filter: /^streamtypes(\/browser)?$/ }, () => ({ path: entry }));
  },
};

const bundle = await build({
  entryPoints: [fileURLToPath(new URL("browser-demo-page.ts", import.meta.url))],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  logLevel: "silent",
  plugins: [browserEntry],
});
const SCRIPT = bundle.outputFiles[0]!.text;

/** A simulated model run: up to `maxTokens` tokens, then the footer with why it stopped. */
function tokenResponse(maxTokens: number): Response {
  return TOKENS.toResponse(
    async function* (w, signal) {
      const started = performance.now();
      yield w.header({ runId: crypto.randomUUID(), model: "demo-7b", startedAt: new Date().toISOString() });
      let index = 0;
      let finishReason: "stop" | "length" = "stop";
      for await (const { text, logprob } of simulateTokens(signal, 35)) {
        if (index === maxTokens) {
          finishReason = "length";
          break;
        }
        yield w.item({ index: index++, text, logprob });
      }
      yield w.footer({ tokens: index, durationMs: Math.round(performance.now() - started), finishReason });
    },
    { keepAliveMs: 15_000 },
  );
}

/** The fake model's recipe as an object stream: its JSON tokens become patches, the footer is the whole recipe. */
function recipeResponse(): Response {
  return RECIPE.toResponse(async function* (w, signal) {
    const recipe = RECIPE.objectWriter(w);
    for await (const token of fakeModelJson(signal, 25)) yield* recipe.json(token);
    yield* recipe.finish();
  });
}

/** With --once: the streams the page reads; the server exits when both have closed. */
let openStreams = 2;

function shutdown(code: number): void {
  server.closeAllConnections();
  server.close(() => process.exit(code));
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (url.pathname === "/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP }).end(HTML);
  } else if (url.pathname === "/demo.js") {
    res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(SCRIPT);
  } else if (url.pathname === "/demo.css") {
    res.writeHead(200, { "content-type": "text/css; charset=utf-8" }).end(CSS);
  } else if (url.pathname === "/tokens") {
    const maxTokens = Math.min(Math.max(Number(url.searchParams.get("max_tokens")) || 80, 1), 1000);
    if (once) res.on("close", () => --openStreams === 0 && setTimeout(() => shutdown(0), 100)); // the page has read its streams (or left)
    void sendResponse(res, tokenResponse(maxTokens));
  } else if (url.pathname === "/recipe") {
    if (once) res.on("close", () => --openStreams === 0 && setTimeout(() => shutdown(0), 100));
    void sendResponse(res, recipeResponse());
  } else {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }
});

server.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EADDRINUSE" && port !== 0) {
    console.log(`port ${port} is busy; using a free one`);
    server.listen(0, "127.0.0.1");
  } else throw err;
});
server.on("listening", () => {
  const { port: actual } = server.address() as AddressInfo;
  console.log(`streamtypes browser demo: open http://127.0.0.1:${actual}/ ${once ? "(serves one page load, then exits)" : "(Ctrl-C to stop)"}`);
});
server.listen(port, "127.0.0.1");
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));
if (once) setTimeout(() => (console.error("no page load within 60 s"), shutdown(1)), 60_000).unref();
