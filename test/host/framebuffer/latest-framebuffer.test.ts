import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../../src/contract/pixel-format.js';
import { DamageRegion } from '../../../src/host/framebuffer/damage-region.js';
import { LatestFramebuffer, type FramebufferInput } from '../../../src/host/framebuffer/latest-framebuffer.js';

function frame(w: number, h: number, seq: number, fill: (x: number, y: number) => number, dirty = { x: 0, y: 0, w, h }, format = FORMAT_BGRA8, generation = 1): FramebufferInput {
  const bpp = format === FORMAT_RGBA16F ? 8 : 4;
  const px = new Uint8Array(w * h * bpp);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[(y * w + x) * bpp] = fill(x, y);
  return { pixels: px, width: w, height: h, format, stride: w * bpp, sequence: seq, presentTimeMs: seq, dirty, generation };
}

function collect(fb: LatestFramebuffer): { damage: DamageRegion; resized: number } {
  const acc = { damage: new DamageRegion(0, 0), resized: 0 };
  fb.subscribe({
    framebufferChanged(d, resized) {
      if (resized) {
        acc.resized++;
        acc.damage.resize(d.width, d.height);
      } else acc.damage.addRegion(d);
    },
  });
  return acc;
}

test('consecutive frames copy only their dirty rows, and the damage is their dirty bounds', () => {
  const fb = new LatestFramebuffer();
  const acc = collect(fb);
  fb.accept(frame(32, 16, 1, () => 1));
  assert.equal(acc.resized, 1);
  acc.damage.clear();
  // Frame 2 changes (4..8, 2..6) but its pixels elsewhere are garbage: only the dirty rows may be copied.
  fb.accept(frame(32, 16, 2, (x, y) => (x >= 4 && x < 8 && y >= 2 && y < 6 ? 2 : 9), { x: 4, y: 2, w: 4, h: 4 }));
  assert.deepEqual([acc.damage.count, ...acc.damage.rects.subarray(0, 4)], [1, 4, 2, 4, 4]);
  const px = fb.view!.pixels;
  assert.equal(px[(3 * 32 + 5) * 4], 2);
  assert.equal(px[(3 * 32 + 20) * 4], 1);
  assert.equal(px[(10 * 32 + 5) * 4], 1);
  assert.equal(fb.counts.contiguous, 1);
});

test('a sequence gap (skipped frames) finds the damage by comparing rows, and copies them', () => {
  const fb = new LatestFramebuffer();
  const acc = collect(fb);
  fb.accept(frame(16, 20, 1, () => 1));
  acc.damage.clear();
  // Frames 2..4 were skipped: frame 5's dirty bounds say nothing about what they changed.
  fb.accept(frame(16, 20, 5, (_x, y) => (y === 3 || y === 12 || y === 13 ? 7 : 1), { x: 0, y: 12, w: 1, h: 1 }));
  assert.equal(fb.counts.compared, 1);
  const out = new Int32Array(32);
  const n = acc.damage.take(out);
  const rows = new Set<number>();
  for (let i = 0; i < n; i++) for (let y = out[4 * i + 1]!; y < out[4 * i + 1]! + out[4 * i + 3]!; y++) rows.add(y);
  assert.deepEqual([...rows].sort((a, b) => a - b), [3, 12, 13]);
  assert.equal(fb.view!.pixels[3 * 16 * 4], 7);
});

test('a gap the frame\'s dirty span reaches over takes its dirty bounds, with no compare', () => {
  const fb = new LatestFramebuffer();
  const acc = collect(fb);
  fb.accept(frame(16, 20, 1, () => 1));
  acc.damage.clear();
  // Frames 2..3 were skipped, and the publisher reached frame 4's bounds back to frame 1.
  const f = { ...frame(16, 20, 4, (x, y) => (x < 2 && y >= 5 && y < 7 ? 3 : 9), { x: 0, y: 5, w: 2, h: 2 }), dirtySpan: 3 };
  fb.accept(f);
  assert.deepEqual([fb.counts.compared, fb.counts.contiguous], [0, 1]);
  assert.deepEqual([acc.damage.count, ...acc.damage.rects.subarray(0, 4)], [1, 0, 5, 2, 2]);
  assert.equal(fb.view!.pixels[(5 * 16) * 4], 3);
  assert.equal(fb.view!.pixels[(10 * 16) * 4], 1, 'outside the bounds nothing was copied');
  // One sequence beyond the span is a gap again.
  fb.accept({ ...frame(16, 20, 8, () => 1, { x: 0, y: 0, w: 1, h: 1 }), dirtySpan: 3 });
  assert.equal(fb.counts.compared, 1);
});

test('a new size resizes the subscribers; a new format (per-frame formats) is full damage without a resize', () => {
  const fb = new LatestFramebuffer();
  const acc = collect(fb);
  fb.accept(frame(8, 8, 1, () => 1));
  fb.accept(frame(12, 6, 2, () => 1));
  assert.equal(acc.resized, 2);
  assert.deepEqual([fb.width, fb.height], [12, 6]);
  acc.damage.clear();
  fb.accept(frame(12, 6, 3, () => 3, { x: 0, y: 0, w: 1, h: 1 }, FORMAT_RGBA16F));
  assert.equal(acc.resized, 2);
  assert.ok(acc.damage.full);
  assert.equal(fb.view!.format, FORMAT_RGBA16F);
  assert.equal(fb.view!.pixels[8 * 5], 3);
});

test('a sequence gap finds the changed columns too: a strip in the middle is its own rectangle, not full-width rows', () => {
  const fb = new LatestFramebuffer();
  const acc = collect(fb);
  fb.accept(frame(40, 30, 1, () => 1));
  acc.damage.clear();
  // Frames 2..3 skipped; frame 4 differs from frame 1 in (6..30, 10..13) and in one pixel (39, 20).
  fb.accept(frame(40, 30, 4, (x, y) => ((x >= 6 && x < 30 && y >= 10 && y < 13) || (x === 39 && y === 20) ? 5 : 1), { x: 0, y: 0, w: 1, h: 1 }));
  assert.equal(fb.counts.compared, 1);
  const out = new Int32Array(32);
  const n = acc.damage.take(out);
  const rects = [...Array(n).keys()].map((i) => [...out.subarray(4 * i, 4 * i + 4)]).sort((a, b) => a[1]! - b[1]!);
  assert.deepEqual(rects, [
    [6, 10, 24, 3],
    [39, 20, 1, 1],
  ]);
});
