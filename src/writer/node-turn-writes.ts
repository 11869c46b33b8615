// Node-only: the chunks a response body yields in one turn of the event loop, written to a ServerResponse as one chunk.
import { Buffer } from "node:buffer";
import type { ServerResponse } from "node:http";
import { joinFrames } from "./turn-chunks.js";

/** Gathered chunks are written at once from this many bytes on, without waiting for the end of the turn. */
const GATHER_BYTES = 16 * 1024;

/**
 * Gathers the chunks (a producer's frames) that arrive in one turn and writes them with one `res.write` when the
 * turn's microtasks are done: a write through `node:http` costs more than copying a small frame (chunked
 * encoding adds its own pieces to every write). Frames that lie next to each other in their writer's slab go as
 * one view of it (the writer drops the slab at the turn's end, so it lives only until written); others are
 * copied. A chunk is never held past the turn it arrived in, nor beyond GATHER_BYTES.
 *
 * @example
 * const writes = new TurnWrites(res);
 * writes.add(frame); // written when the turn ends
 * if (res.writableNeedDrain) await once(res, "drain");
 */
export class TurnWrites {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  private scheduled = false;
  /** A write has been made: it carried the head. */
  private wrote = false;
  /** Writes the turn's chunks once its microtasks are done (queued with process.nextTick). */
  private readonly flushAtTurnEnd: () => void;
  /** Sends the head alone when the first turn wrote nothing. */
  private readonly flushHead: () => void;

  /** `onTurnEnd`: called once a turn's frames are written (the producer is waiting), to let its writer drop its slab. */
  constructor(
    private readonly res: ServerResponse,
    private readonly onTurnEnd?: () => void,
  ) {
    // Assigned, not class fields: under a build that keeps function names, each named closure holds a property table.
    this.flushAtTurnEnd = () => {
      this.scheduled = false;
      this.flush();
      this.onTurnEnd?.();
    };
    this.flushHead = () => {
      const res = this.res;
      if (this.scheduled || this.wrote || res.destroyed || res.writableEnded) return; // (headersSent is true from writeHead on)
      res.flushHeaders();
    };
  }

  /** Adds a chunk, written with the others of this turn. Check `res.writableNeedDrain` afterwards, as after `res.write`. */
  add(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= GATHER_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushAtTurnEnd);
    }
  }

  /**
   * Sends the response's head when the current turn ends, unless the turn writes frames (its write carries the
   * head): the client learns the status before a producer's first frame either way, in one write fewer per stream.
   * From a microtask, so that the check runs after every microtask of this turn (a tick queued from the request's
   * own callback would run before them).
   */
  headAtTurnEnd(): void {
    void Promise.resolve().then(() => process.nextTick(this.flushHead));
  }

  /** Writes what is gathered now (before `res.end()`). */
  flush(): void {
    const chunks = this.chunks;
    if (chunks.length === 0) return;
    const bytes = this.bytes;
    this.chunks = [];
    this.bytes = 0;
    if (this.res.destroyed || this.res.writableEnded) return;
    this.wrote = true;
    this.res.write(chunks.length === 1 ? chunks[0]! : joined(chunks, bytes));
  }
}

/**
 * The chunks as one: a view of them where they are adjacent, else copied once per turn into Node's pooled
 * allocation (a slice of a shared 8 KiB block for small sizes, never appended to again) rather than a buffer of its
 * own each turn, which would cost the garbage collector a backing store per turn.
 */
function joined(chunks: readonly Uint8Array[], bytes: number): Uint8Array {
  return joinFrames(chunks, bytes, pooledBytes);
}

function pooledBytes(bytes: number): Uint8Array {
  return Buffer.allocUnsafe(bytes);
}
