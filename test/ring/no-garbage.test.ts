/**
 * "No garbage per frame on either side" (issue 11): once warm, a publish and a consume
 * (tryConsume + release) leave nothing on the JS heap, on both slot arms. Counted in heap bytes
 * across GCs (bench/ring/alloc-probe.ts), not timed.
 *
 * The bound is 2 bytes per frame. A BigInt is at least 16 bytes on V8's heap; the 64-bit token
 * path built several per frame (this probe measured ~180 B per publish and ~950 B per consume on
 * the slot-state arm before the 32-bit halves), so a single BigInt, closure or boxed double per
 * frame fails it by 8x. The slack is V8's own bookkeeping averaged over 20,000 frames.
 *
 * The one allocation the publisher keeps is the clock: `performance.now()` returns a new 16-byte
 * HeapNumber per call (Node's binding boxes the double), and LAST_PUBLISH_TIME is stamped once
 * per publish. The first test stubs the clock to pin the ring's own code at zero; the second runs
 * the real clock and pins that the clock is all there is (exactly one HeapNumber per publish).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureRingAllocation } from '../../bench/ring/alloc-probe.js';

const BOUND = 2;
const HEAP_NUMBER = 16;

/**
 * From sequence 0, and from 0xC00000, where every token's low word is past 2^31: a word that
 * large is no small integer in V8, so one crossing a call would be a HeapNumber per frame. (Past
 * 2^30 frames, ~207 days at 60 Hz, the sequence itself is that large: not pinned.)
 */
const START_SEQUENCES = [0, 0xc0_0000];

for (const arm of ['slot-state', 'keyed-mutex'] as const) {
  for (const startSequence of START_SEQUENCES) {
    test(`${arm} arm, sequences from ${startSequence}: a warm publish and a warm consume allocate nothing per frame (clock stubbed)`, () => {
      const r = measureRingAllocation({ arm, stubClock: true, startSequence });
      const msg = `${arm} from ${startSequence}: ${JSON.stringify(r)}`;
      assert.ok(r.publisher < BOUND, `publisher allocates ${r.publisher.toFixed(2)} B/frame; ${msg}`);
      assert.ok(r.consumer < BOUND, `consumer allocates ${r.consumer.toFixed(2)} B/frame; ${msg}`);
    });
  }
}

test('with the real clock the publisher allocates one HeapNumber per frame (the timestamp) and the consumer nothing', () => {
  const r = measureRingAllocation({ arm: 'slot-state' });
  const msg = JSON.stringify(r);
  assert.ok(r.publisher < HEAP_NUMBER + BOUND, `publisher allocates ${r.publisher.toFixed(2)} B/frame; ${msg}`);
  assert.ok(r.consumer < BOUND, `consumer allocates ${r.consumer.toFixed(2)} B/frame; ${msg}`);
});
