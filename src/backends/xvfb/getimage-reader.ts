/**
 * The "software" surface path: core X GetImage (ZPixmap) of each dirty rectangle, copied row by
 * row into the frame buffer. It works without the framebuffer file, at the cost of every pixel
 * crossing the X socket. MIT-SHM GetImage would avoid the socket, but node-x11 reaches it only
 * through Node's internal pipe bindings and still preads the segment, so vdpush uses core GetImage.
 *
 * The caller grabs the server first, so the rectangles of one frame come from one instant even
 * though they are separate requests. Replies arrive in request order; one bound handler consumes
 * them, so a frame allocates nothing of ours (node-x11 allocates each reply buffer).
 */
import type { GetImageReply, XError } from 'x11';
import type { XConnection } from './x-connection.js';

const Z_PIXMAP = 2;
const ALL_PLANES = 0xffffffff;
const BYTES_PER_PIXEL = 4;

export class GetImageReader {
  private dst: Uint8Array = new Uint8Array(0);
  private dstStride = 0;
  private rects: Int32Array = new Int32Array(0);
  private next = 0;
  private remaining = 0;
  private ok = true;
  private done: (ok: boolean) => void = () => {};
  private readonly onReply = (err: XError | null | undefined, reply: GetImageReply): void => this.reply(err, reply);
  bytesRead = 0;

  constructor(private readonly conn: XConnection) {}

  /** Requests every rectangle; calls `done(ok)` once the last reply (or error) arrived. */
  read(dst: Uint8Array, dstStride: number, rects: Int32Array, count: number, done: (ok: boolean) => void): void {
    this.dst = dst;
    this.dstStride = dstStride;
    this.rects = rects;
    this.next = 0;
    this.remaining = count;
    this.ok = true;
    this.done = done;
    if (count === 0) {
      done(true);
      return;
    }
    const root = this.conn.root;
    for (let i = 0; i < count; i++) {
      const o = i * 4;
      this.conn.client.GetImage(Z_PIXMAP, root, rects[o]!, rects[o + 1]!, rects[o + 2]!, rects[o + 3]!, ALL_PLANES, this.onReply);
    }
  }

  private reply(err: XError | null | undefined, reply: GetImageReply): void {
    const o = this.next * 4;
    this.next++;
    if (err || !reply) this.ok = false;
    else {
      const x = this.rects[o]!;
      const y = this.rects[o + 1]!;
      const w = this.rects[o + 2]!;
      const h = this.rects[o + 3]!;
      const rowBytes = w * BYTES_PER_PIXEL;
      const data = reply.data;
      if (data.length < rowBytes * h) this.ok = false;
      else {
        for (let row = 0; row < h; row++) {
          this.dst.set(data.subarray(row * rowBytes, (row + 1) * rowBytes), (y + row) * this.dstStride + x * BYTES_PER_PIXEL);
        }
        this.bytesRead += rowBytes * h;
      }
    }
    if (--this.remaining === 0) this.done(this.ok);
  }
}
