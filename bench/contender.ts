// What every contender (this library, a baseline, a prototype) offers the harness, and the byte sources reads are fed from.
import type { Chunking, Workload } from "./workloads.js";

/**
 * One way of writing and reading a workload. Browser-safe: no Node imports, so the same contenders can
 * run in a page (see browser-hook.ts).
 */
export interface Contender {
  /** Short, stable key for the JSON results and the CLI. */
  key: string;
  /** What it is, for the table. */
  label: string;
  /** False for the raw msgpackr baseline: it has no framing, so it reads a list of values, not chunked bytes. */
  framed: boolean;
  /** Reads the bytes another contender wrote (same wire format), instead of writing its own. */
  readsBytesOf?: string;
  /** False for read-only prototypes. */
  writes: boolean;
  supports(w: Workload): boolean;
  /** Prepares per-workload state (packers, compiled validators) outside the timed region. */
  prepare(w: Workload): PreparedContender;
}

export interface PreparedContender {
  /** Writes header (if any), items and footer (if any); each output piece goes to `sink`. */
  write(items: readonly unknown[], sink: (bytes: Uint8Array) => void): void;
  /**
   * Reads everything from `source` (for framed contenders, stream bytes; for the raw baseline, one value's
   * bytes per element) and returns the number of items read. Every item is decoded (and validated where the
   * contender validates) exactly as a consumer would get it.
   */
  read(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number>;
}

/**
 * `bytes` as an async iterable of chunks of `size` bytes (views, not copies), like a network body.
 * A plain object rather than an async generator, so that the source costs every contender the same and little.
 */
export function chunkedSource(bytes: Uint8Array, chunking: Chunking): AsyncIterable<Uint8Array> {
  const size = chunking === "whole" ? Math.max(1, bytes.length) : chunking;
  return {
    [Symbol.asyncIterator]() {
      let at = 0;
      return {
        next(): Promise<IteratorResult<Uint8Array>> {
          if (at >= bytes.length) return Promise.resolve({ done: true, value: undefined });
          const chunk = bytes.subarray(at, Math.min(bytes.length, at + size));
          at += size;
          return Promise.resolve({ done: false, value: chunk });
        },
      };
    },
  };
}

/** The pieces a write produced, joined into one buffer. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
