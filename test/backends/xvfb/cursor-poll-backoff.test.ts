import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDLE_POLL_FACTOR, PollBackoff, QUIET_POLLS } from '../../../src/backends/xvfb/cursor-poll-backoff.js';

test('the poll keeps its base period while anything happens and for quietPolls polls after', () => {
  const b = new PollBackoff({ baseMs: 100, maxMs: 1000, quietPolls: 3 });
  for (let i = 0; i < 50; i++) assert.equal(b.next(true), 100);
  assert.deepEqual([b.next(false), b.next(false), b.next(false)], [100, 100, 100]);
});

test('a still pointer doubles the period up to maxMs, and one activity brings back the base at once', () => {
  const b = new PollBackoff({ baseMs: 100, maxMs: 1000, quietPolls: 2 });
  const still = Array.from({ length: 9 }, () => b.next(false));
  assert.deepEqual(still, [100, 100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  assert.equal(b.next(true), 100);
  // The quiet count starts again from zero.
  assert.deepEqual([b.next(false), b.next(false), b.next(false)], [100, 100, 200]);
});

test('the default backoff slows a 100 ms poll to once a second after two quiet seconds', () => {
  const b = PollBackoff.forBase(100);
  let elapsed = 0;
  let d = 0;
  while ((d = b.next(false)) < 100 * IDLE_POLL_FACTOR) elapsed += d;
  assert.equal(d, 1000);
  // QUIET_POLLS at the base rate, then 200 + 400 + 800 on the way up.
  assert.equal(elapsed, QUIET_POLLS * 100 + 200 + 400 + 800);
});

test('a backoff that could never poll is refused at construction', () => {
  assert.throws(() => new PollBackoff({ baseMs: 0, maxMs: 10, quietPolls: 1 }), RangeError);
  assert.throws(() => new PollBackoff({ baseMs: 100, maxMs: 50, quietPolls: 1 }), RangeError);
  assert.throws(() => new PollBackoff({ baseMs: 100, maxMs: 100, quietPolls: -1 }), RangeError);
});
