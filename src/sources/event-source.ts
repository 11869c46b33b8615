// A browser EventSource as a byte source: its events re-encoded as SSE bytes, so the reader applies its usual checks.
import { StreamError } from "../errors.js";
import { SSE_EVENT_KINDS } from "../formats/sse.js";
import { kindName } from "../protocol.js";

const utf8 = new TextEncoder();

/** Options of {@link eventSourceStream}. */
export interface EventSourceStreamOptions {
  /**
   * The most bytes of events held while the reader does not take them (an EventSource cannot be paused): past it,
   * the stream fails with `LIMIT` and the EventSource is closed. Default 16 MiB.
   */
  maxBufferedBytes?: number;
}

const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * The events of a browser `EventSource` as SSE bytes for `STREAM.reader(...)`, so that a GET endpoint read with
 * `EventSource` gets the same validation, order and end checks. The browser reconnects by itself after a dropped
 * connection, sending `Last-Event-ID`; the reader skips any event it already has. The EventSource is closed at
 * the end or error event, and when the reader cancels. An EventSource cannot be paused: events the reader has not
 * taken yet are held, up to `maxBufferedBytes` (then `LIMIT`, and the EventSource is closed).
 *
 * @example
 * const es = new EventSource("/tokens");
 * for await (const item of STREAM_SSE.reader(eventSourceStream(es)).readItems()) render(item);
 */
export function eventSourceStream(source: EventSourceLike, options: EventSourceStreamOptions = {}): ReadableStream<Uint8Array> {
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  if (!Number.isSafeInteger(maxBufferedBytes) || maxBufferedBytes <= 0) {
    throw new StreamError("OPTIONS", `maxBufferedBytes must be a positive integer, got ${String(maxBufferedBytes)}.`);
  }
  const names = SSE_EVENT_KINDS.map(kindName);
  let listener: ((event: Event) => void) | undefined;
  const stop = () => {
    for (const name of names) if (listener) source.removeEventListener(name, listener);
    source.close();
  };
  const limit = () =>
    new StreamError(
      "LIMIT",
      `More than ${maxBufferedBytes} bytes of events arrived from the EventSource while the reader did not take them (maxBufferedBytes); it was closed. Read the stream as it arrives, or raise maxBufferedBytes.`,
    );
  const events: UnderlyingDefaultSource<Uint8Array> = {
    start(controller) {
      listener = (event: Event) => {
        const message = event as MessageEvent;
        if (event.type === "error" && typeof message.data !== "string") {
          // A connection error, not the producer's error event: the browser retries unless it gave up.
          if (source.readyState === 2) controller.error(new TypeError("The EventSource connection failed and was closed."));
          return;
        }
        const id = message.lastEventId ? `id: ${message.lastEventId}\n` : "";
        // Data of several lines was joined with LF by the EventSource: each line goes back as a data line.
        const data = String(message.data).replaceAll("\n", "\ndata: ");
        controller.enqueue(utf8.encode(`event: ${event.type}\n${id}data: ${data}\n\n`));
        if ((controller.desiredSize ?? 0) < 0) {
          stop();
          controller.error(limit()); // drops what is queued
        } else if (event.type === "end" || event.type === "error") {
          source.close();
          controller.close();
        }
      };
      for (const name of names) source.addEventListener(name, listener);
    },
    cancel: stop,
  };
  // Counted in bytes: desiredSize goes below 0 once more than maxBufferedBytes wait for the reader.
  return new ReadableStream<Uint8Array>(events, { highWaterMark: maxBufferedBytes, size: (chunk) => chunk.byteLength });
}

/** The part of the browser's EventSource that {@link eventSourceStream} uses. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  close(): void;
}
