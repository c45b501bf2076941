/**
 * Reused scratch memory for one encoder (or one session's snapshots): the buffers of an update are
 * carved out of one growing allocation instead of being allocated per rectangle and per tile, so
 * the hot path allocates nothing once the arena has reached the largest update's size.
 *
 * Invariant: a region handed out stays untouched until reset(); reset() is called only when
 * nothing that was given a region (zlib, sharp, a snapshot being encoded) still reads it. A region
 * is never written to a socket (a socket may still hold it after the update is done): what leaves
 * the encoder is either compressed (a new buffer) or copied. Growing moves on to a new, larger
 * allocation; the regions handed out of the old one stay valid (their holders keep it alive).
 */

/** Regions start at multiples of this, so a Uint32Array can view any region. */
const ALIGN = 8;

export class ScratchArena {
  private buf: Buffer;
  private used = 0;
  private view: Uint32Array | null = null;

  constructor(initialBytes = 0) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** `bytes` of scratch (contents undefined), valid until the next reset(). */
  take(bytes: number): Buffer {
    let start = (this.used + ALIGN - 1) & ~(ALIGN - 1);
    if (start + bytes > this.buf.length) {
      // Enough for this update again, and room to grow without a new allocation per rectangle.
      this.buf = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * this.buf.length));
      start = 0;
    }
    this.used = start + bytes;
    return this.buf.subarray(start, start + bytes);
  }

  /** `n` 32-bit words of scratch, valid until the next reset(). */
  takeWords(n: number): Uint32Array {
    const b = this.take(4 * n);
    return new Uint32Array(b.buffer, b.byteOffset, n);
  }

  /**
   * A Uint32Array over the whole allocation a region of this arena lies in (made once per
   * allocation), so a region can be written a word at a time without a view per call: word i of
   * region b is `view[(b.byteOffset >>> 2) + i]` (regions start 8-aligned).
   */
  wordsOf(region: Buffer): Uint32Array {
    const ab = region.buffer;
    if (this.view === null || this.view.buffer !== ab) this.view = new Uint32Array(ab, 0, ab.byteLength >>> 2);
    return this.view;
  }

  reset(): void {
    this.used = 0;
  }
}
