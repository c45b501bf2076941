/**
 * What the simulated desktop repaints at each frame: the damage workload of the test pattern.
 *
 * The screen is a stamp column at the left (x < stampWidth, every row, repainted every frame)
 * and, right of it, a grid of square tiles (the last column and row may be partial):
 *
 *     x=0   stampWidth
 *     | S |  tile(0,0) | tile(1,0) | ... | tile(cols-1,0) |
 *     | S |  tile(0,1) | ...                               |
 *
 * Invariant: which tiles frame n repaints is a pure function of (n mod PATTERN_PERIOD) and the
 * grid. So the frame a tile last showed is found by replaying at most one period backwards, with no
 * history: any consumer can rebuild frame n's exact image from n alone. Frame 0 is the baseline:
 * every tile and the stamp painted once; the compositor's first present is frame 1.
 *
 * Workloads (the dirty area per present, at 1280x720 with 16 px tiles):
 * - moving:  a window a quarter of the screen each way glides along a bouncing path; each frame
 *            repaints its new and its old position (two rectangles, ~12% of the screen);
 * - desktop: a mostly idle desktop: a cursor trail (new + old position) every frame and a clock
 *            every 16th frame, plus the stamp (~1% of the screen);
 * - full:    everything, every frame (one full-screen rectangle).
 */
import { InvalidArgumentError } from '../../contract/errors.js';

export type PatternWorkload = 'moving' | 'desktop' | 'full';
export const PATTERN_WORKLOADS: readonly PatternWorkload[] = ['moving', 'desktop', 'full'];

/** Frames after which the repaint schedule repeats. */
export const PATTERN_PERIOD = 64;
const PERIOD_MASK = PATTERN_PERIOD - 1;
export const DEFAULT_TILE_SIZE = 16;
export const DEFAULT_STAMP_WIDTH = 8;
/** Most tile rectangles one frame repaints. */
export const MAX_PAINTED_RECTS = 3;
/** Most dirty rectangles of one frame against the previous one (painted tiles + the stamp). */
export const MAX_FRAME_DIRTY_RECTS = MAX_PAINTED_RECTS + 1;

/** Everything a consumer needs (besides width, height, format and n) to rebuild frame n. A plain object: it crosses threads. */
export interface PatternParams {
  workload: PatternWorkload;
  /** Mixed into every pixel code, so two seeds give different images. 0..2^32-1. */
  seed: number;
  tileSize: number;
  stampWidth: number;
  /**
   * The monitor (ring TARGET_ID) whose desktop this is, 1.. (default 1). Mixed into every tile's
   * code but not the stamp's, so the stamp says which frame a surface is and the tiles say whose:
   * a frame of another monitor fails at its first tile pixel (pattern-codes.ts targetTerm).
   */
  targetId: number;
}

export function makePatternParams(opts: Partial<PatternParams> = {}): PatternParams {
  const workload = opts.workload ?? 'moving';
  if (!PATTERN_WORKLOADS.includes(workload)) {
    throw new InvalidArgumentError(`pattern "${String(workload)}" is not one of ${PATTERN_WORKLOADS.join(', ')}`);
  }
  const seed = opts.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidArgumentError(`pattern seed ${seed} is not an integer in 0..4294967295`);
  const tileSize = opts.tileSize ?? DEFAULT_TILE_SIZE;
  if (!Number.isInteger(tileSize) || tileSize < 1 || tileSize > 1024) throw new InvalidArgumentError(`tile size ${tileSize} must be an integer in 1..1024`);
  const stampWidth = opts.stampWidth ?? DEFAULT_STAMP_WIDTH;
  if (!Number.isInteger(stampWidth) || stampWidth < 1 || stampWidth > 1024) throw new InvalidArgumentError(`stamp width ${stampWidth} must be an integer in 1..1024`);
  const targetId = opts.targetId ?? 1;
  if (!Number.isSafeInteger(targetId) || targetId < 1 || targetId > 0xffffff) throw new InvalidArgumentError(`pattern targetId ${targetId} is not an integer in 1..16777215`);
  return { workload, seed, tileSize, stampWidth, targetId };
}

/** Width of the stamp column on a screen `width` pixels wide. */
export function stampColumns(width: number, p: PatternParams): number {
  return Math.min(p.stampWidth, width);
}

/** Tile columns right of the stamp. */
export function tileCols(width: number, p: PatternParams): number {
  const rest = width - stampColumns(width, p);
  return rest <= 0 ? 0 : Math.ceil(rest / p.tileSize);
}

export function tileRows(height: number, p: PatternParams): number {
  return Math.ceil(height / p.tileSize);
}

/** 0..span along a triangle wave of period 64 at phase t. */
function tri64(t: number, span: number): number {
  const u = t & 63;
  return Math.floor(((u < 32 ? u : 64 - u) * span) / 32);
}

/** 0..span along a triangle wave of period 32 at phase t. */
function tri32(t: number, span: number): number {
  const u = t & 31;
  return Math.floor(((u < 16 ? u : 32 - u) * span) / 16);
}

function putRect(out: Int32Array, i: number, x: number, y: number, w: number, h: number): number {
  const o = i * 4;
  out[o] = x;
  out[o + 1] = y;
  out[o + 2] = w;
  out[o + 3] = h;
  return i + 1;
}

/**
 * The tiles frame `n` (>= 1) repaints, as (col, row, cols, rows) quads in `out`
 * (room for MAX_PAINTED_RECTS); returns how many. Allocation-free.
 */
export function paintedTileRects(p: PatternParams, cols: number, rows: number, n: number, out: Int32Array): number {
  if (cols <= 0 || rows <= 0) return 0;
  const phase = n & PERIOD_MASK;
  const prev = (n - 1) & PERIOD_MASK;
  switch (p.workload) {
    case 'full':
      return putRect(out, 0, 0, 0, cols, rows);
    case 'moving': {
      const w = Math.max(1, cols >> 2);
      const h = Math.max(1, rows >> 2);
      const x = tri64(phase, cols - w);
      const y = tri32(phase, rows - h);
      let k = putRect(out, 0, x, y, w, h);
      const px = tri64(prev, cols - w);
      const py = tri32(prev, rows - h);
      if (px !== x || py !== y) k = putRect(out, k, px, py, w, h);
      return k;
    }
    case 'desktop': {
      const s = cols >= 40 && rows >= 20 ? 2 : 1;
      const cw = Math.min(s, cols);
      const ch = Math.min(s, rows);
      const x = tri64(phase, cols - cw);
      const y = tri64(phase + 16, rows - ch);
      let k = putRect(out, 0, x, y, cw, ch);
      const px = tri64(prev, cols - cw);
      const py = tri64(prev + 16, rows - ch);
      if (px !== x || py !== y) k = putRect(out, k, px, py, cw, ch);
      if ((n & 15) === 0) {
        const clockW = Math.min(4, cols);
        k = putRect(out, k, cols - clockW, 0, clockW, 1);
      }
      return k;
    }
  }
}

/**
 * The pixel rectangles (x, y, w, h) in which frame `n` (>= 1) differs from frame n-1: the stamp
 * and the repainted tiles, clipped to the screen. `out` needs room for MAX_FRAME_DIRTY_RECTS;
 * `scratch` for MAX_PAINTED_RECTS. Returns the count. Allocation-free.
 */
export function frameDirtyRects(p: PatternParams, width: number, height: number, n: number, out: Int32Array, scratch: Int32Array): number {
  if (p.workload === 'full') return putRect(out, 0, 0, 0, width, height);
  const s = stampColumns(width, p);
  const t = p.tileSize;
  let k = putRect(out, 0, 0, 0, s, height);
  const count = paintedTileRects(p, tileCols(width, p), tileRows(height, p), n, scratch);
  for (let i = 0; i < count; i++) {
    const x = s + scratch[i * 4]! * t;
    const y = scratch[i * 4 + 1]! * t;
    const w = Math.min(scratch[i * 4 + 2]! * t, width - x);
    const h = Math.min(scratch[i * 4 + 3]! * t, height - y);
    k = putRect(out, k, x, y, w, h);
  }
  return k;
}
