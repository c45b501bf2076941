import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { openSession } from '../../src/host/session.js';
import { createXvfbDisplay } from '../../src/backends/xvfb/index.js';
import { BackendError, InvalidArgumentError } from '../../src/contract/errors.js';
import { runCli } from '../cli/cli-helpers.js';
import { alive, waitUntil } from './process-probe.js';

// The user's display: an Xvfb with -fbdir that vdpush did not start for this session, a blue
// desktop and an xeyes window on it.
async function userDisplay(): Promise<{ display: string; stop: () => Promise<void> }> {
  const owner = await createXvfbDisplay({ mode: { width: 320, height: 240, refreshHz: 60 }, workload: 'none' });
  const env = { ...process.env, DISPLAY: owner.display };
  assert.equal(spawnSync('xsetroot', ['-solid', '#2050a0'], { env }).status, 0);
  const eyes = spawn('xeyes', ['-geometry', '100x80+200+150'], { env, stdio: 'ignore' });
  return {
    display: owner.display,
    stop: async () => {
      eyes.kill('SIGTERM');
      await owner.stop();
    },
  };
}

test('attaching to a user display with a window on it: no workload, no checkerboard, no integrity errors, the ring at the display size', async () => {
  const user = await userDisplay();
  try {
    const session = await openSession({ source: 'xvfb', display: user.display, durationMs: 1500 });
    assert.deepEqual(session.resources().pids, [], 'vdpush started nothing on the user display');
    const poke = setInterval(() => spawn('xdotool', ['mousemove', String(10 + Math.floor(Math.random() * 300)), '20'], { env: { ...process.env, DISPLAY: user.display }, stdio: 'ignore' }), 100);
    let corner: number[] = [];
    let frames = 0;
    for await (const f of session.frames()) {
      frames++;
      corner = [f.pixels[0]!, f.pixels[1]!, f.pixels[2]!];
    }
    clearInterval(poke);
    const s = await session.close();
    assert.ok(frames >= 1, 'frames of the user display arrived');
    assert.deepEqual(corner, [0xa0, 0x50, 0x20], 'the desktop is still the user\'s blue (BGRA), never painted over');
    assert.equal(s.frames.integrityErrors, 0);
    assert.equal(s.ring.generations, 1, 'the ring started at the display size: no recreate');
    assert.deepEqual([s.mode.width, s.mode.height], [320, 240]);
    assert.equal(s.frames.dropped.descMismatch, 0, 'no initial mismatch');
  } finally {
    await user.stop();
  }
});

test('--mode of another size on an attached display is refused at once, naming xrandr; the same size is taken', async () => {
  const user = await userDisplay();
  try {
    assert.throws(() => openSession({ source: 'xvfb', display: user.display, mode: '640x480@60' }), (e: unknown) => e instanceof InvalidArgumentError && /320x240/.test(e.message) && /xrandr/.test(e.message));
    const session = await openSession({ source: 'xvfb', display: user.display, mode: '320x240@30', durationMs: 300 });
    await session.drain();
    const s = await session.close();
    assert.equal(s.mode.refreshHz, 30);
    const r = await runCli(['run', '--source', 'xvfb', '--display', user.display, '--mode', '800x600@60', '--duration', '1s']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /xrandr/);
  } finally {
    await user.stop();
  }
});

test('--exec of a missing or failing program fails clearly with a non-zero exit (API and CLI)', async () => {
  await assert.rejects(openSession({ source: 'xvfb', mode: '320x180@30', workload: { exec: 'no-such-program-vdpush' } }), (e: unknown) => (e as BackendError).code === 'VDP_ERR_BACKEND' && /not found/.test((e as Error).message));
  await assert.rejects(openSession({ source: 'xvfb', mode: '320x180@30', workload: { exec: 'xeyes -badflag' } }), (e: unknown) => (e as BackendError).code === 'VDP_ERR_BACKEND' && /exited with code [1-9]/.test((e as Error).message));
  const r = await runCli(['run', '--source', 'xvfb', '--exec', 'no-such-program-vdpush', '--duration', '1s']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no-such-program-vdpush/);
});

test('the built-in workload killed mid-run is an event on the timeline and is started again', async () => {
  const session = await openSession({ source: 'xvfb', mode: '320x180@30', durationMs: 0 });
  try {
    const [, workload] = session.resources().pids;
    assert.ok(workload !== undefined && alive(workload), 'the workload runs');
    process.kill(workload, 'SIGKILL');
    const drain = session.drain();
    const restarted = await waitUntil(() => session.recoveryEvents().some((e) => e.action === 'workload-restarted'), 15_000);
    assert.ok(restarted, `restart event: ${JSON.stringify(session.recoveryEvents())}`);
    const e = session.recoveryEvents().find((x) => x.action === 'workload-restarted')!;
    assert.equal(e.class, 'display');
    assert.equal(e.failure, 'workload-exited');
    assert.match(String(e.detail), /SIGKILL/);
    assert.ok(await waitUntil(() => session.resources().pids.length === 2 && session.resources().pids[1] !== workload), 'a new workload pid');
    const s = await session.close();
    await drain;
    assert.ok(s.recovery.events.some((x) => x.action === 'workload-restarted'), 'in the summary too');
  } finally {
    await session.close();
  }
});

test('an attached display that dies mid-run is an event on the timeline, and the run fails with a BackendError when it does not come back', async () => {
  const owner = await createXvfbDisplay({ mode: { width: 320, height: 240, refreshHz: 60 }, workload: 'none', restartOnCrash: false });
  try {
    const session = await openSession({ source: 'xvfb', display: owner.display, durationMs: 0 });
    try {
      const drain = session.drain();
      process.kill(owner.serverPid, 'SIGKILL');
      const lost = await waitUntil(() => session.recoveryEvents().some((e) => e.action === 'display-lost'), 5_000);
      assert.ok(lost, `a display-lost event: ${JSON.stringify(session.recoveryEvents())}`);
      const e = session.recoveryEvents().find((x) => x.action === 'display-lost')!;
      assert.equal(e.class, 'display');
      assert.match(String(e.detail), new RegExp(`the attached X display ${owner.display} went away`));
      assert.ok(await waitUntil(() => session.isEnded, 15_000), 'the run ends on its own once the grace is over');
      await drain.catch(() => undefined);
      assert.equal(session.error?.code, 'VDP_ERR_BACKEND', String(session.error));
      assert.match(session.error!.message, /did not come back/);
    } finally {
      await session.close();
    }
  } finally {
    await owner.stop();
  }
});
