// The bytes a frame decoder holds: received chunks in a list, never concatenated, with tiny chunks gathered in a shared tail buffer.

/** Chunks shorter than this are gathered into a shared buffer instead of being kept one by one. */
const SMALL_CHUNK_BYTES = 256;
const TAIL_BYTES = 16 * 1024;

/**
 * The bytes received and not yet consumed, as a list of chunks: a chunk of SMALL_CHUNK_BYTES or more is kept as it
 * is (a frame inside it can be read in place); smaller ones are copied into a shared tail buffer, so that a peer
 * sending a byte at a time makes the list hold about its bytes, not an object per byte. The reader's position is
 * `chunks[head]` at `offset`; `buffered` bytes are held from there on.
 *
 * @example
 * const list = new ChunkList();
 * list.push(Uint8Array.of(1, 2));
 * list.push(Uint8Array.of(3));
 * list.peek(new Uint8Array(3)); // Uint8Array [1, 2, 3]
 */
export class ChunkList {
  chunks: Uint8Array[] = [];
  /** Index of the first chunk still in use, and the read position inside it. */
  head = 0;
  offset = 0;
  /** Bytes held from (head, offset) on, tail bytes not yet sealed included. */
  buffered = 0;
  /** Where tiny chunks are gathered; only ever appended to, so views of it stay valid. */
  private tail = new Uint8Array(0);
  private tailUsed = 0;
  /** Bytes of the tail buffer already in the chunk list; those after it, up to tailUsed, are not yet. */
  private tailSealed = 0;
  /** True while the chunk list ends with the current tail buffer's view that ends at tailSealed. */
  private tailViewLast = false;

  push(chunk: Uint8Array): void {
    const length = chunk.length;
    if (length === 0) return;
    this.buffered += length;
    if (length < SMALL_CHUNK_BYTES) {
      // They join the chunk list when a reader needs them (see seal), as one view, not one view per chunk.
      let tail = this.tail;
      if (this.tailUsed + length > tail.length) {
        this.seal();
        tail = this.tail = new Uint8Array(TAIL_BYTES);
        this.tailUsed = this.tailSealed = 0;
        this.tailViewLast = false;
      }
      const at = this.tailUsed;
      if (length <= 32) for (let i = 0; i < length; i++) tail[at + i] = chunk[i]!;
      else tail.set(chunk, at);
      this.tailUsed = at + length;
      return;
    }
    this.seal();
    this.chunks.push(chunk);
    this.tailViewLast = false;
  }

  /**
   * Puts the tiny chunks gathered since the last call at the end of the list: the last chunk grows over them when it
   * is the tail buffer's latest view, so that a frame that trickled in stays in one view (read in place, without the
   * copy a frame across chunks needs); otherwise they join as a new view. Call before reading `chunks`.
   */
  seal(): void {
    const start = this.tailSealed;
    const used = this.tailUsed;
    if (used === start) return;
    const chunks = this.chunks;
    const last = chunks.length - 1;
    const tail = this.tail;
    if (last >= this.head && this.tailViewLast) {
      const view = chunks[last]!;
      chunks[last] = new Uint8Array(tail.buffer, view.byteOffset, view.length + used - start);
    } else {
      chunks.push(new Uint8Array(tail.buffer, tail.byteOffset + start, used - start));
      this.tailViewLast = true;
    }
    this.tailSealed = used;
  }

  /** Moves the read position to `end` within the current chunk, dropping the chunk when it is used up. */
  advanceWithin(chunk: Uint8Array, end: number): void {
    if (end < chunk.length) {
      this.offset = end;
      return;
    }
    this.chunks[this.head] = undefined as unknown as Uint8Array; // let the chunk be collected
    this.head++;
    this.offset = 0;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
      this.tailViewLast = false;
    } else if (this.head >= 1024) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Consumes `count` bytes (they must be sealed and held). */
  skip(count: number): void {
    this.buffered -= count;
    while (count > 0) {
      const chunk = this.chunks[this.head]!;
      const take = Math.min(count, chunk.length - this.offset);
      count -= take;
      this.advanceWithin(chunk, this.offset + take);
    }
  }

  /** Consumes the next `length` held bytes into a new buffer of exactly that size: a frame that spans chunks. */
  take(length: number): Uint8Array {
    this.seal();
    this.buffered -= length;
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[this.head]!;
      const at = this.offset;
      const take = Math.min(length - filled, chunk.length - at);
      out.set(take === chunk.length - at && at === 0 ? chunk : chunk.subarray(at, at + take), filled);
      filled += take;
      this.advanceWithin(chunk, at + take);
    }
    return out;
  }

  /** Fills `target` with held bytes from the current position, without consuming them. */
  peek(target: Uint8Array): Uint8Array {
    this.seal();
    let filled = 0;
    let at = this.offset;
    for (let i = this.head; i < this.chunks.length && filled < target.length; i++) {
      const chunk = this.chunks[i]!;
      const take = Math.min(target.length - filled, chunk.length - at);
      target.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at = 0;
    }
    return filled === target.length ? target : target.subarray(0, filled);
  }

  /** Forgets every byte held (a new connection). */
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.buffered = 0;
    this.tail = new Uint8Array(0);
    this.tailUsed = this.tailSealed = 0;
    this.tailViewLast = false;
  }
}
