// The end of the current turn of the event loop, with Web-standard APIs only: a MessageChannel message (a macrotask that is not clamped as setTimeout is).

type Callback = () => void;

let due: Callback[] = [];
let channel: MessageChannel | undefined;

/**
 * Calls `callback` once the current task and every microtask queued behind it are done: after whatever a producer
 * makes without waiting on anything outside the process. One message per turn serves every caller; the channel
 * keeps a Node process alive only while a message is due.
 *
 * @example
 * afterTurn(() => controller.enqueue(joined(framesOfThisTurn)));
 */
export function afterTurn(callback: Callback): void {
  due.push(callback);
  if (due.length > 1) return;
  if (typeof MessageChannel !== "function") {
    setTimeout(runDue, 0);
    return;
  }
  if (channel === undefined) {
    channel = new MessageChannel();
    channel.port1.onmessage = runDue;
  }
  ref(channel.port1, true);
  channel.port2.postMessage(null);
}

function runDue(): void {
  const callbacks = due;
  due = [];
  if (channel !== undefined) ref(channel.port1, false);
  for (const callback of callbacks) callback();
}

/** Node's MessagePort keeps the process alive while referenced; elsewhere there is nothing to do. */
function ref(port: MessagePort, on: boolean): void {
  const node = port as MessagePort & { ref?: () => void; unref?: () => void };
  if (on) node.ref?.();
  else node.unref?.();
}
