// A stream's chunks from a producer's frames: the frames it makes in one turn of the event loop, joined into one chunk.
import { afterTurn } from "./turn-end.js";

/**
 * A chunk is handed on from this many bytes on, without waiting for the end of the turn: how far a producer that
 * never waits runs ahead of its reader, per chunk the stream holds.
 */
export const CHUNK_BYTES = 16 * 1024;

/**
 * Joins the frames a producer makes in one turn into one chunk. A chunk through a `ReadableStream` costs a
 * promise and a queue entry in the stream and in its reader, more than encoding a small frame: one per turn
 * instead of one per frame is most of what producing a stream costs. The producer is stepped only while a chunk is
 * asked for, and a chunk holds at most CHUNK_BYTES (plus one frame): a slow consumer still pauses it.
 *
 * @example
 * const chunks = new TurnChunks(() => run.next());
 * const chunk = await chunks.next(); // undefined once the frames have ended
 */
export class TurnChunks {
  private frames: Uint8Array[] = [];
  private bytes = 0;
  /** The source has returned undefined: no frame follows those gathered. */
  private ended = false;
  /** A step of the source is under way (its frame joins the chunk being gathered, or the next one). */
  private stepping = false;
  /** The end of the turn is due to hand on what is gathered. */
  private turnEndDue = false;
  private resolve: ((chunk: Uint8Array | undefined) => void) | undefined;
  private reject: ((err: unknown) => void) | undefined;
  private failure: { err: unknown } | undefined;
  /** Reactions made once per stream: a frame of the source, its failure, the end of a turn. */
  private readonly onFrame: (frame: Uint8Array | undefined) => void;
  private readonly onFailure: (err: unknown) => void;
  private readonly turnEnded: () => void;

  /** `source`: the next frame, or undefined once there are none; `onTurnEnd`: a turn's frames were handed on while the source waits. */
  constructor(
    private readonly source: () => Promise<Uint8Array | undefined>,
    private readonly onTurnEnd?: () => void,
  ) {
    // Assigned, not class fields: under a build that keeps function names, each named closure holds a property table.
    this.onFrame = (frame) => this.frameMade(frame);
    this.onFailure = (err) => this.sourceFailed(err);
    this.turnEnded = () => this.endOfTurn();
  }

  /** The next chunk: the frames of one turn (or CHUNK_BYTES of them), or undefined once every frame was handed on. */
  next(): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      if (this.failure !== undefined || (this.ended && this.frames.length === 0)) return this.handOn();
      if (this.frames.length > 0) {
        // Frames made after the last chunk was handed on: with those of this turn, once it ends.
        if (this.ended || this.bytes >= CHUNK_BYTES) return this.handOn();
        this.atTurnEnd();
      }
      if (!this.stepping && !this.ended) this.step();
    });
  }

  private step(): void {
    this.stepping = true;
    this.source().then(this.onFrame, this.onFailure);
  }

  private frameMade(frame: Uint8Array | undefined): void {
    this.stepping = false;
    if (frame === undefined) {
      this.ended = true;
      if (this.resolve !== undefined) this.handOn();
      return;
    }
    this.frames.push(frame);
    this.bytes += frame.length;
    if (this.resolve === undefined) return; // kept for the next chunk; the producer waits until it is asked for
    if (this.bytes >= CHUNK_BYTES) return this.handOn();
    if (this.frames.length === 1) this.atTurnEnd();
    this.step();
  }

  private sourceFailed(err: unknown): void {
    this.stepping = false;
    this.failure = { err };
    if (this.resolve !== undefined) this.handOn();
  }

  private atTurnEnd(): void {
    if (this.turnEndDue) return;
    this.turnEndDue = true;
    afterTurn(this.turnEnded);
  }

  private endOfTurn(): void {
    this.turnEndDue = false;
    if (this.resolve === undefined || this.frames.length === 0) return;
    this.handOn();
    this.onTurnEnd?.();
  }

  /** Settles the chunk asked for: the frames gathered (then the failure, if the source failed), or undefined at the end. */
  private handOn(): void {
    const resolve = this.resolve!;
    const reject = this.reject!;
    this.resolve = this.reject = undefined;
    const frames = this.frames;
    if (frames.length === 0) {
      if (this.failure !== undefined) reject(this.failure.err);
      else resolve(undefined);
      return;
    }
    const bytes = this.bytes;
    this.frames = [];
    this.bytes = 0;
    resolve(frames.length === 1 ? frames[0]! : joinFrames(frames, bytes));
  }
}

/**
 * The frames as one view when they lie next to each other in one buffer, as the frames a writer makes in a turn
 * usually do (a slab is never written twice, so the view stays as it is); undefined otherwise.
 */
function adjacentView(frames: readonly Uint8Array[], bytes: number): Uint8Array | undefined {
  const first = frames[0]!;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < frames.length; i++) {
    const frame = frames[i]!;
    if (frame.buffer !== first.buffer || frame.byteOffset !== end) return undefined;
    end += frame.length;
  }
  return new Uint8Array(first.buffer, first.byteOffset, bytes);
}

/**
 * The frames as one chunk: a view when they lie next to each other in one buffer (a writer's slab), else copied
 * into `allocate(bytes)` (every byte of it is written here).
 */
export function joinFrames(frames: readonly Uint8Array[], bytes: number, allocate: (bytes: number) => Uint8Array = newBytes): Uint8Array {
  const view = adjacentView(frames, bytes);
  if (view !== undefined) return view;
  const out = allocate(bytes);
  let at = 0;
  for (const frame of frames) {
    out.set(frame, at);
    at += frame.length;
  }
  return out;
}

function newBytes(bytes: number): Uint8Array {
  return new Uint8Array(bytes);
}
