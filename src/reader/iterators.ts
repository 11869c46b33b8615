// The iterators behind readItems() and readItemBatches(): items already decoded come out through settled promises, without awaiting the source.
import { StreamError } from "../errors.js";

/** What the iterators need from the reader. */
export interface ItemSource {
  /** Set once the reader failed or was cancelled. */
  readonly failure: unknown;
  /** True when the caller cancelled the reader: loops end quietly. */
  readonly cancelled: boolean;
  fail(err: unknown): unknown;
  /** The next decoded item, or NO_ITEM when none is at the front (throws the stream's error once its items are taken). */
  takeItem(): unknown;
  /** Up to `max` decoded items into `batch`; an error after some items is recorded for the next call, not thrown. */
  takeItems(batch: unknown[], max: number): void;
  /** The kind of the next part when one is decoded, else -1 (decoding what is buffered first); throws the stream's error. */
  partReady(): number;
  /** Reads the source until a part is decoded or the stream failed (then rejects with its recorded error). */
  more(): Promise<void>;
  /** After the items: keeps a footer for readFooter(), confirms the end. */
  finishItems(): Promise<void>;
}

/** Returned by takeItem() when no item is decoded at the front. */
export const NO_ITEM: unique symbol = Symbol("no item");

const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined });
const ITEM = 3; // FrameKind.ITEM, inlined: this module is on the per-item path

/**
 * What both item iterators share: calls made without awaiting the previous one are served in order, a loop left
 * early (break, return, throw) cancels the stream, and a reader cancelled by its caller ends the loop quietly.
 * Hand-written rather than async generators: an item already decoded costs one settled promise.
 */
abstract class SerialIterator<T> implements AsyncIterableIterator<T> {
  finished = false;
  /** The call in progress, while one waits for the source; later calls are served after it. */
  protected busy: Promise<IteratorResult<T>> | undefined;
  /** True while wait() runs: it clears `busy` itself as it settles (no reaction per wait). */
  private waiting = false;

  constructor(
    protected readonly reader: ItemSource,
    private readonly name: string,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.finished) return Promise.resolve(DONE);
    const reader = this.reader;
    if (reader.failure !== undefined) return reader.cancelled ? this.stop() : Promise.reject(reader.failure);
    if (this.busy !== undefined) return this.busy.then(() => this.next(), () => this.next());
    let taken: T | typeof NO_ITEM;
    try {
      taken = this.take();
    } catch (err) {
      return Promise.reject(reader.fail(err));
    }
    if (taken !== NO_ITEM) return Promise.resolve({ done: false, value: taken });
    const result = this.wait();
    if (this.waiting) this.busy = result; // still waiting for the source: later calls are served after it
    return result;
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.finished) {
      this.finished = true;
      this.reader.fail(new StreamError("ORDER", `The stream was cancelled: ${this.name} was left before its end (break, return or throw).`));
    }
    return DONE;
  }

  /** What is decoded at the front: an item (or a batch), or `noItem`. */
  protected abstract take(): T | typeof NO_ITEM;

  /**
   * Waits for the source, then delivers what came, or finishes at the footer or the end. One async function over the
   * intake's read loop: a stream in small chunks waits here once per item, so each layer of promises counts.
   */
  private async wait(): Promise<IteratorResult<T>> {
    this.waiting = true;
    const reader = this.reader;
    try {
      let kind: number;
      try {
        while ((kind = reader.partReady()) < 0) await reader.more();
      } catch (err) {
        if (reader.cancelled) return this.stop();
        throw err;
      }
      if (kind === ITEM) return { done: false, value: this.take() as T };
      this.finished = true;
      await reader.finishItems();
      return DONE;
    } finally {
      // Runs as the result settles, so a call made after it is served after it.
      this.waiting = false;
      this.busy = undefined;
    }
  }

  private stop(): Promise<IteratorResult<T>> {
    this.finished = true;
    return Promise.resolve(DONE);
  }

}

/** What the per-item fast path needs of the reader's decoded parts. */
export interface DecodedItems {
  /** The item at the front of the decoded parts, or NO_ITEM when the front is not a decoded item. */
  takeDecodedItem(): unknown;
}

/** readItems(): one item per step. */
export class ItemIterator extends SerialIterator<unknown> {
  constructor(
    reader: ItemSource,
    private readonly decoded: DecodedItems,
  ) {
    super(reader, "readItems()");
  }

  override next(): Promise<IteratorResult<unknown>> {
    // The common step, an item already decoded: nothing else to check (a failed or cancelled reader has none queued).
    if (this.busy === undefined) {
      const item = this.decoded.takeDecodedItem();
      if (item !== NO_ITEM) return Promise.resolve({ done: false, value: item });
    }
    return super.next();
  }

  protected take(): unknown {
    return this.reader.takeItem();
  }
}

/**
 * readItemBatches(): every item already decoded from the bytes at hand, as one array (at most `maxBatch`), so a
 * fast stream pays for a promise per chunk rather than per item. If a bad frame follows good ones, the good
 * ones are delivered first and the error comes with the next call.
 */
export class BatchIterator extends SerialIterator<unknown[]> {
  constructor(
    reader: ItemSource,
    private readonly maxBatch: number,
  ) {
    super(reader, "readItemBatches()");
  }

  protected take(): unknown[] | typeof NO_ITEM {
    const batch: unknown[] = [];
    this.reader.takeItems(batch, this.maxBatch);
    return batch.length === 0 ? NO_ITEM : batch;
  }
}
