/**
 * Tight's JPEG rectangles (jpeg-rects.ts): a whole-screen change of a 1080p display is one JPEG, a
 * 4K one a few no wider than Tight allows; for any grid of JPEG tiles, the rectangles cover exactly
 * those tiles, once each. Seeded (VDP_SEED overrides); a failure names its seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TIGHT_MAX_RECT_WIDTH, planJpegRects } from '../../../src/host/rfb/encoders/jpeg-rects.js';
import { MAX_JPEG_RECT_PIXELS } from '../../../src/host/rfb/encoders/tight-encoder.js';

const SEED = process.env.VDP_SEED ? Number(process.env.VDP_SEED) : 0x5eed0e;
const TILE = 256;

function plan(flags: Uint8Array, w: number, h: number, tile = TILE, max = MAX_JPEG_RECT_PIXELS): number[][] {
  const cols = Math.ceil(w / tile);
  const rows = Math.ceil(h / tile);
  const out = new Int32Array(cols * rows * 4);
  const k = planJpegRects(flags, cols, rows, tile, w, h, max, out);
  return Array.from({ length: k }, (_, i) => Array.from(out.subarray(i * 4, i * 4 + 4)));
}

test('a 1080p frame that changed everywhere is one JPEG rectangle', () => {
  assert.deepEqual(plan(new Uint8Array(8 * 5).fill(1), 1920, 1080), [[0, 0, 1920, 1080]]);
});

test('a 4K frame is cut at Tight\'s 2048-pixel width and at the pixel budget', () => {
  assert.deepEqual(plan(new Uint8Array(15 * 9).fill(1), 3840, 2160), [
    [0, 0, 2048, 1024],
    [2048, 0, 1792, 1024],
    [0, 1024, 2048, 1024],
    [2048, 1024, 1792, 1136], // 1792 x 1136 still fits the budget; 2048 x 1136 does not
    [0, 2048, 2048, 112],
  ]);
});

test('runs with other columns below start rectangles of their own; tiles that are not JPEG stay out', () => {
  // 3 x 2 tiles: row 0 all JPEG, row 1 only the first two.
  assert.deepEqual(plan(Uint8Array.from([1, 1, 1, 1, 1, 0]), 600, 300), [
    [0, 0, 600, 256],
    [0, 256, 512, 44],
  ]);
  assert.deepEqual(plan(Uint8Array.from([1, 1, 0, 1, 1, 0]), 600, 300), [[0, 0, 512, 300]]);
  assert.deepEqual(plan(new Uint8Array(6), 600, 300), []);
});

test('for any grid of JPEG tiles the rectangles cover exactly those tiles, once each, within Tight\'s width', () => {
  const arb = fc.record({
    tile: fc.constantFrom(1, 16, 64, 256),
    cols: fc.integer({ min: 1, max: 20 }),
    rows: fc.integer({ min: 1, max: 12 }),
    lastW: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    lastH: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    density: fc.double({ min: 0, max: 1, noNaN: true }),
    bits: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 240, maxLength: 240 }),
    maxTiles: fc.integer({ min: 1, max: 60 }),
  });
  try {
    fc.assert(
      fc.property(arb, ({ tile, cols, rows, lastW, lastH, density, bits, maxTiles }) => {
        const w = (cols - 1) * tile + 1 + Math.floor(lastW * tile);
        const h = (rows - 1) * tile + 1 + Math.floor(lastH * tile);
        const flags = Uint8Array.from({ length: cols * rows }, (_, i) => (bits[i]! < density ? 1 : 0));
        const max = maxTiles * tile * tile;
        const rects = plan(flags, w, h, tile, max);
        const covered = new Uint8Array(cols * rows);
        for (const [x, y, rw, rh] of rects) {
          assert.ok(rw! > 0 && rh! > 0 && x! + rw! <= w && y! + rh! <= h, `rect ${[x, y, rw, rh]} inside ${w}x${h}`);
          assert.ok(rw! <= TIGHT_MAX_RECT_WIDTH, `rect ${[x, y, rw, rh]} no wider than Tight allows`);
          assert.equal(x! % tile, 0);
          assert.equal(y! % tile, 0);
          if (rh! > tile) assert.ok(rw! * rh! <= max, `a rect of several tile rows stays within ${max} pixels`);
          for (let r = y! / tile; r < Math.ceil((y! + rh!) / tile); r++) {
            for (let c = x! / tile; c < Math.ceil((x! + rw!) / tile); c++) {
              assert.equal(flags[r * cols + c], 1, `tile ${c},${r} is JPEG`);
              assert.equal(covered[r * cols + c], 0, `tile ${c},${r} in one rect only`);
              covered[r * cols + c] = 1;
            }
          }
        }
        assert.deepEqual(covered, flags);
      }),
      { seed: SEED, numRuns: 500 },
    );
  } catch (e) {
    (e as Error).message = `[jpeg-rects: seed ${SEED}; rerun with VDP_SEED=${SEED}] ${(e as Error).message}`;
    throw e;
  }
});
