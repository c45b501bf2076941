import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PixelCopier } from '../../src/ring/pixel-copy.js';
import { RectRowViews } from '../../src/ring/rect-row-views.js';
import { prng, randInt } from './helpers.js';

const W = 256;
const H = 48;
const BPP = 4;
const STRIDE = W * BPP;

test('a band is made on its second sighting in a row of misses, never for a rect seen once', () => {
  const v = new RectRowViews(H);
  v.setSource(new Uint8Array(STRIDE * H), STRIDE);
  assert.equal(v.band(40, 400), -1, 'first sighting: only remembered');
  const b = v.band(40, 400);
  assert.ok(b >= 0, 'second sighting: a band');
  assert.equal(v.band(40, 400), b, 'and the same band after');
  for (let x = 0; x < 20; x++) assert.equal(v.band(x * 4, 256), -1, 'a rect moving a pixel per frame gets none');
});

test('a band row views exactly the columns of that row, and follows the source as it changes', () => {
  const src = new Uint8Array(new SharedArrayBuffer(STRIDE * H));
  const v = new RectRowViews(H);
  v.setSource(src, STRIDE);
  v.band(12, 200);
  const b = v.band(12, 200);
  const row = v.row(b, 7);
  assert.equal(row.byteOffset, 7 * STRIDE + 12);
  assert.equal(row.length, 200);
  assert.equal(v.row(b, 7), row, 'made once, then the same view');
  src[7 * STRIDE + 12] = 0x5a;
  assert.equal(row[0], 0x5a, 'a view, not a snapshot');
});

test('a new source drops every band, and the least recently used band makes room for a ninth', () => {
  const v = new RectRowViews(H);
  v.setSource(new Uint8Array(STRIDE * H), STRIDE);
  const bands: number[] = [];
  for (let i = 0; i < 8; i++) {
    v.band(i * 100, 128);
    bands.push(v.band(i * 100, 128));
  }
  assert.equal(new Set(bands).size, 8);
  for (let i = 1; i < 8; i++) v.band(i * 100, 128); // band 0 is now the least recently used
  v.band(900, 128);
  assert.equal(v.band(900, 128), bands[0], 'the ninth takes the least recently used band');
  assert.equal(v.band(0, 128), -1, 'which is gone');
  v.setSource(new Uint8Array(STRIDE * H), STRIDE);
  assert.equal(v.band(100, 128), -1, 'a new source keeps no band');
});

test('rects copied over and over, repeating or not, always leave the slot equal to a byte-by-byte copy', () => {
  const seed = 0x11d4;
  const rand = prng(seed);
  const dstOffset = 256;
  const buffer = new SharedArrayBuffer(dstOffset + STRIDE * H + 64);
  const copier = new PixelCopier(buffer, W, H, BPP, STRIDE);
  const src = new Uint8Array(new SharedArrayBuffer(STRIDE * H));
  const dst = new Uint8Array(buffer);
  const want = new Uint8Array(dst.length);
  // A few rects that come back (a clock, a cursor), and others drawn once.
  const pool = [
    [100, 5, 60, 9],
    [3, 20, 200, 4],
    [0, 0, 40, H],
    [W - 33, H - 10, 33, 10],
  ];
  copier.setSource(src, STRIDE);
  for (let step = 0; step < 400; step++) {
    // The source changes every step, including bytes that look like NaN doubles (all ones).
    for (let i = 0; i < 64; i++) src[randInt(rand, 0, src.length - 1)] = rand() < 0.3 ? 0xff : randInt(rand, 0, 255);
    const r = rand() < 0.7 ? pool[randInt(rand, 0, pool.length - 1)]! : [randInt(rand, 0, W - 40), randInt(rand, 0, H - 2), randInt(rand, 1, 40), randInt(rand, 1, 2)];
    const [x, y, w, h] = r as [number, number, number, number];
    const before = dst.slice();
    copier.copyRect(dstOffset, x, y, w, h);
    for (let row = y; row < y + h; row++) {
      for (let b = x * BPP; b < (x + w) * BPP; b++) want[dstOffset + row * STRIDE + b] = src[row * STRIDE + b]!;
    }
    // Whole-row copies (wide rects) may also write undamaged bytes of the current source, so
    // outside the rect only its own rows may change.
    for (let k = 0; k < dst.length; k++) {
      if (dst[k] === before[k]) continue;
      const row = Math.floor((k - dstOffset) / STRIDE);
      if (k < dstOffset || row < y || row >= y + h) assert.fail(`seed ${seed}, step ${step}, rect ${r.join(',')}: byte ${k} outside the rect's rows changed`);
    }
    for (let row = y; row < y + h; row++) {
      for (let b = x * BPP; b < (x + w) * BPP; b++) {
        const k = dstOffset + row * STRIDE + b;
        if (dst[k] !== want[k]) assert.fail(`seed ${seed}, step ${step}, rect ${r.join(',')}: byte ${b} of row ${row} is ${dst[k]}, want ${want[k]}`);
      }
    }
  }
  for (let i = 0; i < dstOffset; i++) assert.equal(dst[i], 0, `seed ${seed}: byte ${i} before the slot`);
  for (let i = dstOffset + STRIDE * H; i < dst.length; i++) assert.equal(dst[i], 0, `seed ${seed}: byte ${i} after the slot`);
});
