/**
 * A stamp of a frame's sequence N that survives I420 and a lossy H.264 encode, for `bench record`.
 * The checkerboard stamp of src/backends/xvfb/workload.ts carries N in exact RGB values, which a
 * YUV conversion rounds away: consecutive frames often round to the same Y, U and V.
 *
 * The tile (LUMA_TILE_W x LUMA_TILE_H) is two rows of LUMA_BITS cells, LUMA_CELL pixels square:
 * cell i of row 0 holds bit i of N, cell i of row 1 bit i of ~N. A 1 is a light cell, a 0 a dark
 * one, their luma ~100 levels apart; both shades move with N by less than a quarter of that, so
 * every pixel changes every frame, as in a full-screen animation, and the encoder must code it.
 * The workload paints the tile off screen and covers the screen with it in one tiled fill, so a
 * frame read under a server grab holds one N everywhere (as workload.ts's 'animated' does).
 *
 * Decoding reads only the luma plane: every tile wholly on screen, each cell's 4x4 centre mean
 * against the middle luma. A frame is whole when every tile decodes to one N whose row 1 is its
 * complement; a screen whose every cell is dark is blank (nothing drawn yet).
 */

export const LUMA_CELL = 40;
export const LUMA_BITS = 24;
export const LUMA_TILE_W = LUMA_CELL * LUMA_BITS;
export const LUMA_TILE_H = LUMA_CELL * 2;
const SEQ_MASK = (1 << LUMA_BITS) - 1;
/** Light channels lie in [LIGHT, LIGHT + SPREAD), dark ones in [DARK, DARK + SPREAD). */
const LIGHT = 184;
const DARK = 24;
const SPREAD = 48;
/**
 * Between the darkest light cell (channels 184: limited-range Y 174) and the lightest dark one
 * (channels 71: Y 77), in the plane's own limited-range levels.
 */
export const LUMA_THRESHOLD = 125;

function shade(base: number, seq: number): number {
  // Each channel moves at its own pace, so the chroma moves too.
  const r = base + ((seq * 7) % SPREAD);
  const g = base + ((seq * 13 + 16) % SPREAD);
  const b = base + ((seq * 29 + 32) % SPREAD);
  return (r << 16) | (g << 8) | b;
}

/** The depth-24 pixel values of frame `seq`'s light and dark cells. */
export function lumaStampColours(seq: number): { light: number; dark: number } {
  return { light: shade(LIGHT, seq), dark: shade(DARK, seq) };
}

/** The light cells of frame `seq`'s tile, as X rectangles (x, y, w, h flattened), into `out`. */
export function lumaStampLightCells(seq: number, out: number[] = []): number[] {
  out.length = 0;
  const v = seq & SEQ_MASK;
  for (let i = 0; i < LUMA_BITS; i++) {
    const row = (v >>> i) & 1 ? 0 : 1;
    out.push(i * LUMA_CELL, row * LUMA_CELL, LUMA_CELL, LUMA_CELL);
  }
  return out;
}

export interface LumaStampCheck {
  /** Every tile decoded to one sequence, its complement row agreeing. */
  ok: boolean;
  /** Nothing drawn yet: every cell dark. */
  blank: boolean;
  /** The sequence of the first tile (when ok: of the frame). */
  sequence: number;
  tiles: number;
}

function cellMean(luma: Uint8Array, stride: number, cx: number, cy: number): number {
  let sum = 0;
  for (let y = cy - 2; y < cy + 2; y++) {
    const row = y * stride;
    sum += luma[row + cx - 2]! + luma[row + cx - 1]! + luma[row + cx]! + luma[row + cx + 1]!;
  }
  return sum >> 4;
}

/** Decodes a frame's luma plane (`stride` bytes per row). */
export function checkLumaStamp(luma: Uint8Array, width: number, height: number, stride = width): LumaStampCheck {
  const half = LUMA_CELL >> 1;
  let first = -1;
  let ok = true;
  let anyLight = false;
  let tiles = 0;
  for (let ty = 0; (ty + 1) * LUMA_TILE_H <= height; ty++) {
    for (let tx = 0; (tx + 1) * LUMA_TILE_W <= width; tx++) {
      let v = 0;
      let w = 0;
      for (let i = 0; i < LUMA_BITS; i++) {
        const cx = tx * LUMA_TILE_W + i * LUMA_CELL + half;
        const a = cellMean(luma, stride, cx, ty * LUMA_TILE_H + half) > LUMA_THRESHOLD;
        const b = cellMean(luma, stride, cx, ty * LUMA_TILE_H + LUMA_CELL + half) > LUMA_THRESHOLD;
        if (a) v |= 1 << i;
        if (b) w |= 1 << i;
        anyLight ||= a || b;
      }
      tiles++;
      if (((v ^ w) & SEQ_MASK) !== SEQ_MASK) ok = false;
      if (first < 0) first = v;
      else if (v !== first) ok = false;
    }
  }
  return { ok: ok && tiles > 0, blank: !anyLight, sequence: Math.max(0, first), tiles };
}
