/**
 * What the pattern's painter (frame-painter.ts) and verifier (frame-pattern.ts) share: every tile's
 * code for a frame, cached typed-array views over a surface, the surface's geometry check, and the
 * row primitives both build on.
 *
 * The pattern is constant down each tile (every pixel row of a tile row is the same), which is
 * what makes it cheap: one pixel row per tile row is built from the codes, the other rows are byte
 * copies of it (painter) or byte compares against it (verifier), both native memmove/memcmp.
 * Nothing here allocates per call once the scratch arrays fit the largest grid and row seen.
 */
import { bytesPerPixel } from '../../contract/pixel-format.js';
import { STAMP_TERM, codeOf, targetTerm, tileTerm, wordHi, wordLo, wordsPerPixel } from './pattern-codes.js';
import { MAX_PAINTED_RECTS, PATTERN_PERIOD, paintedTileRects, stampColumns, tileCols, tileRows, type PatternParams } from './pattern-workload.js';

/** Per-tile codes for one frame, in scratch arrays that grow to the largest grid seen. */
export class TileCodes {
  lastPainted = new Float64Array(0);
  lo = new Uint32Array(0);
  hi = new Uint32Array(0);
  readonly rects = new Int32Array(MAX_PAINTED_RECTS * 4);
  cols = 0;
  rows = 0;
  stamp = 0;
  stampLo = 0;
  stampHi = 0;

  /** Every tile's last-painted frame as of frame n, and its words. */
  compute(width: number, height: number, format: number, n: number, p: PatternParams): void {
    this.grid(width, height, format, n, p);
    const cols = this.cols;
    const count = cols * this.rows;
    const lp = this.lastPainted;
    if (p.workload === 'full') lp.fill(n, 0, count);
    else {
      lp.fill(0, 0, count);
      for (let f = Math.max(1, n - PATTERN_PERIOD + 1); f <= n; f++) {
        const k = paintedTileRects(p, cols, this.rows, f, this.rects);
        for (let i = 0; i < k; i++) this.mark(f, i);
      }
    }
    for (let t = 0; t < count; t++) {
      const v = codeOf(tileTerm(t) + targetTerm(p.targetId), lp[t]!, p.seed, format);
      this.lo[t] = wordLo(v, format);
      this.hi[t] = wordHi(v, format);
    }
  }

  /** Sizes the grid and the stamp's words for frame n. */
  grid(width: number, height: number, format: number, n: number, p: PatternParams): void {
    this.cols = tileCols(width, p);
    this.rows = tileRows(height, p);
    this.stamp = stampColumns(width, p);
    const count = this.cols * this.rows;
    if (this.lo.length < count) {
      this.lastPainted = new Float64Array(count);
      this.lo = new Uint32Array(count);
      this.hi = new Uint32Array(count);
    }
    const v = codeOf(STAMP_TERM, n, p.seed, format);
    this.stampLo = wordLo(v, format);
    this.stampHi = wordHi(v, format);
  }

  private mark(f: number, i: number): void {
    const r = this.rects;
    const c0 = r[i * 4]!;
    const r0 = r[i * 4 + 1]!;
    const c1 = c0 + r[i * 4 + 2]!;
    const r1 = r0 + r[i * 4 + 3]!;
    for (let row = r0; row < r1; row++) this.lastPainted.fill(f, row * this.cols + c0, row * this.cols + c1);
  }
}

/**
 * Caches views over pixel buffers (a ring's few slots, a swap-chain's surfaces), 8 deep, so a call
 * allocates nothing. `make` builds the view once per buffer.
 */
export class ViewCache<V> {
  private readonly keys: Array<Uint8Array | null> = new Array<Uint8Array | null>(8).fill(null);
  private readonly views: Array<V | null> = new Array<V | null>(8).fill(null);
  private next = 0;

  constructor(private readonly make: (pixels: Uint8Array) => V) {}

  get(pixels: Uint8Array): V {
    for (let i = 0; i < 8; i++) {
      const k = this.keys[i];
      if (k !== null && k !== undefined && k.buffer === pixels.buffer && k.byteOffset === pixels.byteOffset && k.byteLength === pixels.byteLength) {
        return this.views[i]!;
      }
    }
    const v = this.make(pixels);
    this.keys[this.next] = pixels;
    this.views[this.next] = v;
    this.next = (this.next + 1) & 7;
    return v;
  }
}

/** A Uint32Array over the same bytes, or null when they are not 4-aligned (the byte-wise path). */
export function wordView(pixels: Uint8Array): Uint32Array | null {
  return pixels.byteOffset % 4 === 0 ? new Uint32Array(pixels.buffer, pixels.byteOffset, pixels.byteLength >>> 2) : null;
}

/** A Buffer over the same bytes, for Buffer#compare's native memcmp with offsets. */
export function bufferView(pixels: Uint8Array): Buffer {
  return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}

export function geometryProblem(pixels: Uint8Array, width: number, height: number, stride: number, format: number): string {
  const bpp = bytesPerPixel(format);
  if (wordsPerPixel(format) === 0) return `format ${format} is not one the pattern draws (bgra8 or rgba16f)`;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) return `size ${width}x${height} is not a positive integer size`;
  if (!Number.isInteger(stride) || stride < width * bpp) return `stride ${stride} is smaller than a row (${width * bpp} bytes)`;
  if (pixels.byteLength < stride * (height - 1) + width * bpp) return `the surface holds ${pixels.byteLength} bytes, less than ${height} rows of stride ${stride}`;
  return '';
}

export function readWord(pixels: Uint8Array, at: number): number {
  return (pixels[at]! | (pixels[at + 1]! << 8) | (pixels[at + 2]! << 16) | (pixels[at + 3]! << 24)) >>> 0;
}

function writeWord(pixels: Uint8Array, at: number, w: number): void {
  pixels[at] = w & 0xff;
  pixels[at + 1] = (w >>> 8) & 0xff;
  pixels[at + 2] = (w >>> 16) & 0xff;
  pixels[at + 3] = w >>> 24;
}

/**
 * Writes run [x0, x1) of row y with one pixel value. Word path when `v32` is given (stride a
 * multiple of 4), byte path otherwise.
 */
export function fillRun(pixels: Uint8Array, v32: Uint32Array | null, stride: number, wpp: number, y: number, x0: number, x1: number, lo: number, hi: number): void {
  if (v32 !== null) {
    const base = (y * stride) >>> 2;
    if (wpp === 1) v32.fill(lo, base + x0, base + x1);
    else for (let i = base + x0 * 2, end = base + x1 * 2; i < end; i += 2) (v32[i] = lo), (v32[i + 1] = hi);
    return;
  }
  for (let x = x0; x < x1; x++) {
    const at = y * stride + x * wpp * 4;
    writeWord(pixels, at, lo);
    if (wpp === 2) writeWord(pixels, at + 4, hi);
  }
}

/** Index of the first pixel in [x0, x1) of row y that is not (lo, hi), or -1. */
export function findMismatch(pixels: Uint8Array, v32: Uint32Array | null, stride: number, wpp: number, y: number, x0: number, x1: number, lo: number, hi: number): number {
  if (v32 !== null) {
    const base = (y * stride) >>> 2;
    if (wpp === 1) {
      for (let i = base + x0, end = base + x1; i < end; i++) if (v32[i] !== lo) return i - base;
    } else {
      for (let i = base + x0 * 2, end = base + x1 * 2; i < end; i += 2) if (v32[i] !== lo || v32[i + 1] !== hi) return (i - base) >>> 1;
    }
    return -1;
  }
  for (let x = x0; x < x1; x++) {
    const at = y * stride + x * wpp * 4;
    if (readWord(pixels, at) !== lo || (wpp === 2 && readWord(pixels, at + 4) !== hi)) return x;
  }
  return -1;
}

/**
 * Writes pixel row y's tiles [col0, col1) of tile row `tileRow` (and the stamp when col0 < 0) from
 * the codes: the one row per tile row that is built pixel run by pixel run.
 */
export function fillTileRow(pixels: Uint8Array, v32: Uint32Array | null, stride: number, wpp: number, width: number, tileSize: number, c: TileCodes, y: number, tileRow: number, col0: number, col1: number): void {
  if (col0 < 0) {
    fillRun(pixels, v32, stride, wpp, y, 0, c.stamp, c.stampLo, c.stampHi);
    col0 = 0;
  }
  const rowBase = tileRow * c.cols;
  for (let col = col0; col < col1; col++) {
    const x0 = c.stamp + col * tileSize;
    fillRun(pixels, v32, stride, wpp, y, x0, Math.min(x0 + tileSize, width), c.lo[rowBase + col]!, c.hi[rowBase + col]!);
  }
}
