// One read of useStream (src/react/stream-run.ts) without React: every batch or throttled, items copied once per commit and never mutated after, throttleMs checked.
import { describe, expect, it } from "vitest";
import { StreamError, streamTypes } from "../src/index.js";
import { emptySnapshot, type StreamSnapshot } from "../src/react/snapshot.js";
import { StreamRun, type RunOptions, type RunTypes } from "../src/react/stream-run.js";
import { Footer, Header, Item } from "./browser/streams.js";

const TYPES = streamTypes(Item, Header, Footer);
const COUNT = 3_000;

/** The stream's bytes, one frame per chunk, each chunk enqueued on its own turn of the event loop (many small batches). */
function trickle(): ReadableStream<Uint8Array> {
  const w = TYPES.writer();
  const frames = [w.header({ runId: "r" }), ...Array.from({ length: COUNT }, (_, index) => w.item({ index, text: "" })), w.footer({ items: COUNT }), w.end()];
  let next = 0;
  return new ReadableStream({
    async pull(controller) {
      await new Promise((r) => setImmediate(r));
      if (next < frames.length) controller.enqueue(frames[next++]!);
      else controller.close();
    },
  });
}

/** Each commit's snapshot, and its items' length as it was when committed. */
type Commit = StreamSnapshot & { committedLength: number };

/** Reads the trickle through a run; resolves with every commit once the last one is not "streaming". */
function readThrough(options: RunOptions): Promise<Commit[]> {
  return new Promise((resolve) => {
    const commits: Commit[] = [];
    const run = new StreamRun("0:test", emptySnapshot("0:test", options), {
      types: TYPES as unknown as RunTypes,
      request: () => trickle(),
      options: () => options,
      publish(snapshot) {
        commits.push({ ...snapshot, committedLength: (snapshot.items as unknown[]).length });
        if (snapshot.status !== "streaming") resolve(commits);
      },
    });
    run.start();
  });
}

describe("StreamRun, the read behind useStream", () => {
  it("commits each batch with throttleMs: 0; each commit's items are a new array that later batches never change", async () => {
    const commits = await readThrough({ throttleMs: 0 });
    expect(commits.at(-1)).toMatchObject({ status: "done", footer: { items: COUNT }, position: COUNT });
    const arrays = commits.map((c) => c.items as unknown[]);
    const lengths = commits.map((c) => c.committedLength);
    expect(new Set(arrays).size).toBe(new Set(lengths).size); // a new array exactly when items were added
    expect(arrays.map((a) => a.length)).toEqual(lengths); // still as committed: appends went to the run's own buffer
  });

  it("with a throttle, ends with every item once, in order, and each commit's array stays as it was committed", async () => {
    const commits = await readThrough({ throttleMs: 50 });
    expect(commits.at(-1)).toMatchObject({ status: "done" });
    expect((commits.at(-1)!.items as unknown[]).map((i) => (i as { index: number }).index)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    const lengths = commits.map((c) => c.committedLength);
    expect(commits.map((c) => (c.items as unknown[]).length)).toEqual(lengths);
    expect([...lengths].sort((a, b) => a - b)).toEqual(lengths);
  });

  it("a throttleMs that is not a number of milliseconds is an OPTIONS error, as status error", async () => {
    const [last] = (await readThrough({ throttleMs: -1 })).slice(-1);
    expect(last!.status).toBe("error");
    expect(last!.error).toBeInstanceOf(StreamError);
    expect((last!.error as StreamError).code).toBe("OPTIONS");
    expect((last!.error as StreamError).message).toMatch(/throttleMs must be a number of milliseconds/);
  });
});
