// Bundle size measurement shared by the size budget test and the docs script: esbuild (minified, browser, esm), gzip -9.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = new URL("../", import.meta.url).pathname;

/** The size of `code` bundled (imports resolved from the repository root), leaving `external` modules out, and the files it took in. */
export async function bundledSize(code: string, external: string[] = []): Promise<{ minified: number; gzipped: number; inputs: string[] }> {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
    external,
    metafile: true,
  });
  const output = result.outputFiles[0]!.contents;
  // The files that contribute code after tree-shaking, not every file the import graph reached.
  const contributed = Object.values(result.metafile.outputs)[0]!.inputs;
  const inputs = Object.keys(contributed).filter((file) => contributed[file]!.bytesInOutput > 0);
  return { minified: output.length, gzipped: gzipSync(output, { level: 9 }).length, inputs };
}
