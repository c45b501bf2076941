import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureTally } from '../../bench/xvfb/capture-tally.js';
import { pixelForSequence, verifyXFrame, WORKLOAD_TILE } from '../../src/backends/xvfb/index.js';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';

const W = WORKLOAD_TILE * 4;
const H = WORKLOAD_TILE * 2;

/** A synthetic 'animated' frame: every square encodes `seq`, except those listed, which encode `other`. */
function frame(seq: number, other = -1, squares: number[] = []): Uint8Array {
  const px = new Uint8Array(W * H * 4);
  const view = new DataView(px.buffer);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const tx = Math.floor(x / WORKLOAD_TILE);
      const ty = Math.floor(y / WORKLOAD_TILE);
      const index = ty * (W / WORKLOAD_TILE) + tx;
      const s = squares.includes(index) ? other : seq;
      view.setUint32((y * W + x) * 4, pixelForSequence(s, 24, ((tx + ty) & 1) === 1), true);
    }
  }
  return px;
}

const check = (px: Uint8Array): { ok: boolean; sequence: number } => verifyXFrame(px, W, H, W * 4, FORMAT_BGRA8);

test('whole_frames_count_as_distinct_repeats_as_duplicates_and_gaps_as_missed', () => {
  const t = new CaptureTally();
  for (const s of [10, 11, 11, 13, 14, 14, 14, 17]) t.add(check(frame(s)));
  assert.deepEqual(t.numbers(), { delivered: 8, distinct: 5, torn: 0, missed: 3, duplicates: 3, blank: 0 });
});

test('a_frame_that_mixes_two_sequences_is_torn_and_adds_no_sequence', () => {
  const t = new CaptureTally();
  t.add(check(frame(5)));
  t.add(check(frame(7, 6, [3, 4, 5])));
  t.add(check(frame(7)));
  const n = t.numbers();
  assert.equal(n.torn, 1);
  assert.equal(n.distinct, 2);
  // 6 was only ever seen inside a torn frame: it is missed.
  assert.equal(n.missed, 1);
  assert.equal(n.delivered, n.torn + n.distinct + n.duplicates + n.blank);
});

test('a_blank_screen_before_the_first_draw_is_counted_apart_not_as_torn', () => {
  const t = new CaptureTally();
  const blank = new Uint8Array(W * H * 4);
  t.add(check(blank), true);
  t.add(check(frame(1)));
  assert.deepEqual(t.numbers(), { delivered: 2, distinct: 1, torn: 0, missed: 0, duplicates: 0, blank: 1 });
});

test('nothing_delivered_is_all_zero', () => {
  assert.deepEqual(new CaptureTally().numbers(), { delivered: 0, distinct: 0, torn: 0, missed: 0, duplicates: 0, blank: 0 });
});
