import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DamageRegion, MAX_RECTS } from '../../../src/host/framebuffer/damage-region.js';
import { Prng } from '../../../src/backends/sim/index.js';

function covered(r: DamageRegion): Uint8Array {
  const m = new Uint8Array(r.width * r.height);
  const out = new Int32Array(4 * MAX_RECTS);
  const copy = new DamageRegion(r.width, r.height);
  copy.addRegion(r);
  const n = copy.take(out);
  for (let i = 0; i < n; i++) {
    for (let y = out[4 * i + 1]!; y < out[4 * i + 1]! + out[4 * i + 3]!; y++) for (let x = out[4 * i]!; x < out[4 * i]! + out[4 * i + 2]!; x++) m[y * r.width + x] = 1;
  }
  return m;
}

test('a region never under-covers: every added pixel is inside what take() returns (seeded random rects)', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const rng = new Prng(seed);
    const r = new DamageRegion(64, 48);
    const truth = new Uint8Array(64 * 48);
    for (let k = 0; k < 40; k++) {
      const x = rng.intBetween(0, 70) - 3;
      const y = rng.intBetween(0, 50) - 3;
      const w = rng.intBetween(0, 12);
      const h = rng.intBetween(0, 12);
      r.add(x, y, w, h);
      for (let yy = Math.max(0, y); yy < Math.min(48, y + h); yy++) for (let xx = Math.max(0, x); xx < Math.min(64, x + w); xx++) truth[yy * 64 + xx] = 1;
      assert.ok(r.full || r.count <= MAX_RECTS);
      const c = covered(r);
      for (let i = 0; i < truth.length; i++) if (truth[i]) assert.equal(c[i], 1, `seed ${seed}: pixel ${i % 64},${Math.floor(i / 64)} lost`);
    }
  }
});

test('overlapping and touching rects merge; a region over most of the framebuffer becomes full', () => {
  const r = new DamageRegion(100, 100);
  r.add(0, 0, 10, 10);
  r.add(5, 5, 10, 10);
  assert.equal(r.count, 1);
  assert.deepEqual(Array.from(r.rects.subarray(0, 4)), [0, 0, 15, 15]);
  r.add(15, 0, 5, 5); // touches: merged
  assert.equal(r.count, 1);
  r.add(50, 50, 2, 2);
  assert.equal(r.count, 2);
  r.add(0, 0, 80, 80);
  assert.ok(r.full);
  const out = new Int32Array(4 * MAX_RECTS);
  assert.equal(r.take(out), 1);
  assert.deepEqual(Array.from(out.subarray(0, 4)), [0, 0, 100, 100]);
  assert.ok(r.isEmpty);
});

test('rects outside the framebuffer or empty are ignored', () => {
  const r = new DamageRegion(10, 10);
  r.add(10, 0, 5, 5);
  r.add(0, 0, 0, 5);
  r.add(-5, -5, 5, 5);
  assert.ok(r.isEmpty);
});
