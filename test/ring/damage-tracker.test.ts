import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DamageTracker, FULL_COPY_FRACTION, MAX_DAMAGE_RECTS } from '../../src/ring/index.js';

function rects(d: DamageTracker, slot: number): number[][] {
  const out: number[][] = [];
  const a = d.rectArray();
  for (let i = 0; i < d.rectCount(slot); i++) out.push(Array.from(a.subarray(d.rectBase(slot) + 4 * i, d.rectBase(slot) + 4 * i + 4)));
  return out;
}

test('a slot never written since attach needs a full copy', () => {
  const d = new DamageTracker(2, 100, 100);
  assert.equal(d.isFull(0), true);
  assert.equal(d.isFull(1), true);
});

test('a frame\'s rects are added to every written slot, clipped to the frame', () => {
  const d = new DamageTracker(2, 100, 100);
  d.clear(0);
  d.clear(1);
  d.addFrame(Int32Array.from([90, 90, 20, 20, -5, 0, 10, 10]), 2);
  assert.deepEqual(rects(d, 0), [[90, 90, 10, 10], [0, 0, 5, 10]]);
  assert.deepEqual(rects(d, 1), rects(d, 0));
  assert.deepEqual(Array.from(d.frameBounds), [0, 0, 100, 100]);
});

test('damage accumulates per slot until that slot receives a frame', () => {
  const d = new DamageTracker(2, 100, 100);
  d.clear(0);
  d.clear(1);
  d.addFrame(Int32Array.from([0, 0, 10, 10]), 1);
  d.clear(0); // slot 0 received that frame
  d.addFrame(Int32Array.from([50, 50, 10, 10]), 1);
  assert.deepEqual(rects(d, 0), [[50, 50, 10, 10]]);
  assert.deepEqual(rects(d, 1), [[0, 0, 10, 10], [50, 50, 10, 10]]);
  assert.deepEqual(Array.from(d.frameBounds), [50, 50, 10, 10]);
});

test('a rect already covered adds nothing', () => {
  const d = new DamageTracker(1, 100, 100);
  d.clear(0);
  d.addFrame(Int32Array.from([0, 0, 40, 40]), 1);
  d.addFrame(Int32Array.from([10, 10, 5, 5]), 1);
  assert.deepEqual(rects(d, 0), [[0, 0, 40, 40]]);
});

test('a rect that moved a little merges with the damage it overlaps when their bounding box is no larger than the two', () => {
  const d = new DamageTracker(1, 100, 100);
  d.clear(0);
  d.addFrame(Int32Array.from([10, 10, 20, 10]), 1);
  d.addFrame(Int32Array.from([11, 10, 20, 10]), 1); // dragged one pixel right
  assert.deepEqual(rects(d, 0), [[10, 10, 21, 10]]);
  d.addFrame(Int32Array.from([31, 10, 5, 10]), 1); // adjacent, same rows
  assert.deepEqual(rects(d, 0), [[10, 10, 26, 10]]);
  d.addFrame(Int32Array.from([40, 40, 5, 5]), 1); // apart: a box over both would be larger
  assert.deepEqual(rects(d, 0), [[10, 10, 26, 10], [40, 40, 5, 5]]);
  d.addFrame(Int32Array.from([0, 0, 100, 2]), 1); // a thin stripe over nothing of it: kept apart
  assert.deepEqual(rects(d, 0), [[10, 10, 26, 10], [40, 40, 5, 5], [0, 0, 100, 2]]);
});

test('past the rect limit a slot\'s damage collapses to its bounding box', () => {
  const d = new DamageTracker(1, 100, 100);
  d.clear(0);
  for (let i = 0; i <= MAX_DAMAGE_RECTS; i++) d.addFrame(Int32Array.from([i * 10, i * 5, 2, 2]), 1);
  assert.deepEqual(rects(d, 0), [[0, 0, MAX_DAMAGE_RECTS * 10 + 2, MAX_DAMAGE_RECTS * 5 + 2]]);
});

test('a frame with more rects than the list holds is reduced to its bounding box', () => {
  const d = new DamageTracker(1, 100, 100);
  d.clear(0);
  const many = new Int32Array(4 * 6);
  for (let i = 0; i < 6; i++) many.set([i * 3, 0, 1, 1], 4 * i);
  d.addFrame(many, 6);
  assert.deepEqual(rects(d, 0), [[0, 0, 16, 1]]);
  assert.deepEqual(Array.from(d.frameBounds), [0, 0, 16, 1]);
});

test('damage above the full-copy fraction turns into a full copy', () => {
  const d = new DamageTracker(1, 100, 100);
  d.clear(0);
  const side = Math.ceil(Math.sqrt(FULL_COPY_FRACTION) * 100) + 1;
  d.addFrame(Int32Array.from([0, 0, side, side]), 1);
  assert.equal(d.isFull(0), true);
});

test('unknown damage (-1) makes every slot full and the frame bounds the whole frame', () => {
  const d = new DamageTracker(2, 30, 20);
  d.clear(0);
  d.clear(1);
  d.addFrame(new Int32Array(0), -1);
  assert.equal(d.isFull(0), true);
  assert.equal(d.isFull(1), true);
  assert.deepEqual(Array.from(d.frameBounds), [0, 0, 30, 20]);
});

test('no damage (0) changes nothing and the frame bounds are empty', () => {
  const d = new DamageTracker(1, 30, 20);
  d.clear(0);
  d.addFrame(Int32Array.from([1, 1, 1, 1]), 0);
  assert.equal(d.rectCount(0), 0);
  assert.deepEqual(Array.from(d.frameBounds), [0, 0, 0, 0]);
});

test('empty, inverted and out-of-frame rects, and a count past the array, are ignored', () => {
  const d = new DamageTracker(1, 30, 20);
  d.clear(0);
  d.addFrame(Int32Array.from([5, 5, 0, 3, 5, 5, -3, 3, 40, 0, 5, 5, 0, 25, 5, 5]), 1000);
  assert.equal(d.rectCount(0), 0);
  assert.equal(d.isFull(0), false);
});
