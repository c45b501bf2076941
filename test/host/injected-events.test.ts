import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../src/host/session.js';
import { formatRunSummary } from '../../src/host/run-summary.js';

test('flap, unassign, idle and host-stall appear on the recovery timeline as injected events, in time order', async () => {
  const faults = 'flap@100ms:50ms,unassign@250ms,idle@400ms:100ms,host-stall@600ms:50ms';
  const session = await openSession({ source: 'sim', mode: '64x36@120', clock: 'virtual', durationMs: 800, faults });
  const live: string[] = [];
  session.onRecoveryEvent((e) => e.class === 'injected' && live.push(e.failure));
  await session.drain();
  const s = await session.close();
  const injected = s.recovery.events.filter((e) => e.class === 'injected');
  assert.deepEqual(injected.map((e) => e.failure), ['flap', 'unassign', 'idle', 'host-stall']);
  assert.deepEqual(live, ['flap', 'unassign', 'idle', 'host-stall'], 'listeners see them as they happen');
  for (const e of injected) {
    assert.equal(e.action, 'injected');
    for (const key of ['atMs', 'failure', 'hresult', 'class', 'action', 'adapter']) assert.ok(key in e, `${key} kept`);
  }
  assert.deepEqual(injected.map((e) => Math.round(e.atMs)), [100, 250, 400, 600]);
  assert.equal(injected[2]!.durationMs, 100);
  const times = s.recovery.events.map((e) => e.atMs);
  assert.deepEqual(times, [...times].sort((a, b) => a - b), 'the merged timeline is in time order');
  assert.match(formatRunSummary(s), /injected idle for 100 ms/);
});

test('faults the driver reacts to are not marked twice: a device removal is the driver event only', async () => {
  const session = await openSession({ source: 'sim', mode: '64x36@120', clock: 'virtual', durationMs: 300, faults: 'device-removed@100ms' });
  await session.drain();
  const s = await session.close();
  assert.equal(s.recovery.events.filter((e) => e.class === 'injected').length, 0);
  assert.ok(s.recovery.events.length >= 1);
});
