// The writer state machine: header → items → footer → end (or error), each call returning one complete frame.
import { StreamError, describeThrown, type RemoteErrorInfo, type StreamPart } from "./errors.js";
import { FRAME_HEADER_BYTES, FrameKind, writeFrameHeader } from "./frame.js";
import { markerFrame } from "./marker.js";
import { ndjsonLine } from "./ndjson.js";
import { sseEvent } from "./sse.js";
import { encodePart, type StreamSpec } from "./spec.js";

const enum Stage {
  Start,
  Header,
  Items,
  Footer,
  Ended,
}

/** Options for a new writer. */
export interface WriterOptions {
  /**
   * SSE framing only: the `Last-Event-ID` a reconnecting client sent. The writer continues the ids after it and
   * `startIndex` tells the producer which item to produce next; events the client already has are skipped by it.
   */
  resumeAfter?: string | null;
}

/** Options for {@link StreamWriterImpl.error}. */
export interface ErrorFrameOptions {
  /** Send the error's stack trace to the reader. Off by default: stacks reveal server internals. */
  includeStack?: boolean;
}

const NO_PAYLOAD = new Uint8Array(0);

/**
 * Size of the buffers small frames are written into. Allocating a Uint8Array of more than 64 bytes (V8 keeps
 * smaller ones on its heap) costs 0.5–1 µs, more than encoding a small item; a view of a slab costs ~30 ns.
 */
const SLAB_BYTES = 64 * 1024;
/** Frames larger than this get a buffer of their own (see StreamWriterImpl.allocate). */
const SLAB_MAX_FRAME_BYTES = 8 * 1024;

/**
 * Turns values into frames. Every method returns one complete frame (the first call also carries the
 * opening marker), validated before it is encoded; nothing is buffered. A small frame is a view of a larger
 * buffer the writer owns: use it as a Uint8Array (its byteOffset and length), and copy it before transferring
 * its `.buffer` to a worker, which would take the neighbouring frames along.
 */
export class StreamWriterImpl {
  private stage = Stage.Start;
  private slab = NO_PAYLOAD;
  private slabUsed = 0;
  private marker: Uint8Array | undefined;
  private items = 0;
  /** SSE event id of the last event: the header is 0, item i is i + 1, then the footer and end follow on. */
  private lastId = -1;
  /** The index of the first item this writer writes: 0, or where a resumed SSE stream continues. */
  readonly startIndex: number;

  constructor(
    private readonly spec: StreamSpec,
    options: WriterOptions = {},
  ) {
    this.marker = spec.marker ? markerFrame(spec.codec.id) : undefined;
    this.startIndex = resumeIndex(spec, options.resumeAfter);
    this.items = this.startIndex;
    this.lastId = this.startIndex > 0 ? this.startIndex : -1;
  }

  /** True in truss_chains compat mode, which has no keep-alive frames. */
  get truss(): boolean {
    return this.spec.truss;
  }

  /** True once `end()` or `error()` has been written. */
  get ended(): boolean {
    return this.stage === Stage.Ended;
  }

  header(value: unknown): Uint8Array {
    if (!this.spec.hasHeader) throw new StreamError("ORDER", "These stream types have no header: declare one in streamTypes(Item, Header) to write it.");
    if (this.stage !== Stage.Start) throw this.orderError("header", "the header must come first and only once");
    this.lastId = -1;
    const frame = this.frame(FrameKind.HEADER, encodePart(this.spec, "header", undefined, value));
    this.stage = Stage.Header;
    return frame;
  }

  item(value: unknown): Uint8Array {
    if (this.stage > Stage.Items) throw this.orderError("item", "items must come before the footer and the end");
    const payload = encodePart(this.spec, "item", this.items, value);
    this.lastId = this.items; // frame() adds one: item i has id i + 1
    const frame = this.frame(FrameKind.ITEM, payload);
    this.items++;
    this.stage = Stage.Items;
    return frame;
  }

  footer(value: unknown): Uint8Array {
    if (!this.spec.hasFooter) throw new StreamError("ORDER", "These stream types have no footer: declare one in streamTypes(Item, Header, Footer) to write it.");
    if (this.stage > Stage.Items) throw this.orderError("footer", "the footer comes once, after the items");
    const frame = this.frame(FrameKind.FOOTER, encodePart(this.spec, "footer", undefined, value));
    this.stage = Stage.Footer;
    return frame;
  }

  end(): Uint8Array {
    if (this.stage === Stage.Ended) throw this.orderError("end", "the stream has already ended");
    const frame = this.frame(FrameKind.END, NO_PAYLOAD);
    this.stage = Stage.Ended;
    return frame;
  }

  /**
   * A keep-alive frame, which readers skip: it keeps idle proxies from cutting a long pause. If nothing was
   * written yet it also carries the opening marker. Not part of the truss_chains format.
   */
  keepAlive(): Uint8Array {
    if (this.spec.truss) throw new StreamError("ORDER", "truss_chains streams have no keep-alive frames; turn keep-alive off in compat: \"truss\" mode.");
    if (this.stage === Stage.Ended) throw this.orderError("keep-alive", "the stream has already ended");
    return this.frame(FrameKind.KEEPALIVE, NO_PAYLOAD);
  }

  error(err: unknown, options: ErrorFrameOptions = {}): Uint8Array {
    if (this.stage === Stage.Ended) throw this.orderError("error", "the stream has already ended");
    const info = remoteInfo(err, options.includeStack === true);
    let payload: Uint8Array;
    try {
      payload = this.spec.codec.encode(info);
    } catch {
      // `data` was not encodable; the name and message still are, and they matter most.
      delete info.data;
      payload = this.spec.codec.encode(info);
    }
    if (payload.length > this.spec.maxFrameBytes) {
      payload = this.spec.codec.encode({ name: info.name, message: info.message.slice(0, 4096) });
    }
    const frame = this.frame(FrameKind.ERROR, payload);
    this.stage = Stage.Ended;
    return frame;
  }

  private frame(kind: number, payload: Uint8Array): Uint8Array {
    const framing = this.spec.framing;
    if (framing !== "binary") {
      if (kind === FrameKind.KEEPALIVE) return framing === "sse" ? sseEvent(kind, payload, 0) : ndjsonLine(kind, payload);
      this.lastId++;
      return framing === "sse" ? sseEvent(kind, payload, this.lastId) : ndjsonLine(kind, payload);
    }
    const marker = this.marker;
    const offset = marker === undefined ? 0 : marker.length;
    const frame = this.allocate(offset + FRAME_HEADER_BYTES + payload.length);
    if (marker !== undefined) {
      frame.set(marker, 0);
      this.marker = undefined;
    }
    writeFrameHeader(frame, offset, kind, payload.length);
    frame.set(payload, offset + FRAME_HEADER_BYTES);
    return frame;
  }

  /**
   * Room for one frame. Small frames are carved out of a writer-owned slab and returned as views of it, so a
   * stream of small items costs one buffer allocation per slab rather than one per frame (about 100 ns each,
   * and as many ArrayBuffers for the garbage collector to track). A slab is never written twice: every frame
   * returned stays valid and unchanged. Large frames get a buffer of their own, so that a small frame kept
   * around pins at most one slab and a large one pins nothing else.
   */
  private allocate(size: number): Uint8Array {
    if (size > SLAB_MAX_FRAME_BYTES) return new Uint8Array(size);
    // A slab whose ArrayBuffer was transferred (postMessage) reads as length 0 and is replaced here too.
    if (this.slabUsed + size > this.slab.length) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.slabUsed = 0;
    }
    const start = this.slabUsed;
    this.slabUsed = start + size;
    // The constructor, not subarray(): subarray looks up Symbol.species and costs twice as much.
    return new Uint8Array(this.slab.buffer, start, size);
  }

  private orderError(call: StreamPart | "end" | "error" | "keep-alive", why: string): StreamError {
    const after = ["nothing yet", "the header", "items", "the footer", "the end"][this.stage];
    return new StreamError("ORDER", `Cannot write ${call === "item" ? "an item" : `the ${call}`} after ${after}: ${why}.`);
  }
}

function resumeIndex(spec: StreamSpec, resumeAfter: string | null | undefined): number {
  if (resumeAfter === undefined || resumeAfter === null || resumeAfter === "") return 0;
  if (spec.framing !== "sse") {
    throw new StreamError("OPTIONS", `resumeAfter needs framing: "sse", whose event ids say where to resume; this stream uses the ${spec.framing} framing.`);
  }
  const id = Number(resumeAfter);
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new StreamError("OPTIONS", `Cannot resume after event id ${JSON.stringify(resumeAfter.slice(0, 40))}: this library's ids are non-negative integers.`);
  }
  // Item i has id i + 1, so after id k the next item is k (the header is 0).
  return id;
}

/** The error frame's content for a thrown value. */
export function remoteInfo(err: unknown, includeStack: boolean): RemoteErrorInfo {
  if (err instanceof StreamError && err.code === "REMOTE" && err.remote) return { ...err.remote };
  if (err instanceof Error) {
    const info: RemoteErrorInfo = { name: err.name, message: err.message };
    const extra = err as Error & { code?: unknown; data?: unknown };
    if (typeof extra.code === "string" || typeof extra.code === "number") info.code = extra.code;
    else if (err instanceof StreamError) info.code = err.code;
    if (extra.data !== undefined) info.data = extra.data;
    if (includeStack && err.stack) info.stack = err.stack;
    return info;
  }
  if (typeof err === "object" && err !== null && typeof (err as { message?: unknown }).message === "string") {
    const o = err as { name?: unknown; message: string; code?: unknown; data?: unknown };
    const info: RemoteErrorInfo = { name: typeof o.name === "string" ? o.name : "Error", message: o.message };
    if (typeof o.code === "string" || typeof o.code === "number") info.code = o.code;
    if (o.data !== undefined) info.data = o.data;
    return info;
  }
  return { name: "Error", message: describeThrown(err) };
}
