import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../src/host/session.js';
import { InvalidArgumentError, FaultScheduleError } from '../../src/contract/errors.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../src/contract/pixel-format.js';

test('a virtual-clock session delivers verified frames and a summary whose counters agree', async () => {
  const session = await openSession({ source: 'sim', mode: '320x180@120', clock: 'virtual', durationMs: 500, seed: 7 });
  let frames = 0;
  for await (const f of session.frames()) {
    assert.equal(f.width, 320);
    assert.equal(f.height, 180);
    frames++;
  }
  const s = await session.close();
  assert.equal(s.frames.consumed, frames);
  assert.ok(frames > 0, 'at least one frame was consumed');
  assert.equal(s.frames.integrityErrors, 0);
  assert.ok(Math.abs(s.frames.presented - 60) <= 1, `about 60 presents in 500 ms at 120 Hz, got ${s.frames.presented}`);
  assert.equal(s.frames.acquired, s.frames.finished, 'every acquired frame finished');
  assert.equal(s.frames.published, s.frames.acquired);
  assert.equal(s.devices.live, 0);
  assert.equal(s.stalls, 0);
  assert.deepEqual(session.invariantViolations(), []);
});

test('close() during a real-clock run stops the worker promptly and is idempotent', async () => {
  const session = await openSession({ source: 'sim', mode: '320x180@240', durationMs: 0 });
  let n = 0;
  for await (const _f of session.frames()) {
    if (++n === 5) break;
  }
  const [a, b] = await Promise.all([session.close(), session.close()]);
  assert.deepEqual(a, b);
  assert.ok(a.frames.consumed >= 5);
  assert.equal(a.devices.live, 0);
  assert.ok(session.isEnded);
});

test('an HDR flip is carried on the same ring (formats are per frame): no recreate, no drop, frames verify in both formats', async () => {
  const session = await openSession({ source: 'sim', mode: '256x144@120', clock: 'virtual', durationMs: 1000, faults: 'hdr-flip@300ms' });
  const formats = new Set<number>();
  for await (const f of session.frames()) formats.add(f.format);
  const s = await session.close();
  assert.equal(s.ring.generations, 1);
  assert.equal(s.frames.dropped.descMismatch, 0);
  assert.equal(s.frames.integrityErrors, 0);
  assert.equal(s.mode.format, 'rgba16f');
  assert.deepEqual([...formats].sort(), [FORMAT_BGRA8, FORMAT_RGBA16F]);
});

test('a device removal is recovered on the hardware adapter and recorded on the timeline', async () => {
  const session = await openSession({ source: 'sim', mode: '256x144@240', clock: 'virtual', durationMs: 1000, faults: 'device-removed@300ms' });
  await session.drain();
  const s = await session.close();
  assert.equal(s.adapter.kind, 'hardware');
  assert.equal(s.recovery.criticalError, null);
  const e = s.recovery.events.find((x) => x.failure === 'device-removed');
  assert.ok(e, 'the removal is on the timeline');
  assert.equal(e.hresult, '0x887A0005');
  assert.equal(e.action, 'recreate-device');
  assert.equal(typeof e.recoveryMs, 'number');
  assert.equal(s.devices.created, 2);
  assert.equal(s.devices.live, 0);
});

test('bad options are refused with typed errors, synchronously, before any worker starts', () => {
  assert.throws(() => openSession({ mode: '12x' }), InvalidArgumentError);
  assert.throws(() => openSession({ faults: 'device-removed@soon' }), FaultScheduleError);
  assert.throws(() => openSession({ source: 'xvfb', clock: 'virtual' }), InvalidArgumentError);
  assert.throws(() => openSession({ source: 'xvfb', faults: 'hdr-flip@1s' }), FaultScheduleError);
});

test('an xvfb session delivers verified real frames and the XFIXES cursor, and stops its Xvfb', async () => {
  const session = await openSession({ source: 'xvfb', mode: '320x180@30', durationMs: 1500 });
  const pids = [...session.resources().pids];
  assert.ok(pids.length >= 1, 'Xvfb was started');
  await session.drain();
  const s = await session.close();
  assert.equal(s.source, 'xvfb');
  assert.ok(s.frames.consumed > 0);
  assert.equal(s.frames.integrityErrors, 0);
  assert.equal(s.frames.acquired, s.frames.finished);
  assert.deepEqual(s.recovery.events, [], 'a clean stop records no failure');
  assert.equal(s.devices.live, 0);
  const c = session.cursor();
  assert.ok(c, 'the cursor reached the host');
  assert.equal(c.shape.byteLength, c.width * c.height * 4);
  for (const pid of pids) {
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    assert.equal(alive, false, `process ${pid} was stopped`);
  }
});
