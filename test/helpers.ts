// Test helpers: concatenating frames, splitting bytes into chunks, and collecting a whole stream.
import type { ServerResponse } from "node:http";
import { StreamError } from "../src/index.js";

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits bytes at the given cut points (sorted, deduplicated, within range). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, c))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    if (p > prev) out.push(bytes.slice(prev, p));
    prev = p;
  }
  if (prev < bytes.length) out.push(bytes.slice(prev));
  return out;
}

export function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

/** A ReadableStream that yields the chunks, then closes. */
export function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

export interface ReadResult {
  header?: unknown;
  items: unknown[];
  footer?: unknown;
  error?: StreamError;
}

/** Reads a whole stream through whichever of readHeader/readItems/readFooter the reader has; catches the terminal error. */
export async function readAll(
  types: { header: unknown; footer: unknown },
  reader: { readItems: () => AsyncIterable<unknown> },
): Promise<ReadResult> {
  const result: ReadResult = { items: [] };
  const r = reader as { readHeader(): Promise<unknown>; readItems(): AsyncIterable<unknown>; readFooter(): Promise<unknown> };
  try {
    if (types.header !== undefined) result.header = await r.readHeader();
    for await (const item of r.readItems()) result.items.push(item);
    if (types.footer !== undefined) result.footer = await r.readFooter();
  } catch (err) {
    if (!(err instanceof StreamError)) throw err;
    result.error = err;
  }
  return result;
}

/**
 * Reads a whole stream that must end cleanly: readAll, but a StreamError (one after the last item included) fails the
 * test instead of landing in `.error`, where a test that checks only `.items` would not see it.
 */
export async function readClean(
  types: { header: unknown; footer: unknown },
  reader: { readItems: () => AsyncIterable<unknown> },
): Promise<ReadResult> {
  const result = await readAll(types, reader);
  if (result.error) throw result.error;
  return result;
}

/** Rejects with the thrown value; fails if the promise resolves. */
export async function rejection(p: Promise<unknown> | (() => unknown)): Promise<StreamError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    if (err instanceof StreamError) return err;
    throw err;
  }
  throw new Error("expected a StreamError, but it succeeded");
}

/** A deferred promise, to hold a producer until the test lets it go on, or to learn that something happened. */
export function gate(): { open: () => void; opened: Promise<void>; readonly isOpen: boolean } {
  let open!: () => void;
  let isOpen = false;
  const opened = new Promise<void>((r) => (open = () => ((isOpen = true), r())));
  return {
    open,
    opened,
    get isOpen() {
      return isOpen;
    },
  };
}

/** A connection that delivers `bytes` up to `cut` in small chunks, then fails as a reset connection does. */
export function droppingSource(bytes: Uint8Array, cut: number | undefined): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const stop = cut ?? bytes.length;
      if (at >= stop) {
        if (cut === undefined) controller.close();
        else controller.error(new TypeError("the connection was reset"));
        return;
      }
      const next = Math.min(stop, at + 7);
      controller.enqueue(bytes.slice(at, next));
      at = next;
    },
  });
}

/**
 * Writes the first `count` SSE events of `body` to `res`, then destroys the connection (a drop). A chunk of the
 * body holds the events of one turn: it is cut after the `count`th event's blank line.
 */
export function writeThenDrop(res: ServerResponse, contentType: string, body: ReadableStream<Uint8Array>, count: number): void {
  res.writeHead(200, { "content-type": contentType });
  const reader = body.getReader();
  void (async () => {
    let left = count;
    while (left > 0) {
      const { done, value } = await reader.read();
      if (done) break;
      let end = 0;
      while (left > 0 && end < value.length) {
        end = value.indexOf(0x0a, end) + 1;
        if (end === 0) end = value.length; // no event ends in this chunk
        else if (value[end] === 0x0a) left--, end++; // a blank line ends an event
      }
      await new Promise((resolve) => res.write(value.subarray(0, end), resolve));
    }
    res.destroy();
    void reader.cancel();
  })();
}
