// Node-only: a ServerResponse as the sink of a pushed body (a durable stream's reader): shared frames go to the socket with res.write, backpressure from its buffer.
import type { ServerResponse } from "node:http";
import type { ByteSink, PushBody } from "./push-body.js";

/**
 * Writes a pushed body to `res` (its head already written): each write is a `res.write` of bytes that may be
 * shared with other responses, `buffered` is what the socket has not taken, and `room` waits for its drain.
 * Resolves when the body has ended or the client has gone (the body is then cancelled).
 *
 * @example
 * await sendPushBody(res, body);
 */
export function sendPushBody(res: ServerResponse, body: PushBody): Promise<void> {
  return new Promise<void>((resolve) => {
    const socket = res.req?.socket ?? res.socket;
    let ended = false;
    const rooms: (() => void)[] = [];
    const wakeAll = () => {
      for (const wake of rooms.splice(0)) wake();
    };
    const onClose = () => {
      if (ended) return;
      ended = true;
      res.off("drain", wakeAll);
      wakeAll();
      body.cancel();
      resolve();
    };
    res.on("close", onClose);
    socket?.on("close", onClose);
    res.on("drain", wakeAll);
    const sink: ByteSink = {
      write: (bytes) => {
        if (!ended) res.write(bytes);
      },
      get buffered() {
        return ended ? 0 : res.writableLength;
      },
      room: () => (ended || !res.writableNeedDrain ? Promise.resolve() : new Promise<void>((wake) => rooms.push(wake))),
      close: () => {
        if (ended) return;
        ended = true;
        res.off("close", onClose);
        socket?.off("close", onClose);
        res.off("drain", wakeAll);
        wakeAll();
        res.end();
        resolve();
      },
    };
    body.start(sink);
  });
}
