/**
 * setLongTimeout: a delay past Node's timer limit fires when it is due, not after 1 ms (Node's
 * TimeoutOverflowWarning behaviour, pinned first so the limit is a fact, not a guess); Infinity
 * never fires; clearing stops it, also between re-arms. Node's mock timers: no waiting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TIMER_DELAY_MS, clearLongTimeout, setLongTimeout } from '../../src/ring/long-timeout.js';

test('Node fires a timer past MAX_TIMER_DELAY_MS after 1 ms, with a TimeoutOverflowWarning: the limit this file works around', async () => {
  assert.equal(MAX_TIMER_DELAY_MS, 2147483647);
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    const t0 = performance.now();
    await new Promise<void>((r) => setTimeout(r, MAX_TIMER_DELAY_MS + 1));
    assert.ok(performance.now() - t0 < 60_000);
    await new Promise((r) => setImmediate(r));
    assert.ok(warnings.includes('TimeoutOverflowWarning'));
  } finally {
    process.off('warning', onWarning);
  }
});

test('a delay of three times the limit fires once, when it is due, and not before', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const fired: number[] = [];
  setLongTimeout(() => fired.push(1), 3 * MAX_TIMER_DELAY_MS);
  t.mock.timers.tick(MAX_TIMER_DELAY_MS);
  t.mock.timers.tick(MAX_TIMER_DELAY_MS);
  assert.deepEqual(fired, []);
  t.mock.timers.tick(MAX_TIMER_DELAY_MS - 1);
  assert.deepEqual(fired, []);
  t.mock.timers.tick(1);
  assert.deepEqual(fired, [1]);
  t.mock.timers.tick(10 * MAX_TIMER_DELAY_MS);
  assert.deepEqual(fired, [1]);
});

test('Infinity never fires but holds a timer; clearing it, also after a re-arm, stops it for good', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let fired = 0;
  const forever = setLongTimeout(() => fired++, Number.POSITIVE_INFINITY);
  t.mock.timers.tick(5 * MAX_TIMER_DELAY_MS);
  assert.equal(fired, 0);
  assert.notEqual(forever.timer, null);
  clearLongTimeout(forever);
  const long = setLongTimeout(() => fired++, 2 * MAX_TIMER_DELAY_MS);
  t.mock.timers.tick(MAX_TIMER_DELAY_MS);
  clearLongTimeout(long);
  t.mock.timers.tick(5 * MAX_TIMER_DELAY_MS);
  assert.equal(fired, 0);
  setLongTimeout(() => fired++, 5);
  t.mock.timers.tick(5);
  assert.equal(fired, 1);

});
