// Bundle size measurement shared by the size budget test and the docs script: esbuild (minified, browser, esm), gzip -9.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = new URL("../", import.meta.url).pathname;

/** The size of `code` bundled (imports resolved from the repository root), leaving `external` modules out. */
export async function bundledSize(code: string, external: string[] = []): Promise<{ minified: number; gzipped: number }> {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
    external,
  });
  const output = result.outputFiles[0]!.contents;
  return { minified: output.length, gzipped: gzipSync(output, { level: 9 }).length };
}
