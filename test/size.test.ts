// The browser entry's size budget: bundled and minified with esbuild, gzipped; deterministic, so CI can hold it.
import { describe, expect, it } from "vitest";
import { bundledSize } from "./bundle-size.js";

/** Bytes, gzipped. See docs/browser.md for what the reader carries and why it is over the 12 KB first aimed at. */
const BROWSER_READER_BUDGET = 26 * 1024;

describe("browser bundle", () => {
  it(`a page reading a typed stream with streamtypes/browser stays within ${BROWSER_READER_BUDGET} bytes gzipped`, async () => {
    const size = await bundledSize(`
      import { streamTypes } from "./src/browser.ts";
      import { Object as TObject, Number as TNumber } from "@sinclair/typebox";
      const S = streamTypes(TObject({ a: TNumber() }));
      export async function read(url) { for await (const item of S.reader(fetch(url)).readItems()) console.log(item); }
    `);
    expect(size.gzipped).toBeLessThanOrEqual(BROWSER_READER_BUDGET);
  });

  it("leaves out what only writers need: msgpackr's packer and TypeBox's compiler", async () => {
    const reader = await bundledSize(`export { streamTypes } from "./src/browser.ts";`);
    const full = await bundledSize(`export { streamTypes } from "./src/index.ts";`);
    expect(reader.gzipped).toBeLessThan(full.gzipped * 0.7);
  });
});
