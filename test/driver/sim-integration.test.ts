/**
 * The driver on the real simulated display and the real ring: the processor behaviours and the
 * run invariants end to end (every acquired frame finished exactly once, no stall while the
 * processor runs, no device live after stop, every consumed frame's pixels verified).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimHarness } from './sim-harness.js';

test('a_fault_free_run_drains_every_frame_into_the_ring_and_leaves_nothing_behind', async () => {
  const h = new SimHarness();
  await h.start();
  await h.runFor(1000);
  const broken = await h.stop();
  assert.deepEqual(broken, []);
  const s = h.driver.stats();
  assert.ok(s.acquired >= 110, `acquired ${s.acquired}`);
  assert.equal(s.published + s.dropped.allSlotsBusy + s.dropped.descMismatch + s.dropped.stale + s.dropped.noPublisher, s.acquired);
  assert.ok(h.consumed >= s.published - 6, `consumed ${h.consumed} of ${s.published}`);
  assert.deepEqual(s.recovery.events, []);
  assert.deepEqual([s.devices.created, s.devices.live], [1, 0]);
});

test('without_a_host_ring_the_driver_still_drains_and_the_display_never_stalls', async () => {
  const h = new SimHarness({ ring: false });
  await h.start();
  await h.runFor(500);
  assert.deepEqual(await h.stop(), []);
  const s = h.driver.stats();
  assert.equal(s.dropped.noPublisher, s.acquired);
});

test('a_1000_hz_display_with_unassigns_sees_every_stop_within_20_ms', async () => {
  const h = new SimHarness({ mode: '64x36@1000', faults: 'unassign@100ms*5/150ms' });
  await h.start();
  await h.runFor(1000);
  assert.deepEqual(await h.stop(), []);
  const s = h.driver.stats();
  assert.ok(s.terminate.measured >= 6, `measured ${s.terminate.measured}`);
  assert.ok(s.terminate.maxLatencyMs < 20, `max ${s.terminate.maxLatencyMs} ms`);
  assert.ok(s.acquired >= 900, `acquired ${s.acquired}`);
});

test('a_host_opening_its_ring_onto_an_idle_desktop_gets_a_frame_at_once', async () => {
  const h = new SimHarness({ ring: false, faults: 'idle@100ms:2s' });
  await h.start();
  await h.runFor(300);
  const before = h.driver.stats().acquired;
  // The host appears while nothing is presented.
  const { HostRing } = await import('../../src/ring/index.js');
  const m = h.display.mode();
  h.ring = HostRing.create({ targetId: 7, width: m.width, height: m.height, format: m.format });
  await h.runFor(16 * 32 + 2);
  assert.equal(h.driver.stats().acquired, before, 'no present happened');
  assert.equal(h.consumed, 1);
  assert.equal(h.driver.stats().republished, 1);
  assert.deepEqual(await h.stop(), []);
});

test('one_thousand_assign_unassign_cycles_leak_no_device_swap_chain_or_processor', async () => {
  const h = new SimHarness({ mode: '32x18@60', faults: 'unassign@10ms*1000/5ms' });
  await h.start();
  await h.runFor(10 + 1000 * 5 + 100);
  const s = h.driver.stats();
  assert.ok(s.swapChains.assigned >= 1000, `assigned ${s.swapChains.assigned}`);
  assert.equal(s.devices.created, 1, 'the pooled device is reused');
  assert.equal(s.processor.processorsStarted - s.processor.processorsExited, 1);
  assert.deepEqual(await h.stop(), []);
  const after = h.driver.stats();
  assert.equal(after.processor.processorsStarted, after.processor.processorsExited);
  assert.equal(after.devices.live, 0);
  assert.equal(h.display.stats().swapChainsLive, 0);
});
