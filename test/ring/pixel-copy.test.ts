import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DamageTracker } from '../../src/ring/index.js';
import { PixelCopier } from '../../src/ring/pixel-copy.js';
import { prng, randInt } from './helpers.js';

const W = 37;
const H = 11;

function setup(bpp: number, srcStride: number, srcOffset = 0): { copier: PixelCopier; src: Uint8Array; dst: Uint8Array; dstOffset: number; stride: number } {
  const stride = W * bpp;
  const dstOffset = 128;
  const buffer = new SharedArrayBuffer(dstOffset + stride * H + 64);
  const copier = new PixelCopier(buffer, W, H, bpp, stride);
  const backing = new Uint8Array(srcOffset + srcStride * H);
  const src = backing.subarray(srcOffset);
  for (let i = 0; i < src.length; i++) src[i] = (i * 7 + 3) & 0xff;
  return { copier, src, dst: new Uint8Array(buffer), dstOffset, stride };
}

function expectRegion(s: ReturnType<typeof setup>, srcStride: number, bpp: number, inside: (x: number, y: number) => boolean): void {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let b = 0; b < bpp; b++) {
        const got = s.dst[s.dstOffset + y * s.stride + x * bpp + b];
        const want = inside(x, y) ? s.src[y * srcStride + x * bpp + b] : 0;
        assert.equal(got, want, `pixel ${x},${y} byte ${b}`);
      }
    }
  }
}

for (const [bpp, pad, offset] of [[4, 0, 0], [4, 12, 0], [8, 8, 0], [4, 3, 1], [8, 0, 2]] as const) {
  const srcStride = W * bpp + pad;
  const label = `${bpp} bytes/pixel, source stride +${pad}, source offset ${offset}`;

  test(`a full copy reproduces the source rows exactly (${label})`, () => {
    const s = setup(bpp, srcStride, offset);
    s.copier.setSource(s.src, srcStride);
    s.copier.copyFull(s.dstOffset);
    expectRegion(s, srcStride, bpp, () => true);
    assert.equal(s.dst[s.dstOffset + s.stride * H], 0, 'nothing written past the frame');
    assert.equal(s.dst[s.dstOffset - 1], 0, 'nothing written before it');
  });

  test(`a rect copy writes that rect and nothing else (${label})`, () => {
    const rand = prng(bpp * 100 + pad + offset);
    for (let i = 0; i < 40; i++) {
      const s = setup(bpp, srcStride, offset);
      s.copier.setSource(s.src, srcStride);
      const x = randInt(rand, 0, W - 1);
      const y = randInt(rand, 0, H - 1);
      const w = randInt(rand, 1, Math.min(W - x, 7)); // narrow (under a fifth of the row): the word (or byte) loop
      const h = randInt(rand, 1, H - y);
      s.copier.copyRect(s.dstOffset, x, y, w, h);
      expectRegion(s, srcStride, bpp, (px, py) => px >= x && px < x + w && py >= y && py < y + h);
    }
  });

  test(`a wide rect copies its whole rows, which is still the source (${label})`, () => {
    const s = setup(bpp, srcStride, offset);
    s.copier.setSource(s.src, srcStride);
    s.copier.copyRect(s.dstOffset, 1, 2, W - 2, 3);
    expectRegion(s, srcStride, bpp, (_x, y) => y >= 2 && y < 5);
  });
}

test('copyDamage copies only the slot\'s damage, or everything when the slot is full', () => {
  const bpp = 4;
  const s = setup(bpp, W * bpp);
  const d = new DamageTracker(1, W, H);
  s.copier.setSource(s.src, W * bpp);
  d.clear(0);
  d.addFrame(Int32Array.from([2, 3, 4, 2]), 1);
  s.copier.copyDamage(d, 0, s.dstOffset);
  expectRegion(s, W * bpp, bpp, (x, y) => x >= 2 && x < 6 && y >= 3 && y < 5);
  d.markFull(0);
  s.copier.copyDamage(d, 0, s.dstOffset);
  expectRegion(s, W * bpp, bpp, () => true);
});

test('a new source object is picked up, not a stale cached view', () => {
  const bpp = 4;
  const s = setup(bpp, W * bpp);
  s.copier.setSource(s.src, W * bpp);
  s.copier.copyFull(s.dstOffset);
  const other = new Uint8Array(W * bpp * H).fill(0xab);
  s.copier.setSource(other, W * bpp);
  s.copier.copyRect(s.dstOffset, 0, 0, 1, 1);
  s.copier.copyRect(s.dstOffset, 0, 5, W, 1);
  assert.equal(s.dst[s.dstOffset], 0xab);
  assert.equal(s.dst[s.dstOffset + 5 * s.stride + 10], 0xab);
  assert.equal(s.dst[s.dstOffset + 4], s.src[4]);
});
