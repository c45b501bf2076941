/**
 * Tight's JPEGs take their Huffman tables from the client's compression level: below
 * OPTIMISED_HUFFMAN_FROM_LEVEL, JPEG's standard tables (ITU T.81 Annex K, what TurboVNC and
 * TigerVNC send), which spare the encoder a second pass over the coefficients; from it up, tables
 * optimised for the image (fewer bytes). Huffman coding is lossless, so both decode to the very
 * same pixels, at every quality level. Two clients of one framebuffer at levels on either side
 * are each sent their own JPEG, not the other's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { FramePainter } from '../../../src/backends/sim/frame-pattern.js';
import { makePatternParams } from '../../../src/backends/sim/pattern-workload.js';
import { FORMAT_BGRA8 } from '../../../src/contract/pixel-format.js';
import { snapshotRect } from '../../../src/host/rfb/encoders/rect-snapshot.js';
import { SharedEncodes } from '../../../src/host/rfb/encoders/shared-encodes.js';
import { OPTIMISED_HUFFMAN_FROM_LEVEL, TightEncoder } from '../../../src/host/rfb/encoders/tight-encoder.js';
import { PixelTranslator, SERVER_PIXEL_FORMAT } from '../../../src/host/rfb/rfb-pixel-format.js';

const W = 320;
const H = 180;
const NOVNC = new PixelTranslator({ ...SERVER_PIXEL_FORMAT, redShift: 0, blueShift: 16 });

/** ITU T.81 Annex K.3: the code counts (BITS) of the four standard tables, in DHT order. */
const STANDARD_BITS: Record<string, number[]> = {
  'DC0': [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  'AC0': [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  'DC1': [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
  'AC1': [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
};

/** Every Huffman table a JFIF defines (its DHT segments), keyed by class and id. */
function huffmanTables(jpeg: Buffer): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let o = 2; // after SOI
  while (o + 4 <= jpeg.length && jpeg[o] === 0xff) {
    const marker = jpeg[o + 1]!;
    const len = jpeg.readUInt16BE(o + 2);
    if (marker === 0xda) break; // start of scan: no table after it in a baseline JPEG
    if (marker === 0xc4) {
      let p = o + 4;
      while (p < o + 2 + len) {
        const bits = [...jpeg.subarray(p + 1, p + 17)];
        out.set(`${jpeg[p]! >> 4 ? 'AC' : 'DC'}${jpeg[p]! & 15}`, bits);
        p += 17 + bits.reduce((a, b) => a + b, 0);
      }
    }
    o += 2 + len;
  }
  return out;
}

async function frameJpeg(level: number, quality: number, shared?: SharedEncodes): Promise<Buffer> {
  const pixels = new Uint8Array(W * H * 4);
  new FramePainter().render(pixels, W, H, W * 4, FORMAT_BGRA8, 7, makePatternParams({ workload: 'full' }));
  const frame = { pixels, width: W, height: H, stride: W * 4, format: FORMAT_BGRA8, sequence: 7, presentTimeMs: 0, dirty: { x: 0, y: 0, w: W, h: H } };
  const snap = snapshotRect(frame, 0, 0, W, H)!;
  if (shared) snap.shared = { encodes: shared, version: 1 };
  const enc = new TightEncoder(level);
  try {
    const out = await enc.encode(snap, NOVNC, quality);
    assert.equal(out.rects, 1, 'the whole frame is one merged JPEG rectangle');
    return out.chunks[out.chunks.length - 1]!;
  } finally {
    enc.close();
  }
}

test('below the threshold level a JPEG carries the standard Huffman tables, from it up optimised ones', async () => {
  for (const level of [0, 1, OPTIMISED_HUFFMAN_FROM_LEVEL - 1]) {
    const tables = huffmanTables(await frameJpeg(level, 7));
    assert.deepEqual(Object.fromEntries(tables), STANDARD_BITS, `level ${level}`);
  }
  for (const level of [OPTIMISED_HUFFMAN_FROM_LEVEL, 9]) {
    const tables = huffmanTables(await frameJpeg(level, 7));
    assert.equal(tables.size, 4, `level ${level}: four tables`);
    assert.notDeepEqual(Object.fromEntries(tables), STANDARD_BITS, `level ${level}: tables of its own`);
  }
});

test('standard and optimised tables decode to the same pixels, at every quality level', async () => {
  for (let quality = 0; quality <= 9; quality++) {
    const standard = await frameJpeg(1, quality);
    const optimised = await frameJpeg(9, quality);
    assert.ok(optimised.length < standard.length, `quality ${quality}: optimised tables are the smaller JPEG`);
    const [a, b] = await Promise.all([standard, optimised].map((j) => sharp(j).raw().toBuffer()));
    assert.ok(a!.equals(b!), `quality ${quality}: the same pixels`);
  }
});

test('clients of one framebuffer on either side of the threshold are each sent their own tables', async () => {
  const shared = new SharedEncodes();
  const fast = await frameJpeg(1, 7, shared);
  const small = await frameJpeg(9, 7, shared);
  const fastAgain = await frameJpeg(2, 7, shared);
  assert.deepEqual(Object.fromEntries(huffmanTables(fast)), STANDARD_BITS);
  assert.notDeepEqual(Object.fromEntries(huffmanTables(small)), STANDARD_BITS);
  assert.ok(fastAgain.equals(fast));
  assert.deepEqual(shared.counts, { made: 2, reused: 1 });
});
