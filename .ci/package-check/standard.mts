// The README's 30-second example with zod, in a project without @sinclair/typebox: streamtypes/standard. The package
// check installs the tarball with zod alone, type-checks this file with skipLibCheck off, compiles and runs it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exit } from "node:process";
import * as z from "zod";
import { streamTypes } from "streamtypes/standard";
import { nodeHandler } from "streamtypes/node";

// shared.ts — the single source of truth
const STREAM = streamTypes(
  z.object({ words: z.array(z.string()) }),                                 // item
  z.object({ time: z.number(), msg: z.string() }),                          // header (optional)
  z.object({ time: z.number(), durationSec: z.number(), msg: z.string() }), // footer (optional)
);

// The README's `model.generate`: any async iterable of items.
const model = {
  async *generate({ signal }: { signal: AbortSignal }): AsyncGenerator<string[]> {
    for (const words of [["hello", "world"], ["typed", "streams"], ["done"]]) {
      if (signal.aborted) return;
      yield words;
    }
  },
};

// producer: a fetch-style handler, served on node:http through nodeHandler from "streamtypes/node"
const handler = () =>
  STREAM.toResponse(async function* (w, signal) {
    yield w.header({ time: Date.now(), msg: "start" });
    for await (const words of model.generate({ signal })) yield w.item({ words });
    yield w.footer({ time: Date.now(), durationSec: 1.2, msg: "done" });
  });

async function main(): Promise<void> {
  const server = createServer(nodeHandler(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    // consumer
    const r = STREAM.reader(fetch(`http://127.0.0.1:${port}/words`), { idleTimeoutMs: 30_000 });
    const header = await r.readHeader(); // typed { time: number; msg: string }
    const lines: string[] = [];
    for await (const item of r.readItems()) {
      lines.push(item.words.join(" ")); // typed { words: string[] }
    }
    const footer = await r.readFooter(); // confirms the end of the stream
    const time: number = header.time;
    const durationSec: number = footer.durationSec;
    const got = JSON.stringify({ msg: header.msg, lines, footer: footer.msg, durationSec, completed: r.completed });
    const want = JSON.stringify({ msg: "start", lines: ["hello world", "typed streams", "done"], footer: "done", durationSec: 1.2, completed: true });
    if (got !== want || typeof time !== "number") throw new Error(`unexpected stream: ${got}`);
    console.log(`read ${lines.length} items: ${lines.join(" / ")}`);
  } finally {
    server.close();
  }
}

main().then(
  () => exit(0),
  (err: unknown) => {
    console.error(err);
    exit(1);
  },
);
