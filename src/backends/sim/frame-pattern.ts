/**
 * The simulated desktop's image, and its exact check.
 *
 * renderFrame draws frame n (the compositor calls it); verifyFrame checks that EVERY pixel of a
 * surface equals frame n: a torn frame, a tile left stale by a missed dirty rectangle, a damage
 * union that lost a present, a rectangle copied to the wrong place, a wrong stamp — each fails it.
 * Both work from n alone (pattern-workload.ts: the repaint schedule has period 64), with no history.
 *
 * Cost: verify computes each tile's last-painted frame by replaying at most 64 frames of at most 3
 * rectangles over the tile grid, builds one expected pixel row per tile row and compares every
 * pixel row with it by Buffer#compare (memcmp), so a good frame costs about a read of its bytes.
 * Only a frame that fails is scanned word by word (the reference's scan, kept here) to name its
 * first bad pixel. No allocation per call once the scratch arrays fit the size (views over a pixel
 * buffer are cached, 8 buffers deep). The painter is frame-painter.ts.
 */
import { STAMP_TERM, codeBits, decodeCode, decodeFrame, decodeTarget, targetTerm, tileTerm, unwrapFrame, wordsPerPixel } from './pattern-codes.js';
import type { PatternParams } from './pattern-workload.js';
import { FramePainter } from './frame-painter.js';
import { TileCodes, ViewCache, bufferView, fillTileRow, findMismatch, geometryProblem, readWord, wordView } from './pattern-surface.js';

export { FramePainter } from './frame-painter.js';

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

/** Checks surfaces against pattern frames. One per consumer thread; its result object is reused. */
export class FrameVerifier {
  private readonly codes = new TileCodes();
  private readonly views = new ViewCache(wordView);
  private readonly buffers = new ViewCache(bufferView);
  /** One pixel row of the expected image, built per tile row; grows to the widest row seen. */
  private expected = Buffer.alloc(0);
  private expected32 = new Uint32Array(0);
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
    this.codes.compute(width, height, format, n, p);
    // Equal bytes are equal pixels: a surface that compares equal row by row is frame n. Only a
    // mismatch pays for the word-by-word scan that finds and names the first bad pixel.
    if (this.rowsMatch(pixels, width, height, stride, format, p.tileSize)) return r;
    return this.scan(pixels, width, height, stride, format, n, p);
  }

  /** Every pixel row equals its tile row's expected row (native memcmp; padding bytes are not compared). */
  private rowsMatch(pixels: Uint8Array, width: number, height: number, stride: number, format: number, t: number): boolean {
    const c = this.codes;
    const wpp = wordsPerPixel(format);
    const rowBytes = width * wpp * 4;
    if (this.expected.byteLength < rowBytes) {
      this.expected = Buffer.alloc(rowBytes);
      this.expected32 = new Uint32Array(this.expected.buffer, this.expected.byteOffset, rowBytes >>> 2);
    }
    const px = this.buffers.get(pixels);
    for (let row = 0; row < c.rows; row++) {
      fillTileRow(this.expected, this.expected32, rowBytes, wpp, width, t, c, 0, row, -1, c.cols);
      for (let y = row * t, y1 = Math.min(y + t, height); y < y1; y++) {
        if (px.compare(this.expected, 0, rowBytes, y * stride, y * stride + rowBytes) !== 0) return false;
      }
    }
    return true;
  }

  /** The first mismatch, scanning rows top to bottom, tile run by tile run (codes already computed). */
  private scan(pixels: Uint8Array, width: number, height: number, stride: number, format: number, n: number, p: PatternParams): VerifyResult {
    const v32 = stride % 4 === 0 ? this.views.get(pixels) : null;
    const wpp = wordsPerPixel(format);
    const c = this.codes;
    const t = p.tileSize;
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
    return this.result;
  }

  private fail(reason: string): VerifyResult {
    this.result.ok = false;
    this.result.reason = reason;
    return this.result;
  }
}

/**
 * Names the first bad pixel of a frame that failed (its region, the frame and monitor its value
 * decodes to) into `b` and `r`; shared with the test's reference verifier, whose scan finds the
 * same pixel the slow way.
 */
export function describeMismatch(r: VerifyResult, b: BadPixel, pixels: Uint8Array, stride: number, format: number, x: number, y: number, col: number, row: number, term: number, expectedFrame: number, lo: number, hi: number, p: PatternParams): VerifyResult {
  const wpp = wordsPerPixel(format);
  const at = y * stride + x * wpp * 4;
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
  r.firstBadPixel = b;
  const where = col < 0 ? 'the stamp' : `tile (${col}, ${row})`;
  if (col >= 0) {
    // A tile carries its monitor: the right frame under another monitor's offset is a foreign frame.
    const own = (term - targetTerm(p.targetId)) | 0;
    const target = decodeTarget(decodeCode(b.actualLo, b.actualHi, format), own, expectedFrame, p.seed, format);
    b.shownTarget = target > 0 && target <= 0xffff && target !== p.targetId ? target : -1;
    if (b.shownTarget > 0) {
      r.ok = false;
      r.reason = `pixel (${x}, ${y}) in ${where} shows target ${target}'s paint of frame ${expectedFrame}, expected target ${p.targetId}'s`;
      return r;
    }
  } else b.shownTarget = -1;
  const what = b.shownFrame < 0 ? 'a value that is no pattern pixel' : `frame ${b.shownFrame}'s paint`;
  r.ok = false;
  r.reason = `pixel (${x}, ${y}) in ${where} shows ${what}, expected frame ${expectedFrame}'s`;
  return r;
}

const defaultPainter = new FramePainter();
const defaultVerifier = new FrameVerifier();

/** Draws frame `frameNumber` of the pattern into a surface (see FramePainter.render). */
export function renderFrame(pixels: Uint8Array, width: number, height: number, stride: number, format: number, frameNumber: number, params: PatternParams, scope: 'full' | 'dirty' = 'full'): void {
  defaultPainter.render(pixels, width, height, stride, format, frameNumber, params, scope);
}

/**
 * Checks that every pixel of a surface is frame `frameNumber` of the pattern. The returned object
 * is shared and overwritten by the next call on this thread; copy what you keep.
 */
export function verifyFrame(pixels: Uint8Array, width: number, height: number, stride: number, format: number, frameNumber: number, params: PatternParams): VerifyResult {
  return defaultVerifier.verify(pixels, width, height, stride, format, frameNumber, params);
}

/**
 * The frame number the stamp of a surface carries (mod 2^codeBits(format): use unwrapFrame), or -1
 * when pixel (0, 0) is no stamp pixel. Lets a consumer that does not know n find it, then verify.
 */
export function readFrameStamp(pixels: Uint8Array, format: number, params: PatternParams): number {
  const wpp = wordsPerPixel(format);
  if (wpp === 0 || pixels.byteLength < wpp * 4) return -1;
  const lo = readWord(pixels, 0);
  const hi = wpp === 2 ? readWord(pixels, 4) : 0;
  return decodeFrame(decodeCode(lo, hi, format), STAMP_TERM, params.seed, format);
}
