import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../src/host/session.js';
import { OFF_MAGIC, RING_MAGIC_RETIRED } from '../../src/contract/header-layout.js';
import { InvalidArgumentError } from '../../src/contract/errors.js';

/** Process-wide handles a leaked monitor would leave behind. */
function handles(): { workers: number; exit: number; signals: number } {
  const info = process.getActiveResourcesInfo();
  return {
    workers: info.filter((r) => r === 'Worker' || r === 'MessagePort').length,
    exit: process.listenerCount('exit'),
    signals: process.listenerCount('SIGINT') + process.listenerCount('SIGTERM'),
  };
}

const CYCLES = 200;

test('200 plug/unplug cycles leak no device, worker, ring or listener', async () => {
  const session = await openSession({ source: 'sim', mode: '64x36@30', durationMs: 0 });
  const draining = session.drain();
  const before = handles();
  const retired: SharedArrayBuffer[] = [];
  const exited: Array<() => boolean> = [];
  try {
    for (let i = 0; i < CYCLES; i++) {
      const t = await session.addMonitor({ mode: '32x18@30' });
      assert.equal(t, i + 2, 'a departed targetId is never reused');
      const link = session.monitorLink(t);
      retired.push(link.ringBuffer);
      exited.push(() => link.worker.threadId === -1);
      await session.removeMonitor(t);
    }
    assert.deepEqual(session.targets(), [1]);
    const after = handles();
    assert.deepEqual(after, before, 'no worker, port or process listener left behind');
    assert.ok(exited.every((e) => e()), 'every departed worker exited');
    for (const buf of retired) assert.equal(new Int32Array(buf)[OFF_MAGIC / 4], RING_MAGIC_RETIRED | 0, 'every departed ring was retired');
  } finally {
    await session.close();
    await draining;
  }
  const s = session.stats();
  assert.equal(s.monitors.length, CYCLES + 1, 'every monitor that came and went is in the summary');
  assert.equal(s.devices.live, 0);
  assert.equal(s.devices.created, s.devices.destroyed);
  for (const m of s.monitors) assert.equal(m.frames.integrityErrors, 0);
});

test('plug and unplug in the fault schedule: monitors arrive at their mode and leave, newest first', async () => {
  const session = await openSession({
    source: 'sim',
    clock: 'virtual',
    durationMs: 1200,
    mode: '96x54@60',
    faults: 'plug@100ms:64x36@30*3/100ms,unplug@500ms*2/100ms,unplug@800ms#2',
  });
  const sizes = new Map<number, Set<string>>();
  await session.drain((f, t) => {
    if (!sizes.has(t)) sizes.set(t, new Set());
    sizes.get(t)!.add(`${f.width}x${f.height}`);
  });
  const s = await session.close();
  const log = session.arrivalLog().map((a) => [a.kind, a.targetId]);
  assert.deepEqual(log, [
    ['plug', 2],
    ['plug', 3],
    ['plug', 4],
    ['unplug', 4],
    ['unplug', 3],
    ['unplug', 2],
  ]);
  assert.deepEqual(session.targets(), [1]);
  assert.deepEqual(s.monitors.map((m) => m.targetId), [1, 2, 3, 4]);
  for (const t of [2, 3, 4]) assert.deepEqual([...(sizes.get(t) ?? [])], ['64x36'], `monitor ${t} carried its own mode`);
  assert.equal(s.monitors[1]!.mode.refreshHz, 30);
  // An arrival or departure takes no virtual time: each monitor presented for as long as it was plugged.
  for (const [t, from, to] of [[2, 100, 800], [3, 200, 600], [4, 300, 500]] as const) {
    const m = s.monitors.find((x) => x.targetId === t)!;
    const expected = ((to - from) * 30) / 1000;
    assert.ok(Math.abs(m.frames.presented - expected) <= 2, `monitor ${t}: ~${expected} presents, got ${m.frames.presented}`);
  }
  assert.equal(s.frames.integrityErrors, 0);
  assert.equal(s.devices.live, 0);
});

test("the adapter's last monitor cannot be unplugged; an unknown one is refused", async () => {
  const session = await openSession({ source: 'sim', mode: '64x36@30', clock: 'virtual', durationMs: 100 });
  try {
    await assert.rejects(session.removeMonitor(1), InvalidArgumentError);
    await assert.rejects(session.removeMonitor(7), /no monitor has targetId 7/);
  } finally {
    await session.close();
  }
});
