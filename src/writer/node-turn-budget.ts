// Node-only: a share of each turn of the event loop for sending frames, across every stream of the process, so that a burst of many streams does not hold the loop.
import { performance } from "node:perf_hooks";

/** Sending stops for the rest of a turn once frames have been sent for this long in it (timers and I/O run, then it goes on). */
const SLICE_MS = 20;
/** The clock is read once per this many frames (a power of two): reading it costs about as much as a small frame. */
const FRAMES_PER_CLOCK_READ = 32;

let sliceStart = -1;
let frames = 0;

/**
 * Whether the frames sent in this turn of the event loop have used up its share: the caller then waits for
 * {@link nextSlice} before it takes its next frame. One budget for the whole process: a thousand streams whose
 * producers all wake in the same turn share it, instead of holding the loop for all of their frames at once.
 *
 * @example
 * for (;;) {
 *   if (sliceUsedUp()) await nextSlice();
 *   const frame = await run.next();
 * }
 */
export function sliceUsedUp(): boolean {
  if (sliceStart < 0) {
    sliceStart = performance.now();
    setImmediate(endSlice); // queued before any stream that waits for the next slice: the budget is fresh for them
    return false;
  }
  if ((++frames & (FRAMES_PER_CLOCK_READ - 1)) !== 0) return false;
  return performance.now() - sliceStart > SLICE_MS;
}

/** Resolves in the next turn of the event loop, once timers and I/O have had theirs. */
export function nextSlice(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function endSlice(): void {
  sliceStart = -1;
  frames = 0;
}
