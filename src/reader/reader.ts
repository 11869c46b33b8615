// The reader: header → items → footer → end in the order the caller asks for them, with limits, abort, idle timeout and reconnection.
import { StreamError } from "../errors.js";
import { FrameKind, aFrame } from "../protocol.js";
import type { StreamSource } from "../sources/source.js";
import { checkLimit, type StreamSpec } from "../spec.js";
import { BatchIterator, ItemIterator, NO_ITEM, type ItemSource } from "./iterators.js";
import { Intake } from "./intake.js";
import { missingFooter } from "./messages.js";
import { PartQueue, kindFilter } from "./parts.js";
import type { UnknownKindsOptions } from "../kinds.js";
import { ChunkPump } from "./pump.js";

/** Per-reader options. */
export interface ReaderOptions {
  /** Aborting rejects pending reads with `signal.reason`, as `fetch` does, and cancels the source. */
  signal?: AbortSignal | undefined;
  /**
   * The longest wait for the next header, item, footer or end, in ms → `TIMEOUT`, source cancelled. Keep-alive
   * frames do not restart it: they keep proxies from closing a quiet connection, not the reader waiting forever.
   */
  idleTimeoutMs?: number | undefined;
  /** More items than this → `LIMIT`. */
  maxItems?: number | undefined;
  /** More bytes than this from the source in all → `LIMIT`. */
  maxTotalBytes?: number | undefined;
  /** Overrides the definition's maxFrameBytes for this reader. */
  maxFrameBytes?: number | undefined;
  /**
   * Resumable formats (SSE): when the connection drops before the end, open a new one from the id of the last
   * event received (send it as `Last-Event-ID`). Parts the reader already has are skipped, so every item arrives once.
   */
  reconnect?: ((lastEventId: string | undefined) => StreamSource) | undefined;
  /**
   * Resumable formats: the position this reader already has (a saved `Last-Event-ID`, e.g. after a page reload),
   * a non-negative integer or its decimal string. `readItems()` then starts at the item after it (parts at or
   * before it are skipped, whether or not the server resumed), and `readHeader()` is not called: the header (id 0)
   * is before any position. `STREAM.fetch()` sends it as `Last-Event-ID`; with another source, send it yourself.
   */
  startAfter?: string | number | undefined;
  /** How many times `reconnect` may be called for one stream. Default 3. */
  maxReconnects?: number | undefined;
  /**
   * Items as a discriminated union that grows: an item whose discriminator (`key`) is not one of the `known` kinds
   * (default: derived from the item schema) is skipped, counted in `itemsSkipped` and passed to `onSkip`, instead of
   * failing validation; an item of a known kind that does not match is still `VALIDATION`. See docs/events.md.
   */
  unknownKinds?: UnknownKindsOptions | undefined;
}

/** The most items one batch of readItemBatches() holds, so that a large buffer does not become one huge array. */
const DEFAULT_MAX_BATCH = 1024;

/** What a reader has been asked for so far: the order rules for callers, separate from the stream's own order. */
const enum Call {
  None,
  Header,
  Items,
  Footer,
}

/**
 * Reads one stream: `readHeader()` (when the types have a header), `readItems()` once, `readFooter()` (when
 * they have a footer). Errors from bad input are terminal: every later call rejects with the same error.
 * Errors from calling methods out of order are not: they leave the stream where it was.
 */
export class StreamReaderImpl implements ItemSource {
  private readonly spec: StreamSpec;
  private readonly pump: ChunkPump;
  private readonly parts: PartQueue;
  private readonly signal: AbortSignal | undefined;
  private readonly intake: Intake;
  private call = Call.None;
  private items: { readonly finished: boolean } | undefined;
  private footerMissing = false;
  private complete = false;
  /** Whether the reader starts after a position (`startAfter`): past the header. */
  private readonly started: boolean;
  /** Set once the reader has failed or been cancelled; every later read rejects with it. */
  failure: unknown = undefined;
  /** True when the caller cancelled: item loops then end quietly. */
  cancelled = false;
  private readonly onAbort = () => this.fail(this.signal!.reason);

  constructor(spec: StreamSpec, input: StreamSource, options: ReaderOptions = {}) {
    this.spec = spec;
    // The source is opened first: a fetch() promise gets its rejection handled even when the options are bad.
    this.pump = new ChunkPump(input);
    try {
      this.pump.maxTotalBytes = checkLimit("maxTotalBytes", options.maxTotalBytes) ?? Infinity;
      const idleTimeoutMs = checkLimit("idleTimeoutMs", options.idleTimeoutMs);
      const maxFrameBytes = checkLimit("maxFrameBytes", options.maxFrameBytes) ?? spec.maxFrameBytes;
      const decoder = spec.format.decoder({ maxFrameBytes });
      const kinds = options.unknownKinds === undefined ? undefined : kindFilter(options.unknownKinds, spec.schemas.item);
      this.parts = new PartQueue(spec, decoder, checkLimit("maxItems", options.maxItems) ?? Infinity, kinds);
      if (options.reconnect !== undefined && decoder.resume === undefined) {
        throw new StreamError("OPTIONS", `reconnect needs a resumable format such as sse(), whose event ids say where to resume; this stream uses the ${spec.format.name} format.`);
      }
      // The position is checked by the format's resume point (OPTIONS when it is not one); no resume point, no positions.
      this.started = options.startAfter !== undefined;
      if (this.started) {
        if (decoder.resume?.startAfter === undefined) throw new StreamError("OPTIONS", "startAfter needs a resumable format.");
        decoder.resume.startAfter(options.startAfter!);
        if (spec.hasHeader) this.call = Call.Header; // the header is before every position
      }
      const reconnects = options.reconnect === undefined ? 0 : (checkLimit("maxReconnects", options.maxReconnects) ?? 3);
      this.intake = new Intake(this.pump, this.parts, options.reconnect, reconnects, idleTimeoutMs, (err) => this.fail(err));
    } catch (err) {
      this.pump.interrupt(err);
      throw err;
    }
    this.signal = options.signal;
    if (this.signal?.aborted) this.fail(this.signal.reason);
    else this.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Items delivered so far. */
  get itemsRead(): number {
    return this.parts.itemsTaken;
  }

  /** Items of unknown kinds skipped so far (the `unknownKinds` option). */
  get itemsSkipped(): number {
    return this.parts.itemsSkipped;
  }

  /** Bytes received from the source so far. */
  get bytesRead(): number {
    return this.pump.bytes;
  }

  /** True once the end frame has been read and nothing followed it. */
  get completed(): boolean {
    return this.complete;
  }

  async readHeader(): Promise<unknown> {
    if (this.failure !== undefined) throw this.failure;
    if (!this.spec.hasHeader) throw new StreamError("ORDER", "These stream types have no header, so there is none to read: declare one in streamTypes(Item, Header).");
    if (this.started) throw new StreamError("ORDER", "startAfter is past the header.");
    if (this.call !== Call.None) throw new StreamError("ORDER", "readHeader() can be called once, before readItems() and readFooter().");
    this.call = Call.Header;
    const kind = await this.nextPart();
    if (kind === FrameKind.HEADER) return this.parts.take();
    // The stream goes on without a header; readItems() can still read it.
    throw new StreamError(
      "ORDER",
      `The stream has no header: its first frame is ${kind === FrameKind.END ? "the end" : aFrame(kind)}. The producer did not write one; readItems() can still read the rest.`,
    );
  }

  readItems(): AsyncIterableIterator<unknown> {
    this.startItems("readItems()");
    const items = new ItemIterator(this, this.parts);
    this.items = items;
    return items;
  }

  readItemBatches(maxBatch = DEFAULT_MAX_BATCH): AsyncIterableIterator<unknown[]> {
    this.startItems("readItemBatches()");
    const batches = new BatchIterator(this, checkLimit("maxBatch", maxBatch)!);
    this.items = batches;
    return batches;
  }

  async readFooter(): Promise<unknown> {
    if (this.failure !== undefined) throw this.failure;
    if (!this.spec.hasFooter) throw new StreamError("ORDER", "These stream types have no footer, so there is none to read: declare one in streamTypes(Item, Header, Footer).");
    if (this.call === Call.Footer) throw new StreamError("ORDER", "readFooter() can be called only once.");
    if (this.spec.hasHeader && this.call === Call.None) throw new StreamError("ORDER", "These stream types have a header: call readHeader() first.");
    if (this.items && !this.items.finished) throw new StreamError("ORDER", "readFooter() was called before readItems() was read to its end.");
    if (this.footerMissing) throw missingFooter();
    const kind = await this.nextPart();
    if (kind === FrameKind.ITEM) throw new StreamError("ORDER", "The stream still has items: read them with readItems() before calling readFooter().");
    this.call = Call.Footer;
    if (kind === FrameKind.END) {
      this.parts.take();
      await this.confirmEnd();
      throw missingFooter();
    }
    const footer = this.parts.take(); // the stream's order allows only the footer here
    if ((await this.nextPart()) === FrameKind.END) this.parts.take();
    await this.confirmEnd();
    return footer;
  }

  /** Stops reading and cancels the source: item loops end quietly, and later reads reject with `reason`. */
  cancel(reason: unknown = new StreamError("ORDER", "The reader was cancelled.")): void {
    if (this.failure === undefined && !this.complete) this.cancelled = true;
    this.fail(reason);
  }

  // ---- what the item iterators use (ItemSource) ----

  /** Records a terminal failure (the first one wins), cancels the source, and returns the failure to throw. */
  fail(err: unknown): unknown {
    if (this.failure === undefined && !this.complete) {
      this.failure = err;
      this.parts.clear();
      this.pump.interrupt(err);
      this.release();
    }
    return this.failure ?? err;
  }

  /** The next item if one is decoded: its value, or NO_ITEM; throws the stream's error once the items before it are taken. */
  takeItem(): unknown {
    const parts = this.parts;
    if (parts.size === 0) parts.fill();
    if (parts.size > 0) return parts.peek() === FrameKind.ITEM ? parts.take() : NO_ITEM;
    if (parts.error !== undefined) throw this.fail(parts.error);
    return NO_ITEM;
  }

  /** Takes up to `max` decoded items into `batch`; an error after some items is recorded for the next call. */
  takeItems(batch: unknown[], max: number): void {
    const parts = this.parts;
    for (;;) {
      parts.takeItems(batch, max);
      if (batch.length >= max || parts.size > 0) return;
      const before = batch.length;
      parts.fill(batch, max);
      if (batch.length >= max || parts.size > 0) return;
      if (batch.length > before && parts.error === undefined) continue;
      if (parts.error === undefined) return;
      if (batch.length === 0) throw this.fail(parts.error);
      this.fail(parts.error); // delivered with the next call, after this batch
      return;
    }
  }

  /** The kind of the next part if one is decoded (what is buffered is decoded first), else -1; throws the stream's error (recorded as terminal). */
  partReady(): number {
    if (this.failure !== undefined) throw this.failure;
    const parts = this.parts;
    if (parts.size === 0) parts.fill();
    if (parts.size > 0) return parts.peek();
    if (parts.error !== undefined) throw this.fail(parts.error);
    return -1;
  }

  /** Reads chunks until a part is decoded or the stream fails; every error it throws is recorded as terminal. */
  more(): Promise<void> {
    return this.intake.more();
  }

  /** Waits until a part is decoded; resolves with its kind. Rejects with the stream's error (recorded as terminal). */
  async nextPart(): Promise<number> {
    let kind: number;
    while ((kind = this.partReady()) < 0) await this.intake.more();
    return kind;
  }

  /** After the items: a footer stays for readFooter(); the end is confirmed. */
  async finishItems(): Promise<void> {
    const kind = await this.nextPart();
    if (kind === FrameKind.FOOTER) return;
    this.parts.take(); // the end: the stream's order allows nothing else here
    this.footerMissing = this.spec.hasFooter;
    await this.confirmEnd();
  }

  // ---- private ----

  private startItems(call: string): void {
    if (this.items) throw new StreamError("ORDER", "The items can be read only once per stream: readItems() or readItemBatches(), once.");
    if (this.call === Call.Footer) throw new StreamError("ORDER", `${call} cannot be called after readFooter().`);
    if (this.spec.hasHeader && this.call === Call.None) throw new StreamError("ORDER", `These stream types have a header: call readHeader() before ${call}.`);
    this.call = Call.Items;
  }

  /** After the end frame: anything more from the source is a protocol violation, so read to its end. */
  private async confirmEnd(): Promise<void> {
    try {
      await this.intake.confirmEnd();
    } catch (err) {
      throw this.fail(err);
    }
    this.complete = true;
    this.pump.close();
    this.release();
  }

  private release(): void {
    this.signal?.removeEventListener("abort", this.onAbort);
  }
}
