import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BackendError, InvalidArgumentError, MissingDependencyError } from '../../../src/contract/errors.js';
import { DXGI_ERROR_DEVICE_REMOVED } from '../../../src/display/result-codes.js';
import { createXvfbDisplay, verifyXFrame } from '../../../src/backends/xvfb/index.js';
import { attachXvfb, startXvfb } from '../../../src/backends/xvfb/xvfb-server.js';
import { FakeMonitor, until } from './fake-monitor.js';
import { freeHighDisplayNumber } from '../../host/user-xvfb.js';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const SETTLE_FRAMES = 3;

test('killing_xvfb_mid_run_removes_the_device_then_the_display_restarts_it_and_frames_resume', async () => {
  // On a number of its own: a freed low number is taken by the next Xvfb anyone starts (-displayfd
  // counts up from 0), and the restart would have to move to another number.
  const d = await createXvfbDisplay({ mode: { width: 320, height: 240, refreshHz: 60 }, workloadFps: 120, displayNumber: freeHighDisplayNumber() });
  try {
    let torn = 0;
    let after = 0;
    let restarted = false;
    const m = new FakeMonitor(d, {
      onFrame: (f) => {
        // A started or restarted server shows a blank screen until its workload's first draw
        // lands: only frames after damage settles (the first few) must be whole, and an all-black
        // one is that screen however late it comes (the first frame, or cursor-only frames of a new
        // connection, before the workload's first draw on a loaded machine; the workload never
        // draws black: its odd squares are the complement of the even ones). A frame torn between
        // black and drawn is not all black and counts.
        const blank = f.pixels.every((b, i) => (i & 3) === 3 || b === 0);
        const counts = !blank && (!restarted || after >= SETTLE_FRAMES);
        if (counts && !verifyXFrame(f.pixels, f.width, f.height, f.stride, f.format).ok) torn++;
        if (restarted) after++;
      },
    });
    await d.start(m);
    assert.ok(await until(() => m.frames >= 10, 10_000));
    const oldPid = d.serverPid;
    const oldDisplay = d.display;
    const oldFb = d.framebufferPath;
    process.kill(oldPid, 'SIGKILL');
    assert.ok(await until(() => m.errors.includes(DXGI_ERROR_DEVICE_REMOVED), 5_000), 'the swap-chain reports DEVICE_REMOVED');
    assert.ok(await until(() => d.stats().serverRestarts === 1, 15_000), `restarted (${d.stats().lastError})`);
    restarted = true;
    assert.ok(await until(() => after >= 10, 15_000), 'frames resume on the restarted server');
    assert.notEqual(d.serverPid, oldPid);
    assert.equal(d.display, oldDisplay, 'the same display number');
    assert.equal(existsSync(oldFb), false, 'the dead server’s framebuffer dir is gone');
    assert.equal(pidAlive(oldPid), false);
    assert.equal(torn, 0);
    const st = d.stats();
    assert.equal(st.serverLosses, 1);
    assert.ok(st.swapChainsAssigned >= 2);
  } finally {
    await d.stop();
  }
});

test('a_failed_framebuffer_path_falls_back_to_getimage_on_the_software_adapter', async () => {
  const d = await createXvfbDisplay({ mode: { width: 320, height: 240, refreshHz: 60 }, workloadFps: 120 });
  try {
    let torn = 0;
    let software = 0;
    const m = new FakeMonitor(d, {
      fallBackToSoftware: true,
      onFrame: (f, sc) => {
        // The first frame may be the screen before the workload's first draw (all black: seen
        // under a loaded suite; see the test above); a frame torn between that and a drawn one is
        // not black and counts.
        const blank = f.pixels.every((b, i) => (i & 3) === 3 || b === 0);
        if (!blank && !verifyXFrame(f.pixels, f.width, f.height, f.stride, f.format).ok) torn++;
        if (sc.renderAdapter.kind === 'software') software++;
      },
    });
    await d.start(m);
    assert.ok(await until(() => m.frames >= 5, 10_000));
    d.breakFramebuffer();
    assert.ok(await until(() => software >= 20, 10_000), `${software} frames through GetImage`);
    assert.ok(m.errors.includes(DXGI_ERROR_DEVICE_REMOVED), 'the hardware path reported the loss');
    assert.equal(d.stats().renderAdapter.kind, 'software');
    assert.equal(d.adapter.createDevice(d.hardwareAdapter).hr, DXGI_ERROR_DEVICE_REMOVED, 'no new framebuffer device');
    assert.equal(torn, 0, 'GetImage frames are whole too');
  } finally {
    await d.stop();
  }
});

test('a_missing_xvfb_binary_is_a_missing_dependency_naming_the_xvfb_package', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    await assert.rejects(
      startXvfb({ width: 320, height: 240, depth: 24 }),
      (e: unknown) => e instanceof MissingDependencyError && e.packageName === 'xvfb' && /xvfb/.test(e.message),
    );
  } finally {
    process.env.PATH = path;
  }
});

test('attaching_to_an_xvfb_without_fbdir_says_so_and_one_with_fbdir_works_without_owning_it', async () => {
  // An Xvfb of our own without -fbdir.
  const bare = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '320x240x24'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  try {
    const n = await new Promise<number>((resolve) => {
      (bare.stdio[3] as NodeJS.ReadableStream).once('data', (b: Buffer) => resolve(Number.parseInt(b.toString(), 10)));
    });
    assert.throws(() => attachXvfb(`:${n}`), (e: unknown) => e instanceof BackendError && /-fbdir/.test(e.message));
  } finally {
    bare.kill('SIGTERM');
    await new Promise((r) => bare.once('exit', r));
  }
  const owner = await createXvfbDisplay({ mode: { width: 320, height: 240, refreshHz: 60 }, workload: 'none' });
  try {
    const guest = await createXvfbDisplay({ display: owner.display, workload: 'none' });
    const m = new FakeMonitor(guest);
    await guest.start(m);
    assert.ok(await until(() => m.frames >= 1, 5_000));
    assert.equal(guest.mode().width, 320);
    await guest.stop();
    assert.ok(pidAlive(owner.serverPid), 'stopping an attached display leaves the server running');
  } finally {
    await owner.stop();
  }
});

test('a_display_number_to_start_on_is_an_integer_in_range_and_excludes_attaching', async () => {
  for (const displayNumber of [-1, 1.5, 70_000]) {
    await assert.rejects(createXvfbDisplay({ displayNumber }), (e: unknown) => e instanceof InvalidArgumentError && /displayNumber/.test((e as Error).message), String(displayNumber));
  }
  await assert.rejects(createXvfbDisplay({ displayNumber: 600, display: ':600' }), (e: unknown) => e instanceof InvalidArgumentError && /give one of them/.test((e as Error).message));
});
