// The React test page: its script bundled with esbuild (React's development build, in memory) and a page that loads it.
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { bundleScript } from "./harness.js";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>streamtypes/react test</title><link rel="icon" href="/favicon.ico" />
  <script type="module" src="/react.js"></script></head>
  <body><div id="root"></div></body>
</html>`;

/** The page script with React and react-dom, as one ES module. Development build: StrictMode runs effects twice. */
export function bundleReactPage(): Promise<string> {
  return bundleScript(here("react-page.ts"), { minify: false, define: { "process.env.NODE_ENV": '"development"' } });
}

/** Serves the page (`/?stream=…&strict=1&reduce=1`) and its script; false for any other path. */
export function serveReactPage(script: string, req: IncomingMessage, res: ServerResponse): boolean {
  const { pathname } = new URL(req.url ?? "/", "http://localhost");
  if (pathname === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(HTML);
  else if (pathname === "/react.js") res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(script);
  else if (pathname === "/favicon.ico") res.writeHead(204).end();
  else return false;
  return true;
}
