// Node-only: a share of each turn of the event loop for sending frames, across every stream of the process, so that a burst of many streams does not hold the loop.

/** Sending stops for the rest of a turn once frames have been sent for this much CPU time in it (timers and I/O run, then it goes on). */
const SLICE_MICROS = 20_000;
/** The clock is read once per this many frames (a power of two): reading it costs about as much as a small frame. */
const FRAMES_PER_CLOCK_READ = 64;

/** CPU time at the start of this turn's slice (user + system, µs), or -1 when no slice is under way. */
let sliceStart = -1;
let frames = 0;

/**
 * Whether the frames sent in this turn of the event loop have used up its share: the caller then waits for
 * {@link nextSlice} before it takes its next frame. One budget for the whole process: a thousand streams whose
 * producers all wake in the same turn share it, instead of holding the loop for all of their frames at once. The
 * share is CPU time, not wall time: a process that the machine deschedules has not done the work, and yielding
 * more often then would only add turns.
 *
 * @example
 * for (;;) {
 *   if (sliceUsedUp()) await nextSlice();
 *   const frame = await run.next();
 * }
 */
export function sliceUsedUp(): boolean {
  if (sliceStart < 0) {
    sliceStart = cpuMicros();
    setImmediate(endSlice); // queued before any stream that waits for the next slice: the budget is fresh for them
    return false;
  }
  if ((++frames & (FRAMES_PER_CLOCK_READ - 1)) !== 0) return false;
  return cpuMicros() - sliceStart > SLICE_MICROS;
}

/** Resolves in the next turn of the event loop, once timers and I/O have had theirs. */
export function nextSlice(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function endSlice(): void {
  sliceStart = -1;
  frames = 0;
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
