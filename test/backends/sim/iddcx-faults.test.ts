/**
 * Issue 10's fault kinds on the simulated display alone (a hand-written FakeMonitor, not the real
 * driver): each does to the OS's state what IddCx documents, and the display's invariants hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SOFTWARE_ADAPTER, createSimDisplay, type SimDisplay, type SimDisplayOptions, type VirtualClock } from '../../../src/backends/sim/index.js';
import {
  DXGI_ERROR_DEVICE_REMOVED,
  E_OUTOFMEMORY,
  STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN,
  STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY,
  S_OK,
} from '../../../src/display/result-codes.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../../src/contract/pixel-format.js';
import { FaultScheduleError } from '../../../src/contract/errors.js';
import { FakeMonitor } from './fake-monitor.js';

async function runWith(faults: string, ms: number, extra: SimDisplayOptions = {}): Promise<{ d: SimDisplay<VirtualClock>; m: FakeMonitor }> {
  const d = createSimDisplay({ mode: '160x96@100', seed: 3, ...extra, faults, clock: 'virtual' });
  const m = new FakeMonitor(d);
  await d.start(m);
  await d.clock.runFor(ms);
  return { d, m };
}

async function finish(d: SimDisplay<VirtualClock>, m: FakeMonitor): Promise<void> {
  await d.clock.drive(d.stop());
  assert.deepEqual(d.checkInvariants(), []);
  assert.deepEqual(m.integrityErrors, []);
}

test('ignore-render-adapter: setRenderAdapter is counted and ignored; the OS keeps composing on the hardware adapter', async () => {
  const { d, m } = await runWith('ignore-render-adapter@50ms', 100);
  d.adapter.setRenderAdapter(SOFTWARE_ADAPTER.luid);
  await d.clock.runFor(100);
  const s = d.stats();
  assert.equal(s.renderAdapter.kind, 'hardware');
  assert.equal(s.renderAdapterIgnored, 1);
  assert.equal(s.swapChainsAssigned, 1, 'no swap-chain was recreated');
  await finish(d, m);
});

test('format-blip: the next N frames on the same swap-chain come in the other format, verify, then the format returns', async () => {
  const { d, m } = await runWith('format-blip@100ms:2', 300);
  const seq = m.frames.map((f) => `${f.swapChain}:${f.format === FORMAT_RGBA16F ? 'rgba16f' : 'bgra8'}`);
  const collapsed = seq.filter((x, i) => i === 0 || x !== seq[i - 1]);
  assert.deepEqual(collapsed, ['1:bgra8', '1:rgba16f', '1:bgra8']);
  assert.equal(seq.filter((x) => x === '1:rgba16f').length, 2);
  // The first frame in a new format, and the first back, are all dirty (a whole frame).
  const i = m.frames.findIndex((f) => f.format === FORMAT_RGBA16F);
  assert.equal(m.frames[i]!.dirtyCount, 1);
  assert.equal(m.frames[i + 2]!.format, FORMAT_BGRA8);
  assert.equal(d.mode().format, FORMAT_BGRA8, 'the mode did not change');
  assert.equal(d.stats().swapChainsAssigned, 1);
  await finish(d, m);
});

test('acquire-oom: acquire fails with E_OUTOFMEMORY for D, and nothing is presented meanwhile (no stall)', async () => {
  const d = createSimDisplay({ mode: '160x96@100', faults: 'acquire-oom@100ms:30ms' });
  const m = new FakeMonitor(d);
  let oomAt = -1;
  m.onLoopError = (hr) => {
    if (hr === E_OUTOFMEMORY && oomAt < 0) oomAt = d.clock.now();
  };
  await d.start(m);
  await d.clock.runFor(300);
  assert.deepEqual(m.loopErrors, [E_OUTOFMEMORY, E_OUTOFMEMORY, E_OUTOFMEMORY], 'the fake driver gives up on each swap-chain in the window');
  assert.ok(oomAt >= 100 && oomAt < 130);
  assert.ok(m.frames.some((f) => f.swapChain === 4), 'frames flow after the window');
  await finish(d, m);
});

test('create-oom: device creation fails with E_OUTOFMEMORY for D (the fake driver abandons), then succeeds', async () => {
  const d = createSimDisplay({ mode: '160x96@100', faults: 'create-oom@100ms:25ms,device-removed@100ms' });
  const m = new FakeMonitor(d);
  await d.start(m);
  await d.clock.runFor(300);
  assert.deepEqual(m.loopErrors, [DXGI_ERROR_DEVICE_REMOVED]);
  const r = m.assignResults;
  assert.ok(r.length >= 3 && r[0] === S_OK && r.at(-1) === S_OK, `${r}`);
  assert.ok(r.slice(1, -1).every((hr) => hr === STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN), `${r}`);
  assert.equal(d.stats().deviceCreateFailures, r.length - 2);
  await finish(d, m);
});

test('topology-lost: acquire returns PATH_NOT_IN_TOPOLOGY once; the OS unassigns and assigns again; the device was not at fault', async () => {
  const { d, m } = await runWith('topology-lost@100ms', 300);
  assert.deepEqual(m.loopErrors, [STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY]);
  const s = d.stats();
  assert.equal(s.swapChainsAssigned, 2);
  assert.ok(m.frames.some((f) => f.swapChain === 2));
  assert.equal(d.liveDevices().every((x) => x.removedReason() === S_OK), true);
  await finish(d, m);
});

test('mode-change: the OS unassigns, then assigns a new swap-chain at the new size and refresh; frames verify there', async () => {
  const { d, m } = await runWith('mode-change@100ms:200x120@50,mode-change@300ms:64x32', 500);
  assert.equal(m.unassignCalls, 2);
  const sizes = m.assigned.map((sc) => {
    const f = sc.frame;
    return `${f.width}x${f.height}`;
  });
  assert.deepEqual(sizes, ['160x96', '200x120', '64x32']);
  assert.deepEqual(d.mode(), { width: 64, height: 32, refreshHz: 50, format: FORMAT_BGRA8 });
  // 100 Hz for 100 ms, then 50 Hz: frames keep coming at the new rate (no jump in the vsync grid).
  const on2 = m.frames.filter((f) => f.swapChain === 2).length;
  assert.ok(on2 >= 8 && on2 <= 11, `${on2} frames in 200 ms at 50 Hz`);
  assert.ok(m.frames.some((f) => f.swapChain === 3));
  await finish(d, m);
});

test('static-reencode: while idle, the last frame is re-presented N times with its number unchanged and no dirty rects; that is no invariant breach', async () => {
  const { d, m } = await runWith('idle@100ms:200ms,static-reencode@150ms:3', 400);
  const before = m.frames.filter((f) => f.frameNumber === m.frames.find((x) => x.dirtyCount === 0)?.frameNumber);
  assert.equal(before.length, 4, 'the frame, then three re-presents of it');
  assert.deepEqual(before.slice(1).map((f) => f.dirtyCount), [0, 0, 0]);
  const numbers = m.frames.map((f) => f.frameNumber);
  assert.ok(numbers.every((n, i) => i === 0 || n >= numbers[i - 1]!), 'frame numbers never go down');
  await finish(d, m);
});

test('injectFault takes the new kinds, a mode as text, and refuses a mode-change without one', async () => {
  const { d, m } = await runWith('', 100);
  d.injectFault('mode-change', '96x64');
  d.injectFault('format-blip');
  d.injectFault('acquire-oom', 5);
  assert.throws(() => d.injectFault('mode-change'), FaultScheduleError);
  assert.throws(() => d.injectFault('mode-change', 5), FaultScheduleError);
  await d.clock.runFor(100);
  assert.deepEqual(
    d.faultLog().map((r) => [r.kind, r.count, r.durationMs, r.mode ?? null]),
    [
      ['mode-change', 0, 0, '96x64'],
      ['format-blip', 1, 0, null],
      ['acquire-oom', 0, 5, null],
    ],
  );
  await finish(d, m);
});
