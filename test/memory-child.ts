// Child process for memory.test.ts: reads a long stream in 16-byte chunks and reports heap use mid-way and at the end.
import { Type } from "@sinclair/typebox";
import { streamTypes } from "../src/index.js";

const ITEMS = 60_000;
const S = streamTypes(Type.Object({ token: Type.String(), index: Type.Integer() }));
const gc = (globalThis as { gc?: () => void }).gc!;

async function* chunks(): AsyncGenerator<Uint8Array> {
  const w = S.writer();
  for (let i = 0; i <= ITEMS; i++) {
    const frame = i < ITEMS ? w.item({ token: "tok", index: i }) : w.end();
    for (let at = 0; at < frame.length; at += 16) yield frame.slice(at, at + 16);
  }
}

let middle = 0;
let count = 0;
for await (const _ of S.reader(chunks()).readItems()) {
  if (++count === ITEMS / 2) {
    gc();
    middle = process.memoryUsage().heapUsed;
  }
}
gc();
const end = process.memoryUsage().heapUsed;
process.stdout.write(JSON.stringify({ count, growthBytes: end - middle }));
