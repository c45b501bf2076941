/**
 * One persistent zlib stream (ZRLE has one per connection, Tight four): every message is the
 * continuation of the stream, ended by a sync flush so the client can decode it at once. node:zlib
 * does the compression on libuv's pool. compress() calls are queued: each message is written once
 * the previous one is out, so the messages follow the order of the calls, which must be the order
 * the client will decode them (a Tight rectangle's tiles call it in tile order, at once).
 */
import { constants, createDeflate, type Deflate } from 'node:zlib';

export class ZlibStream {
  private deflate: Deflate | null = null;
  private level: number;
  private pending: Buffer[] = [];
  /** The last queued message (settled or not). */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(level: number) {
    this.level = level;
  }

  setLevel(level: number): void {
    if (level === this.level) return;
    this.level = level;
    // The next message is compressed at the new level; the stream (and the client's) continue.
    this.deflate?.params(level, constants.Z_DEFAULT_STRATEGY, () => undefined);
  }

  compress(data: Buffer): Promise<Buffer> {
    const p = this.tail.then(() => this.run(data));
    this.tail = p.catch(() => undefined);
    return p;
  }

  private run(data: Buffer): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('zlib stream closed'));
    const d = (this.deflate ??= this.open());
    return new Promise((resolve, reject) => {
      d.write(data);
      d.flush(constants.Z_SYNC_FLUSH, () => {
        const out = Buffer.concat(this.pending);
        this.pending = [];
        if (d.destroyed) reject(new Error('zlib stream closed'));
        else resolve(out);
      });
    });
  }

  close(): void {
    this.closed = true;
    this.deflate?.destroy();
    this.deflate = null;
  }

  private open(): Deflate {
    const d = createDeflate({ level: this.level });
    d.on('data', (c: Buffer) => this.pending.push(c));
    d.on('error', () => undefined);
    return d;
  }
}
