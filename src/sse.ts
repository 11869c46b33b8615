// The Server-Sent Events framing: one event per part (header, item, footer, end, error), keep-alive comments, resumable ids.
import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";
import { StreamError, previewBytes } from "./errors.js";
import { FrameKind, kindName, kindNamed, type Frame, type FrameSplitter, type PendingFrame } from "./frame.js";

/** The frame kinds that travel as SSE events, named as in frame.ts; keep-alives are comments. */
const EVENT_KINDS = [FrameKind.HEADER, FrameKind.ITEM, FrameKind.FOOTER, FrameKind.END, FrameKind.ERROR];


const encoder = new TextEncoder();
const KEEPALIVE_EVENT = encoder.encode(": keep-alive\n\n");
const NULL_DATA = encoder.encode("null");
const EMPTY = new Uint8Array(0);

/**
 * One SSE event: `event: item\nid: 4\ndata: {"words":["hi"]}\n\n`. The payload is compact JSON, which never
 * contains a raw line break, so it is always one `data:` line. The end event carries `null`, because an event
 * without data is not dispatched.
 *
 * @example
 * new TextDecoder().decode(sseEvent(FrameKind.ITEM, new TextEncoder().encode("1"), 1)); // "event: item\nid: 1\ndata: 1\n\n"
 */
export function sseEvent(kind: number, payload: Uint8Array, id: number): Uint8Array {
  if (kind === FrameKind.KEEPALIVE) return KEEPALIVE_EVENT;
  const data = payload.length === 0 ? NULL_DATA : payload;
  const head = encoder.encode(`event: ${kindName(kind)}\nid: ${id}\ndata: `);
  const event = new Uint8Array(head.length + data.length + 2);
  event.set(head, 0);
  event.set(data, head.length);
  event[event.length - 2] = 0x0a;
  event[event.length - 1] = 0x0a;
  return event;
}

/**
 * Reads SSE bytes into frames with `eventsource-parser`. Strict where a typed stream needs it: an event name
 * outside the five parts, a line that is not an SSE field, or invalid UTF-8 is `FORMAT`; more than
 * `maxFrameBytes` without a complete event is `LIMIT`. Numeric ids give exactly-once delivery across
 * reconnections: an event whose id was already seen is skipped, and an item whose id skips ahead is `ORDER`.
 */
export class SseDecoder implements FrameSplitter {
  private readonly events: (Frame | StreamError)[] = [];
  private head = 0;
  private parser: EventSourceParser;
  private text = new TextDecoder("utf-8", { fatal: true });
  private held = 0; // bytes fed since the last complete event
  private start: Uint8Array = EMPTY; // the first bytes of this connection, for previews
  private lastId = -1;
  private items = 0;

  constructor(private readonly maxFrameBytes: number) {
    this.parser = this.createParser();
  }

  /** The id of the last event delivered, for `Last-Event-ID` when reconnecting. */
  get lastEventId(): string | undefined {
    return this.lastId < 0 ? undefined : String(this.lastId);
  }

  get bufferedBytes(): number {
    return this.held;
  }

  /** Starts over on a new connection; the ids seen so far are kept, so resent events are skipped. */
  reconnected(): void {
    this.parser = this.createParser();
    this.text = new TextDecoder("utf-8", { fatal: true });
    this.held = 0;
    this.start = EMPTY;
  }

  push(chunk: Uint8Array): void {
    if (this.start.length < 48) this.start = concatHead(this.start, chunk, 48);
    this.held += chunk.length;
    let text: string;
    try {
      text = this.text.decode(chunk, { stream: true });
    } catch (err) {
      this.events.push(new StreamError("FORMAT", `The event stream is not valid UTF-8. First bytes: ${previewBytes(this.start)}.`, { cause: err }));
      return;
    }
    this.parser.feed(text);
    if (this.held > this.maxFrameBytes + 1024) {
      this.events.push(
        new StreamError("LIMIT", `More than ${this.maxFrameBytes} bytes (maxFrameBytes) arrived without completing an event. Raise maxFrameBytes if events this large are expected.`),
      );
      this.held = 0;
    }
  }

  next(): Frame | undefined {
    for (;;) {
      if (this.head === this.events.length) {
        this.events.length = 0;
        this.head = 0;
        return undefined;
      }
      const event = this.events[this.head++]!;
      if (event instanceof StreamError) throw event;
      if (event.id !== undefined && this.isRepeat(event)) continue;
      return event;
    }
  }

  pending(): PendingFrame {
    return { bufferedBytes: this.held };
  }

  previewHeld(): Uint8Array {
    return this.start;
  }

  private createParser(): EventSourceParser {
    return createParser({
      onEvent: (message) => this.onEvent(message),
      onComment: () => {
        this.held = 0;
        this.events.push({ kind: FrameKind.KEEPALIVE, payload: EMPTY });
      },
      onError: (err) => {
        this.events.push(
          new StreamError("FORMAT", `Not a streamtypes event stream: ${err.message}. First bytes: ${previewBytes(this.start)}.`, { cause: err }),
        );
      },
    });
  }

  private onEvent(message: EventSourceMessage): void {
    this.held = 0;
    const kind = kindNamed(message.event ?? "message", EVENT_KINDS);
    if (kind === undefined) {
      this.events.push(
        new StreamError("FORMAT", `SSE event "${message.event ?? "message"}" is not part of a streamtypes stream (header, item, footer, end, error).`),
      );
      return;
    }
    if (message.data.length > this.maxFrameBytes) {
      this.events.push(new StreamError("LIMIT", `An SSE ${message.event} event carries ${message.data.length} characters, over maxFrameBytes (${this.maxFrameBytes}).`));
      return;
    }
    const frame: Frame = { kind, payload: EMPTY, text: message.data };
    if (message.id !== undefined) frame.id = message.id;
    this.events.push(frame);
  }

  /** Skips an event this reader already has (a resumed connection resends from its last id); rejects a gap in the items. */
  private isRepeat(frame: Frame): boolean {
    const id = Number(frame.id);
    if (!Number.isSafeInteger(id) || id < 0) return false; // ids this library did not write carry no order
    if (id <= this.lastId) return true;
    if (frame.kind === FrameKind.ITEM && id !== this.items + 1) {
      throw new StreamError("ORDER", `Items are missing: expected the event with id ${this.items + 1}, got id ${id}. The producer resumed from the wrong place.`);
    }
    if (frame.kind === FrameKind.ITEM) this.items++;
    this.lastId = id;
    return false;
  }
}

function concatHead(head: Uint8Array, chunk: Uint8Array, max: number): Uint8Array {
  const out = new Uint8Array(Math.min(max, head.length + chunk.length));
  out.set(head.subarray(0, out.length), 0);
  if (out.length > head.length) out.set(chunk.subarray(0, out.length - head.length), head.length);
  return out;
}

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
  const names = EVENT_KINDS.map(kindName);
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
        controller.enqueue(encoder.encode(`event: ${event.type}\n${id}data: ${message.data}\n\n`));
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
