// One response of a durable stream: it opens the stream (starting its producer if it is the first), reads the store from its client's position until it has caught up, then takes the shared frames of the stream's fan.
import { StreamError } from "../errors.js";
import type { FrameEncoder } from "../format.js";
import { FrameKind } from "../protocol.js";
import type { StreamSpec } from "../spec.js";
import type { Producer } from "../writer/producer.js";
import { remoteInfo, type StreamWriterImpl } from "../writer/writer.js";
import { attach, startProducer } from "./durable-producer.js";
import { alignedEncoder, openingBytes, StreamFan, type FanMember } from "./fan-out.js";
import type { ByteSink } from "./push-body.js";
import { StoreOutage } from "./store-outage.js";
import { isTerminal, storeError, type ReplayStore, type StoredPart } from "./store.js";

/** What a response needs of `STREAM.durable()`'s options, resolved. */
export interface ReaderSettings {
  readonly store: ReplayStore;
  readonly after: number;
  readonly keepAliveMs: number | undefined;
  readonly maxDurationMs: number | undefined;
  readonly retryStoreMs: number;
  readonly maxBufferedBytes: number;
  readonly mayStart: (streamId: string) => Promise<boolean>;
  readonly producerOptions: Parameters<typeof startProducer>[4];
}

/** A `start` hook that threw: its error goes to the reader as it is, not as the store's. */
export class StartHookFailure {
  constructor(readonly cause: unknown) {}
}

/**
 * A durable stream's response, written into a {@link ByteSink}. While it is behind the stream's fan it frames the
 * parts it reads from the store with its own encoder, one at a time as the sink takes them; once at the fan's
 * position it joins the fan and drops its encoder: each later part costs it one write of bytes shared with every
 * reader of its format. When the bytes waiting in its sink pass `maxBufferedBytes` (a slow client), it leaves the
 * fan and reads the store at its own pace again, from its own position: memory per reader stays bounded.
 */
export class DurableReader implements FanMember {
  readonly format;
  readonly keepAliveMs: number | undefined;
  position: number;
  /** Its own encoder, while it reads the store itself; undefined while it takes the fan's frames. */
  private encoder: FrameEncoder | undefined;
  /** Whether its opening bytes (binary marker, resume frame) went out. */
  private opened = false;
  private sink!: ByteSink;
  private fan: StreamFan | undefined;
  private parts: AsyncIterator<StoredPart> | undefined;
  private abort: AbortController | undefined;
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private detach = () => {};
  private done = false;

  constructor(
    private readonly spec: StreamSpec,
    private readonly streamId: string,
    private readonly producer: Producer<StreamWriterImpl>,
    private readonly settings: ReaderSettings,
  ) {
    this.format = spec.format;
    this.keepAliveMs = settings.keepAliveMs;
    this.position = settings.after;
    this.encoder = this.format.encoder({ resumeAfter: settings.after >= 0 ? String(settings.after) : undefined, maxPayloadBytes: spec.maxFrameBytes });
  }

  /** Starts the response into `sink`. */
  start(sink: ByteSink): void {
    this.sink = sink;
    const { maxDurationMs } = this.settings;
    if (maxDurationMs !== undefined) {
      // Time is up: end between two frames, without the end frame; the reader reconnects from here.
      this.deadline = setTimeout(() => this.end(), maxDurationMs);
    }
    void this.open().then(
      () => this.catchUp(),
      (err: unknown) => this.failWith(err),
    );
  }

  /** The client left. */
  cancel(): void {
    this.finish();
  }

  take(frame: Uint8Array, part: StoredPart): void {
    this.sink.write(frame);
    this.position = part.id;
    if (isTerminal(part.kind)) this.end();
    else if (this.sink.buffered > this.settings.maxBufferedBytes) this.fallBehind();
  }

  keepAlive(frame: Uint8Array): void {
    this.sink.write(frame);
    if (this.sink.buffered > this.settings.maxBufferedBytes) this.fallBehind();
  }

  fail(err: unknown): void {
    this.fan = undefined;
    this.failWith(err);
  }

  /** Opens the stream in the store, starting its producer if this request is the first (as the store decides). */
  private async open(): Promise<void> {
    const { store, after, retryStoreMs } = this.settings;
    const outage = new StoreOutage(store, this.streamId, this.format, retryStoreMs);
    // Only a client without a position may start the stream: one with a position lost it if it is not there.
    const allowed = after < 0 && (await this.settings.mayStart(this.streamId).catch((err: unknown) => Promise.reject(new StartHookFailure(err))));
    for (;;) {
      let created: boolean;
      try {
        created = allowed && (await store.create(this.streamId, this.format.codec.name));
      } catch (err) {
        if (this.done) return;
        await outage.retry(err, this.position); // the store is away: try again, as a read would
        continue;
      }
      if (this.done) return;
      if (created) startProducer(this.spec, store, this.streamId, this.producer, this.settings.producerOptions);
      this.detach = attach(store, this.streamId);
      return;
    }
  }

  /** Reads the store from its position while it is behind the stream's fan (or there is none), then joins it. */
  private async catchUp(): Promise<void> {
    const { store, retryStoreMs } = this.settings;
    const codec = this.format.codec.name;
    const outage = new StoreOutage(store, this.streamId, this.format, retryStoreMs);
    try {
      for (;;) {
        if (this.done) return;
        const fan = StreamFan.of(store, this.streamId, codec) ?? StreamFan.at(store, this.streamId, codec, this.position, { retryStoreMs, maxPayloadBytes: this.spec.maxFrameBytes, format: this.format });
        if (fan.join(this) !== "behind") return this.joined(fan);
        const missed = fan.since(this.position);
        if (missed !== undefined) {
          // A few parts behind (it came as a part arrived): the fan still has them; then it is at the fan's position.
          // Within maxBufferedBytes, as live: a slow client that falls behind again waits for room first.
          for (const part of missed) {
            if (this.write(part)) return this.end();
            if (this.sink.buffered > this.settings.maxBufferedBytes) break;
          }
          if (this.sink.buffered > this.settings.maxBufferedBytes) await this.sink.room();
          continue;
        }
        await this.sink.room();
        if (this.done) return;
        let result: IteratorResult<StoredPart>;
        try {
          this.abort ??= new AbortController();
          this.parts ??= store.read(this.streamId, this.position, this.abort.signal, codec)[Symbol.asyncIterator]();
          result = await this.parts.next();
        } catch (err) {
          this.closeParts();
          if (this.done) return;
          await outage.retry(err, this.position);
          continue;
        }
        if (this.done) return;
        if (result.done) throw new StreamError("GONE", `The replay store stopped giving the parts of "${this.streamId}" before its end.`);
        const part = result.value;
        if (part.id <= this.position) continue;
        outage.recovered();
        if (this.write(part)) return this.end();
      }
    } catch (err) {
      this.failWith(err);
    }
  }

  /** Frames `part` with its own encoder and writes it; true when it was the last. */
  private write(part: StoredPart): boolean {
    this.encoder ??= alignedEncoder(this.format, this.position, this.spec.maxFrameBytes);
    this.opened = true;
    this.sink.write(this.encoder.frame(part.kind, part.payload));
    this.position = part.id;
    return isTerminal(part.kind);
  }

  /** Now in the fan (live, or waiting ahead): its own read and encoder go; its opening bytes go out if none did. */
  private joined(fan: StreamFan): void {
    this.fan = fan;
    this.closeParts();
    if (!this.opened) {
      this.opened = true;
      const opening = openingBytes(this.encoder!);
      if (opening.length > 0) this.sink.write(opening);
    }
    this.encoder = undefined;
  }

  /** Too many bytes wait in its sink: it leaves the fan, and reads the store from its position once the client has taken them. */
  private fallBehind(): void {
    this.fan?.leave(this);
    this.fan = undefined;
    void this.sink.room().then(() => this.catchUp());
  }

  /** The store failed or lost the stream: the reader gets an error frame, never a stream that looks complete. */
  private failWith(err: unknown): void {
    if (this.done) return;
    const failure = err instanceof StartHookFailure ? err.cause : err instanceof StreamError ? err : storeError(this.streamId, "reading", err);
    const encoder = this.encoder ?? alignedEncoder(this.format, this.position, this.spec.maxFrameBytes);
    this.sink.write(encoder.frame(FrameKind.ERROR, this.format.codec.encode(remoteInfo(failure, false))));
    this.end();
  }

  /** The response's end: after the terminal part, an error frame, or at maxDurationMs. */
  private end(): void {
    if (this.done) return;
    this.finish();
    this.sink.close();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.deadline);
    this.fan?.leave(this);
    this.fan = undefined;
    this.closeParts();
    this.detach();
  }

  private closeParts(): void {
    const parts = this.parts;
    this.parts = undefined;
    this.abort?.abort();
    this.abort = undefined;
    void Promise.resolve(parts?.return?.()).catch(() => {});
  }
}
