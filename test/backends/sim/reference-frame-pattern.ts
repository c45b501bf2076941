/**
 * The pattern's renderer and verifier as they were before their fast paths (per-row fills of every
 * tile, per-word compares), kept only as the reference the property tests pin the fast paths
 * against byte for byte (test/backends/sim/pattern-fast-paths.test.ts), as reference-encoders.ts
 * does for the RFB encoders. Not used by vdpush itself. Only the loops the fast paths replaced are
 * kept here; the tile codes, the geometry check and the run fill / run compare primitives moved
 * unchanged into src/backends/sim/pattern-surface.ts and are shared with it, as is the naming of
 * the first bad pixel (frame-pattern.ts describeMismatch); this scan finds that pixel the slow way.
 */
import { InvalidArgumentError } from '../../../src/contract/errors.js';
import { STAMP_TERM, codeOf, targetTerm, tileTerm, wordHi, wordLo, wordsPerPixel } from '../../../src/backends/sim/pattern-codes.js';
import { paintedTileRects, type PatternParams } from '../../../src/backends/sim/pattern-workload.js';
import { describeMismatch, type BadPixel, type VerifyResult } from '../../../src/backends/sim/frame-pattern.js';
import { TileCodes, ViewCache, fillRun, findMismatch, geometryProblem, wordView } from '../../../src/backends/sim/pattern-surface.js';

/** Draws pattern frames. Reuse one painter per surface size: it allocates only when a grid grows. */
export class ReferencePainter {
  private readonly codes = new TileCodes();
  private readonly views = new ViewCache(wordView);

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
  private readonly views = new ViewCache(wordView);
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
      if (sx >= 0) return describeMismatch(this.result, this.bad, pixels, stride, format, sx, y, -1, -1, STAMP_TERM, n, c.stampLo, c.stampHi, p);
      const tileRow = (y / t) | 0;
      const rowBase = tileRow * c.cols;
      for (let col = 0; col < c.cols; col++) {
        const x0 = c.stamp + col * t;
        const lo = c.lo[rowBase + col]!;
        const hi = c.hi[rowBase + col]!;
        const x = findMismatch(pixels, v32, stride, wpp, y, x0, Math.min(x0 + t, width), lo, hi);
        if (x >= 0) return describeMismatch(this.result, this.bad, pixels, stride, format, x, y, col, tileRow, tileTerm(rowBase + col) + targetTerm(p.targetId), c.lastPainted[rowBase + col]!, lo, hi, p);
      }
    }
    return r;
  }

  private fail(reason: string): VerifyResult {
    this.result.ok = false;
    this.result.reason = reason;
    return this.result;
  }
}

