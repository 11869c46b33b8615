// A browser EventSource as a byte source: its events re-encoded as SSE bytes, so the reader applies its usual checks.
import { SSE_EVENT_KINDS } from "../formats/sse.js";
import { kindName } from "../protocol.js";

const utf8 = new TextEncoder();

/**
 * The events of a browser `EventSource` as SSE bytes for `STREAM.reader(...)`, so that a GET endpoint read with
 * `EventSource` gets the same validation, order and end checks. The browser reconnects by itself after a dropped
 * connection, sending `Last-Event-ID`; the reader skips any event it already has. The EventSource is closed at
 * the end or error event, and when the reader cancels.
 *
 * @example
 * const es = new EventSource("/tokens");
 * for await (const item of STREAM_SSE.reader(eventSourceStream(es)).readItems()) render(item);
 */
export function eventSourceStream(source: EventSourceLike): ReadableStream<Uint8Array> {
  const names = SSE_EVENT_KINDS.map(kindName);
  let listener: ((event: Event) => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      listener = (event: Event) => {
        const message = event as MessageEvent;
        if (event.type === "error" && typeof message.data !== "string") {
          // A connection error, not the producer's error event: the browser retries unless it gave up.
          if (source.readyState === 2) controller.error(new TypeError("The EventSource connection failed and was closed."));
          return;
        }
        const id = message.lastEventId ? `id: ${message.lastEventId}\n` : "";
        controller.enqueue(utf8.encode(`event: ${event.type}\n${id}data: ${message.data}\n\n`));
        if (event.type === "end" || event.type === "error") {
          source.close();
          controller.close();
        }
      };
      for (const name of names) source.addEventListener(name, listener);
    },
    cancel() {
      for (const name of names) if (listener) source.removeEventListener(name, listener);
      source.close();
    },
  });
}

/** The part of the browser's EventSource that {@link eventSourceStream} uses. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  close(): void;
}
