/**
 * Draws frames of the test pattern (pattern-workload.ts, pattern-codes.ts) into a surface: the
 * simulated compositor's rendering, on the display's worker at every vsync.
 *
 * Cost: the first pixel row of each tile row (or of each repainted rectangle) is built run by run
 * from the tile codes (one `fill` per tile on a Uint32Array view); every other pixel row of it is
 * a `copyWithin` of that row (memmove). A 1080p bgra8 frame is ~8k fills plus ~8 MB of memmove,
 * where the per-row fill of every tile (the reference in test/backends/sim/reference-frame-pattern.ts)
 * was ~130k fills. Only the pixels of a row are written, never a stride's padding bytes, so the
 * bytes equal the reference's exactly (pinned by test/backends/sim/pattern-fast-paths.test.ts).
 * No allocation per call once the scratch arrays fit the size.
 */
import { InvalidArgumentError } from '../../contract/errors.js';
import { codeOf, targetTerm, tileTerm, wordHi, wordLo, wordsPerPixel } from './pattern-codes.js';
import { paintedTileRects, type PatternParams } from './pattern-workload.js';
import { TileCodes, ViewCache, fillRun, fillTileRow, geometryProblem, wordView } from './pattern-surface.js';

/** Copies bytes [bx0, bx1) of pixel row y0 into the same bytes of rows y0+1 .. y1-1. */
function copyRowDown(pixels: Uint8Array, stride: number, y0: number, y1: number, bx0: number, bx1: number): void {
  const from = y0 * stride;
  for (let y = y0 + 1; y < y1; y++) pixels.copyWithin(y * stride + bx0, from + bx0, from + bx1);
}

/** Draws pattern frames. Reuse one painter per surface size: it allocates only when a grid grows. */
export class FramePainter {
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
    const bpp = wpp * 4;
    const c = this.codes;
    const t = p.tileSize;
    if (scope === 'full' || n <= 0) {
      c.compute(width, height, format, n, p);
      // Each tile row: its first pixel row (stamp and every tile) from the codes, the rest copied.
      for (let row = 0; row < c.rows; row++) {
        const y0 = row * t;
        const y1 = Math.min(y0 + t, height);
        fillTileRow(pixels, v32, stride, wpp, width, t, c, y0, row, -1, c.cols);
        copyRowDown(pixels, stride, y0, y1, 0, width * bpp);
      }
      return;
    }
    c.grid(width, height, format, n, p);
    // The stamp changes every frame, alone when nothing else does: a narrow column, a fill per row.
    for (let y = 0; y < height; y++) fillRun(pixels, v32, stride, wpp, y, 0, c.stamp, c.stampLo, c.stampHi);
    const k = paintedTileRects(p, c.cols, c.rows, n, c.rects);
    const term = targetTerm(p.targetId);
    for (let i = 0; i < k; i++) {
      const c0 = c.rects[i * 4]!;
      const r0 = c.rects[i * 4 + 1]!;
      const c1 = c0 + c.rects[i * 4 + 2]!;
      const r1 = r0 + c.rects[i * 4 + 3]!;
      const bx0 = (c.stamp + c0 * t) * bpp;
      const bx1 = Math.min(c.stamp + c1 * t, width) * bpp;
      for (let row = r0; row < r1; row++) {
        // The repainted tiles show frame n: their codes go into the scratch the row is built from.
        for (let col = c0; col < c1; col++) {
          const v = codeOf(tileTerm(row * c.cols + col) + term, n, p.seed, format);
          c.lo[row * c.cols + col] = wordLo(v, format);
          c.hi[row * c.cols + col] = wordHi(v, format);
        }
        const y0 = row * t;
        fillTileRow(pixels, v32, stride, wpp, width, t, c, y0, row, c0, c1);
        copyRowDown(pixels, stride, y0, Math.min(y0 + t, height), bx0, bx1);
      }
    }
  }
}
