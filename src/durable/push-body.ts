// A response body that pushes its bytes into a sink (a socket, a stream's queue) instead of being pulled frame by frame: what a fanned-out durable reader needs.

/** Where a pushed body's bytes go. */
export interface ByteSink {
  /** Queues `bytes` for the consumer; the sink may keep a reference to them (they are never changed afterwards). */
  write(bytes: Uint8Array): void;
  /** Bytes written that the consumer has not taken yet. */
  readonly buffered: number;
  /** Resolves when the consumer wants more: at once, or once it has taken what is buffered (or is gone). */
  room(): Promise<void>;
  /** The body ends here. */
  close(): void;
}

/** A body whose bytes are pushed: started once, into one sink. */
export interface PushBody {
  /** Starts writing into `sink`; it ends with `sink.close()`, unless cancelled first. */
  start(sink: ByteSink): void;
  /** The consumer went away: stop, release what is held. */
  cancel(): void;
}

const pushBodies = new WeakMap<ReadableStream<Uint8Array>, PushBody>();

/** Registers `body` as the push form of `stream`, for a server adapter that can write bytes to a socket directly (see takePushBody). */
export function registerPushBody(stream: ReadableStream<Uint8Array>, body: PushBody): void {
  pushBodies.set(stream, body);
}

/**
 * The push form of `stream`, taken from it (the stream is locked: nobody else reads it), or undefined when it has
 * none or is already being read. Used by `sendResponse` (streamtypes/node) to write a durable stream's shared
 * frames straight to the socket.
 *
 * @example
 * const body = takePushBody(response.body);
 * if (body) body.start({ write: (b) => res.write(b), get buffered() { return res.writableLength }, room, close: () => res.end() });
 */
export function takePushBody(stream: ReadableStream<Uint8Array> | null | undefined): PushBody | undefined {
  if (stream === null || stream === undefined) return undefined;
  const body = pushBodies.get(stream);
  if (body === undefined || stream.locked) return undefined;
  pushBodies.delete(stream);
  stream.getReader();
  return body;
}
