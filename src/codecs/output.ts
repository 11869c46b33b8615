// The bytes a writer owns and compiled codecs write into: a buffer, where the frame being written starts, and the write position.

/**
 * Where a compiled codec writes one payload. Each frame encoder (one per writer) owns one, pointed at its own
 * buffer: no buffer is shared across writers or definitions. When the payload outgrows the buffer, `ensure`
 * moves the frame written so far (from `start`) into a new, larger buffer of its own, so frames already returned
 * from the old buffer stay untouched.
 *
 * @example
 * const out = new Output();
 * out.reset(new Uint8Array(16), 0, 5); // a frame at 0, its payload after a 5-byte header
 * out.ensure(100); // now a larger buffer, the 5 bytes carried over
 */
export class Output {
  bytes: Uint8Array = new Uint8Array(0);
  /** Where the frame being written starts in `bytes` (its header, before the payload). */
  start = 0;
  /** The next byte to write. */
  pos = 0;

  reset(bytes: Uint8Array, start: number, pos: number): void {
    this.bytes = bytes;
    this.start = start;
    this.pos = pos;
  }

  /** Room for `n` more bytes at `pos`. */
  ensure(n: number): void {
    if (this.pos + n > this.bytes.length) this.grow(n);
  }

  private grow(n: number): void {
    const used = this.pos - this.start;
    const next = new Uint8Array(Math.max(4096, (used + n) * 2));
    next.set(this.bytes.subarray(this.start, this.pos), 0);
    this.bytes = next;
    this.start = 0;
    this.pos = used;
  }
}
