/**
 * markRepeatedRows (tile-colours.ts) finds the rows that repeat the row above with a memcmp per
 * run of rows when the snapshot's rows are contiguous (galloping, then bisection) and a memcmp per
 * row otherwise: both must give the per-row definition exactly. Frames of bands (a row repeated
 * for 1..70 rows, a change anywhere in a row, the padding byte alone), snapshots contiguous (a
 * copy, a full-width view) and strided. Seeded (VDP_SEED overrides); a failure names its seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { markRepeatedRows } from '../../../src/host/rfb/encoders/tile-colours.js';
import type { RectSnapshot } from '../../../src/host/rfb/encoders/rect-snapshot.js';
import { prng } from '../../ring/helpers.js';

const SEED = process.env.VDP_SEED ? Number(process.env.VDP_SEED) : 0x7e9ea7;

/** The definition: row y's w words equal row y - 1's. */
function reference(r: RectSnapshot): Uint8Array {
  const same = new Uint8Array(r.h);
  for (let y = 1; y < r.h; y++) {
    let eq = 1;
    for (let x = 0; x < r.w && eq; x++) if (r.words[r.offset + y * r.stride + x] !== r.words[r.offset + (y - 1) * r.stride + x]) eq = 0;
    same[y] = eq;
  }
  return same;
}

/** stride words per row, bands of repeated rows; a band's first row differs from the last in one word (or not at all). */
function banded(seed: number, stride: number, rows: number): Uint32Array {
  const rand = prng(seed);
  const words = new Uint32Array(stride * rows);
  let y = 0;
  while (y < rows) {
    const band = 1 + Math.floor(rand() * (rand() < 0.3 ? 3 : 70));
    const o = y * stride;
    if (y > 0) words.copyWithin(o, o - stride, o);
    const kind = Math.floor(rand() * 4);
    if (kind === 0) words[o + Math.floor(rand() * stride)] ^= 1 << Math.floor(rand() * 32); // one bit anywhere, padding byte too
    else if (kind === 1) for (let x = 0; x < stride; x++) words[o + x] = Math.floor(rand() * 2 ** 32);
    else if (kind === 2) words[o + stride - 1] ^= 0x01000000; // the last word's padding byte only
    // kind 3: the band repeats the one above
    for (let r = 1; r < band && y + r < rows; r++) words.copyWithin(o + r * stride, o, o + stride);
    y += band;
  }
  return words;
}

test('markRepeatedRows gives the per-row answer for contiguous and strided snapshots', () => {
  const arb = fc.record({
    seed: fc.nat(),
    width: fc.integer({ min: 1, max: 40 }),
    height: fc.integer({ min: 1, max: 300 }),
    x: fc.nat(10),
    w: fc.integer({ min: 1, max: 40 }),
    y: fc.nat(20),
  });
  try {
    fc.assert(
      fc.property(arb, ({ seed, width, height, x, w, y }) => {
        const words = banded(seed, width, height);
        const rows = height - Math.min(y, height - 1);
        const y0 = height - rows;
        // The whole width (contiguous rows), then a sub-rectangle (strided) when the frame has room for one.
        const rects: RectSnapshot[] = [{ x: 0, y: y0, w: width, h: rows, words, offset: y0 * width, stride: width, view: true }];
        const x0 = Math.min(x, width - 1);
        const w0 = Math.min(w, width - x0);
        if (w0 < width) rects.push({ x: x0, y: y0, w: w0, h: rows, words, offset: y0 * width + x0, stride: width, view: true });
        for (const r of rects) {
          const got = new Uint8Array(r.h).fill(7);
          markRepeatedRows(r, got);
          assert.deepEqual(got, reference(r), `${r.w}x${r.h} at (${r.x},${r.y}) of a ${width}-word stride`);
        }
      }),
      { seed: SEED, numRuns: 600 },
    );
  } catch (e) {
    (e as Error).message = `[seed ${SEED}; rerun with VDP_SEED=${SEED}] ${(e as Error).message}`;
    throw e;
  }
});
