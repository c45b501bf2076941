import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HARDWARE_ADAPTER,
  SOFTWARE_ADAPTER,
  chaosSchedule,
  createSimDisplay,
  parseFaultSchedule,
} from '../../../src/backends/sim/index.js';
import { STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN, S_OK } from '../../../src/display/result-codes.js';
import type { SwapChain } from '../../../src/display/types.js';
import { FaultScheduleError, InvalidArgumentError } from '../../../src/contract/errors.js';
import { FakeMonitor } from './fake-monitor.js';

test('the system has one hardware and one software render adapter; devices get ids and count', () => {
  const d = createSimDisplay();
  assert.deepEqual(d.adapter.renderAdapters().map((a) => a.kind), ['hardware', 'software']);
  const a = d.adapter.createDevice(HARDWARE_ADAPTER);
  const b = d.adapter.createDevice(SOFTWARE_ADAPTER);
  assert.deepEqual([a.hr, b.hr, a.device!.id, b.device!.id, b.device!.adapter.kind], [S_OK, S_OK, 1, 2, 'software']);
  assert.equal(a.device!.removedReason(), S_OK);
  a.device!.destroy();
  a.device!.destroy();
  const s = d.stats();
  assert.deepEqual([s.devicesCreated, s.devicesDestroyed, s.devicesLive], [2, 1, 1]);
  assert.equal(a.device!.destroyed, true);
  b.device!.destroy();
});

test('setRenderAdapter recreates the swap-chain on that adapter: unassign, then a new swap-chain there', async () => {
  const d = createSimDisplay({ mode: '160x96@100' });
  const m = new FakeMonitor(d);
  await d.start(m);
  await d.clock.runFor(100);
  d.adapter.setRenderAdapter(SOFTWARE_ADAPTER.luid);
  await d.clock.runFor(100);
  assert.equal(m.unassignCalls, 1);
  assert.deepEqual(m.assigned.map((s) => s.renderAdapter.kind), ['hardware', 'software']);
  assert.equal(d.stats().renderAdapter.kind, 'software');
  assert.equal(d.liveDevices()[0]!.adapter.kind, 'software');
  assert.ok(m.frames.some((f) => f.swapChain === 2));
  d.adapter.setRenderAdapter(SOFTWARE_ADAPTER.luid); // already there: nothing happens
  await d.clock.runFor(50);
  assert.equal(m.assigned.length, 2);
  assert.throws(() => d.adapter.setRenderAdapter(0x1234), InvalidArgumentError);
  await d.clock.drive(d.stop());
  assert.deepEqual(d.checkInvariants(), []);
});

test('SetDevice refuses a device on another adapter than the swap-chain\'s', async () => {
  const d = createSimDisplay();
  let sc: SwapChain | null = null;
  await d.start({ assignSwapChain: (s) => ((sc = s), S_OK), unassignSwapChain: async () => undefined });
  const other = d.adapter.createDevice(SOFTWARE_ADAPTER).device!;
  assert.notEqual(sc!.setDevice(other), S_OK);
  other.destroy();
  sc!.delete();
  await d.clock.drive(d.stop());
});

test('ABANDON_SWAPCHAIN: the OS assigns again 10 ms later; after the limit in a row it gives up', async () => {
  const d = createSimDisplay({ maxConsecutiveAbandons: 5 });
  const times: number[] = [];
  await d.start({
    assignSwapChain: () => (times.push(d.clock.now()), STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN),
    unassignSwapChain: async () => undefined,
  });
  await d.clock.runFor(1000);
  assert.deepEqual(times, [0, 10, 20, 30, 40]);
  const s = d.stats();
  assert.deepEqual([s.swapChainsAbandoned, s.swapChainsAssigned, s.swapChainsLive, s.assignGaveUp], [5, 5, 0, true]);
  await d.clock.drive(d.stop());
});

test('after the driver deletes the current swap-chain the OS assigns a new one; a throwing monitor is recorded, not fatal', async () => {
  const d = createSimDisplay();
  const got: SwapChain[] = [];
  let throwOnce = true;
  await d.start({
    assignSwapChain: (s) => {
      got.push(s);
      if (got.length === 2 && throwOnce) {
        throwOnce = false;
        throw new Error('boom');
      }
      return S_OK;
    },
    unassignSwapChain: async () => undefined,
  });
  got[0]!.delete();
  got[0]!.delete(); // idempotent
  await d.clock.runFor(50);
  assert.equal(got.length, 3, 'deleted → assign (throws, treated as abandon) → assign');
  assert.equal(d.stats().swapChainsDeleted, 1);
  assert.match(d.checkInvariants().join('\n'), /assignSwapChain threw: boom/);
  got[2]!.delete();
  await d.clock.drive(d.stop());
});

test('1,000 assign/unassign cycles leak no device and no swap-chain', async () => {
  const d = createSimDisplay({ mode: '32x16@1000', faults: 'unassign@5ms*1000/5ms' });
  const m = new FakeMonitor(d);
  m.keepFrames = 10;
  await d.start(m);
  await d.clock.runFor(5100);
  assert.equal(m.unassignCalls, 1000);
  await d.clock.drive(d.stop());
  const s = d.stats();
  assert.equal(s.swapChainsAssigned, 1001);
  assert.deepEqual([s.devicesCreated, s.devicesDestroyed, s.devicesLive, s.swapChainsLive], [1001, 1001, 0, 0]);
  assert.equal(s.unassigns, 1001, 'the 1000 faults and the stop');
  assert.ok(s.presented > 1000);
  assert.deepEqual(d.checkInvariants(), []);
  assert.deepEqual(m.integrityErrors, []);
});

test('a driver that never destroys its devices, or never deletes a lost swap-chain, fails the invariants after stop', async () => {
  const d = createSimDisplay({ faults: 'access-lost@50ms' });
  await d.start({
    assignSwapChain: (s) => {
      const { device } = d.adapter.createDevice(s.renderAdapter);
      s.setDevice(device!);
      return S_OK;
    },
    unassignSwapChain: async () => undefined,
  });
  await d.clock.runFor(100);
  await d.clock.drive(d.stop());
  const problems = d.checkInvariants({ allowStalls: true }).join('\n');
  assert.match(problems, /1 device\(s\) still live after stop: device 1 on hardware/);
  assert.match(problems, /swap-chain\(s\) 1 lost access but the driver never deleted them/);
});

test('stop unassigns the swap-chain, ends presents, and is idempotent; start twice is refused', async () => {
  const d = createSimDisplay({ mode: '160x96@100' });
  const m = new FakeMonitor(d);
  await d.start(m);
  assert.throws(() => d.start(m), InvalidArgumentError);
  await d.clock.runFor(100);
  const p1 = d.stop();
  const p2 = d.stop();
  assert.equal(p1, p2);
  await d.clock.drive(p1);
  assert.equal(m.unassignCalls, 1);
  const presented = d.stats().presented;
  await d.clock.runFor(100);
  assert.equal(d.stats().presented, presented);
  assert.deepEqual(d.checkInvariants(), []);
});

test('options are validated up front', () => {
  assert.throws(() => createSimDisplay({ mode: '1x1' }), InvalidArgumentError);
  assert.throws(() => createSimDisplay({ seed: -1 }), InvalidArgumentError);
  assert.throws(() => createSimDisplay({ pattern: 'swirl' as 'full' }), InvalidArgumentError);
  assert.throws(() => createSimDisplay({ faults: 'idle@soon' }), FaultScheduleError);
  assert.throws(() => createSimDisplay({ clock: 'sundial' as 'real' }), InvalidArgumentError);
});

test('one seed and one schedule replay one timeline exactly (chaos of every kind)', async () => {
  const spec = chaosSchedule(99, { durationMs: 2000, count: 40 });
  assert.equal(spec, chaosSchedule(99, { durationMs: 2000, count: 40 }));
  const run = async (): Promise<string> => {
    const d = createSimDisplay({ mode: '96x64@120', seed: 5, faults: spec, pattern: 'desktop' });
    const m = new FakeMonitor(d);
    await d.start(m);
    await d.clock.runFor(2500);
    await d.clock.drive(d.stop());
    assert.deepEqual(m.integrityErrors, [], `replay: --faults ${spec}`);
    assert.deepEqual(d.checkInvariants(), [], `replay: --faults ${spec}`);
    return JSON.stringify({ stats: d.stats(), log: d.faultLog(), frames: m.frames, errors: m.loopErrors });
  };
  const a = await run();
  assert.equal(a, await run());
  assert.equal(new Set(parseFaultSchedule(spec).map((e) => e.kind)).size >= 8, true, 'many kinds drawn');
});

test('seeded chaos of every kind keeps the invariants', async () => {
  for (let seed = 1; seed <= 6; seed++) {
    const spec = chaosSchedule(seed, { durationMs: 1500 });
    const d = createSimDisplay({ mode: '64x48@240', seed, faults: spec, pattern: seed % 2 === 0 ? 'full' : 'moving', format: seed % 3 === 0 ? 'rgba16f' : 'bgra8' });
    const m = new FakeMonitor(d);
    await d.start(m);
    await d.clock.runFor(1600);
    await d.clock.drive(d.stop());
    const replay = `seed ${seed}: --faults ${spec}`;
    assert.deepEqual(m.integrityErrors, [], replay);
    assert.deepEqual(d.checkInvariants(), [], replay);
    assert.ok(m.frames.length > 0, replay);
  }
});

test('the same display runs on the real clock', async () => {
  const d = createSimDisplay({ clock: 'real', mode: '64x32@200' });
  const m = new FakeMonitor(d);
  await d.start(m);
  // Wait for a few frames, however slow the machine (no timing is asserted).
  for (let i = 0; i < 500 && m.frames.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
  await d.stop();
  assert.ok(d.stats().presented > 0);
  assert.deepEqual(m.integrityErrors, []);
  assert.deepEqual(d.checkInvariants({ allowStalls: true }), []);
  assert.ok(m.frames.length >= 3);
});
