/**
 * Every fast path of the RFB encoders gives the bytes of the generic path (reference-encoders.ts:
 * per pixel through readKeys and the translator's tables): for random frames (flat areas, few
 * colours, noise, repeated rows, any padding byte), random rectangles, every kind of pixel format a
 * client may set (32/16/8 bits, both byte orders, odd shifts and maxes), and the ring's three frame
 * formats. Seeded (VDP_SEED overrides); a failure names its seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010 } from '../../../src/contract/pixel-format.js';
import { encodeRaw } from '../../../src/host/rfb/encoders/raw-encoder.js';
import { materializeSnapshot, snapshotRect } from '../../../src/host/rfb/encoders/rect-snapshot.js';
import { ScratchArena } from '../../../src/host/rfb/encoders/scratch-arena.js';
import { MAX_TIGHT_DATA_BYTES, TightEncoder } from '../../../src/host/rfb/encoders/tight-encoder.js';
import { ZrleEncoder } from '../../../src/host/rfb/encoders/zrle-encoder.js';
import { PixelTranslator, WORD_BGRX, WORD_RGBX, pixelFormatProblem, type RfbPixelFormat } from '../../../src/host/rfb/rfb-pixel-format.js';
import type { FrameView } from '../../../src/host/sinks/frame-view.js';
import { ReferenceTight, keyRect, referenceRaw, referenceZrleTiles } from './reference-encoders.js';
import { prng } from '../../ring/helpers.js';

const MODES = ['view', 'copy', 'convert'] as const;
const SEED = process.env.VDP_SEED ? Number(process.env.VDP_SEED) : 0x5eed13;

const BGRX: RfbPixelFormat = { bitsPerPixel: 32, depth: 24, bigEndian: false, trueColour: true, redMax: 255, greenMax: 255, blueMax: 255, redShift: 16, greenShift: 8, blueShift: 0 };
const RGBX: RfbPixelFormat = { ...BGRX, redShift: 0, blueShift: 16 };

/** A valid true-colour format: the common ones often, any other (odd shifts, maxes, byte order) too. */
const pixelFormatArb: fc.Arbitrary<RfbPixelFormat> = fc.oneof(
  fc.constantFrom(BGRX, RGBX, { ...BGRX, depth: 32 }, { ...RGBX, depth: 32 }, { ...BGRX, bigEndian: true }, { ...RGBX, bigEndian: true }),
  fc.constantFrom<RfbPixelFormat>(
    { bitsPerPixel: 16, depth: 16, bigEndian: false, trueColour: true, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 },
    { bitsPerPixel: 16, depth: 15, bigEndian: true, trueColour: true, redMax: 31, greenMax: 31, blueMax: 31, redShift: 10, greenShift: 5, blueShift: 0 },
    { bitsPerPixel: 8, depth: 8, bigEndian: false, trueColour: true, redMax: 7, greenMax: 7, blueMax: 3, redShift: 0, greenShift: 3, blueShift: 6 },
    { bitsPerPixel: 8, depth: 8, bigEndian: false, trueColour: true, redMax: 7, greenMax: 7, blueMax: 3, redShift: 5, greenShift: 2, blueShift: 0 },
  ),
  fc
    .record({
      bpp: fc.constantFrom(8, 16, 32),
      bigEndian: fc.boolean(),
      bits: fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 })),
      shifts: fc.tuple(fc.nat(31), fc.nat(31), fc.nat(31)),
      depth: fc.integer({ min: 1, max: 32 }),
    })
    .map(({ bpp, bigEndian, bits, shifts, depth }) => {
      const max = bits.map((b) => (1 << Math.min(b, bpp)) - 1);
      const shift = shifts.map((s, i) => s % (bpp - Math.min(bits[i]!, bpp) + 1));
      return { bitsPerPixel: bpp, depth: Math.min(depth, bpp), bigEndian, trueColour: true, redMax: max[0]!, greenMax: max[1]!, blueMax: max[2]!, redShift: shift[0]!, greenShift: shift[1]!, blueShift: shift[2]! };
    }),
);

/** A frame of random content: bands of flat colour, few colours, noise and repeated rows. */
function makeFrame(seed: number, width: number, height: number, format: number, padPixels: number): FrameView {
  const rand = prng(seed);
  const bpp = format === FORMAT_RGBA16F ? 8 : 4;
  const stride = (width + padPixels) * bpp;
  const pixels = new Uint8Array(stride * height);
  const alphaMode = Math.floor(rand() * 3); // 0: zero, 1: 0xff, 2: random per pixel
  let y = 0;
  while (y < height) {
    const band = 1 + Math.floor(rand() * 40);
    const style = Math.floor(rand() * 5);
    const colours = Array.from({ length: 1 + Math.floor(rand() * 20) }, () => Math.floor(rand() * 0x1000000));
    for (let row = y; row < Math.min(height, y + band); row++) {
      const repeat = style === 3 && row > y;
      for (let x = 0; x < width; x++) {
        const o = row * stride + x * bpp;
        if (repeat) {
          pixels.copyWithin(o, o - stride, o - stride + bpp);
          continue;
        }
        let c: number;
        if (style === 0) c = colours[0]!;
        else if (style === 1 || style === 3) c = colours[Math.floor(rand() * colours.length)]!;
        else if (style === 2) c = Math.floor(rand() * 0x1000000);
        else c = colours[Math.floor(x / 7) % colours.length]!;
        const a = alphaMode === 0 ? 0 : alphaMode === 1 ? 0xff : Math.floor(rand() * 256);
        for (let k = 0; k < bpp; k++) pixels[o + k] = k < 3 ? (c >>> (8 * k)) & 0xff : a;
        if (format === FORMAT_RGBA16F) for (let k = 0; k < 8; k++) pixels[o + k] = Math.floor(rand() * 256) & (k & 1 ? 0x3b : 0xff);
      }
    }
    y += band;
  }
  return { pixels, width, height, format, stride, sequence: 1, presentTimeMs: 0, dirty: { x: 0, y: 0, w: width, h: height } };
}

const caseArb = fc.record({
  seed: fc.nat(),
  width: fc.integer({ min: 1, max: 200 }),
  height: fc.integer({ min: 1, max: 140 }),
  format: fc.constantFrom(FORMAT_BGRA8, FORMAT_BGRA8, FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010),
  pad: fc.integer({ min: 0, max: 3 }),
  rect: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
  pf: pixelFormatArb,
});

interface Case {
  seed: number;
  width: number;
  height: number;
  format: number;
  pad: number;
  rect: [number, number, number, number];
  pf: RfbPixelFormat;
}

function setUp(c: Case): { f: FrameView; x: number; y: number; w: number; h: number } {
  const f = makeFrame(c.seed, c.width, c.height, c.format, c.pad);
  const x = Math.floor(c.rect[0] * (c.width - 1));
  const y = Math.floor(c.rect[1] * (c.height - 1));
  const w = 1 + Math.floor(c.rect[2] * (c.width - x - 1));
  const h = 1 + Math.floor(c.rect[3] * (c.height - y - 1));
  return { f, x, y, w, h };
}

function run(name: string, numRuns: number, check: (c: Case) => void | Promise<void>, async = false): Promise<void> | void {
  const params = { seed: SEED, numRuns };
  const fail = (e: unknown): never => {
    const err = e as Error;
    err.message = `[${name}: seed ${SEED}; rerun with VDP_SEED=${SEED}] ${err.message}`;
    throw err;
  };
  if (async) return fc.assert(fc.asyncProperty(caseArb, async (c) => check(c as Case)), params).catch(fail);
  try {
    fc.assert(fc.property(caseArb, (c) => void check(c as Case)), params);
  } catch (e) {
    fail(e);
  }
}

test('the formats noVNC and TigerVNC use get the fast paths; the generated formats are all valid', () => {
  assert.equal(new PixelTranslator(BGRX).wordKind, WORD_BGRX);
  assert.equal(new PixelTranslator(RGBX).wordKind, WORD_RGBX);
  fc.assert(fc.property(pixelFormatArb, (pf) => assert.equal(pixelFormatProblem(pf), null)), { seed: SEED, numRuns: 500 });
});

test('Raw: the fast paths write the generic path\'s bytes', () =>
  run('raw', 400, (c) => {
    const { f, x, y, w, h } = setUp(c);
    const want = referenceRaw(keyRect(f, x, y, w, h), new PixelTranslator(c.pf, { generic: true }));
    const arena = new ScratchArena();
    for (const mode of MODES) {
      const s = snapshotRect(f, x, y, w, h, arena, mode)!;
      assert.deepEqual(encodeRaw(s, new PixelTranslator(c.pf)).chunks[1], want, `raw, ${mode}`);
    }
    // A view copied before the frame changes keeps what it showed.
    const v = snapshotRect(f, x, y, w, h, arena, 'view')!;
    materializeSnapshot(v, arena);
    f.pixels.fill(0x5a);
    assert.deepEqual(encodeRaw(v, new PixelTranslator(c.pf)).chunks[1], want, 'a materialized view');
  }));

test('ZRLE: the tile data (solid, palette, raw CPIXELs) is the generic path\'s, byte for byte', () =>
  run('zrle', 400, (c) => {
    const { f, x, y, w, h } = setUp(c);
    const want = referenceZrleTiles(keyRect(f, x, y, w, h), new PixelTranslator(c.pf, { generic: true }));
    const enc = new ZrleEncoder(6);
    const arena = new ScratchArena();
    for (const mode of MODES) {
      const s = snapshotRect(f, x, y, w, h, arena, mode)!;
      assert.deepEqual(enc.tiles(s, new PixelTranslator(c.pf)), want, `zrle, ${mode}`);
    }
    enc.close();
  }));

test('Tight: fills, palettes, JPEG and zlib tiles are the generic path\'s bytes, streams in order', async () => {
  // maxJpegBytes: Tight's limit, or so low that every merged JPEG rectangle falls back to its tiles' JPEGs.
  const bigFrames = fc.record({ seed: fc.nat(), quality: fc.integer({ min: -1, max: 9 }), level: fc.integer({ min: 0, max: 9 }), maxJpegBytes: fc.constantFrom(MAX_TIGHT_DATA_BYTES, 2000) });
  await run(
    'tight',
    60,
    async (c) => {
      const { f, x, y, w, h } = setUp(c);
      const quality = (c.seed % 11) - 1;
      const ref = new ReferenceTight(1 + (c.seed % 9));
      const enc = new TightEncoder(1 + (c.seed % 9));
      try {
        const want = await ref.encode(keyRect(f, x, y, w, h), new PixelTranslator(c.pf, { generic: true }), quality);
        const got = await enc.encode(snapshotRect(f, x, y, w, h, undefined, MODES[c.seed % 3])!, new PixelTranslator(c.pf), quality);
        assert.deepEqual(Buffer.concat(got.chunks), want);
      } finally {
        ref.close();
        enc.close();
      }
    },
    true,
  );
  // Rectangles of several 256x256 tiles: each zlib stream gets its tiles in tile order, the JPEG
  // tiles are merged into the same rectangles (or fall back to the same tiles).
  await fc.assert(
    fc.asyncProperty(bigFrames, async ({ seed, quality, level, maxJpegBytes }) => {
      const f = makeFrame(seed, 600, 300, FORMAT_BGRA8, 0);
      const ref = new ReferenceTight(level, maxJpegBytes);
      const enc = new TightEncoder(level, maxJpegBytes);
      try {
        for (let k = 0; k < 2; k++) {
          const want = await ref.encode(keyRect(f, 0, 0, 600, 300), new PixelTranslator(RGBX, { generic: true }), quality);
          const got = await enc.encode(snapshotRect(f, 0, 0, 600, 300)!, new PixelTranslator(RGBX), quality);
          assert.deepEqual(Buffer.concat(got.chunks), want, `update ${k}`);
        }
      } finally {
        ref.close();
        enc.close();
      }
    }),
    { seed: SEED, numRuns: 8 },
  ).catch((e: Error) => {
    e.message = `[tight 600x300: seed ${SEED}; rerun with VDP_SEED=${SEED}] ${e.message}`;
    throw e;
  });
});
