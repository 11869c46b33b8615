// Browser test harness: bundles the test page's script with esbuild (in memory), serves the page, and launches Debian's Chromium.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { STRICT_CSP } from "./streams.js";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const chromiumAvailable = existsSync(CHROMIUM_PATH);

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Which library entry the page script is built from: the reading-only browser entry, or the main entry. */
export type Entry = "browser" | "main";

/** Redirects the page's import of the browser entry to the main entry, which compiles validators when CSP allows. */
const mainEntryInstead: Plugin = {
  name: "main-entry-instead",
  setup(b) {
    b.onResolve({ filter: /\/src\/browser\.js$/ }, () => ({ path: here("../../src/index.ts") }));
  },
};

/**
 * A page script (a file path) bundled for the browser as one ES module, in memory: minified unless `minify: false`.
 *
 * @example
 * const script = await bundleScript(fileURLToPath(new URL("./browser/resume-page.ts", import.meta.url)));
 */
export async function bundleScript(
  entryPoint: string,
  options: { define?: Record<string, string>; plugins?: Plugin[]; minify?: boolean } = {},
): Promise<string> {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    minify: options.minify ?? true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    ...(options.define ? { define: options.define } : {}),
    plugins: options.plugins ?? [],
  });
  return result.outputFiles[0]!.text;
}

/** The page script, bundled and minified for the browser as one ES module, in memory. */
export function bundlePage(entry: Entry): Promise<string> {
  return bundleScript(here("page.ts"), { define: { __ENTRY__: JSON.stringify(entry) }, plugins: entry === "main" ? [mainEntryInstead] : [] });
}

export interface PageAssets {
  html: string;
  scripts: Record<Entry, string>;
}

export async function pageAssets(): Promise<PageAssets> {
  const [html, browser, main] = await Promise.all([readFile(here("page.html"), "utf8"), bundlePage("browser"), bundlePage("main")]);
  return { html, scripts: { browser, main } };
}

/**
 * Serves the page (`/?stream=…&via=…`, with `csp=1` under the strict CSP, with `entry=main` running the main
 * entry's bundle) and its scripts as same-origin files. Returns false for any other path.
 */
export function servePage(assets: PageAssets, req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/") {
    const headers: Record<string, string> = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };
    if (url.searchParams.get("csp") === "1") headers["content-security-policy"] = STRICT_CSP;
    const html = url.searchParams.get("entry") === "main" ? assets.html.replace('src="/page.js"', 'src="/page-main.js"') : assets.html;
    res.writeHead(200, headers).end(html);
    return true;
  }
  if (url.pathname === "/page.js" || url.pathname === "/page-main.js") {
    const script = assets.scripts[url.pathname === "/page.js" ? "browser" : "main"];
    res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(script);
    return true;
  }
  if (url.pathname === "/favicon.ico") {
    res.writeHead(204).end();
    return true;
  }
  return false;
}

/** Debian's Chromium, headless, quiet: no background traffic, so everything it does is the page's. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 20_000,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}
