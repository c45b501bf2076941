/**
 * Flat areas inside a Tight palette tile, to be sent as fills.
 *
 * Why: a client draws a Tight fill natively (noVNC: one canvas fillRect), while a palette tile is
 * unpacked pixel by pixel in its own code (noVNC's `_monoRect` and `_paletteRect`, JavaScript on
 * the page's main thread, then a putImageData). In the viewer page on a full-screen checkerboard
 * that unpacking was ~70% of the page's main thread, the one thread that bounded its frames/s.
 * TigerVNC's and libvncserver's Tight encoders also look for large solid areas and send them as
 * fills; here the search is on a fixed grid, which costs a compare per pixel of a flat block and a
 * few pixels of any other, and only in tiles that are already known to hold 2..16 colours.
 *
 * The rule (pinned by the reference encoder in test/host/rfb/reference-encoders.ts): the tile is
 * cut into FLAT_BLOCK x FLAT_BLOCK blocks from its top-left corner (the last row and column of
 * blocks may be smaller); when at least half of them hold one colour each, the tile is sent as
 * one fill per run of adjacent flat blocks of the same colour in a row of blocks, all of them
 * first, then one palette rectangle per run of adjacent blocks that are not flat, row by row of
 * blocks from the top. Otherwise the tile is one palette rectangle, as before.
 */
import type { RectSnapshot } from './rect-snapshot.js';
import { tileColours } from './tile-colours.js';

/** The side of the blocks a palette tile is searched for flat areas in (ZRLE's tile). */
export const FLAT_BLOCK = 64;

/** A block's entry in `keys` when it holds more than one colour. */
export const NOT_FLAT = -1;

/**
 * Fills `keys[j * cols + i]` with block (i, j)'s colour (0xRRGGBB) or NOT_FLAT, for the tile at
 * (tx, ty) of the snapshot, tw x th pixels, and returns whether the tile is to be split (at least
 * half its blocks flat, and more than one block). `same` is markRepeatedRows' answer for the
 * snapshot; `one` a one-word scratch.
 */
export function findFlatBlocks(r: RectSnapshot, tx: number, ty: number, tw: number, th: number, same: Uint8Array, keys: Int32Array, one: Uint32Array): boolean {
  const cols = Math.ceil(tw / FLAT_BLOCK);
  const rows = Math.ceil(th / FLAT_BLOCK);
  if (cols * rows < 2) return false;
  let flat = 0;
  for (let j = 0; j < rows; j++) {
    const by = ty + j * FLAT_BLOCK;
    const bh = Math.min(FLAT_BLOCK, th - j * FLAT_BLOCK);
    for (let i = 0; i < cols; i++) {
      const bx = tx + i * FLAT_BLOCK;
      const bw = Math.min(FLAT_BLOCK, tw - i * FLAT_BLOCK);
      const isFlat = tileColours(r.words, r.offset + by * r.stride + bx, r.stride, bw, bh, one, 1, same, by) === 1;
      keys[j * cols + i] = isFlat ? one[0]! : NOT_FLAT;
      if (isFlat) flat++;
    }
  }
  return 2 * flat >= cols * rows;
}
