/**
 * Reads exact byte counts from a socket as promises, for the bench's RFB client. Chunks are kept in
 * a list and copied only when a read spans two of them.
 */
import type { Socket } from 'node:net';

const EMPTY = Buffer.alloc(0);

export class ByteReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private want = 0;
  private waiter: ((b: Buffer) => void) | null = null;
  private failer: ((e: Error) => void) | null = null;
  private ended: Error | null = null;
  /** Bytes received so far. */
  received = 0;
  /** Bytes read (consumed) so far: the bench's bytes per update. */
  consumed = 0;

  constructor(socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      this.chunks.push(d);
      this.have += d.length;
      this.wake();
    });
    const end = (): void => {
      this.ended ??= new Error('the server closed the connection');
      const f = this.failer;
      this.waiter = this.failer = null;
      f?.(this.ended);
    };
    socket.on('close', end);
    socket.on('error', (e) => {
      this.ended = e;
      end();
    });
  }

  read(n: number): Promise<Buffer> {
    if (this.have >= n) return Promise.resolve(this.take(n));
    if (this.ended) return Promise.reject(this.ended);
    this.want = n;
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failer = reject;
    });
  }

  async u8(): Promise<number> {
    return (await this.read(1))[0]!;
  }

  async u16(): Promise<number> {
    return (await this.read(2)).readUInt16BE(0);
  }

  async u32(): Promise<number> {
    return (await this.read(4)).readUInt32BE(0);
  }

  private wake(): void {
    if (this.waiter === null || this.have < this.want) return;
    const w = this.waiter;
    this.waiter = this.failer = null;
    w(this.take(this.want));
  }

  private take(n: number): Buffer {
    // A zero-length field (x11vnc's empty ServerCutText) may come with nothing buffered.
    if (n === 0) return EMPTY;
    this.have -= n;
    this.consumed += n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}
