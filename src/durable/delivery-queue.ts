// The order in which fans hand their parts out on an instance: one queue for all of them, worked through in slices so that no turn of the event loop is long.

/**
 * Writes made in one slice before the queue lets the event loop run (timers, replies to the producers' appends,
 * new connections): at ~10 µs a write, a slice of 2,000 is ~20 ms of work. A part for 10,000 readers is then 5
 * slices rather than one turn of 100 ms.
 */
const WRITES_PER_SLICE = 2000;

/** A step of work: it runs, and returns how many writes it made. */
export type DeliveryStep = () => number;

const steps: (DeliveryStep | undefined)[] = [];
let head = 0;
let scheduled = false;

/**
 * Queues `step` after every step queued before it, on any fan: steps run in order, as many as fit in a slice,
 * the first slice as soon as the current task's microtasks are done, each next one after the event loop has
 * had a turn (`setTimeout(0)`). When deliveries cost more than the instance has, they wait here, in order, and
 * the rest of the process (a producer's appends above all) keeps its turns.
 *
 * @example
 * enqueueDelivery(() => fan.deliver(part)); // returns the number of sockets written
 */
export function enqueueDelivery(step: DeliveryStep): void {
  steps.push(step);
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(runSlice);
}

/** Steps waiting (for tests and the bench). */
export function pendingDeliveries(): number {
  return steps.length - head;
}

function runSlice(): void {
  let writes = 0;
  while (head < steps.length && writes < WRITES_PER_SLICE) {
    const step = steps[head]!;
    steps[head++] = undefined;
    try {
      writes += step();
    } catch {
      // a step that throws (a bug) must not stop the others: each handles its own failures
    }
  }
  if (head === steps.length) {
    steps.length = 0;
    head = 0;
    scheduled = false;
    return;
  }
  if (head > 1024) {
    steps.splice(0, head);
    head = 0;
  }
  setTimeout(runSlice, 0);
}
