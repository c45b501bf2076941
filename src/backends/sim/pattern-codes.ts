/**
 * The pixel codes of the test pattern: what colour a tile (or the stamp) shows when it was last
 * painted by frame f.
 *
 * A code v is (f * FRAME_MUL + tileTerm + seed) mod 2^bits, with FRAME_MUL odd, so for one tile the
 * map f -> v is a bijection on frame numbers mod 2^bits: a tile showing another frame's content
 * never matches, and a pixel's frame can be decoded back (decodeFrame). tileTerm differs per tile,
 * so a rectangle copied to the wrong place is caught at its first tile boundary.
 *
 * Layouts (little-endian words, as Node's typed arrays are on every platform it runs on):
 * - bgra8:   one word 0xFF000000 | v, v 24 bits (B = low byte, alpha opaque);
 * - rgba16f: two words; R, G, B are half floats 0x3800 | m (0.5 <= value < 1, always finite) whose
 *            10-bit mantissas m carry v's 30 bits high to low, A is 1.0 (0x3C00). Compare raw bits.
 */
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../contract/pixel-format.js';

const FRAME_MUL = 0x9e3779b1;
const TILE_MUL = 0x85ebca77;
/** The stamp's tile term: an index no tile has. */
const STAMP_INDEX = 0x7ffffe;

/** The inverse of FRAME_MUL mod 2^32 (Newton's iteration doubles the correct bits each step). */
const FRAME_INV = (() => {
  let x = FRAME_MUL;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(FRAME_MUL, x));
  return x;
})();

/** Bits of frame number a code carries: frames this many apart look the same. */
export function codeBits(format: number): number {
  return format === FORMAT_RGBA16F ? 30 : 24;
}

function mask(format: number): number {
  return format === FORMAT_RGBA16F ? 0x3fffffff : 0xffffff;
}

export function tileTerm(tileIndex: number): number {
  return Math.imul(tileIndex + 1, TILE_MUL);
}

export const STAMP_TERM = tileTerm(STAMP_INDEX);

/** Odd, so distinct targets 1..2^24 give distinct tile offsets mod 2^24 and mod 2^30. */
const TARGET_MUL = 0xc2b2ae35;
/** The inverse of TARGET_MUL mod 2^32, to read a target back from a tile. */
const TARGET_INV = (() => {
  let x = TARGET_MUL;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(TARGET_MUL, x));
  return x;
})();

/**
 * What a monitor's targetId adds to a tile's code: (targetId - 1) * TARGET_MUL. Target 1 adds 0,
 * so a one-monitor desktop is the image it always was; any other target shifts every tile's code
 * by a non-zero amount (TARGET_MUL is odd and targets differ by less than 2^24), so a surface of
 * monitor a never verifies as monitor b's, whatever frame its stamp names.
 */
export function targetTerm(targetId: number): number {
  return Math.imul(targetId - 1, TARGET_MUL);
}

/** The targetId whose paint a tile shows, given the code v it shows and the frame it should show; -1 if v is no code. */
export function decodeTarget(v: number, term: number, frame: number, seed: number, format: number): number {
  if (v < 0) return -1;
  const base = codeOf(term, frame, seed, format);
  return ((Math.imul((v - base) | 0, TARGET_INV) & mask(format)) >>> 0) + 1;
}

/** The code v of a tile (by its term) painted by frame f. */
export function codeOf(term: number, frame: number, seed: number, format: number): number {
  return (Math.imul(frame, FRAME_MUL) + term + seed) & mask(format);
}

const HALF_BASE = 0x3800;
const HALF_ONE = 0x3c00;

/** The first (or only) 32-bit word of a pixel showing code v. */
export function wordLo(v: number, format: number): number {
  if (format === FORMAT_BGRA8) return (0xff000000 | v) >>> 0;
  return ((HALF_BASE | ((v >>> 20) & 0x3ff)) | ((HALF_BASE | ((v >>> 10) & 0x3ff)) << 16)) >>> 0;
}

/** The second word of an rgba16f pixel showing code v (0 for bgra8, which has one word). */
export function wordHi(v: number, format: number): number {
  if (format === FORMAT_BGRA8) return 0;
  return ((HALF_BASE | (v & 0x3ff)) | (HALF_ONE << 16)) >>> 0;
}

/** Words per pixel: 1 for bgra8, 2 for rgba16f, 0 for a format the pattern does not draw. */
export function wordsPerPixel(format: number): number {
  return format === FORMAT_BGRA8 ? 1 : format === FORMAT_RGBA16F ? 2 : 0;
}

/** The code a pixel's words carry, or -1 when they are not a pattern pixel at all. */
export function decodeCode(lo: number, hi: number, format: number): number {
  if (format === FORMAT_BGRA8) return lo >>> 24 === 0xff ? lo & 0xffffff : -1;
  if ((lo & 0xfc00) !== HALF_BASE || ((lo >>> 16) & 0xfc00) !== HALF_BASE) return -1;
  if ((hi & 0xfc00) !== HALF_BASE || hi >>> 16 !== HALF_ONE) return -1;
  return (((lo & 0x3ff) << 20) | (((lo >>> 16) & 0x3ff) << 10) | (hi & 0x3ff)) >>> 0;
}

/** The frame number (mod 2^codeBits) whose paint shows code v on the tile with `term`. */
export function decodeFrame(v: number, term: number, seed: number, format: number): number {
  if (v < 0) return -1;
  return (Math.imul((v - term - seed) | 0, FRAME_INV) & mask(format)) >>> 0;
}

/**
 * The frame number nearest `near` that is congruent to `wrapped` mod 2^bits: turns a stamp read
 * back from the pixels (frame mod 2^24 or 2^30) into a full frame number.
 */
export function unwrapFrame(wrapped: number, bits: number, near: number): number {
  const m = 2 ** bits;
  const base = near - (((near % m) + m) % m);
  let best = base + wrapped;
  if (best - near > m / 2) best -= m;
  else if (near - best > m / 2) best += m;
  return best;
}
