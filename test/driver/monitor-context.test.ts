/**
 * MonitorContext with fakes: one processor at a time, joined before the next starts; devices kept,
 * pooled or destroyed as seed 004 says; nothing live after stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DXGI_ERROR_DEVICE_REMOVED,
  STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN,
  S_OK,
} from '../../src/display/result-codes.js';
import { ErrorDomain, HealthState } from '../../src/contract/status-codes.js';
import { MonitorContext } from '../../src/driver/monitor-context.js';
import { RecoveryPolicy } from '../../src/driver/recovery-policy.js';
import { CriticalCodes, criticalTerminalCode } from '../../src/driver/critical-codes.js';
import { TerminateFlag } from '../../src/driver/terminate-signal.js';
import { FakeClock } from './fakes/fake-clock.js';
import { FakeAdapter, FakeSwapChain, HARDWARE, SOFTWARE } from './fakes/fake-display.js';
import { FakeRingPort } from './fakes/fake-ring.js';

function rig(policy = new RecoveryPolicy()) {
  const clock = new FakeClock();
  const adapter = new FakeAdapter();
  const ring = new FakeRingPort();
  const log: string[] = [];
  const ctx = new MonitorContext({ adapter, clock, ring, policy });
  return { clock, adapter, ring, log, ctx };
}

test('a_new_swap_chain_starts_only_after_the_old_processor_was_terminated_and_joined', async () => {
  const { clock, ctx } = rig();
  const log: string[] = [];
  const sc1 = new FakeSwapChain({ log });
  const sc2 = new FakeSwapChain({ log });
  assert.equal(await clock.drive(ctx.assignSwapChain(sc1)), S_OK);
  await clock.runFor(40);
  log.push('--assign 2--');
  // The OS assigns again without an unassign in between.
  assert.equal(await clock.drive(ctx.assignSwapChain(sc2)), S_OK);
  await clock.runFor(5);
  const cut = log.indexOf('--assign 2--');
  const after = log.slice(cut);
  assert.ok(after.indexOf('swapChain.delete') < after.indexOf('setDevice:ok'), after.join(', '));
  assert.ok(sc1.deleted && !sc2.deleted);
  assert.equal(ctx.processor?.swapChain, sc2);
  assert.equal(ctx.pool.created, 1, 'the old device was given back and reused');
  await clock.drive(ctx.stop());
});

test('unassign_terminates_wakes_and_joins_the_processor', async () => {
  const { clock, ctx } = rig();
  const sc = new FakeSwapChain();
  await clock.drive(ctx.assignSwapChain(sc));
  await clock.runFor(7);
  const t = clock.now();
  await clock.drive(ctx.unassignSwapChain());
  assert.equal(clock.now(), t, 'joined at once: the wake ended the idle wait');
  assert.equal(ctx.processor, null);
  assert.ok(sc.deleted);
  assert.equal(ctx.counters.terminate.maxLatencyMs, 0);
});

test('a_directx_error_creating_the_device_in_assign_destroys_it_and_abandons_the_swap_chain', async () => {
  const { clock, adapter, ctx } = rig();
  adapter.createResults = [DXGI_ERROR_DEVICE_REMOVED];
  const hr = await clock.drive(ctx.assignSwapChain(new FakeSwapChain()));
  assert.equal(hr, STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN);
  assert.equal(ctx.processor, null);
  assert.equal(ctx.swapChains.abandoned, 1);
  assert.equal(ctx.policy.timeline.events[0]!.action, 'abandon-swapchain');
  // The OS retries; this time the device comes up.
  assert.equal(await clock.drive(ctx.assignSwapChain(new FakeSwapChain())), S_OK);
  await clock.drive(ctx.stop());
  assert.equal(adapter.liveDevices(), 0);
});

test('a_directx_error_while_processing_destroys_the_device_so_the_next_assign_creates_a_new_one', async () => {
  const { clock, adapter, ctx } = rig();
  const sc = new FakeSwapChain();
  await clock.drive(ctx.assignSwapChain(sc));
  sc.present();
  await clock.runFor(5);
  const first = adapter.devices[0]!;
  first.reason = DXGI_ERROR_DEVICE_REMOVED;
  sc.failAcquire = DXGI_ERROR_DEVICE_REMOVED;
  await clock.runFor(20);
  assert.ok(sc.deleted, 'the swap-chain was given back to the OS');
  assert.ok(first.destroyed, 'a device in error never recovers');
  assert.equal(ctx.policy.timeline.events[0]!.action, 'recreate-device');
  await clock.drive(ctx.assignSwapChain(new FakeSwapChain()));
  assert.equal(adapter.devices.length, 2);
  assert.deepEqual(ctx.epochs, { assignment: 2, device: 2 });
  await clock.drive(ctx.stop());
});

test('the_ladder_falls_back_to_the_software_adapter_and_then_stops_with_a_critical_error', async () => {
  const { clock, adapter, ring, ctx } = rig(new RecoveryPolicy({ consecutiveAssignFailures: 2 }));
  adapter.failingAdapters.set(HARDWARE.luid, DXGI_ERROR_DEVICE_REMOVED);
  adapter.failingAdapters.set(SOFTWARE.luid, DXGI_ERROR_DEVICE_REMOVED);
  for (let i = 0; i < 2; i++) await clock.drive(ctx.assignSwapChain(new FakeSwapChain({ renderAdapter: HARDWARE })));
  assert.deepEqual(adapter.renderAdapterSet, [SOFTWARE.luid]);
  await clock.drive(ctx.assignSwapChain(new FakeSwapChain({ renderAdapter: SOFTWARE })));
  const last = await clock.drive(ctx.assignSwapChain(new FakeSwapChain({ renderAdapter: SOFTWARE })));
  // Still the table's answer for a DirectX error in assign; the critical error rides on top.
  assert.equal(last, STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN);
  const c = CriticalCodes.DirectXAssignExhausted;
  assert.deepEqual(adapter.critical, [{ major: c.major, minor: c.minor }]);
  assert.deepEqual(adapter.criticalArgs, [{ major: c.major - 0x100, minor: c.minor }], 'the boundary takes 0..0xFF');
  // The host learns why the stream ended from the ring header.
  const p = ring.last!;
  assert.deepEqual(p.terminal, [ErrorDomain.Critical, criticalTerminalCode(c.major, c.minor)]);
  assert.equal(p.health.at(-1), HealthState.Dead);
  // The device stopped: no swap-chain is taken again, and only ABANDON is ever returned.
  assert.equal(await clock.drive(ctx.assignSwapChain(new FakeSwapChain())), STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN);
  await clock.drive(ctx.stop());
});

test('a_driver_wide_stop_reaches_the_running_processor_through_its_parent_flag', async () => {
  const clock = new FakeClock();
  const parent = TerminateFlag.local();
  const ctx = new MonitorContext({ adapter: new FakeAdapter(), clock, ring: new FakeRingPort(), terminate: parent });
  const sc = new FakeSwapChain();
  await clock.drive(ctx.assignSwapChain(sc));
  await clock.runFor(3);
  parent.request(clock.now());
  await clock.runFor(0);
  assert.equal(ctx.processor, null);
  // The driver is going away, not the swap-chain failing: the OS takes it back when it unassigns.
  // Deleting it would have the OS assign another only to see it abandoned (a clean stop's summary
  // read "abandoned 1").
  assert.equal(sc.deleted, false);
  // Refused while stopping, with the only failure IddCx accepts from assign.
  assert.equal(await clock.drive(ctx.assignSwapChain(new FakeSwapChain())), STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN);
  await clock.drive(ctx.stop());
});

test('stop_joins_the_processor_and_destroys_every_device_and_is_idempotent', async () => {
  const { clock, adapter, ctx } = rig();
  await clock.drive(ctx.assignSwapChain(new FakeSwapChain()));
  await clock.drive(ctx.assignSwapChain(new FakeSwapChain({ renderAdapter: SOFTWARE })));
  await clock.drive(ctx.stop());
  await clock.drive(ctx.stop());
  assert.equal(ctx.pool.live, 0);
  assert.equal(adapter.liveDevices(), 0);
  assert.equal(ctx.processor, null);
});

test('one_thousand_assign_unassign_cycles_on_fakes_reuse_one_device_and_leave_nothing_running', async () => {
  const { clock, adapter, ctx } = rig();
  const chains: FakeSwapChain[] = [];
  for (let i = 0; i < 1000; i++) {
    const sc = new FakeSwapChain();
    chains.push(sc);
    await clock.drive(ctx.assignSwapChain(sc));
    sc.present();
    await clock.runFor(1);
    await clock.drive(ctx.unassignSwapChain());
  }
  assert.equal(adapter.devices.length, 1);
  assert.ok(chains.every((c) => c.deleted && c.finished === c.acquired && c.finishErrors === 0));
  assert.equal(ctx.counters.processorsStarted, 1000);
  assert.equal(ctx.counters.processorsExited, 1000);
  assert.equal(clock.pendingTimers(), 0, 'no wait or timer left behind');
  await clock.drive(ctx.stop());
  assert.equal(ctx.pool.live, 0);
});
