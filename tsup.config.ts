// Build: ESM + CJS + declarations for the main entry and the Node adapter.
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", standard: "src/standard.ts", node: "src/node.ts", browser: "src/browser.ts", "standard-browser": "src/standard-browser.ts", typebox1: "src/typebox1.ts", react: "src/react.ts", redis: "src/redis.ts", cli: "src/cli/cli.ts" },
  format: ["esm", "cjs"],
  // tsup 8 sets baseUrl for its declaration build, which TypeScript 6 flags as deprecated.
  // stripInternal: members marked @internal (a definition's resolved spec, its constructor) stay out of the d.ts.
  dts: { compilerOptions: { ignoreDeprecations: "6.0", stripInternal: true } },
  // No source maps: the package ships no sources for them to point at (README, "Install").
  sourcemap: false,
  clean: true,
  target: "es2022",
  treeshake: true,
});
