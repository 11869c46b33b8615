// The writer: header → items → footer → end (or error), each call validating, encoding and framing one part.
import { StreamError, describeThrown, partLabel, type RemoteErrorInfo, type StreamPart } from "../errors.js";
import type { FrameEncoder } from "../format.js";
import { FrameKind } from "../protocol.js";
import { invalid, uncheckable } from "../schema/validation-errors.js";
import { INVALID } from "../schema/validator.js";
import type { StreamSpec } from "../spec.js";

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
   * Resumable formats (SSE): the `Last-Event-ID` a reconnecting client sent. `startIndex` then tells the producer
   * which item to produce next; the reader skips what it already has. Anything that is not an id of this
   * format (a client's garbage) is ignored: the stream starts over, and the reader still delivers each item once.
   */
  resumeAfter?: string | null | undefined;
}

/** Options for a writer's `error()`. */
export interface ErrorFrameOptions {
  /** Send the error's stack trace to the reader. Off by default: stacks reveal server internals. */
  includeStack?: boolean | undefined;
}

/** What a producer needs from a writer, beyond the parts it writes. */
export interface FrameWriter {
  readonly ended: boolean;
  /** Whether the format has keep-alive frames. */
  readonly keepAliveSupported: boolean;
  /** The format's name ("sse"), for messages. */
  readonly formatName?: string | undefined;
  end(): Uint8Array;
  /** `nothingSent`: none of the writer's frames reached the reader, so the error frame must open the stream itself. */
  error(err: unknown, options?: ErrorFrameOptions, nothingSent?: boolean): Uint8Array;
  keepAlive(): Uint8Array;
  /** Optional: the producer is waiting; the writer may drop the buffer its small frames are carved from until the next one. */
  releaseBuffers?(): void;
  /**
   * Told of each frame made for the header, an item, the footer or the end, with what it is (an item's index, or
   * "the header"): how a producer's run checks that every frame its writer made was yielded, in order. An index
   * rather than a label, so that no string is made per item for a message that is almost never written.
   */
  onFrame?: ((frame: Uint8Array, what: number | string) => void) | undefined;
}

const NO_PAYLOAD = new Uint8Array(0);

/**
 * Turns values into frames. Every method returns one complete frame, validated before it is encoded; nothing is
 * buffered. A value is checked against its schema and written as given: a Standard Schema that transforms
 * (a string into a Date, say) checks the writer's input, and the reader applies the transform on its side.
 */
export class StreamWriterImpl implements FrameWriter {
  private stage = Stage.Start;
  private items: number;
  private readonly encoder: FrameEncoder;
  private readonly resumeAfter: string | null | undefined;
  onFrame: ((frame: Uint8Array, what: number | string) => void) | undefined;

  constructor(
    private readonly spec: StreamSpec,
    options: WriterOptions = {},
  ) {
    const resumeAfter = options.resumeAfter;
    if (resumeAfter !== undefined && resumeAfter !== null && resumeAfter !== "" && !spec.format.resumable) {
      throw new StreamError("OPTIONS", `resumeAfter needs a resumable format such as sse(), whose event ids say where to resume; this stream uses the ${spec.format.name} format.`);
    }
    this.resumeAfter = resumeAfter;
    this.encoder = spec.format.encoder({ resumeAfter, maxPayloadBytes: spec.maxFrameBytes });
    this.items = this.encoder.startIndex;
  }

  /** The index of the first item this writer writes: 0, or where a resumed stream continues. */
  get startIndex(): number {
    return this.encoder.startIndex;
  }

  /** True once `end()` or `error()` has been written. */
  get ended(): boolean {
    return this.stage === Stage.Ended;
  }

  get keepAliveSupported(): boolean {
    return this.spec.format.keepAlive;
  }

  get formatName(): string {
    return this.spec.format.name;
  }

  header(value: unknown): Uint8Array {
    if (!this.spec.hasHeader) throw new StreamError("ORDER", "These stream types have no header: declare one in streamTypes(Item, Header) to write it.");
    if (this.stage !== Stage.Start) throw this.orderError("header", "the header must come first and only once");
    const frame = this.encode(FrameKind.HEADER, "header", undefined, value);
    this.stage = Stage.Header;
    this.onFrame?.(frame, "the header");
    return frame;
  }

  item(value: unknown): Uint8Array {
    if (this.stage > Stage.Items) throw this.orderError("item", "items must come before the footer and the end");
    const frame = this.encode(FrameKind.ITEM, "item", this.items, value);
    this.onFrame?.(frame, this.items);
    this.items++;
    this.stage = Stage.Items;
    return frame;
  }

  footer(value: unknown): Uint8Array {
    if (!this.spec.hasFooter) throw new StreamError("ORDER", "These stream types have no footer: declare one in streamTypes(Item, Header, Footer) to write it.");
    if (this.stage > Stage.Items) throw this.orderError("footer", "the footer comes once, after the items");
    const frame = this.encode(FrameKind.FOOTER, "footer", undefined, value);
    this.stage = Stage.Footer;
    this.onFrame?.(frame, "the footer");
    return frame;
  }

  end(): Uint8Array {
    if (this.stage === Stage.Ended) throw this.orderError("end", "the stream has already ended");
    const frame = this.encoder.frame(FrameKind.END, NO_PAYLOAD);
    this.stage = Stage.Ended;
    this.onFrame?.(frame, "the end");
    return frame;
  }

  /**
   * A keep-alive frame, which readers skip: it keeps idle proxies from cutting a long pause. In the binary
   * framing, if nothing was written yet it also carries the opening marker. Not in the truss format.
   */
  keepAlive(): Uint8Array {
    if (!this.spec.format.keepAlive) throw new StreamError("ORDER", `The ${this.spec.format.name} format has no keep-alive frames; turn keep-alive off for it.`);
    if (this.stage === Stage.Ended) throw this.orderError("keep-alive", "the stream has already ended");
    return this.encoder.frame(FrameKind.KEEPALIVE, NO_PAYLOAD);
  }

  /** Drops the buffer small frames are carved from until the next frame: a paused stream holds none (its producer's run calls this between turns). */
  releaseBuffers(): void {
    this.encoder.releaseBuffers?.();
  }

  /**
   * An error frame carrying the error's name, message and optional code and data; it ends the stream. It always
   * fits in maxFrameBytes: `data` is dropped, then the message shortened, until it does.
   *
   * `nothingSent` (a producer's run, when none of the frames made reached the reader): the frame comes from a
   * fresh encoder, so that it carries what a stream opens with (the binary marker, a resume frame), which the
   * first frame made, never sent, took along.
   */
  error(err: unknown, options: ErrorFrameOptions = {}, nothingSent = false): Uint8Array {
    if (this.stage === Stage.Ended) throw this.orderError("error", "the stream has already ended");
    const encoder = nothingSent ? this.spec.format.encoder({ resumeAfter: this.resumeAfter, maxPayloadBytes: this.spec.maxFrameBytes }) : this.encoder;
    const frame = encoder.frame(FrameKind.ERROR, this.errorPayload(remoteInfo(err, options.includeStack === true)));
    this.stage = Stage.Ended;
    return frame;
  }

  /** Checks a part against its schema, then encodes and frames it. */
  private encode(kind: number, part: StreamPart, index: number | undefined, value: unknown): Uint8Array {
    // A codec compiled from the schema checks and writes in one pass; what it does not take goes the generic way.
    const compiled = this.spec.compiled[part];
    const checked = compiled !== undefined && this.encoder.frameChecked !== undefined ? this.encoder.frameChecked(kind, compiled, value) : undefined;
    const frame = checked ?? this.encodeGeneric(kind, part, index, value);
    const payloadBytes = this.encoder.payloadBytes;
    if (payloadBytes > this.spec.maxFrameBytes) {
      throw new StreamError(
        "LIMIT",
        `The ${partLabel(part, index)} encodes to ${payloadBytes} bytes, over maxFrameBytes (${this.spec.maxFrameBytes}); ` +
          `readers would reject it. Split the value, or raise maxFrameBytes on both ends.`,
        { part, ...(index === undefined ? {} : { index }) },
      );
    }
    return frame;
  }

  /** Validates a part, then encodes and frames it with the format's codec. */
  private encodeGeneric(kind: number, part: StreamPart, index: number | undefined, value: unknown): Uint8Array {
    const validator = this.spec.validators[part];
    if (validator !== undefined) {
      let parsed: unknown;
      try {
        parsed = validator.parse(value);
      } catch (err) {
        // A schema's own check that throws (an interpreted check overflowing the stack on a deep value): as the reader reports it.
        throw err instanceof StreamError ? err : uncheckable(part, index, err);
      }
      if (parsed === INVALID) throw invalid(validator, part, index, value, "cannot be written");
    }
    try {
      return this.encoder.frameValue(kind, value);
    } catch (err) {
      throw new StreamError("VALIDATION", `The ${partLabel(part, index)} cannot be encoded as ${this.spec.format.codec.name}: ${describeThrown(err)}.`, {
        cause: err,
        part,
        ...(index === undefined ? {} : { index }),
      });
    }
  }

  /** The error frame's payload, within maxFrameBytes: without `data` or `stack` if need be, then with a shorter message. */
  private errorPayload(info: RemoteErrorInfo): Uint8Array {
    const codec = this.spec.format.codec;
    const max = this.spec.maxFrameBytes;
    let payload: Uint8Array | undefined;
    try {
      payload = codec.encode(info);
    } catch {
      // `data` was not encodable; the name and message still are, and they matter most.
    }
    if (payload !== undefined && payload.length <= max) return payload;
    const name = info.name.slice(0, 200);
    let message = info.message;
    for (;;) {
      const bare: RemoteErrorInfo = { name, message };
      if (info.code !== undefined) bare.code = typeof info.code === "string" ? info.code.slice(0, 200) : info.code;
      payload = codec.encode(bare);
      if (payload.length <= max || message.length === 0) return payload;
      // Shrink by what is over (a character is at most 6 encoded bytes, an escaped one in JSON), at least by a quarter.
      const over = payload.length - max;
      message = message.slice(0, Math.max(0, Math.min(message.length - Math.ceil(over / 6), Math.floor(message.length * 0.75)) - 1)) + "…";
      if (message === "…") message = "";
    }
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
