/**
 * The bytes a client has sent and the server has not parsed yet. The parser peeks at a message's
 * header, learns its length, and takes it only when all of it is here. The queue never holds more
 * than one message beyond what the caller allows: the limits on message lengths are checked on
 * the header (message-parser.ts), before the body is waited for.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  length = 0;

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }

  /** The byte at offset i (i < length). */
  byteAt(i: number): number {
    let k = 0;
    let off = this.head + i;
    while (off >= this.chunks[k]!.length) {
      off -= this.chunks[k]!.length;
      k++;
    }
    return this.chunks[k]![off]!;
  }

  u16At(i: number): number {
    return (this.byteAt(i) << 8) | this.byteAt(i + 1);
  }

  u32At(i: number): number {
    return ((this.byteAt(i) << 24) | (this.byteAt(i + 1) << 16) | (this.byteAt(i + 2) << 8) | this.byteAt(i + 3)) >>> 0;
  }

  /** Removes and returns the first n bytes (n <= length); a view when they lie in one chunk. */
  take(n: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      this.length -= n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[0]!;
      const k = Math.min(n - o, c.length - this.head);
      c.copy(out, o, this.head, this.head + k);
      o += k;
      this.head += k;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.length -= n;
    return out;
  }

  /** Drops the first n bytes (n <= length). */
  skip(n: number): void {
    this.take(n);
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.length = 0;
  }
}
