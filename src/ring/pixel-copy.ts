/**
 * Copies a source frame (or only its damage) into a slot without allocating per frame or per row.
 *
 * Measured on this project's machines (1920x1080 bgra8, SAB → SAB; 2026-12-01, back to back):
 *   whole frame, one Uint8Array.set                    ~300-500 µs (V8 copies a SharedArrayBuffer
 *                                                       with relaxed word copies, not memcpy)
 *   192x108 rect, one set() per row over cached views     ~7-9 µs
 *   192x108 rect, 32-bit word loop unrolled by 4         ~25-34 µs
 *   192x108 rect, one subarray()+set() per row          ~10-16 µs, and a view per row per frame
 * So: a rect whose columns repeat (a band, rect-row-views.ts, aligned to BAND_ALIGN_BYTES) copies
 * its rows with native set() over row views made once; narrow rects and rects seen once go
 * through the unrolled Int32 loop (bit-exact, unlike a Float64 loop, which may canonicalize NaN
 * patterns); wide ones copy whole rows with native set() over row views cached per source object
 * (copying undamaged bytes of the current source is harmless); and when the damage would cost as
 * much as the frame, the whole frame is copied in one set().
 *
 * Invariant: the caller validated the source against the ring's geometry (format, size,
 * stride >= width*bpp, enough bytes), and every rect lies inside the frame.
 */
import type { DamageTracker } from './damage-tracker.js';
import { RectRowViews } from './rect-row-views.js';

/**
 * A rect's rows through the word loop cost as much as whole rows of native copy once they are
 * about a fifth of a row wide (1080p bgra8, 108 rows: the word loop 46 µs at 320 px and 91 µs at
 * 640 px, 108 whole rows 45-60 µs; measured 2026-12-01, quiet machine).
 */
const WORD_LOOP_COST = 5;
/**
 * Below this many bytes per row a rect stays in the word loop even when it repeats: there a
 * native set() per row costs about as much as the words (the same runs: even at 32 px).
 */
const BAND_MIN_ROW_BYTES = 128;
/**
 * Bands start and end on this grid (bytes within the row), so a rect that moves a few pixels per
 * frame (a dragged window, text being typed) keeps hitting the same band; the few columns more it
 * copies are the current source's, which is harmless.
 */
const BAND_ALIGN_BYTES = 128;

export class PixelCopier {
  private readonly dst8: Uint8Array;
  private readonly dst32: Int32Array;
  private readonly width: number;
  private readonly height: number;
  private readonly bpp: number;
  private readonly stride: number;
  private readonly frameBytes: number;
  /** The cached source and its views; rebuilt only when a different source object arrives. */
  private src: Uint8Array | null = null;
  private srcStride = 0;
  private srcLength = 0;
  private src32: Int32Array | null = null;
  private srcFull: Uint8Array | null = null;
  private srcRows: Array<Uint8Array | undefined> = [];
  /** Exact row views of rects that repeat. */
  private readonly bands: RectRowViews;

  constructor(buffer: SharedArrayBuffer, width: number, height: number, bytesPerPixel: number, stride: number) {
    this.dst8 = new Uint8Array(buffer);
    this.dst32 = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    this.width = width;
    this.height = height;
    this.bpp = bytesPerPixel;
    this.stride = stride;
    this.frameBytes = stride * height;
    this.bands = new RectRowViews(height);
  }

  /** Selects the source for the next copies; cheap when it is the same object as last time. */
  setSource(src: Uint8Array, srcStride: number): void {
    if (src === this.src && srcStride === this.srcStride && src.length === this.srcLength) return;
    this.src = src;
    this.srcStride = srcStride;
    this.srcLength = src.length;
    this.src32 = src.byteOffset % 4 === 0 && srcStride % 4 === 0 ? new Int32Array(src.buffer, src.byteOffset, src.length >> 2) : null;
    this.srcFull = srcStride !== this.stride ? null : src.length === this.frameBytes ? src : src.subarray(0, this.frameBytes);
    this.srcRows = new Array<Uint8Array | undefined>(this.height);
    this.bands.setSource(src, srcStride);
  }

  /** Brings the slot at `dstOffset` up to date from the source, given its damage. */
  copyDamage(damage: DamageTracker, slot: number, dstOffset: number): void {
    if (damage.isFull(slot)) {
      this.copyFull(dstOffset);
      return;
    }
    const n = damage.rectCount(slot);
    const r = damage.rectArray();
    const base = damage.rectBase(slot);
    let cost = 0;
    for (let i = 0; i < n; i++) {
      const k = base + 4 * i;
      cost += this.rectCost(r[k + 2]!, r[k + 3]!);
    }
    if (cost >= this.frameBytes) {
      this.copyFull(dstOffset);
      return;
    }
    for (let i = 0; i < n; i++) {
      const k = base + 4 * i;
      this.copyRect(dstOffset, r[k]!, r[k + 1]!, r[k + 2]!, r[k + 3]!);
    }
  }

  copyFull(dstOffset: number): void {
    if (this.srcFull !== null) {
      this.dst8.set(this.srcFull, dstOffset);
      return;
    }
    this.copyRows(dstOffset, 0, this.height);
  }

  /** Copies rect (x, y, w, h): exact rows of a repeating rect, whole rows when cheaper, else a word loop. */
  copyRect(dstOffset: number, x: number, y: number, w: number, h: number): void {
    const xBytes = x * this.bpp;
    const wBytes = w * this.bpp;
    if (wBytes >= BAND_MIN_ROW_BYTES) {
      const x0 = xBytes - (xBytes % BAND_ALIGN_BYTES);
      const end = xBytes + wBytes;
      const x1 = Math.min(this.width * this.bpp, end + ((BAND_ALIGN_BYTES - (end % BAND_ALIGN_BYTES)) % BAND_ALIGN_BYTES));
      const b = this.bands.band(x0, x1 - x0);
      if (b >= 0) {
        for (let r = y; r < y + h; r++) this.dst8.set(this.bands.row(b, r), dstOffset + r * this.stride + x0);
        return;
      }
    }
    if (WORD_LOOP_COST * wBytes >= this.stride) {
      this.copyRows(dstOffset, y, h);
      return;
    }
    const s = this.src32;
    if (s === null) {
      this.copyRectBytes(dstOffset, x, y, w, h);
      return;
    }
    const d = this.dst32;
    const words = (w * this.bpp) >> 2;
    const srcStrideW = this.srcStride >> 2;
    const dstStrideW = this.stride >> 2;
    let si0 = y * srcStrideW + ((x * this.bpp) >> 2);
    let di0 = ((dstOffset + y * this.stride) >> 2) + ((x * this.bpp) >> 2);
    for (let row = 0; row < h; row++) {
      let si = si0;
      let di = di0;
      const end = si + words;
      const end4 = si + (words & ~3);
      while (si < end4) {
        d[di] = s[si]!;
        d[di + 1] = s[si + 1]!;
        d[di + 2] = s[si + 2]!;
        d[di + 3] = s[si + 3]!;
        si += 4;
        di += 4;
      }
      while (si < end) d[di++] = s[si++]!;
      si0 += srcStrideW;
      di0 += dstStrideW;
    }
  }

  /** Cost of a w x h rect in bytes-of-native-copy, the unit of frameBytes. */
  private rectCost(w: number, h: number): number {
    return Math.min(WORD_LOOP_COST * w * this.bpp, this.stride) * h;
  }

  /** Whole rows y..y+h through cached row views: native copies, no allocation after the first use. */
  private copyRows(dstOffset: number, y: number, h: number): void {
    const rowBytes = this.width * this.bpp;
    const rows = this.srcRows;
    const src = this.src!;
    for (let r = y; r < y + h; r++) {
      let row = rows[r];
      if (row === undefined) {
        const a = r * this.srcStride;
        row = src.subarray(a, a + rowBytes);
        rows[r] = row;
      }
      this.dst8.set(row, dstOffset + r * this.stride);
    }
  }

  /** The unaligned-source fallback: a byte loop (rare: sources are word-aligned in practice). */
  private copyRectBytes(dstOffset: number, x: number, y: number, w: number, h: number): void {
    const s = this.src!;
    const d = this.dst8;
    const n = w * this.bpp;
    for (let row = y; row < y + h; row++) {
      let si = row * this.srcStride + x * this.bpp;
      let di = dstOffset + row * this.stride + x * this.bpp;
      const end = si + n;
      while (si < end) d[di++] = s[si++]!;
    }
  }
}
