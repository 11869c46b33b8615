// The reader state machine: frames → validated header, items and footer, in order, with limits, abort and idle timeout.
import { StreamError, previewBytes, type RemoteErrorInfo } from "./errors.js";
import { FRAME_HEADER_BYTES, FrameKind, aFrame, type Frame, type FrameSplitter } from "./frame.js";
import { CODEC_NAMES, MARKER_PAYLOAD_BYTES, PROTOCOL_VERSION, codecNameOf, readMarker } from "./marker.js";
import { openSource, type ByteSource, type StreamSource } from "./source.js";
import type { SseDecoder } from "./sse.js";
import { checkLimit, decodePart, frameValue, type StreamSpec } from "./spec.js";

/** Per-reader options. */
export interface ReaderOptions {
  /** Aborting rejects pending reads with `signal.reason`, as `fetch` does, and cancels the source. */
  signal?: AbortSignal;
  /** No frame (keep-alive frames count) for this long while a read waits → `TIMEOUT`, source cancelled. */
  idleTimeoutMs?: number;
  /** More items than this → `LIMIT`. */
  maxItems?: number;
  /** More bytes than this from the source in all → `LIMIT`. */
  maxTotalBytes?: number;
  /** Overrides the definition's maxFrameBytes for this reader. */
  maxFrameBytes?: number;
  /**
   * SSE framing only: when the connection drops before the end, open a new one from the id of the last event
   * received (send it as `Last-Event-ID`). Events the reader already has are skipped, so every item arrives once.
   */
  reconnect?: (lastEventId: string | undefined) => StreamSource;
  /** How many times `reconnect` may be called for one stream. Default 3. */
  maxReconnects?: number;
}

/** The most items one batch of readItemBatches() holds, so that a large buffer does not become one huge array. */
const DEFAULT_MAX_BATCH = 1024;

/** Empty chunks read in a row before the reader lets timers and aborts run. */
const EMPTY_READS_PER_TURN = 1000;

const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined });
/** Stands for the end in truss mode, where a clean end of input at a frame boundary is the end. */
const EOF_END: Frame = Object.freeze({ kind: FrameKind.END, payload: new Uint8Array(0) });

/**
 * Reads one stream: `readHeader()` (when the types have a header), `readItems()` once, `readFooter()` (when
 * they have a footer). Errors from bad input are terminal: every later call rejects with the same error.
 * Errors from calling methods out of order are not: they leave the stream where it was.
 */
export class StreamReaderImpl {
  private readonly spec: StreamSpec;
  private source: ByteSource;
  private readonly decoder: FrameSplitter;
  private readonly reconnect: ReaderOptions["reconnect"];
  private reconnectsLeft: number;
  private readonly signal: AbortSignal | undefined;
  private readonly idleTimeoutMs: number | undefined;
  private readonly maxItems: number;
  private readonly maxTotalBytes: number;

  private opened: boolean;
  private held: Frame | undefined;
  private failure: unknown;
  /** Rejects the read in progress: fail() calls it, so an abort or idle timeout ends the wait at once. */
  private rejectRead: ((err: unknown) => void) | undefined;
  private sourceDone = false;
  private complete = false;
  private footerMissing = false;
  private headerCalled = false;
  private footerCalled = false;
  private items: { readonly finished: boolean } | undefined;
  private itemCount = 0;
  private bytes = 0;
  private keepAlives = 0;
  private emptyReads = 0;
  private readonly onAbort = () => this.fail(this.signal!.reason);

  constructor(spec: StreamSpec, input: StreamSource, options: ReaderOptions = {}) {
    this.spec = spec;
    this.opened = !spec.marker;
    this.maxItems = checkLimit("maxItems", options.maxItems) ?? Infinity;
    this.maxTotalBytes = checkLimit("maxTotalBytes", options.maxTotalBytes) ?? Infinity;
    this.idleTimeoutMs = checkLimit("idleTimeoutMs", options.idleTimeoutMs);
    const maxFrameBytes = checkLimit("maxFrameBytes", options.maxFrameBytes) ?? spec.maxFrameBytes;
    this.decoder = spec.splitter(maxFrameBytes);
    if (options.reconnect !== undefined && spec.framing !== "sse") {
      throw new StreamError("OPTIONS", `reconnect needs framing: "sse", whose event ids say where to resume; this stream uses the ${spec.framing} framing.`);
    }
    this.reconnect = options.reconnect;
    this.reconnectsLeft = options.reconnect === undefined ? 0 : (checkLimit("maxReconnects", options.maxReconnects) ?? 3);
    this.source = openSource(input);
    this.signal = options.signal;
    if (this.signal?.aborted) this.fail(this.signal.reason);
    else this.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Items delivered so far. */
  get itemsRead(): number {
    return this.itemCount;
  }

  /** Bytes received from the source so far. */
  get bytesRead(): number {
    return this.bytes;
  }

  /** True once the end frame has been read and nothing followed it. */
  get completed(): boolean {
    return this.complete;
  }

  async readHeader(): Promise<unknown> {
    if (this.failure !== undefined) throw this.failure;
    if (!this.spec.hasHeader) throw new StreamError("ORDER", "These stream types have no header, so there is none to read: declare one in streamTypes(Item, Header).");
    if (this.headerCalled || this.items || this.footerCalled) {
      throw new StreamError("ORDER", "readHeader() can be called once, before readItems() and readFooter().");
    }
    this.headerCalled = true;
    const frame = await this.nextFrame();
    if (frame.kind === FrameKind.HEADER) return this.decode(frame, "header");
    this.held = frame; // the stream goes on without a header; readItems() can still read it
    throw new StreamError(
      "ORDER",
      `The stream has no header: its first frame is ${frame === EOF_END ? "the end of input" : aFrame(frame.kind)}. ` +
        `The producer did not write one; readItems() can still read the rest.`,
    );
  }

  readItems(): AsyncIterableIterator<unknown> {
    this.checkItemsCall("readItems()");
    const items = new ItemIterator(this);
    this.items = items;
    return items;
  }

  readItemBatches(maxBatch = DEFAULT_MAX_BATCH): AsyncIterableIterator<unknown[]> {
    this.checkItemsCall("readItemBatches()");
    const batches = new BatchIterator(this, checkLimit("maxBatch", maxBatch)!);
    this.items = batches;
    return batches;
  }

  private checkItemsCall(call: string): void {
    if (this.items) throw new StreamError("ORDER", "The items can be read only once per stream: readItems() or readItemBatches(), once.");
    if (this.footerCalled) throw new StreamError("ORDER", `${call} cannot be called after readFooter().`);
    if (this.spec.hasHeader && !this.headerCalled) {
      throw new StreamError("ORDER", `These stream types have a header: call readHeader() before ${call}.`);
    }
  }

  async readFooter(): Promise<unknown> {
    if (this.failure !== undefined) throw this.failure;
    if (!this.spec.hasFooter) throw new StreamError("ORDER", "These stream types have no footer, so there is none to read: declare one in streamTypes(Item, Header, Footer).");
    if (this.footerCalled) throw new StreamError("ORDER", "readFooter() can be called only once.");
    if (this.spec.hasHeader && !this.headerCalled) throw new StreamError("ORDER", "These stream types have a header: call readHeader() first.");
    if (this.items && !this.items.finished) throw new StreamError("ORDER", "readFooter() was called before readItems() was read to its end.");
    this.footerCalled = true;
    if (this.footerMissing) throw missingFooter();
    const frame = await this.nextFrame();
    if (frame.kind === FrameKind.ITEM) {
      this.held = frame;
      this.footerCalled = false;
      throw new StreamError("ORDER", "The stream still has items: read them with readItems() before calling readFooter().");
    }
    if (frame.kind === FrameKind.END) {
      await this.confirmEnd(frame);
      throw missingFooter();
    }
    if (frame.kind !== FrameKind.FOOTER) throw this.fail(this.unexpected(frame, "the footer"));
    const footer = this.decode(frame, "footer");
    const end = await this.nextFrame();
    if (end.kind !== FrameKind.END) {
      throw this.fail(new StreamError("ORDER", `${aFrame(end.kind)} follows the footer; only the end frame may follow it.`));
    }
    await this.confirmEnd(end);
    return footer;
  }

  /** Stops reading and cancels the source; later reads reject with `reason`. */
  cancel(reason: unknown = new StreamError("ORDER", "The reader was cancelled.")): void {
    this.fail(reason);
  }

  // ---- internals shared with ItemIterator ----

  /** Records a terminal failure (the first one wins), cancels the source, and returns the failure to throw. */
  fail(err: unknown): unknown {
    if (this.failure === undefined && !this.complete) {
      this.failure = err;
      this.source.cancel(err);
      this.rejectRead?.(err);
      this.release();
    }
    return this.failure ?? err;
  }

  get failed(): unknown {
    return this.failure;
  }

  /** The next frame that is already complete in the buffer, without waiting. Throws on bad bytes. */
  takeSync(): Frame | undefined {
    const held = this.held;
    if (held !== undefined) {
      this.held = undefined;
      return held;
    }
    for (;;) {
      if (!this.opened && !this.open()) return undefined;
      const frame = this.decoder.next();
      if (frame === undefined) return undefined;
      const kind = frame.kind;
      if (kind === FrameKind.KEEPALIVE) {
        this.keepAlives++;
        continue;
      }
      if (kind === FrameKind.ERROR) throw this.remoteError(frame);
      if (kind === FrameKind.OPEN) throw new StreamError("FORMAT", "A second opening marker inside the stream: two streams were concatenated, or the bytes are corrupted.");
      return frame;
    }
  }

  /** Waits for the next frame; every error it throws has been recorded as terminal. */
  nextFrame(): Promise<Frame> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    try {
      const frame = this.takeSync();
      if (frame !== undefined) return Promise.resolve(frame);
    } catch (err) {
      return Promise.reject(this.fail(err));
    }
    return this.pull().catch((err) => {
      throw this.fail(err);
    });
  }

  decode(frame: Frame, part: "header" | "footer"): unknown {
    try {
      return decodePart(this.spec, part, undefined, frame);
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Decodes the next item; terminal on any error. */
  decodeItem(frame: Frame): unknown {
    try {
      if (this.itemCount >= this.maxItems) {
        throw new StreamError("LIMIT", `The stream has more than ${this.maxItems} items (maxItems). Raise maxItems if that many are expected.`);
      }
      const value = decodePart(this.spec, "item", this.itemCount, frame);
      this.itemCount++;
      return value;
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Puts back a frame taken but not used, for the next read. */
  unread(frame: Frame): void {
    this.held = frame;
  }

  /** Handles the frame that ended the items: a footer is kept for readFooter(), an end frame is confirmed. */
  async finishItems(frame: Frame): Promise<void> {
    if (frame.kind === FrameKind.FOOTER) {
      if (!this.spec.hasFooter) throw this.fail(this.unexpected(frame, "an item or the end"));
      this.held = frame;
      return;
    }
    if (frame.kind === FrameKind.END) {
      this.footerMissing = this.spec.hasFooter;
      await this.confirmEnd(frame);
      return;
    }
    throw this.fail(this.unexpected(frame, "an item, the footer or the end"));
  }

  // ---- private ----

  /** Reads the opening marker once it is complete; false while more bytes are needed. */
  private open(): boolean {
    if (this.decoder.bufferedBytes < FRAME_HEADER_BYTES) return false;
    const pending = this.decoder.pending();
    if (pending.kind !== FrameKind.OPEN || pending.payloadLength !== MARKER_PAYLOAD_BYTES) {
      const looksTruss = pending.kind !== undefined && pending.kind >= FrameKind.HEADER && pending.kind <= FrameKind.END;
      throw new StreamError(
        "FORMAT",
        `The bytes do not start with the streamtypes marker, so this is not a streamtypes stream. ` +
          (looksTruss
            ? `They look like truss_chains frames (no marker, first frame kind ${pending.kind}): read them with streamTypes(..., { compat: "truss" }). `
            : "") +
          `First bytes: ${previewBytes(this.decoder.previewHeld())}.`,
      );
    }
    const frame = this.decoder.next();
    if (frame === undefined) return false;
    const marker = readMarker(frame.payload);
    if (!marker.ok) throw new StreamError("FORMAT", `Not a streamtypes stream: ${marker.problem}. First bytes: ${previewBytes(frame.payload)}.`);
    if (marker.version !== PROTOCOL_VERSION) {
      throw new StreamError(
        "FORMAT",
        `The stream uses protocol version ${marker.version}; this reader understands version ${PROTOCOL_VERSION}. Upgrade streamtypes on the older side.`,
      );
    }
    if (marker.codecId !== this.spec.codec.id) {
      const theirs = codecNameOf(marker.codecId);
      throw new StreamError(
        "FORMAT",
        `The stream's payloads are ${theirs}, but this reader expects ${this.spec.codec.name}. ` +
          (marker.codecId in CODEC_NAMES ? `Give both ends the same streamTypes options (codec: "${theirs}").` : "A newer streamtypes may have written it."),
      );
    }
    this.opened = true;
    return true;
  }

  private async pull(): Promise<Frame> {
    let timer = this.startIdleTimer();
    try {
      for (;;) {
        const keepAlives = this.keepAlives;
        const frame = this.takeSync();
        if (frame !== undefined) return frame;
        if (timer !== undefined && this.keepAlives !== keepAlives) {
          // A keep-alive frame is a frame: the producer is alive, so the idle clock starts again.
          clearTimeout(timer);
          timer = this.startIdleTimer();
        }
        let chunk: Uint8Array | undefined;
        try {
          chunk = await this.readChunk();
        } catch (err) {
          if (this.resume(err)) continue;
          throw err;
        }
        if (chunk === undefined) {
          if (this.resume(undefined)) continue;
          return this.atEndOfInput();
        }
        this.decoder.push(chunk);
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  private async readChunk(): Promise<Uint8Array | undefined> {
    let chunk: Uint8Array | undefined;
    try {
      // A promise per read, not a race against one long-lived promise: every race would leave a reaction on
      // it holding the chunk just read, for as long as the stream lasts (a leak of the whole stream).
      chunk = await new Promise<Uint8Array | undefined>((resolve, reject) => {
        this.rejectRead = reject;
        this.source.read().then(resolve, reject);
      });
    } catch (err) {
      if (this.failure !== undefined) throw this.failure;
      if (err instanceof StreamError) throw err;
      throw this.truncated("the source failed", err);
    } finally {
      this.rejectRead = undefined;
    }
    if (this.failure !== undefined) throw this.failure;
    if (chunk === undefined) {
      this.sourceDone = true;
      return undefined;
    }
    if (chunk.length === 0) {
      // A source that answers every read at once with nothing would keep this loop on microtasks forever,
      // where neither the idle timer nor an abort could run: give the event loop a turn now and then.
      if (++this.emptyReads % EMPTY_READS_PER_TURN === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.failure !== undefined) throw this.failure;
      return chunk;
    }
    this.emptyReads = 0;
    this.bytes += chunk.length;
    if (this.bytes > this.maxTotalBytes) {
      throw new StreamError("LIMIT", `The stream is longer than ${this.maxTotalBytes} bytes (maxTotalBytes). Raise maxTotalBytes if streams this long are expected.`);
    }
    return chunk;
  }

  /** After a dropped connection (an SSE reader with `reconnect`): opens the next one; false when that is not possible. */
  private resume(err: unknown): boolean {
    if (this.reconnectsLeft === 0 || this.failure !== undefined) return false;
    if (err !== undefined && !(err instanceof StreamError && err.code === "TRUNCATED")) return false;
    this.reconnectsLeft--;
    const decoder = this.decoder as SseDecoder;
    this.source.cancel();
    this.source = openSource(this.reconnect!(decoder.lastEventId));
    this.sourceDone = false;
    decoder.reconnected();
    return true;
  }

  private atEndOfInput(): Frame {
    if (this.spec.truss && this.decoder.bufferedBytes === 0) return EOF_END;
    throw this.truncated("the source ended");
  }

  private truncated(what: string, cause?: unknown): StreamError {
    const pending = this.decoder.pending();
    let where: string;
    if (pending.bufferedBytes === 0) {
      where = !this.opened && this.bytes === 0 ? "before any bytes arrived (an empty stream)" : `before the end frame, after ${this.itemCount} items`;
    } else if (pending.kind === undefined) {
      where = `inside a frame header (${pending.bufferedBytes} of ${FRAME_HEADER_BYTES} bytes)`;
    } else {
      where = `inside ${this.opened ? aFrame(pending.kind) : "the opening frame"} (${pending.bufferedBytes - FRAME_HEADER_BYTES} of ${pending.payloadLength} payload bytes), after ${this.itemCount} items`;
    }
    const tail = cause === undefined ? "" : `: ${cause instanceof Error ? cause.message : String(cause)}`;
    return new StreamError(
      "TRUNCATED",
      `The stream is incomplete: ${what} ${where}${tail}. The producer stopped or the connection was cut; the items delivered before this are intact.`,
      cause === undefined ? {} : { cause },
    );
  }

  /** After the end frame: anything more from the source is a protocol violation, so read to its end. */
  private async confirmEnd(end: Frame): Promise<void> {
    try {
      if (end !== EOF_END && end.payload.length !== 0) {
        throw new StreamError("FORMAT", `The end frame carries ${end.payload.length} payload bytes; it must be empty.`);
      }
      // A producer may keep the connection open after its end frame: the data is complete, so after
      // idleTimeoutMs of silence the reader stops waiting for the source to close and cancels it.
      let quiet: () => void = () => {};
      const silence = new Promise<undefined>((resolve) => (quiet = () => resolve(undefined)));
      const timer = this.idleTimeoutMs === undefined ? undefined : setTimeout(quiet, this.idleTimeoutMs);
      try {
        let extra = this.trailing();
        while (extra === 0 && !this.sourceDone) {
          const chunk = await Promise.race([this.readChunk(), silence]);
          if (chunk === undefined) break;
          this.decoder.push(chunk);
          extra = this.trailing();
        }
        if (extra > 0) {
          throw new StreamError("ORDER", `Data follows the end frame (${extra}+ bytes): a frame after the end, or two streams concatenated.`);
        }
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    } catch (err) {
      throw this.fail(err);
    }
    this.complete = true;
    if (!this.sourceDone) this.source.cancel();
    this.release();
  }

  /**
   * What follows the end: in the binary framing any byte; in the text framings a complete event or line (blank
   * lines, comments and an unfinished last line are text-protocol slack, not data).
   */
  private trailing(): number {
    if (this.spec.framing === "binary") return this.decoder.bufferedBytes;
    return this.takeSync() === undefined ? 0 : Math.max(1, this.decoder.bufferedBytes);
  }

  private startIdleTimer(): ReturnType<typeof setTimeout> | undefined {
    const ms = this.idleTimeoutMs;
    if (ms === undefined) return undefined;
    return setTimeout(() => {
      this.fail(new StreamError("TIMEOUT", `No frame arrived for ${ms} ms (idleTimeoutMs); the source was cancelled. The producer stalled or the connection hung.`));
    }, ms);
  }

  private remoteError(frame: Frame): StreamError {
    let info: unknown;
    try {
      info = frameValue(this.spec, frame);
    } catch (err) {
      return new StreamError("FORMAT", `The producer sent an error frame that does not decode: ${previewBytes(frame.payload)}.`, { cause: err });
    }
    const o = info as Partial<RemoteErrorInfo> | null;
    if (typeof o !== "object" || o === null || typeof o.message !== "string") {
      return new StreamError("FORMAT", `The producer sent an error frame without a message: ${previewBytes(frame.payload)}.`);
    }
    const remote: RemoteErrorInfo = { name: typeof o.name === "string" ? o.name : "Error", message: o.message };
    if (typeof o.code === "string" || typeof o.code === "number") remote.code = o.code;
    if (o.data !== undefined) remote.data = o.data;
    if (typeof o.stack === "string") remote.stack = o.stack;
    return new StreamError(
      "REMOTE",
      `The producer failed after ${this.itemCount} items: ${remote.name}: ${remote.message}${remote.code !== undefined ? ` (code ${remote.code})` : ""}.`,
      { remote },
    );
  }

  private unexpected(frame: Frame, expected: string): StreamError {
    if (frame.kind === FrameKind.HEADER) {
      return new StreamError(
        "ORDER",
        this.spec.hasHeader
          ? `A header frame after ${this.itemCount} items: the header may only be the first frame.`
          : "The stream has a header frame, but these stream types declare no header: add the header schema to streamTypes(Item, Header).",
      );
    }
    if (frame.kind === FrameKind.FOOTER && !this.spec.hasFooter) {
      return new StreamError("ORDER", "The stream has a footer frame, but these stream types declare no footer: add the footer schema to streamTypes(Item, Header, Footer).");
    }
    return new StreamError("ORDER", `Expected ${expected}, got ${aFrame(frame.kind)}.`);
  }

  private release(): void {
    this.signal?.removeEventListener("abort", this.onAbort);
  }
}

function missingFooter(): StreamError {
  return new StreamError("ORDER", "The stream has no footer: it ended after its items without one. The producer did not write a footer.", { part: "footer" });
}

/**
 * The iterator behind readItems(). Hand-written rather than an async generator: an item whose frame is
 * already buffered is delivered through one resolved promise, without generator machinery.
 */
/** What both item iterators share: calls made without awaiting the previous one are served in order. */
abstract class SerialIterator<T> {
  finished = false;
  protected busy: Promise<IteratorResult<T>> | undefined;

  /** Marks `result` as the call in progress until it settles. */
  protected serve(result: Promise<IteratorResult<T>>): Promise<IteratorResult<T>> {
    this.busy = result;
    const clear = () => {
      if (this.busy === result) this.busy = undefined;
    };
    result.then(clear, clear);
    return result;
  }
}

class ItemIterator extends SerialIterator<unknown> implements AsyncIterableIterator<unknown> {
  constructor(private readonly reader: StreamReaderImpl) {
    super();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.finished) return Promise.resolve(DONE);
    const reader = this.reader;
    if (reader.failed !== undefined) return Promise.reject(reader.failed);
    if (this.busy !== undefined) return this.busy.then(() => this.next(), () => this.next());
    let frame: Frame | undefined;
    try {
      frame = reader.takeSync();
    } catch (err) {
      return Promise.reject(reader.fail(err));
    }
    if (frame !== undefined && frame.kind === FrameKind.ITEM) {
      try {
        return Promise.resolve({ done: false, value: reader.decodeItem(frame) });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.serve((frame !== undefined ? Promise.resolve(frame) : reader.nextFrame()).then((f) => this.handle(f)));
  }

  private async handle(frame: Frame): Promise<IteratorResult<unknown>> {
    if (frame.kind === FrameKind.ITEM) return { done: false, value: this.reader.decodeItem(frame) };
    this.finished = true;
    await this.reader.finishItems(frame);
    return DONE;
  }

  async return(): Promise<IteratorResult<unknown>> {
    if (!this.finished) {
      this.finished = true;
      this.reader.fail(new StreamError("ORDER", "The stream was cancelled: readItems() was left before its end (break, return or throw)."));
    }
    return DONE;
  }
}

/**
 * The iterator behind readItemBatches(): every item already complete in the bytes at hand, decoded in one
 * synchronous loop and delivered as one array, so that a fast stream pays the cost of a promise per chunk
 * rather than per item. It waits for the source only when no complete item is buffered. If a bad frame follows
 * good ones, the good ones are delivered first and the error comes with the next call.
 */
class BatchIterator extends SerialIterator<unknown[]> implements AsyncIterableIterator<unknown[]> {
  constructor(
    private readonly reader: StreamReaderImpl,
    private readonly maxBatch: number,
  ) {
    super();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown[]>> {
    if (this.finished) return Promise.resolve(DONE);
    const reader = this.reader;
    if (reader.failed !== undefined) return Promise.reject(reader.failed);
    if (this.busy !== undefined) return this.busy.then(() => this.next(), () => this.next());
    const batch: unknown[] = [];
    let ended: Frame | undefined;
    try {
      ended = this.collect(batch);
    } catch (err) {
      if (batch.length === 0) return Promise.reject(reader.fail(err));
      reader.fail(err); // recorded: the next call rejects with it, after this batch is delivered
    }
    if (batch.length > 0) {
      if (ended !== undefined) reader.unread(ended);
      return Promise.resolve({ done: false, value: batch });
    }
    return this.serve((ended !== undefined ? Promise.resolve(ended) : reader.nextFrame()).then((frame) => this.handle(frame)));
  }

  /** Decodes buffered items into `batch`; returns the non-item frame that stopped it, if one did. */
  private collect(batch: unknown[]): Frame | undefined {
    const reader = this.reader;
    while (batch.length < this.maxBatch) {
      const frame = reader.takeSync();
      if (frame === undefined) return undefined;
      if (frame.kind !== FrameKind.ITEM) return frame;
      batch.push(reader.decodeItem(frame));
    }
    return undefined;
  }

  private async handle(frame: Frame): Promise<IteratorResult<unknown[]>> {
    if (frame.kind === FrameKind.ITEM) {
      const batch = [this.reader.decodeItem(frame)];
      let ended: Frame | undefined;
      try {
        ended = this.collect(batch);
      } catch (err) {
        this.reader.fail(err);
      }
      if (ended !== undefined) this.reader.unread(ended);
      return { done: false, value: batch };
    }
    this.finished = true;
    await this.reader.finishItems(frame);
    return DONE;
  }

  async return(): Promise<IteratorResult<unknown[]>> {
    if (!this.finished) {
      this.finished = true;
      this.reader.fail(new StreamError("ORDER", "The stream was cancelled: readItemBatches() was left before its end (break, return or throw)."));
    }
    return DONE;
  }
}
