// A writer's frame buffer: frames carved out of slabs it owns, and the Output codecs write a frame into.
import type { SchemaCodec } from "../codecs/codec.js";
import { Output } from "../codecs/output.js";

/**
 * Size of the buffers small frames are written into. Allocating a Uint8Array of more than 64 bytes (V8 keeps
 * smaller ones on its heap) costs 0.5–1 µs, more than encoding a small item; a view of a slab costs ~30 ns. A
 * writer keeps its slab while it lives, so at 5,000 open streams this is held 5,000 times: 8 KiB (about 160 small
 * frames, a few ns each for the allocation) rather than 64 KiB.
 */
const SLAB_BYTES = 8 * 1024;
/** The first slab of a writer: small, so that a stream that writes few frames (an end frame) holds little; it doubles up to SLAB_BYTES. */
const FIRST_SLAB_BYTES = 1024;
/** Frames larger than this get a buffer of their own (see allocate). */
const SLAB_MAX_FRAME_BYTES = 8 * 1024;
/** Room a slab must have left for a value to be written into it (else a new slab): most small frames fit, a larger one moves out once. */
const MIN_SLAB_ROOM = 256;

const NO_BYTES = new Uint8Array(0);

/**
 * The frames of one writer. Small frames are carved out of a slab and returned as views of it, so a stream of
 * small items costs one buffer allocation per slab rather than one per frame. A slab is never written twice:
 * every frame returned stays valid and unchanged. Large frames get a buffer of their own, so that a small frame
 * kept around pins at most one slab and a large one pins nothing else. Nothing here is shared with another
 * writer: codecs write into this writer's slab (`begin`/`commit`), never into a buffer of their own or a library's.
 *
 * @example
 * const slab = new FrameSlab();
 * const out = slab.begin(5); // room for a 5-byte header
 * codec.encodeInto(value, out);
 * const frame = slab.commit(0); // the header's bytes at frame[0..5) are the framing's to write
 */
export class FrameSlab {
  private slab = NO_BYTES;
  private used = 0;
  /** The size of the next slab: doubling up to SLAB_BYTES, or twice what the last slab held once it was released. */
  private nextBytes = FIRST_SLAB_BYTES;
  /** Where codecs write the frame being made. */
  readonly out = new Output();

  /**
   * Room for one frame whose size is known: a view of the slab, or a buffer of its own when large.
   * A slab whose ArrayBuffer was transferred (postMessage) reads as length 0 and is replaced here too.
   */
  allocate(size: number): Uint8Array {
    if (size > SLAB_MAX_FRAME_BYTES) return new Uint8Array(size);
    if (this.used + size > this.slab.length) this.newSlab(size);
    const start = this.used;
    this.used = start + size;
    // The constructor, not subarray(): subarray looks up Symbol.species and costs twice as much.
    return new Uint8Array(this.slab.buffer, start, size);
  }

  /** Starts a frame of unknown size: the output points at the free part of the slab, after `headroom` bytes for the framing. */
  begin(headroom: number): Output {
    if (this.slab.length - this.used < headroom + MIN_SLAB_ROOM) this.newSlab(headroom + MIN_SLAB_ROOM);
    this.out.reset(this.slab, this.used, this.used + headroom);
    return this.out;
  }

  /**
   * Starts a frame and writes `value` into it with a compiled codec, after `headroom` bytes for the framing: the
   * payload's length, or undefined when the codec does not take the value (nothing is committed then).
   */
  writeChecked(compiled: SchemaCodec, value: unknown, headroom: number): number | undefined {
    const out = this.begin(headroom);
    if (compiled.write === undefined || !compiled.write(value, out)) return undefined;
    return out.pos - out.start - headroom;
  }

  /** Appends the two bytes that end a text frame (`}` and a line feed, two line feeds) to the frame being written. */
  endWith(first: number, second: number): void {
    const out = this.out;
    out.ensure(2);
    out.bytes[out.pos++] = first;
    out.bytes[out.pos++] = second;
  }

  /**
   * Ends the frame begun: its bytes from `out.start + skip` to `out.pos` (skip: headroom the framing did not use),
   * a view of the slab, or an exact copy when it outgrew the slab into a buffer grown ahead of need. Call only
   * once the frame is complete; a frame begun and not committed leaves nothing behind.
   */
  commit(skip: number): Uint8Array {
    const out = this.out;
    const bytes = out.bytes;
    const start = out.start + skip;
    out.bytes = NO_BYTES; // the output keeps no frame alive
    if (bytes === this.slab) {
      this.used = out.pos;
      return new Uint8Array(bytes.buffer, bytes.byteOffset + start, out.pos - start);
    }
    return bytes.slice(start, out.pos);
  }

  /**
   * Lets go of the slab while the writer is idle (a producer waiting for its source): the frames already made keep
   * their bytes, and the next frame takes a new slab, sized to what this one held. A paused stream then holds no
   * slab, rather than up to SLAB_BYTES of which most is unused.
   */
  release(): void {
    if (this.slab === NO_BYTES) return;
    this.nextBytes = Math.min(SLAB_BYTES, Math.max(FIRST_SLAB_BYTES, this.used * 2));
    this.slab = NO_BYTES;
    this.used = 0;
  }

  /** A new slab of at least `size` bytes. Sized to the stream: thousands of writers that each write a few small frames hold a KiB each, not 64. */
  private newSlab(size: number): void {
    const bytes = this.slab === NO_BYTES ? this.nextBytes : Math.min(SLAB_BYTES, Math.max(FIRST_SLAB_BYTES, this.slab.length * 2));
    this.slab = new Uint8Array(Math.max(size, bytes));
    this.used = 0;
  }
}
