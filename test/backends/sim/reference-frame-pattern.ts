/**
 * The pattern's renderer and verifier as they were before their fast paths (per-row fills of every
 * tile, per-word compares), kept only as the reference the property tests pin the fast paths
 * against byte for byte (test/backends/sim/pattern-fast-paths.test.ts), as reference-encoders.ts
 * does for the RFB encoders. Not used by vdpush itself.
 */
import { InvalidArgumentError } from '../../../src/contract/errors.js';
import { bytesPerPixel } from '../../../src/contract/pixel-format.js';
import { STAMP_TERM, codeBits, codeOf, decodeCode, decodeFrame, decodeTarget, targetTerm, tileTerm, unwrapFrame, wordHi, wordLo, wordsPerPixel } from '../../../src/backends/sim/pattern-codes.js';
import { MAX_PAINTED_RECTS, PATTERN_PERIOD, paintedTileRects, stampColumns, tileCols, tileRows, type PatternParams } from '../../../src/backends/sim/pattern-workload.js';

export interface BadPixel {
  x: number;
  y: number;
  region: 'stamp' | 'tile';
  /** The tile's column and row (-1 in the stamp). */
  tileCol: number;
  tileRow: number;
  /**
   * The frame whose paint this pixel should show, and the frame its value decodes to (the one
   * nearest expectedFrame with the same code; -1: not a pattern pixel at all).
   */
  expectedFrame: number;
  shownFrame: number;
  /** The monitor whose paint a tile pixel shows when it is the right frame of another target; else -1. */
  shownTarget: number;
  /** The pixel's words (hi = 0 for bgra8). */
  expectedLo: number;
  expectedHi: number;
  actualLo: number;
  actualHi: number;
}

export interface VerifyResult {
  ok: boolean;
  /** The first mismatch, scanning rows top to bottom; null when ok or when the geometry is wrong. */
  firstBadPixel: BadPixel | null;
  /** Why it failed, for a person ('' when ok). */
  reason: string;
}

/** Per-tile codes for one frame, in scratch arrays that grow to the largest grid seen. */
class TileCodes {
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

/** Caches 32-bit views over pixel buffers (a ring's few slots), so a call allocates nothing. */
class ViewCache {
  private readonly keys: Array<Uint8Array | null> = new Array<Uint8Array | null>(8).fill(null);
  private readonly views: Array<Uint32Array | null> = new Array<Uint32Array | null>(8).fill(null);
  private next = 0;

  /** A Uint32Array over the same bytes, or null when the bytes are not 4-aligned. */
  get(pixels: Uint8Array): Uint32Array | null {
    if (pixels.byteOffset % 4 !== 0) return null;
    for (let i = 0; i < 8; i++) {
      const k = this.keys[i];
      if (k !== null && k !== undefined && k.buffer === pixels.buffer && k.byteOffset === pixels.byteOffset && k.byteLength === pixels.byteLength) {
        return this.views[i]!;
      }
    }
    const v = new Uint32Array(pixels.buffer, pixels.byteOffset, pixels.byteLength >>> 2);
    this.keys[this.next] = pixels;
    this.views[this.next] = v;
    this.next = (this.next + 1) & 7;
    return v;
  }
}

function geometryProblem(pixels: Uint8Array, width: number, height: number, stride: number, format: number): string {
  const bpp = bytesPerPixel(format);
  if (wordsPerPixel(format) === 0) return `format ${format} is not one the pattern draws (bgra8 or rgba16f)`;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) return `size ${width}x${height} is not a positive integer size`;
  if (!Number.isInteger(stride) || stride < width * bpp) return `stride ${stride} is smaller than a row (${width * bpp} bytes)`;
  if (pixels.byteLength < stride * (height - 1) + width * bpp) return `the surface holds ${pixels.byteLength} bytes, less than ${height} rows of stride ${stride}`;
  return '';
}

function readWord(pixels: Uint8Array, at: number): number {
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
function fillRun(pixels: Uint8Array, v32: Uint32Array | null, stride: number, wpp: number, y: number, x0: number, x1: number, lo: number, hi: number): void {
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
function findMismatch(pixels: Uint8Array, v32: Uint32Array | null, stride: number, wpp: number, y: number, x0: number, x1: number, lo: number, hi: number): number {
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

/** Draws pattern frames. Reuse one painter per surface size: it allocates only when a grid grows. */
export class ReferencePainter {
  private readonly codes = new TileCodes();
  private readonly views = new ViewCache();

  /**
   * Draws frame n into `pixels`. scope 'full' draws the whole image; 'dirty' draws only what
   * differs from frame n-1 (the stamp and the tiles n repaints), for a surface that holds n-1.
   */
  render(pixels: Uint8Array, width: number, height: number, stride: number, format: number, n: number, p: PatternParams, scope: 'full' | 'dirty' = 'full'): void {
    const problem = geometryProblem(pixels, width, height, stride, format);
    if (problem !== '') throw new InvalidArgumentError(`renderFrame: ${problem}`);
    const v32 = stride % 4 === 0 ? this.views.get(pixels) : null;
    const wpp = wordsPerPixel(format);
    const c = this.codes;
    const t = p.tileSize;
    if (scope === 'full' || n <= 0) c.compute(width, height, format, n, p);
    else c.grid(width, height, format, n, p);
    for (let y = 0; y < height; y++) fillRun(pixels, v32, stride, wpp, y, 0, c.stamp, c.stampLo, c.stampHi);
    if (scope === 'full' || n <= 0) {
      for (let y = 0; y < height; y++) {
        const rowBase = ((y / t) | 0) * c.cols;
        for (let col = 0; col < c.cols; col++) {
          const x0 = c.stamp + col * t;
          fillRun(pixels, v32, stride, wpp, y, x0, Math.min(x0 + t, width), c.lo[rowBase + col]!, c.hi[rowBase + col]!);
        }
      }
      return;
    }
    const k = paintedTileRects(p, c.cols, c.rows, n, c.rects);
    for (let i = 0; i < k; i++) {
      const c0 = c.rects[i * 4]!;
      const r0 = c.rects[i * 4 + 1]!;
      for (let row = r0; row < r0 + c.rects[i * 4 + 3]!; row++) {
        for (let col = c0; col < c0 + c.rects[i * 4 + 2]!; col++) {
          const v = codeOf(tileTerm(row * c.cols + col) + targetTerm(p.targetId), n, p.seed, format);
          const lo = wordLo(v, format);
          const hi = wordHi(v, format);
          const x0 = c.stamp + col * t;
          const x1 = Math.min(x0 + t, width);
          for (let y = row * t, y1 = Math.min(y + t, height); y < y1; y++) fillRun(pixels, v32, stride, wpp, y, x0, x1, lo, hi);
        }
      }
    }
  }
}

/** Checks surfaces against pattern frames. One per consumer thread; its result object is reused. */
export class ReferenceVerifier {
  private readonly codes = new TileCodes();
  private readonly views = new ViewCache();
  private readonly bad: BadPixel = {
    x: 0, y: 0, region: 'tile', tileCol: -1, tileRow: -1, expectedFrame: 0, shownFrame: 0, shownTarget: -1, expectedLo: 0, expectedHi: 0, actualLo: 0, actualHi: 0,
  };
  /** The last verify's outcome; overwritten by the next call. */
  readonly result: VerifyResult = { ok: true, firstBadPixel: null, reason: '' };

  verify(pixels: Uint8Array, width: number, height: number, stride: number, format: number, n: number, p: PatternParams): VerifyResult {
    const r = this.result;
    r.ok = true;
    r.firstBadPixel = null;
    r.reason = '';
    const problem = geometryProblem(pixels, width, height, stride, format);
    if (problem !== '') return this.fail(problem);
    const v32 = stride % 4 === 0 ? this.views.get(pixels) : null;
    const wpp = wordsPerPixel(format);
    const c = this.codes;
    const t = p.tileSize;
    c.compute(width, height, format, n, p);
    for (let y = 0; y < height; y++) {
      const sx = findMismatch(pixels, v32, stride, wpp, y, 0, c.stamp, c.stampLo, c.stampHi);
      if (sx >= 0) return this.mismatch(pixels, stride, format, sx, y, -1, -1, STAMP_TERM, n, c.stampLo, c.stampHi, p);
      const tileRow = (y / t) | 0;
      const rowBase = tileRow * c.cols;
      for (let col = 0; col < c.cols; col++) {
        const x0 = c.stamp + col * t;
        const lo = c.lo[rowBase + col]!;
        const hi = c.hi[rowBase + col]!;
        const x = findMismatch(pixels, v32, stride, wpp, y, x0, Math.min(x0 + t, width), lo, hi);
        if (x >= 0) return this.mismatch(pixels, stride, format, x, y, col, tileRow, tileTerm(rowBase + col) + targetTerm(p.targetId), c.lastPainted[rowBase + col]!, lo, hi, p);
      }
    }
    return r;
  }

  private fail(reason: string): VerifyResult {
    this.result.ok = false;
    this.result.reason = reason;
    return this.result;
  }

  private mismatch(pixels: Uint8Array, stride: number, format: number, x: number, y: number, col: number, row: number, term: number, expectedFrame: number, lo: number, hi: number, p: PatternParams): VerifyResult {
    const wpp = wordsPerPixel(format);
    const at = y * stride + x * wpp * 4;
    const b = this.bad;
    b.x = x;
    b.y = y;
    b.region = col < 0 ? 'stamp' : 'tile';
    b.tileCol = col;
    b.tileRow = row;
    b.expectedLo = lo;
    b.expectedHi = hi;
    b.actualLo = readWord(pixels, at);
    b.actualHi = wpp === 2 ? readWord(pixels, at + 4) : 0;
    b.expectedFrame = expectedFrame;
    const shown = decodeFrame(decodeCode(b.actualLo, b.actualHi, format), term, p.seed, format);
    b.shownFrame = shown < 0 ? -1 : unwrapFrame(shown, codeBits(format), expectedFrame);
    this.result.firstBadPixel = b;
    const where = col < 0 ? 'the stamp' : `tile (${col}, ${row})`;
    if (col >= 0) {
      // A tile carries its monitor: the right frame under another monitor's offset is a foreign frame.
      const own = (term - targetTerm(p.targetId)) | 0;
      const target = decodeTarget(decodeCode(b.actualLo, b.actualHi, format), own, expectedFrame, p.seed, format);
      b.shownTarget = target > 0 && target <= 0xffff && target !== p.targetId ? target : -1;
      if (b.shownTarget > 0) {
        return this.fail(`pixel (${x}, ${y}) in ${where} shows target ${target}'s paint of frame ${expectedFrame}, expected target ${p.targetId}'s`);
      }
    } else b.shownTarget = -1;
    const what = b.shownFrame < 0 ? 'a value that is no pattern pixel' : `frame ${b.shownFrame}'s paint`;
    return this.fail(`pixel (${x}, ${y}) in ${where} shows ${what}, expected frame ${expectedFrame}'s`);
  }
}

