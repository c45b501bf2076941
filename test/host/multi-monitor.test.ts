import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession, type Session } from '../../src/host/session.js';
import { InvalidArgumentError } from '../../src/contract/errors.js';

/** Consumes every monitor's frames, recording each one's sizes and present times. */
async function consumeAll(session: Session): Promise<Map<number, { sizes: Set<string>; present: number[] }>> {
  const seen = new Map<number, { sizes: Set<string>; present: number[] }>();
  await session.drain((f, targetId) => {
    let s = seen.get(targetId);
    if (s === undefined) seen.set(targetId, (s = { sizes: new Set(), present: [] }));
    s.sizes.add(`${f.width}x${f.height}`);
    s.present.push(f.presentTimeMs);
  });
  return seen;
}

/** Waits (bounded, real time) until `cond` holds. */
async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('three monitors at different modes: each verified, each bound to its own target, summed at the top', async () => {
  const modes = ['320x180@60', '256x144@120', '192x108@30'];
  const session = await openSession({ source: 'sim', clock: 'virtual', durationMs: 500, seed: 3, monitors: modes.map((mode) => ({ mode })) });
  assert.deepEqual(session.targets(), [1, 2, 3]);
  const seen = await consumeAll(session);
  const s = await session.close();
  assert.deepEqual(s.monitors.map((m) => m.targetId), [1, 2, 3]);
  assert.deepEqual(
    s.monitors.map((m) => `${m.mode.width}x${m.mode.height}@${m.mode.refreshHz}`),
    modes,
  );
  for (const [i, m] of s.monitors.entries()) {
    const [w, h] = modes[i]!.split('@')[0]!.split('x');
    assert.deepEqual([...seen.get(m.targetId)!.sizes], [`${w}x${h}`], `monitor ${m.targetId} only ever carried its own size`);
    assert.ok(m.frames.consumed > 0, `monitor ${m.targetId} consumed frames`);
    assert.equal(m.frames.integrityErrors, 0, `monitor ${m.targetId}: every frame is its own target's`);
    assert.equal(m.frames.acquired, m.frames.finished);
    const expected = (500 * m.mode.refreshHz) / 1000;
    assert.ok(Math.abs(m.frames.presented - expected) <= 1, `monitor ${m.targetId}: ~${expected} presents, got ${m.frames.presented}`);
  }
  assert.equal(s.frames.presented, s.monitors.reduce((n, m) => n + m.frames.presented, 0));
  assert.equal(s.frames.consumed, s.monitors.reduce((n, m) => n + m.frames.consumed, 0));
  assert.equal(s.swapChains.assigned, s.monitors.reduce((n, m) => n + m.swapChains.assigned, 0));
  assert.equal(s.mode.width, 320, 'the top-level mode is monitor 1');
  assert.equal(s.devices.live, 0);
  assert.deepEqual(session.invariantViolations(), []);
});

test("hostile: monitor 2's ring handed to monitor 1's worker is refused, and monitor 2's stream stays its own", async () => {
  const session = await openSession({ source: 'sim', mode: '160x90@60', monitors: [{}, { mode: '128x72@60' }] });
  const draining = session.drain();
  try {
    await until(() => session.stats().monitors.every((m) => m.frames.consumed >= 5), 'both monitors to deliver frames');
    const one = session.monitorLink(1);
    const two = session.monitorLink(2);
    const before = session.stats().monitors;
    one.deliverForeignRing(two.ringBuffer);
    // Monitor 1 has no ring it may publish into: its frames are dropped as having no publisher.
    await until(() => session.stats().monitors[0]!.frames.dropped.noPublisher > before[0]!.frames.dropped.noPublisher + 3, 'monitor 1 to drop frames without a ring');
    const during = session.stats().monitors;
    await until(() => session.stats().monitors[1]!.frames.consumed > during[1]!.frames.consumed + 5, 'monitor 2 to go on');
    one.redeliverRing();
    await until(() => session.stats().monitors[0]!.frames.consumed > during[0]!.frames.consumed + 5, 'monitor 1 to resume on its own ring');
  } finally {
    await session.close();
    await draining;
  }
  const s = session.stats();
  assert.equal(s.monitors[1]!.frames.integrityErrors, 0, "no frame of monitor 1 reached monitor 2's ring");
  assert.equal(s.monitors[0]!.frames.integrityErrors, 0);
  assert.equal(s.devices.live, 0);
});

test('the ladder is the adapter\'s: failures aimed at monitor 2 move every monitor to the software adapter', async () => {
  const session = await openSession({
    source: 'sim',
    clock: 'virtual',
    durationMs: 1500,
    mode: '160x90@120',
    monitors: [{}, {}],
    faults: 'device-removed@200ms*5/40ms#2',
  });
  await consumeAll(session);
  const s = await session.close();
  const fallback = s.recovery.events.filter((e) => e.action === 'software-fallback');
  assert.equal(fallback.length, 1, 'one fallback for the adapter');
  assert.equal(fallback[0]!.targetId, 2, 'decided on the monitor whose failure ended the stage');
  assert.equal(session.renderAdapter(1).kind, 'software', 'monitor 1 moved too, though it never failed');
  assert.equal(session.renderAdapter(2).kind, 'software');
  assert.equal(s.adapter.kind, 'software');
  assert.equal(s.recovery.events.filter((e) => e.targetId === 1).length, 0, 'monitor 1 failed nothing');
  assert.equal(s.recovery.criticalError, null);
  for (const m of s.monitors) {
    assert.equal(m.frames.integrityErrors, 0);
    assert.ok(m.swapChains.assigned >= 2, `monitor ${m.targetId} was assigned again on the software adapter`);
  }
});

test('DirectX failures count per adapter wherever they happen: 3 on monitor 1 and 2 on monitor 2 end the stage', async () => {
  const session = await openSession({
    source: 'sim',
    clock: 'virtual',
    durationMs: 1500,
    mode: '160x90@120',
    monitors: [{}, {}],
    faults: 'device-removed@200ms*3/60ms#1,device-reset@230ms*2/60ms#2',
  });
  await consumeAll(session);
  const s = await session.close();
  const failures = s.recovery.events.filter((e) => e.action === 'recreate-device');
  assert.deepEqual([failures.filter((e) => e.targetId === 1).length, failures.filter((e) => e.targetId === 2).length], [3, 2]);
  assert.equal(s.recovery.events.filter((e) => e.action === 'software-fallback').length, 1);
  assert.equal(session.renderAdapter(1).kind, 'software');
  assert.equal(session.renderAdapter(2).kind, 'software');
});

test('a driver bug stops the adapter and every monitor on it with one critical error', async () => {
  const session = await openSession({ source: 'sim', clock: 'virtual', durationMs: 5000, mode: '160x90@120', monitors: [{}, {}, {}], faults: 'driver-bug@100ms' });
  await consumeAll(session);
  const s = await session.close();
  assert.notEqual(s.recovery.criticalError, null);
  assert.equal(s.recovery.events.filter((e) => e.action === 'critical-error').length, 1, 'reported once, by one monitor');
  assert.equal(s.recovery.events.filter((e) => e.action === 'software-fallback').length, 1);
  assert.ok(s.durationMs < 5000, `the run ended early (${s.durationMs} ms)`);
  for (const m of s.monitors) assert.equal(m.ring.health, 'dead', `monitor ${m.targetId}'s ring says the device stopped`);
  assert.equal(s.devices.live, 0);
});

test('a 1000 Hz burst on monitor 1 leaves monitor 2 (a worker of its own) presenting every 1/60 s', async () => {
  const session = await openSession({ source: 'sim', clock: 'virtual', durationMs: 1000, pattern: 'full', monitors: [{ mode: '320x180@1000' }, { mode: '160x90@60' }] });
  assert.notEqual(session.monitorLink(1).worker.threadId, session.monitorLink(2).worker.threadId);
  const seen = await consumeAll(session);
  const s = await session.close();
  const [burst, calm] = s.monitors;
  assert.ok(burst!.frames.presented >= 990, `monitor 1 burst at ~1000 Hz (${burst!.frames.presented} presents)`);
  assert.ok(Math.abs(calm!.frames.presented - 60) <= 1, `monitor 2 presented ~60 frames, got ${calm!.frames.presented}`);
  assert.equal(calm!.stalls, 0, 'monitor 2 never stalled');
  assert.equal(calm!.frames.acquired, calm!.frames.presented, 'monitor 2 drained every present');
  const times = seen.get(2)!.present;
  const period = 1000 / 60;
  for (let i = 1; i < times.length; i++) {
    assert.ok(times[i]! - times[i - 1]! <= period + 0.5, `monitor 2's frame ${i} came ${times[i]! - times[i - 1]!} ms after the previous one`);
  }
  assert.ok(times.length >= 55, `monitor 2's consumer saw ~every frame (${times.length})`);
  assert.equal(calm!.frames.integrityErrors + burst!.frames.integrityErrors, 0);
});

test('bad monitor lists and fault targets are refused before anything starts', () => {
  assert.throws(() => openSession({ monitors: [] }), InvalidArgumentError);
  assert.throws(() => openSession({ monitors: [{ mode: 'big' }] }), InvalidArgumentError);
  assert.throws(() => openSession({ monitors: [{}, {}], faults: 'unassign@1s#3' }), /aimed at monitor 3/);
  assert.throws(() => openSession({ faults: 'unassign@1s#0' }), /target monitor/);
});
