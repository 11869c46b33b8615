// One read of one stream for useStream: fetch or open the source, fold the parts in, and commit at most once a frame.
import { StreamError } from "../errors.js";
import type { StreamSource } from "../sources/source.js";
import type { StreamSnapshot, StreamStatus } from "./snapshot.js";
import { bodyTextOf } from "./request-key.js";

/** The reader methods a run uses (whichever the definition has). */
interface RunReader {
  readHeader(): Promise<unknown>;
  readItemBatches(): AsyncIterable<unknown[]>;
  readFooter(): Promise<unknown>;
}

/** The definition's part a run uses: its header/footer schemas (present or not) and its readers. */
export interface RunTypes {
  readonly header: unknown;
  readonly footer: unknown;
  reader(source: StreamSource, options?: object): unknown;
  fetch(input: string | URL | Request, init?: RequestInit, options?: object): unknown;
}

/** A request a run can open: see `StreamRequest` in streamtypes/react. */
export type RunRequest = string | URL | Request | ((signal: AbortSignal, lastEventId?: string) => StreamSource);

/** The hook's options a run reads when it starts (and `reduce`, `throttleMs` at every batch). */
export interface RunOptions {
  init?: RequestInit | undefined;
  reduce?: ((acc: never, item: never) => unknown) | undefined;
  initial?: unknown;
  throttleMs?: number | undefined;
  resume?: boolean | "session" | undefined;
  [readerOption: string]: unknown;
}

/** What the hook gives a run: what to read, and where its commits go. */
export interface RunSetup {
  readonly types: RunTypes;
  readonly request: RunRequest;
  /** The latest render's options. */
  options(): RunOptions;
  /** Commits a snapshot (React's setState). */
  publish(snapshot: StreamSnapshot): void;
  /** With `resume`: keeps the snapshot for a remount, at each commit; `final` when the stream ended or the run stopped. */
  remember?: ((snapshot: StreamSnapshot, final: boolean) => void) | undefined;
}

/** The frame-or-timer a run's next commit waits for. */
type Cancel = () => void;

/**
 * One read of one stream: started from a snapshot (empty, or a remembered one to continue after its position),
 * it folds each batch of items into its own buffer and commits a copy at most once per animation frame
 * (`throttleMs`: once per that many ms; 0: every batch), and at once when the stream ends. Stopped by the hook's
 * cleanup (nothing is committed after that) or aborted by the user (status "aborted").
 */
export class StreamRun {
  private readonly controller = new AbortController();
  private live = true;
  private aborted = false;
  private header: unknown;
  /** Array mode: the items so far, appended in place; each commit hands React a copy (`committedItems`). */
  private readonly items: unknown[] | undefined;
  private committedItems: unknown[] | undefined;
  private acc: unknown;
  private footer: unknown;
  private status: StreamStatus;
  private error: unknown;
  private position: number | undefined;
  private nextCommit: Cancel | undefined;

  constructor(
    private readonly id: string,
    from: StreamSnapshot,
    private readonly setup: RunSetup,
  ) {
    ({ header: this.header, footer: this.footer, status: this.status, error: this.error, position: this.position } = from);
    if (Array.isArray(from.items) && setup.options().reduce === undefined) {
      this.items = from.items.slice();
      this.committedItems = from.items;
    } else this.acc = from.items;
  }

  /** What this run reads. */
  get request(): RunRequest {
    return this.setup.request;
  }

  /** Reads the stream, a microtask from now: strict mode's first effect is cleaned up before that, and opens nothing. */
  start(): void {
    void Promise.resolve().then(() => (this.live ? this.read() : undefined));
  }

  /** The hook's cleanup (unmount, a new request): cancels the request and commits nothing more. */
  stop(reason: unknown): void {
    if (!this.live) return;
    this.setup.remember?.(this.snapshot(), true);
    this.live = false;
    this.nextCommit?.();
    this.nextCommit = undefined;
    this.controller.abort(reason);
  }

  /** With `resume`: keeps the state as it is now, to be read again after a page load (the page is being left). */
  keep(): void {
    if (this.live) this.setup.remember?.(this.snapshot(), true);
  }

  /** The user's abort(): cancels the request; status "aborted", committed at once. */
  abort(reason?: unknown): void {
    if (!this.live || this.status !== "streaming") return;
    this.aborted = true;
    this.controller.abort(reason ?? abortError("The stream was aborted."));
    this.finish("aborted");
  }

  private async read(): Promise<void> {
    const signal = this.controller.signal;
    const resumeAfter = this.position;
    try {
      const reader = this.open(signal, resumeAfter);
      if (this.setup.types.header !== undefined) {
        if (resumeAfter === undefined) this.header = await reader.readHeader();
        else await this.headerOfResumed(reader);
        this.position ??= 0;
        this.schedule();
      }
      for await (const batch of reader.readItemBatches()) {
        if (!this.live) return;
        const fold = this.setup.options().reduce as ((acc: unknown, item: unknown) => unknown) | undefined;
        if (this.items !== undefined) for (const item of batch) this.items.push(item);
        else if (fold !== undefined) for (const item of batch) this.acc = fold(this.acc, item);
        this.position = (this.position ?? 0) + batch.length;
        this.schedule();
      }
      if (this.setup.types.footer !== undefined) this.footer = await reader.readFooter();
      this.finish("done");
    } catch (error) {
      if (this.aborted || signal.aborted) this.finish("aborted");
      else this.finish("error", error);
    }
  }

  /** Opens the reader: fetches a URL or Request (with `Last-Event-ID` when continuing), or calls the request function. */
  private open(signal: AbortSignal, resumeAfter: number | undefined): RunReader {
    const { init, reduce: _reduce, initial: _initial, throttleMs, resume: _resume, ...readerOptions } = this.setup.options();
    if (throttleMs !== undefined && !(typeof throttleMs === "number" && throttleMs >= 0 && throttleMs <= 2 ** 31 - 1)) {
      throw new StreamError("OPTIONS", `throttleMs must be a number of milliseconds from 0 to 2147483647 (0: commit every batch), not ${String(throttleMs)}.`);
    }
    const lastEventId = resumeAfter === undefined ? undefined : String(resumeAfter);
    // `startAfter` is the reader's option for starting at a position; the Last-Event-ID header is also set here, for readers without it.
    const options = { ...readerOptions, signal, ...(lastEventId === undefined ? {} : { startAfter: lastEventId }) };
    const { request, types } = this.setup;
    if (typeof request === "function") return types.reader(request(signal, lastEventId), options) as RunReader;
    if (typeof Request !== "undefined" && request instanceof Request) {
      void bodyTextOf(request); // read a clone before fetch takes the body, for comparing a later render's Request with this one
      if (lastEventId === undefined) return types.fetch(request, init, options) as RunReader;
      const headers = new Headers(init?.headers ?? request.headers);
      headers.set("last-event-id", lastEventId);
      return types.fetch(request, { ...init, headers }, options) as RunReader;
    }
    if (lastEventId === undefined) return types.fetch(request, init, options) as RunReader;
    const headers = new Headers(init?.headers);
    headers.set("last-event-id", lastEventId);
    return types.fetch(request, { ...init, headers }, options) as RunReader;
  }

  /**
   * Continuing after a position, the header is one the run already has: a reader that starts after it says ORDER at
   * once, and so does one reading a resumed response (its first part is an item). A header means the server started
   * over (it is not durable): what the run had is replaced by the new read.
   */
  private async headerOfResumed(reader: RunReader): Promise<void> {
    try {
      const header = await reader.readHeader();
      this.header = header;
      if (this.items !== undefined) {
        this.items.length = 0;
        this.committedItems = undefined;
      } else this.acc = this.setup.options().initial;
      this.position = 0;
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== "ORDER" || this.controller.signal.aborted) throw error;
    }
  }

  /** The next commit: on the next animation frame (default), after `throttleMs`, or now (`throttleMs: 0`). */
  private schedule(): void {
    if (this.nextCommit !== undefined) return;
    const throttleMs = this.setup.options().throttleMs;
    if (throttleMs === 0) return this.commit();
    if (throttleMs === undefined && typeof requestAnimationFrame === "function") {
      const handle = requestAnimationFrame(() => this.commit());
      this.nextCommit = () => cancelAnimationFrame(handle);
    } else {
      const handle = setTimeout(() => this.commit(), throttleMs ?? 16);
      this.nextCommit = () => clearTimeout(handle);
    }
  }

  private commit(): void {
    this.nextCommit?.();
    this.nextCommit = undefined;
    if (!this.live) return;
    const snapshot = this.snapshot();
    this.setup.publish(snapshot);
    this.setup.remember?.(snapshot, snapshot.status !== "streaming");
  }

  private finish(status: StreamStatus, error?: unknown): void {
    if (this.status !== "streaming") return;
    this.status = status;
    this.error = error;
    this.commit();
  }

  /** The state to commit: items copied once per commit (not per batch), and only when new ones came. */
  private snapshot(): StreamSnapshot {
    let items = this.acc;
    if (this.items !== undefined) {
      if (this.committedItems?.length !== this.items.length) this.committedItems = this.items.slice();
      items = this.committedItems;
    }
    return { id: this.id, header: this.header, items, footer: this.footer, status: this.status, error: this.error, position: this.position };
  }
}

/** The reason an abort carries, as fetch's own: a DOMException named AbortError. */
export function abortError(message: string): unknown {
  return typeof DOMException === "function" ? new DOMException(message, "AbortError") : Object.assign(new Error(message), { name: "AbortError" });
}
