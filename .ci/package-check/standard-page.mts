// A page's code in a zod-only project (no @sinclair/typebox): streamtypes/standard/browser. The package check
// type-checks it (DOM lib, no Node types), bundles it with esbuild and runs it in Chromium (standard-page-serve.mjs).
import * as z from "zod";
import { readerTypes, sse, streamTypes } from "streamtypes/standard/browser";

const Item = z.object({ words: z.array(z.string()) });
const BINARY = streamTypes(Item, z.object({ model: z.string() }));
const EVENTS = readerTypes(Item, undefined, undefined, { format: sse() });

async function show(out: HTMLElement): Promise<void> {
  const r = BINARY.reader(fetch("/binary"), { idleTimeoutMs: 30_000 });
  const header = await r.readHeader();
  const words: string[] = [];
  for await (const item of r.readItems()) words.push(...item.words);
  for await (const item of EVENTS.reader(fetch("/sse")).readItems()) words.push(...item.words);
  out.textContent = `${header.model}: ${words.join(" ")}`;
}

const out = document.querySelector<HTMLElement>("#out")!;
show(out).catch((err: unknown) => (out.textContent = `error: ${String(err)}`));
