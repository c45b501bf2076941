/**
 * The "hardware" surface path: Xvfb's live framebuffer file (-fbdir), read with positional
 * fs.readSync straight into the destination (the ring slot, through the swap-chain's surface). Node has no pure mmap, and
 * a pread from a tmpfs page-cache file is one kernel memcpy, so this is as close as pure JS gets.
 *
 * The screen is the top-left `width x height` region of the file's pixels (a RandR resize changes
 * neither the file nor its header); the file's stride is the header's bytes_per_line, the frame's
 * stride is width * 4. Per rectangle the reader picks one read of the whole row span (when the
 * strides agree) or one read per row, whichever moves fewer byte-equivalents, counting a syscall
 * as ROW_CALL_COST_BYTES.
 *
 * Hot path: read() never throws and never allocates; a failed or short read returns false and the
 * device is then removed. The reader is not synchronised with the X server's drawing: the caller
 * holds a server grab around read() (see swap-chain.ts).
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { parseXwdHeader, XWD_MAX_HEADER_BYTES, type XwdHeader } from './xwd-header.js';

/** What one extra readSync call costs, in bytes of copying (~1 µs at ~15 GB/s, measured). */
export const ROW_CALL_COST_BYTES = 16 * 1024;
const BYTES_PER_PIXEL = 4;

export class FramebufferReader {
  readonly header: XwdHeader;
  private fd: number;
  private readonly ino: number;
  /** Bytes read since open (for the bench). */
  bytesRead = 0;
  readCalls = 0;

  private constructor(readonly path: string, fd: number, header: XwdHeader, ino: number) {
    this.fd = fd;
    this.header = header;
    this.ino = ino;
  }

  /** Opens the file and parses its header; throws FramebufferHeaderError / a system error. */
  static open(path: string): FramebufferReader {
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      const head = new Uint8Array(Math.min(XWD_MAX_HEADER_BYTES, st.size));
      const n = readSync(fd, head, 0, head.length, 0);
      const header = parseXwdHeader(head.subarray(0, n), st.size);
      return new FramebufferReader(path, fd, header, st.ino);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  get open(): boolean {
    return this.fd >= 0;
  }

  /**
   * Reads `count` rectangles (x, y, w, h quads at rects[rectBase..], inside the screen) into `dst`
   * at `dstOffset`, whose stride is `dstStride`: straight from the file into the destination
   * (a ring slot's SharedArrayBuffer view), one pread per row or per span of whole rows. Returns
   * false when the file cannot be read (closed, truncated, I/O error).
   */
  read(dst: Uint8Array, dstStride: number, rects: Int32Array, count: number, dstOffset = 0, rectBase = 0): boolean {
    if (this.fd < 0) return false;
    const fileStride = this.header.bytesPerLine;
    const base = this.header.pixelOffset;
    try {
      for (let i = 0; i < count; i++) {
        const o = rectBase + i * 4;
        const x = rects[o]!;
        const y = rects[o + 1]!;
        const w = rects[o + 2]!;
        const h = rects[o + 3]!;
        const rowBytes = w * BYTES_PER_PIXEL;
        const spanBytes = h * fileStride;
        if (fileStride === dstStride && spanBytes <= h * (ROW_CALL_COST_BYTES + rowBytes)) {
          // One read of whole rows: the extra columns are as current as the dirty ones.
          const got = readSync(this.fd, dst, dstOffset + y * dstStride, spanBytes, base + y * fileStride);
          this.readCalls++;
          this.bytesRead += got;
          if (got !== spanBytes) return false;
        } else {
          let src = base + y * fileStride + x * BYTES_PER_PIXEL;
          let at = dstOffset + y * dstStride + x * BYTES_PER_PIXEL;
          for (let row = 0; row < h; row++) {
            const got = readSync(this.fd, dst, at, rowBytes, src);
            if (got !== rowBytes) return false;
            src += fileStride;
            at += dstStride;
          }
          this.readCalls += h;
          this.bytesRead += rowBytes * h;
        }
      }
      return true;
    } catch {
      return false;
    }
  }

  /** True when the path no longer names the file this reader opened (deleted or replaced). */
  vanished(): boolean {
    if (this.fd < 0) return true;
    try {
      return statSync(this.path).ino !== this.ino;
    } catch {
      return true;
    }
  }

  /** Closes the file; later reads fail. Idempotent. */
  close(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = -1;
  }
}
