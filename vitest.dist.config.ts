// The named part of the suite that runs against the built package (npm run test:dist, after npm run build): every
// import of a public entry's source (src/index.ts, src/node.ts, …) resolved to the file package.json's exports
// give an ESM user (dist/…), so that these tests exercise the published code, not src/.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vitest/config";

const root = dirname(fileURLToPath(import.meta.url));

/** Entry source file → the built file an ESM `import` of that entry loads, from package.json's exports and tsup.config.ts's entries. */
function publicEntries(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, { import?: { default?: string } } | string> };
  const sourceOf: Record<string, string> = { ".": "src/index.ts", "./standard": "src/standard.ts", "./node": "src/node.ts", "./browser": "src/browser.ts", "./standard/browser": "src/standard-browser.ts", "./typebox1": "src/typebox1.ts", "./react": "src/react.ts", "./redis": "src/redis.ts" };
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const built = typeof target === "string" ? undefined : target.import?.default;
    if (!built) continue;
    const source = sourceOf[subpath];
    if (!source) throw new Error(`vitest.dist.config.ts: no source file known for the export ${subpath}; add it to sourceOf`);
    entries.set(join(root, source), join(root, built));
  }
  return entries;
}

/** Resolves test imports of an entry's source (`../src/node.js`) to its built file; internal modules stay unresolved here. */
function builtPackage(): Plugin {
  const entries = publicEntries();
  for (const built of entries.values()) if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build before npm run test:dist`);
  return {
    name: "streamtypes-built-package",
    enforce: "pre",
    resolveId(source, importer) {
      if (!importer || !source.startsWith(".")) return null;
      const asSource = resolve(dirname(importer), source).replace(/\.js$/, ".ts");
      const built = entries.get(asSource);
      if (built) return built;
      if (asSource.startsWith(join(root, "src") + "/") && !importer.startsWith(join(root, "dist"))) {
        throw new Error(`${importer} imports ${source}, an internal module: tests run against dist/ may use public entries only`);
      }
      return null;
    },
  };
}

/** The tests that use the public entries only: the library as users call it, over every format, server and store. */
export const DIST_TESTS = [
  "batches", "channel", "cli", "codec-support", "contract", "defects", "durable", "fuzz", "http", "json-schema", "kinds",
  "nginx", "node-server", "part-streams", "reader", "redis-store", "resume", "text-framing", "truss", "typed-array",
  "write-values", "writer", "writer-slab",
];

export default defineConfig({
  plugins: [builtPackage()],
  test: {
    include: DIST_TESTS.map((name) => `test/${name}.test.ts`),
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
