import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DURATION_MS, parseDuration } from '../../src/contract/duration.js';
import { FaultScheduleError, quoteInput } from '../../src/contract/errors.js';
import { parseFaultSchedule } from '../../src/backends/sim/fault-schedule.js';
import { parseDurationMs } from '../../src/cli/parse-values.js';

test('every unit means the same in --duration and in a fault schedule', () => {
  const cases: Array<[string, number]> = [['250ms', 250], ['1.5s', 1500], ['2m', 120_000], ['1h', 3_600_000], ['.5s', 500], [' 3 s ', 3000]];
  for (const [text, ms] of cases) {
    assert.equal(parseDuration(text), ms, text);
    assert.equal(parseDurationMs(text), ms, `--duration ${text}`);
    assert.equal(parseFaultSchedule(`idle@${text}:${text}`)[0]!.atMs, ms, `fault time ${text}`);
    assert.equal(parseFaultSchedule(`idle@0:${text}`)[0]!.durationMs, ms, `fault duration ${text}`);
  }
});

test('a bare number other than 0 is refused in both places, with the same words', () => {
  assert.match(String(parseDuration('3')), /no unit: write 3ms or 3s/);
  assert.throws(() => parseDurationMs('3'), /--duration "3" has no unit/);
  assert.throws(() => parseFaultSchedule('idle@3'), (e: unknown) => e instanceof FaultScheduleError && /time "3" has no unit/.test(e.message));
  assert.equal(parseDuration('0'), 0);
  assert.throws(() => parseDurationMs('0'), /more than 0/, 'a run of no time is refused');
});

test('negative, unknown-unit, non-numeric and over-24-h durations are refused with a reason', () => {
  assert.match(String(parseDuration('-1s')), /^"-1s" is negative$/);
  assert.match(String(parseDuration('5min')), /unknown unit "min"/);
  assert.match(String(parseDuration('fast')), /not a number with a unit/);
  assert.match(String(parseDuration('25h')), /longer than 24 h/);
  assert.equal(parseDuration('24h'), MAX_DURATION_MS);
  assert.throws(() => parseDurationMs('-1s'), /--duration "-1s" is negative/);
});

test('user text in a message is quoted once and cut to a readable length', () => {
  assert.equal(quoteInput('abc'), '"abc"');
  const long = quoteInput('x'.repeat(10_000));
  assert.ok(long.length <= 50, long);
  assert.ok(long.endsWith('…"'));
  const entry = `teleport@1s${'x'.repeat(5000)}`;
  assert.throws(
    () => parseFaultSchedule(entry),
    (e: unknown) => e instanceof FaultScheduleError && e.message.length < 400 && e.message.split('teleport').length === 3 && e.entry === entry,
  );
});
