/**
 * Tight's flat blocks (src/host/rfb/encoders/flat-blocks.ts): a palette tile at least half of
 * whose 64x64 blocks are one colour goes as fills for those and palette rectangles for the rest.
 * The encoder's bytes are the generic path's (reference-encoders.ts, which states the rule per
 * pixel) on random mosaics of flat, few-colour and noisy blocks, at any offset and pixel format;
 * and the split is what a checkerboard and a mostly textured tile actually get. vncsnapshot
 * decodes such a drawing on Xvfb in vncsnapshot-xvfb.test.ts. Seeded (VDP_SEED overrides).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FORMAT_BGRA8 } from '../../../src/contract/pixel-format.js';
import { snapshotRect } from '../../../src/host/rfb/encoders/rect-snapshot.js';
import { TightEncoder } from '../../../src/host/rfb/encoders/tight-encoder.js';
import { PixelTranslator, type RfbPixelFormat } from '../../../src/host/rfb/rfb-pixel-format.js';
import type { FrameView } from '../../../src/host/sinks/frame-view.js';
import { ReferenceTight, keyRect } from './reference-encoders.js';
import { prng } from '../../ring/helpers.js';

const SEED = process.env.VDP_SEED ? Number(process.env.VDP_SEED) : 0xb10c5;

const BGRX: RfbPixelFormat = { bitsPerPixel: 32, depth: 24, bigEndian: false, trueColour: true, redMax: 255, greenMax: 255, blueMax: 255, redShift: 16, greenShift: 8, blueShift: 0 };
const FORMATS: RfbPixelFormat[] = [
  BGRX,
  { ...BGRX, redShift: 0, blueShift: 16 },
  { ...BGRX, bigEndian: true },
  { bitsPerPixel: 16, depth: 16, bigEndian: false, trueColour: true, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 },
  { bitsPerPixel: 8, depth: 8, bigEndian: false, trueColour: true, redMax: 7, greenMax: 7, blueMax: 3, redShift: 0, greenShift: 3, blueShift: 6 },
];

/** A bgra8 frame painted by `colour(x, y)` (0xRRGGBB), its fourth byte random or fixed. */
function frameOf(width: number, height: number, colour: (x: number, y: number) => number, pad = 0): FrameView {
  const stride = width * 4;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colour(x, y);
      const o = y * stride + x * 4;
      pixels[o] = c & 0xff;
      pixels[o + 1] = (c >>> 8) & 0xff;
      pixels[o + 2] = (c >>> 16) & 0xff;
      pixels[o + 3] = pad;
    }
  }
  return { pixels, width, height, format: FORMAT_BGRA8, stride, sequence: 1, presentTimeMs: 0, dirty: { x: 0, y: 0, w: width, h: height } };
}

/**
 * Blocks of `side` pixels on a grid shifted by (gx, gy): each flat in one of three colours (so
 * neighbours often share one), or two or five colours at random, or noise (a tile that holds one
 * has more than 16 colours and is not split).
 */
function mosaic(seed: number, width: number, height: number, side: number, gx: number, gy: number): FrameView {
  const rand = prng(seed);
  const cols = Math.ceil((width + gx) / side);
  const kinds = Array.from({ length: cols * Math.ceil((height + gy) / side) }, () => {
    const k = rand();
    return k < 0.6 ? 0 : k < 0.8 ? 1 : k < 0.98 ? 2 : 3;
  });
  const flat = [0x102030, 0xf0e0d0, 0x336699];
  const few = [0x000000, 0xffffff, 0xff0000, 0x00ff00, 0x0000ff];
  const keyOf = kinds.map((_, i) => flat[i % 3]!);
  return frameOf(width, height, (x, y) => {
    const b = Math.floor((y + gy) / side) * cols + Math.floor((x + gx) / side);
    switch (kinds[b]) {
      case 0:
        return keyOf[b]!;
      case 1:
        return few[Math.floor(rand() * 2)]!;
      case 2:
        return few[Math.floor(rand() * 5)]!;
      default:
        return Math.floor(rand() * 0x1000000);
    }
  }, Math.floor(rand() * 256));
}

async function encodeBoth(f: FrameView, x: number, y: number, w: number, h: number, pf: RfbPixelFormat, quality: number, level: number): Promise<{ got: Buffer; want: Buffer; rects: number }> {
  const ref = new ReferenceTight(level);
  const enc = new TightEncoder(level);
  try {
    const want = await ref.encode(keyRect(f, x, y, w, h), new PixelTranslator(pf, { generic: true }), quality);
    const e = await enc.encode(snapshotRect(f, x, y, w, h)!, new PixelTranslator(pf), quality);
    return { got: Buffer.concat(e.chunks), want, rects: e.rects };
  } finally {
    ref.close();
    enc.close();
  }
}

test('Tight on mosaics of flat, few-colour and noisy blocks: the generic path\'s bytes, at any offset and pixel format', async () => {
  const arb = fc.record({
    seed: fc.nat(),
    width: fc.integer({ min: 64, max: 600 }),
    height: fc.integer({ min: 64, max: 300 }),
    side: fc.constantFrom(64, 64, 32, 96, 128),
    grid: fc.tuple(fc.nat(127), fc.nat(127)),
    aligned: fc.boolean(),
    // Thousandths (fast-check's doubles crowd at 0 and 1, which makes 1x1 rectangles); mostly
    // large rectangles, where tiles have blocks to split.
    rect: fc.tuple(fc.nat(1000), fc.nat(1000), fc.integer({ min: 300, max: 1000 }), fc.integer({ min: 300, max: 1000 })).map((t) => t.map((v) => v / 1000) as [number, number, number, number]),
    pf: fc.constantFrom(...FORMATS),
    quality: fc.integer({ min: -1, max: 9 }),
    level: fc.integer({ min: 0, max: 9 }),
  });
  let split = 0;
  await fc
    .assert(
      fc.asyncProperty(arb, async (c) => {
        const x = Math.floor(c.rect[0] * (c.width - 1));
        const y = Math.floor(c.rect[1] * (c.height - 1));
        const w = 1 + Math.floor(c.rect[2] * (c.width - x - 1));
        const h = 1 + Math.floor(c.rect[3] * (c.height - y - 1));
        // Half the cases put the mosaic's grid on the rectangle's (the tiles' blocks are its blocks).
        const [gx, gy] = c.aligned ? [(c.side - (x % c.side)) % c.side, (c.side - (y % c.side)) % c.side] : c.grid;
        const f = mosaic(c.seed, c.width, c.height, c.side, gx, gy);
        const { got, want, rects } = await encodeBoth(f, x, y, w, h, c.pf, c.quality, c.level);
        assert.deepEqual(got, want);
        if (rects > Math.ceil(w / 256) * Math.ceil(h / 256)) split++;
      }),
      { seed: SEED, numRuns: 100 },
    )
    .catch((e: Error) => {
      e.message = `[tight flat blocks: seed ${SEED}; rerun with VDP_SEED=${SEED}] ${e.message}`;
      throw e;
    });
  // The mosaics reach the split: more rectangles than tiles (JPEG merging only ever lowers it).
  assert.ok(split >= 5, `${split} of 100 cases split a tile`);
});

test('a checkerboard of 64-pixel squares is sent as one fill per square, and a mostly textured tile as one palette rectangle', async () => {
  // 256x256: one tile, 16 squares of two colours alternating: 16 fills of 12 + 1 + 3 bytes.
  const board = frameOf(256, 256, (x, y) => (((x >> 6) + (y >> 6)) & 1 ? 0xffffff : 0x000080));
  const b = await encodeBoth(board, 0, 0, 256, 256, BGRX, -1, 6);
  assert.deepEqual(b.got, b.want);
  assert.equal(b.rects, 16);
  assert.equal(b.got.length, 16 * 16);
  for (let i = 0; i < 16; i++) assert.equal(b.got[i * 16 + 12], 0x80, `rectangle ${i} is a fill`);
  // Same-coloured neighbours in a row of blocks are one fill: stripes of 64-pixel rows.
  const stripes = frameOf(256, 256, (_x, y) => ((y >> 6) & 1 ? 0xffffff : 0x000080));
  const s = await encodeBoth(stripes, 0, 0, 256, 256, BGRX, -1, 6);
  assert.deepEqual(s.got, s.want);
  assert.equal(s.rects, 4);
  // Half the blocks flat, the other half two-coloured noise in the left half: 4 fills, 4 palettes.
  const rand = prng(7);
  const half = frameOf(256, 256, (x) => (x < 128 ? (rand() < 0.5 ? 0 : 0xffffff) : 0x336699));
  const hf = await encodeBoth(half, 0, 0, 256, 256, BGRX, -1, 6);
  assert.deepEqual(hf.got, hf.want);
  assert.equal(hf.rects, 8);
  // Fewer than half flat: the tile stays one palette rectangle.
  const rand2 = prng(8);
  const most = frameOf(256, 256, (x, y) => (x < 64 && y < 64 ? 0x336699 : rand2() < 0.5 ? 0 : 0xffffff));
  const m = await encodeBoth(most, 0, 0, 256, 256, BGRX, -1, 6);
  assert.deepEqual(m.got, m.want);
  assert.equal(m.rects, 1);
  assert.equal(m.got[12], 0x40 | (2 << 4), 'an explicit palette filter on stream 2 (three colours)');
});
