import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DRIVER_BUG_MAX_FRAMES,
  DRIVER_BUG_REASON,
  SOFTWARE_ADAPTER,
  createSimDisplay,
  type SimDisplay,
  type SimDisplayOptions,
  type VirtualClock,
} from '../../../src/backends/sim/index.js';
import {
  DXGI_ERROR_ACCESS_LOST,
  DXGI_ERROR_DEVICE_HUNG,
  DXGI_ERROR_DEVICE_REMOVED,
  DXGI_ERROR_DEVICE_RESET,
  STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN,
  STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED,
  S_OK,
} from '../../../src/display/result-codes.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../../src/contract/pixel-format.js';
import type { HostFaultRequest } from '../../../src/display/types.js';
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

for (const [kind, hr] of [
  ['device-removed', DXGI_ERROR_DEVICE_REMOVED],
  ['device-reset', DXGI_ERROR_DEVICE_RESET],
  ['device-hung', DXGI_ERROR_DEVICE_HUNG],
] as const) {
  test(`${kind}: the current device reports ${hr.toString(16)}, acquire fails with it, and a new device resumes frames`, async () => {
    const { d, m } = await runWith(`${kind}@100ms`, 300);
    assert.deepEqual(m.loopErrors, [hr]);
    const log = d.faultLog();
    assert.equal(log.length, 1);
    assert.deepEqual([log[0]!.kind, log[0]!.atMs], [kind, 100]);
    assert.match(log[0]!.detail, /device 1 on hardware/);
    const s = d.stats();
    assert.deepEqual([s.devicesCreated, s.devicesDestroyed, s.swapChainsAssigned, s.swapChainsDeleted], [2, 1, 2, 1]);
    assert.ok(m.frames.some((f) => f.swapChain === 2), 'frames flow on the new swap-chain');
    await finish(d, m);
  });
}

test('access-lost: the OS abandons the swap-chain; acquire fails with ACCESS_LOST; the driver deletes it and gets a new one', async () => {
  const { d, m } = await runWith('access-lost@100ms', 300);
  assert.deepEqual(m.loopErrors, [DXGI_ERROR_ACCESS_LOST]);
  const s = d.stats();
  assert.deepEqual([s.swapChainsLost, s.swapChainsAssigned, s.unassigns], [1, 2, 0]);
  assert.ok(m.frames.some((f) => f.swapChain === 2));
  await finish(d, m);
});

test('flap: unassign + reassign, SetDevice fails with ACCESS_LOST for the duration, then frames resume', async () => {
  const { d, m } = await runWith('flap@100ms:300ms', 600);
  assert.equal(m.unassignCalls, 1);
  assert.ok(m.setDeviceFailures.length >= 5 && m.setDeviceFailures.every((hr) => hr === DXGI_ERROR_ACCESS_LOST), `${m.setDeviceFailures}`);
  const second = m.frames.filter((f) => f.swapChain === 2);
  assert.ok(second.length > 0);
  assert.equal(d.stats().setDeviceFailures, m.setDeviceFailures.length);
  await finish(d, m);
});

test('unassign: the OS takes the swap-chain back (awaiting the driver) and assigns a new one', async () => {
  const { d, m } = await runWith('unassign@100ms', 300);
  assert.equal(m.unassignCalls, 1);
  assert.deepEqual(m.loopErrors, []);
  assert.deepEqual([d.stats().swapChainsAssigned, d.stats().unassigns], [2, 1]);
  assert.ok(m.frames.some((f) => f.swapChain === 2));
  await finish(d, m);
});

test('hdr-flip: the composition format toggles bgra8 <-> rgba16f on a new swap-chain, and frames verify in both', async () => {
  const { d, m } = await runWith('hdr-flip@100ms*2/100ms', 350);
  assert.equal(m.unassignCalls, 2);
  const formats = [...new Set(m.frames.map((f) => `${f.swapChain}:${f.format}`))];
  assert.deepEqual(formats, [`1:${FORMAT_BGRA8}`, `2:${FORMAT_RGBA16F}`, `3:${FORMAT_BGRA8}`]);
  assert.equal(d.mode().format, FORMAT_BGRA8);
  await finish(d, m);
});

test('idle: no presents for the duration, then presents resume with consecutive frame numbers', async () => {
  const { d, m } = await runWith('idle@100ms:250ms', 500);
  const log = d.faultLog();
  assert.equal(log[0]!.durationMs, 250);
  const numbers = m.frames.map((f) => f.frameNumber);
  assert.deepEqual(numbers, numbers.map((_, i) => i + 1), 'frame numbers count presents');
  // 100 Hz for 500 ms is 50 vsyncs; 25 fall in the idle window.
  assert.ok(numbers.length >= 24 && numbers.length <= 26, `${numbers.length}`);
  assert.equal(d.stats().stalls, 0);
  await finish(d, m);
});

test('host-stall and host-recreate are delivered to the host listeners with their time and duration', async () => {
  const d = createSimDisplay({ mode: '160x96@100', faults: 'host-stall@50ms:120ms,host-recreate@80ms' });
  const got: HostFaultRequest[] = [];
  d.onHostFault((r) => got.push(r));
  const m = new FakeMonitor(d);
  await d.start(m);
  await d.clock.runFor(100);
  assert.deepEqual(got, [
    { kind: 'host-stall', atMs: 50, durationMs: 120 },
    { kind: 'host-recreate', atMs: 80, durationMs: 0 },
  ]);
  await finish(d, m);
});

test('assign-fail: device creation fails inside the next N assigns (the driver abandons), retried 10 ms apart, then frames flow', async () => {
  const { d, m } = await runWith('assign-fail@100ms:3', 300);
  assert.deepEqual(m.assignResults, [S_OK, ...Array(3).fill(STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN), S_OK]);
  const s = d.stats();
  assert.deepEqual([s.deviceCreateFailures, s.swapChainsAbandoned, s.swapChainsAssigned, s.unassigns], [3, 3, 5, 1]);
  assert.ok(m.frames.some((f) => f.swapChain === 5));
  await finish(d, m);
});

test('driver-bug: every device on every adapter breaks after its first few frames; a ladder ends in software fallback then a critical error', async () => {
  const d = createSimDisplay({ mode: '160x96@100', seed: 8, faults: 'driver-bug@100ms' });
  const m = new FakeMonitor(d);
  const failuresOn = { hardware: 0, software: 0 };
  const framesPerDevice = new Map<number, number>();
  m.onLoopError = (hr, sc) => {
    assert.equal(hr, DRIVER_BUG_REASON);
    const kind = sc.renderAdapter.kind;
    if (++failuresOn[kind] < 5) return;
    if (kind === 'hardware') d.adapter.setRenderAdapter(SOFTWARE_ADAPTER.luid);
    else d.adapter.reportCriticalError(0x01, 7);
  };
  m.onFrame = (deviceId) => framesPerDevice.set(deviceId, (framesPerDevice.get(deviceId) ?? 0) + 1);
  await d.start(m);
  await d.clock.runFor(2000);
  const s = d.stats();
  assert.deepEqual(failuresOn, { hardware: 5, software: 5 });
  assert.equal(s.renderAdapter.kind, 'software');
  assert.deepEqual(s.criticalError, { major: 0x101, minor: 7 });
  for (const [id, n] of framesPerDevice) if (id > 1) assert.ok(n >= 1 && n <= DRIVER_BUG_MAX_FRAMES, `device ${id}: ${n} frames`);
  const assignedAfter = s.swapChainsAssigned;
  await d.clock.runFor(500);
  assert.equal(d.stats().swapChainsAssigned, assignedAfter, 'no swap-chain after the critical error');
  await finish(d, m);
});

test('reportCriticalError terminates the driver: the OS adds 0x100, reclaims its swap-chain and devices without a callback, and assigns nothing again', async () => {
  const { d, m } = await runWith('', 100);
  d.adapter.reportCriticalError(0xff, 3);
  await d.clock.runFor(200);
  assert.equal(m.unassignCalls, 0, 'a terminated driver is not called');
  const s = d.stats();
  assert.deepEqual(s.criticalError, { major: 0x1ff, minor: 3 });
  assert.equal(s.bugcheck, null);
  assert.deepEqual([s.swapChainsAssigned, s.swapChainsLive, s.devicesLive], [1, 0, 0]);
  const presented = s.presented;
  await d.clock.runFor(100);
  assert.equal(d.stats().presented, presented);
  await finish(d, m);
});

test('any driver call after reportCriticalError is a bugcheck naming the call (the call never returns)', async () => {
  const { d, m } = await runWith('', 100);
  const sc = m.assigned[0]!;
  d.adapter.reportCriticalError(0x01, 1);
  assert.equal(sc.acquire(), STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED);
  const b = d.stats().bugcheck;
  assert.ok(b !== null && /ReleaseAndAcquireBuffer2 was called after IddCxReportCriticalError/.test(b.reason), JSON.stringify(b));
  sc.delete();
  assert.equal(d.stats().bugcheck!.reason, b.reason, 'the first bugcheck stands');
  await d.clock.drive(d.stop());
});

for (const [major, minor] of [[0x101, 1], [0x01, 0x100], [-1, 0]] as const) {
  test(`reportCriticalError(0x${(major >>> 0).toString(16)}, 0x${minor.toString(16)}) is a bugcheck: each code is 0..0xFF and IddCx adds 0x100`, async () => {
    const { d } = await runWith('', 50);
    d.adapter.reportCriticalError(major, minor);
    const s = d.stats();
    assert.equal(s.criticalError, null);
    assert.match(s.bugcheck?.reason ?? '', /outside 0\.\.0xFF/);
    const presented = s.presented;
    await d.clock.runFor(100);
    assert.equal(d.stats().presented, presented, 'the machine is down');
    await d.clock.drive(d.stop());
  });
}

test('finishing a frame that was not acquired is a bugcheck', async () => {
  const { d, m } = await runWith('', 100);
  m.assigned[0]!.finish();
  assert.match(d.stats().bugcheck?.reason ?? '', /FinishedProcessingFrame was called with no frame acquired/);
  await d.clock.drive(d.stop());
});

test('assignSwapChain returning a failure other than ABANDON_SWAPCHAIN is a bugcheck; ABANDON is retried', async () => {
  const d = createSimDisplay({ mode: '160x96@100' });
  let calls = 0;
  const codes = [STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN, STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED];
  await d.start({ assignSwapChain: () => codes[calls++]!, unassignSwapChain: async () => undefined });
  await d.clock.runFor(100);
  assert.equal(calls, 2, 'assigned again after ABANDON, never after the bugcheck');
  assert.match(d.stats().bugcheck?.reason ?? '', /assignSwapChain returned STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED/);
  await d.clock.drive(d.stop());
});

test('injectFault applies a fault now and logs it as injected', async () => {
  const { d, m } = await runWith('', 100);
  const rec = d.injectFault('device-removed');
  assert.deepEqual([rec.kind, rec.atMs, rec.source], ['device-removed', 100, 'inject']);
  d.injectFault('idle', 50);
  await d.clock.runFor(100);
  assert.deepEqual(d.faultLog().map((r) => [r.kind, r.durationMs]), [['device-removed', 0], ['idle', 50]]);
  assert.throws(() => d.injectFault('meteor'), /unknown fault kind/);
  await finish(d, m);
});
