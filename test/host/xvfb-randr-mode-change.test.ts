/**
 * Issue 10, defect 2 on a real Xvfb: a RandR resize is the OS committing a new mode (unassign,
 * then assign at the new size), not an error on the recovery ladder. Several resizes within a
 * minute used to count as ACCESS_LOST DirectX failures and move the display to the slow GetImage
 * software path for good; now every resize is a new swap-chain and ring at the new size, nothing
 * is counted, and the adapter stays hardware. The real pipeline: a session (worker, driver, ring)
 * attached to an Xvfb this test starts, resized with the real xrandr client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openSession } from '../../src/host/session.js';
import { createXvfbDisplay, verifyXFrame } from '../../src/backends/xvfb/index.js';

const run = promisify(execFile);
/** Frames right after a resize may show the workload mid-way through redrawing for the new size. */
const SETTLE_FRAMES = 3;

test('six RandR resizes within seconds are mode changes: frames at each new size, nothing on the ladder, the adapter stays hardware', async () => {
  const owner = await createXvfbDisplay({ mode: { width: 640, height: 480, refreshHz: 60 }, workload: 'none' });
  // An attached display gets a workload only when asked (issue 9): this test draws with the built-in one.
  const session = await openSession({ source: 'xvfb', display: owner.display, workload: 'builtin', durationMs: 0, handleSignals: false });
  const xrandr = (...args: string[]): Promise<unknown> => run('xrandr', args, { env: { ...process.env, DISPLAY: owner.display } });
  // A RandR size must fit the framebuffer Xvfb allocated (640x480); mode names are our own.
  const sizes = ['400x300', '480x360', '320x240', '400x300', '640x480', '480x360'];
  let size = '';
  let sinceChange = 0;
  const framesAt = new Map<string, number>();
  const tornAfterSettle: string[] = [];
  const pump = (async () => {
    for await (const f of session.frames()) {
      const s = `${f.width}x${f.height}`;
      if (s !== size) {
        size = s;
        sinceChange = 0;
      }
      sinceChange++;
      framesAt.set(s, (framesAt.get(s) ?? 0) + 1);
      if (sinceChange > SETTLE_FRAMES && !verifyXFrame(f.pixels, f.width, f.height, f.stride, f.format).ok) tornAfterSettle.push(`${s} #${sinceChange}`);
    }
  })();
  const until = async (cond: () => boolean, ms: number): Promise<boolean> => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  };
  try {
    assert.ok(await until(() => (framesAt.get('640x480') ?? 0) >= 5, 15_000), 'frames at the first size');
    for (const s of new Set(sizes)) {
      const [w, h] = s.split('x');
      await xrandr('--newmode', `vdp${s}`, '0', w!, '0', '0', '0', h!, '0', '0', '0');
      await xrandr('--addmode', 'screen', `vdp${s}`);
    }
    for (const s of sizes) {
      const before = framesAt.get(s) ?? 0;
      await xrandr('--output', 'screen', '--mode', `vdp${s}`);
      assert.ok(await until(() => size === s && (framesAt.get(s) ?? 0) >= before + SETTLE_FRAMES + 5, 15_000), `frames at ${s} (now ${size})`);
    }
  } finally {
    await session.close();
    await pump;
    await owner.stop();
  }
  const summary = session.stats();
  const decisions = summary.recovery.events.filter((e) => e.class !== 'injected');
  assert.deepEqual(decisions.map((e) => `${e.failure}:${e.action}`), [], 'no resize is a failure on the ladder');
  assert.equal(summary.adapter.kind, 'hardware', 'the display stays on the framebuffer path');
  assert.equal(summary.recovery.criticalError, null);
  assert.deepEqual({ width: summary.mode.width, height: summary.mode.height }, { width: 480, height: 360 });
  assert.ok(summary.swapChains.assigned >= 7, `a swap-chain per mode (${summary.swapChains.assigned})`);
  assert.equal(summary.devices.created, 1, 'the healthy device is kept across every mode change');
  assert.deepEqual(tornAfterSettle, [], 'every frame is whole once the resize settled');
});
