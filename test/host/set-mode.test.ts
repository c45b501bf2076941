import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession, type Session } from '../../src/host/session.js';

/** Drains every monitor; once `targetId` has consumed `after` frames, asks for `mode` (once). */
async function drainAndSetMode(session: Session, targetId: number, after: number, mode: Parameters<Session['setMode']>[1]): Promise<Map<number, string[]>> {
  const sizes = new Map<number, string[]>();
  let asked = null as Promise<void> | null;
  let n = 0;
  await session.drain((f, t) => {
    const list = sizes.get(t) ?? [];
    sizes.set(t, list);
    const size = `${f.width}x${f.height}`;
    if (list[list.length - 1] !== size) list.push(size);
    if (t === targetId && asked === null && ++n >= after) asked = session.setMode(targetId, mode);
  });
  assert.ok(asked !== null, 'the mode was asked for');
  await asked;
  return sizes;
}

/** The driver's decisions (injected-fault markers aside): a mode change must make none. */
function decisions(session: Session): unknown[] {
  return session.recoveryEvents().filter((e) => e.class !== 'injected');
}

test('setMode on sim: the OS unassigns and assigns at the new mode, frames follow, nothing counts as a failure', async () => {
  const session = await openSession({ source: 'sim', clock: 'virtual', durationMs: 1000, monitors: [{ mode: '160x90@60' }, { mode: '128x72@60' }] });
  const sizes = await drainAndSetMode(session, 2, 10, '96x54@30');
  const s = await session.close();
  assert.deepEqual(sizes.get(2), ['128x72', '96x54'], 'monitor 2 went to the new size');
  assert.deepEqual(sizes.get(1), ['160x90'], 'monitor 1 kept its mode');
  assert.deepEqual(s.monitors[1]!.mode, { width: 96, height: 54, refreshHz: 30, format: 'bgra8' });
  assert.equal(s.monitors[1]!.ring.generations, 2, "the host recreated monitor 2's ring at the new size");
  assert.equal(s.monitors[1]!.swapChains.assigned, 2);
  assert.deepEqual(decisions(session), [], 'no recovery event');
  assert.equal(s.frames.integrityErrors, 0);
  assert.equal(s.adapter.kind, 'hardware');
});

test('setMode with only a size keeps the monitor\'s refresh rate (what a VNC client\'s SetDesktopSize asks for)', async () => {
  const session = await openSession({ source: 'sim', clock: 'virtual', durationMs: 1000, mode: '160x90@30' });
  const sizes = await drainAndSetMode(session, 1, 10, { width: 100, height: 50 });
  const s = await session.close();
  assert.deepEqual(sizes.get(1), ['160x90', '100x50']);
  assert.deepEqual(s.monitors[0]!.mode, { width: 100, height: 50, refreshHz: 30, format: 'bgra8' });
  assert.deepEqual(decisions(session), [], 'no recovery event');
});

test('setMode refuses a mode the display cannot show, with a typed error, and the run goes on', async () => {
  const session = await openSession({ source: 'sim', clock: 'virtual', durationMs: 300, mode: '64x36@60' });
  try {
    await assert.rejects(session.setMode(1, '64x36'), /WIDTHxHEIGHT@HZ/);
    await assert.rejects(session.setMode(1, '99999x36@60'), /width 99999/);
    await assert.rejects(session.setMode(3, '64x36@60'), /no monitor has targetId 3/);
  } finally {
    await session.drain();
    await session.close();
  }
  assert.deepEqual(decisions(session), []);
});

test('setMode on xvfb goes through RandR, adding the mode the server lacks; frames arrive at the new size', async () => {
  const session = await openSession({ source: 'xvfb', mode: '320x240@30' });
  let sizes: Map<number, string[]>;
  try {
    const stop = setTimeout(() => void session.close(), 60_000);
    const done = drainAndSetMode(session, 1, 5, '200x150@30');
    // Frames at the new size, then stop.
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline && !(session.stats().mode.width === 200 && session.stats().frames.consumed > 0)) await new Promise((r) => setTimeout(r, 20));
    const at = session.stats().monitors[0]!.frames.consumed;
    while (performance.now() < deadline && session.stats().monitors[0]!.frames.consumed < at + 5) await new Promise((r) => setTimeout(r, 20));
    await session.close();
    clearTimeout(stop);
    sizes = await done;
  } finally {
    await session.close();
  }
  const s = session.stats();
  assert.deepEqual(sizes.get(1), ['320x240', '200x150']);
  assert.equal(s.mode.width, 200);
  assert.equal(s.mode.refreshHz, 30);
  assert.deepEqual(decisions(session), [], 'a mode change is no failure');
  assert.equal(s.frames.integrityErrors, 0);
});
