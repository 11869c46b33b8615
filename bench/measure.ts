// Timing: best-of-N runs with a monotonic clock, and the throughput figures (items/s, MB/s) derived from a run.
/** Seconds on a monotonic clock; performance.now() exists in Node and browsers alike. */
export function seconds(): number {
  return performance.now() / 1000;
}

/**
 * The fastest of `runs` runs of `fn`, in seconds. The fastest, not the mean: on a shared machine, noise only
 * ever adds time, so the minimum is the best estimate of the code's own cost. The first run also warms the JIT.
 */
export async function fastestOf(runs: number, fn: () => unknown): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = seconds();
    await fn();
    best = Math.min(best, seconds() - start);
  }
  return best;
}

/** One measured operation of one contender on one workload. */
export interface Throughput {
  workload: string;
  contender: string;
  label: string;
  op: "write" | "read";
  /** "whole", "64 KiB", "16 B", or "values" for the unframed raw baseline. */
  chunks: string;
  items: number;
  /** Bytes written or read (the whole stream, framing included). */
  bytes: number;
  seconds: number;
  itemsPerSec: number;
  /** Megabytes (10^6 bytes) per second of stream bytes. */
  mbPerSec: number;
  bytesPerItem: number;
}

export function throughput(fields: Omit<Throughput, "itemsPerSec" | "mbPerSec" | "bytesPerItem">): Throughput {
  return {
    ...fields,
    itemsPerSec: fields.items / fields.seconds,
    mbPerSec: fields.bytes / fields.seconds / 1e6,
    bytesPerItem: fields.bytes / fields.items,
  };
}

/**
 * Runs `fn` once per round for each key, rounds interleaved (A B C, A B C, …) so that a slow spell of the
 * shared machine hits every contender alike rather than one; returns the fastest time per key.
 */
export async function interleavedFastest(rounds: number, tasks: ReadonlyMap<string, () => unknown>): Promise<Map<string, number>> {
  const best = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    for (const [key, fn] of tasks) {
      const start = seconds();
      await fn();
      const took = seconds() - start;
      best.set(key, Math.min(best.get(key) ?? Infinity, took));
    }
  }
  return best;
}

/** The median of some numbers (the lower middle one for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1]!;
}

/**
 * Like {@link interleavedFastest}, but keeps every round's time per key (seconds), for medians. `before` runs
 * untimed ahead of each task in each round (e.g. to make fresh views for a cold pass). Each round starts one task
 * further along (a rotating order), so that what a task leaves behind (garbage, a JIT state) does not always fall
 * on the same next task.
 */
export async function interleavedSamples(
  rounds: number,
  tasks: ReadonlyMap<string, { run: () => unknown; before?: () => unknown }>,
  onRound?: (round: number) => void,
): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>([...tasks.keys()].map((k) => [k, []]));
  const entries = [...tasks];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < entries.length; i++) {
      const [key, task] = entries[(i + round) % entries.length]!;
      await task.before?.();
      const start = seconds();
      await task.run();
      samples.get(key)!.push(seconds() - start);
    }
    onRound?.(round);
  }
  return samples;
}
