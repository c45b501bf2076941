import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { openSession } from '../../src/host/session.js';
import { createXvfbDisplay } from '../../src/backends/xvfb/index.js';
import { BackendError, type VdpushError } from '../../src/contract/errors.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/cli-helpers.js';
import { alive, waitUntil } from './process-probe.js';
import { startUserXvfb } from './user-xvfb.js';

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

test('--mode of another size on an attached display is set through RandR, adding the mode: frames and xrandr at that size; a size past its framebuffer is refused', async () => {
  const user = await userDisplay();
  const env = { ...process.env, DISPLAY: user.display };
  try {
    const session = await openSession({ source: 'xvfb', display: user.display, mode: '200x150@30', durationMs: 800 });
    const sizes = new Set<string>();
    await session.drain((f) => void sizes.add(`${f.width}x${f.height}`));
    const s = await session.close();
    assert.deepEqual([...sizes], ['200x150'], 'every frame at the asked size');
    assert.equal(s.ring.generations, 1, 'the ring started at that size: no recreate');
    assert.equal(s.frames.dropped.descMismatch, 0);
    assert.deepEqual([s.mode.width, s.mode.height, s.mode.refreshHz], [200, 150, 30]);
    const q = spawnSync('xrandr', ['-q'], { env, encoding: 'utf8' });
    assert.match(q.stdout, /current 200 x 150/, q.stdout);
    assert.match(q.stdout, /vdpush-200x150@30\s+30\.00\*/, 'the mode vdpush added is the current one');
    // The same size only sets the refresh rate.
    const same = await openSession({ source: 'xvfb', display: user.display, mode: '200x150@20', durationMs: 300 });
    await same.drain();
    assert.equal((await same.close()).mode.refreshHz, 20);
    const big = await runCli(['run', '--source', 'xvfb', '--display', user.display, '--mode', '800x600@60', '--duration', '1s']);
    assert.equal(big.code, 2, big.stderr);
    assert.match(big.stderr, /--mode 800x600@60 on display :\d+: mode 800x600 is larger than display :\d+ can show \(at most 320x240/);
    const cli = await runCli(['run', '--source', 'xvfb', '--display', user.display, '--mode', '240x180@30', '--duration', '500ms', '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { mode: { width: number; height: number } }).mode, { width: 240, height: 180, refreshHz: 30, format: 'bgra8' });
  } finally {
    await user.stop();
  }
});

test('attaching to an X server without RandR is refused clearly, naming the extension', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-norandr-'));
  const server = spawn('Xvfb', ['-displayfd', '3', '-fbdir', dir, '-extension', 'RANDR', '-noreset', '-screen', '0', '160x120x24'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  try {
    const display = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdio[3]!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve(`:${out.trim()}`);
      });
      server.once('exit', (c) => reject(new Error(`Xvfb exited with ${c}`)));
    });
    await assert.rejects(
      openSession({ source: 'xvfb', display, mode: '120x90@30', durationMs: 300 }),
      (e: unknown) => (e as VdpushError).code === 'VDP_ERR_MISSING_DEPENDENCY' && /RANDR/.test((e as Error).message),
    );
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
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
  const owner = await startUserXvfb(320, 240);
  try {
    const session = await openSession({ source: 'xvfb', display: owner.display, durationMs: 0 });
    try {
      const drain = session.drain();
      await owner.kill();
      const lost = await waitUntil(() => session.recoveryEvents().some((e) => e.action === 'display-lost'), 5_000);
      assert.ok(lost, `a display-lost event: ${JSON.stringify(session.recoveryEvents())}`);
      const e = session.recoveryEvents().find((x) => x.action === 'display-lost')!;
      assert.equal(e.class, 'display');
      assert.match(String(e.detail), new RegExp(`the attached X display ${owner.display} went away`));
      assert.ok(await waitUntil(() => session.isEnded, 15_000), `the run ends on its own once the grace is over: ${JSON.stringify(session.recoveryEvents())}`);
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

test('an attached display that dies and comes back on its number within the grace: display-back, frames of the new server, the run goes on and ends cleanly', async () => {
  const first = await startUserXvfb(320, 240);
  let second: Awaited<ReturnType<typeof startUserXvfb>> | null = null;
  try {
    const session = await openSession({ source: 'xvfb', display: first.display, durationMs: 0 });
    let corner = '';
    let frames = 0;
    const drain = session.drain((f) => {
      frames++;
      corner = [f.pixels[0], f.pixels[1], f.pixels[2]].join(',');
    });
    try {
      assert.ok(await waitUntil(() => frames >= 1, 10_000), 'a first frame');
      await first.kill();
      assert.ok(await waitUntil(() => session.recoveryEvents().some((e) => e.action === 'display-lost'), 5_000), 'display-lost');
      second = await startUserXvfb(320, 240, first.number);
      assert.ok(await waitUntil(() => session.recoveryEvents().some((e) => e.action === 'display-back'), 10_000), `display-back: ${JSON.stringify(session.recoveryEvents())}`);
      // The new server draws: its frames arrive (BGRA of #2050a0 in the corner).
      const env = { ...process.env, DISPLAY: second.display };
      assert.equal(spawnSync('xsetroot', ['-solid', '#2050a0'], { env }).status, 0);
      assert.ok(await waitUntil(() => corner === '160,80,32', 10_000), `frames of the new server; corner ${corner}`);
      assert.equal(session.isEnded, false, 'the run goes on');
    } finally {
      await session.close();
      await drain;
    }
    const s = session.stats();
    assert.equal(session.error, null, 'no failure');
    const back = s.recovery.events.find((e) => e.action === 'display-back')!;
    assert.equal(back.class, 'display');
    assert.match(String(back.detail), new RegExp(`the attached X display ${first.display} came back after \\d+ ms`));
    assert.ok(!s.recovery.events.some((e) => e.action === 'display-gone'));
    assert.equal(s.frames.integrityErrors, 0);
    assert.equal(s.frames.published, s.frames.consumed + s.frames.dropped.overwritten);
  } finally {
    await second?.stop();
    await first.stop();
  }
});
