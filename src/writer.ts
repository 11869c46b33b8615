// The writer state machine: header → items → footer → end (or error), each call returning one complete frame.
import { StreamError, describeThrown, type RemoteErrorInfo, type StreamPart } from "./errors.js";
import { FRAME_HEADER_BYTES, FrameKind, writeFrameHeader } from "./frame.js";
import { markerFrame } from "./marker.js";
import { encodePart, type StreamSpec } from "./spec.js";

const enum Stage {
  Start,
  Header,
  Items,
  Footer,
  Ended,
}

/** Options for {@link StreamWriterImpl.error}. */
export interface ErrorFrameOptions {
  /** Send the error's stack trace to the reader. Off by default: stacks reveal server internals. */
  includeStack?: boolean;
}

const NO_PAYLOAD = new Uint8Array(0);

/**
 * Turns values into frames. Every method returns one complete frame (the first call also carries the
 * opening marker), validated before it is encoded; nothing is buffered.
 */
export class StreamWriterImpl {
  private stage = Stage.Start;
  private marker: Uint8Array | undefined;
  private items = 0;

  constructor(private readonly spec: StreamSpec) {
    this.marker = spec.truss ? undefined : markerFrame(spec.codec.id);
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
    const frame = this.frame(FrameKind.HEADER, encodePart(this.spec, "header", undefined, value));
    this.stage = Stage.Header;
    return frame;
  }

  item(value: unknown): Uint8Array {
    if (this.stage > Stage.Items) throw this.orderError("item", "items must come before the footer and the end");
    const frame = this.frame(FrameKind.ITEM, encodePart(this.spec, "item", this.items, value));
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
    const marker = this.marker;
    const offset = marker === undefined ? 0 : marker.length;
    const frame = new Uint8Array(offset + FRAME_HEADER_BYTES + payload.length);
    if (marker !== undefined) {
      frame.set(marker, 0);
      this.marker = undefined;
    }
    writeFrameHeader(frame, offset, kind, payload.length);
    frame.set(payload, offset + FRAME_HEADER_BYTES);
    return frame;
  }

  private orderError(call: StreamPart | "end" | "error" | "keep-alive", why: string): StreamError {
    const after = ["nothing yet", "the header", "items", "the footer", "the end"][this.stage];
    return new StreamError("ORDER", `Cannot write ${call === "item" ? "an item" : `the ${call}`} after ${after}: ${why}.`);
  }
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
