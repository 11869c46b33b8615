// The React test page: its script bundled with esbuild (React's development build, 19 or 18, in memory) and a page that loads it.
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";
import { bundleScript } from "./harness.js";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>streamtypes/react test</title><link rel="icon" href="/favicon.ico" />
  <script type="module" src="/react.js"></script></head>
  <body><div id="root"></div></body>
</html>`;

/** The React versions the page is tested with: the project's own (19), and 18 installed beside it in test/react18. */
export type ReactVersion = "18" | "19";

/** Resolves `react` and `react-dom` (and their subpaths) from test/react18's own node_modules, for the whole bundle. */
const react18Instead: Plugin = {
  name: "react18-instead",
  setup(b) {
    b.onResolve({ filter: /^react(-dom)?(\/.*)?$/ }, (args) => {
      if ((args.pluginData as { react18?: boolean } | undefined)?.react18) return undefined;
      return b.resolve(args.path, { kind: args.kind, resolveDir: here("../react18"), pluginData: { react18: true } });
    });
  },
};

/**
 * The page script with React and react-dom of the given version, as one ES module. Development build: StrictMode
 * runs effects twice, and React reports its warnings on the console.
 *
 * @example
 * const script = await bundleReactPage("18");
 */
export function bundleReactPage(version: ReactVersion = "19"): Promise<string> {
  return bundleScript(here("react-page.ts"), {
    minify: false,
    define: { "process.env.NODE_ENV": '"development"' },
    plugins: version === "18" ? [react18Instead] : [],
  });
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
