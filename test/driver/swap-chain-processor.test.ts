/**
 * One test per behaviour of seed 000's processor, on a virtual clock with fakes of the display and
 * the ring (test/driver/fakes). Each asserts the behaviour itself, not a timing of the machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DXGI_ERROR_ACCESS_LOST,
  DXGI_ERROR_DEVICE_REMOVED,
  E_OUTOFMEMORY,
} from '../../src/display/result-codes.js';
import { HealthState } from '../../src/contract/status-codes.js';
import { SwapChainProcessor, type SwapChainProcessorOptions } from '../../src/driver/swap-chain-processor.js';
import { TerminateFlag } from '../../src/driver/terminate-signal.js';
import { FrameStash } from '../../src/driver/frame-stash.js';
import { FakeClock } from './fakes/fake-clock.js';
import { FakeDevice, FakeSwapChain, HARDWARE } from './fakes/fake-display.js';
import { FakeRingPort } from './fakes/fake-ring.js';

function rig(sc: FakeSwapChain, extra: Partial<SwapChainProcessorOptions> = {}) {
  const clock = new FakeClock();
  const ring = new FakeRingPort(sc.log);
  const device = new FakeDevice(HARDWARE, sc.log);
  const released: string[] = [];
  const proc = new SwapChainProcessor({
    swapChain: sc,
    device,
    clock,
    ring,
    terminate: TerminateFlag.local(),
    stash: new FrameStash(),
    releaseDevice: (d) => {
      sc.log.push('releaseDevice');
      released.push(String(d.id));
    },
    ...extra,
  });
  return { clock, ring, device, proc, released };
}

test('set_device_is_retried_60_times_50_ms_apart_while_the_monitor_flaps_then_the_processor_gives_up_cleanly', async () => {
  const sc = new FakeSwapChain({ setDeviceResults: new Array(60).fill(DXGI_ERROR_ACCESS_LOST) });
  const { clock, proc } = rig(sc);
  const times: number[] = [];
  const setDevice = sc.setDevice.bind(sc);
  sc.setDevice = (d) => {
    times.push(clock.now());
    return setDevice(d);
  };
  const exit = await clock.drive(proc.run());
  assert.equal(exit.reason, 'bind-failed');
  assert.equal(exit.hr, DXGI_ERROR_ACCESS_LOST);
  assert.equal(times.length, 60);
  for (let i = 1; i < times.length; i++) assert.equal(times[i]! - times[i - 1]!, 50);
  assert.equal(proc.counters.bindGiveUps, 1);
  // Giving up cleanly: nothing acquired, the swap-chain handed back, the device released after it.
  assert.equal(sc.acquired, 0);
  assert.deepEqual(sc.log.slice(-2), ['swapChain.delete', 'releaseDevice']);
});

test('a_flap_that_settles_binds_on_the_first_good_attempt_and_drains', async () => {
  const sc = new FakeSwapChain({ setDeviceResults: new Array(7).fill(DXGI_ERROR_ACCESS_LOST) });
  const { clock, proc } = rig(sc);
  sc.present(3);
  void proc.run();
  await clock.runFor(1000);
  assert.equal(sc.setDeviceCalls, 8);
  assert.equal(proc.state, 'draining');
  assert.equal(sc.acquired, 3);
  await clock.drive(proc.stop());
});

test('terminate_is_checked_before_every_set_device_attempt', async () => {
  const sc = new FakeSwapChain({ setDeviceResults: new Array(60).fill(DXGI_ERROR_ACCESS_LOST) });
  const { clock, proc } = rig(sc);
  clock.setTimer(120, () => proc.requestStop());
  const exit = await clock.drive(proc.run());
  assert.equal(exit.reason, 'terminated');
  // Attempts at 0, 50 and 100 ms; the stop at 120 ms is seen before a 4th attempt (and the wake cuts
  // the 50 ms gap short, so the processor leaves at 120 ms, not at 150 ms).
  assert.equal(sc.setDeviceCalls, 3);
  assert.equal(exit.atMs, 120);
  assert.equal(proc.counters.bindGiveUps, 0);
  assert.ok(sc.deleted);
});

test('terminate_is_checked_at_the_loop_top_so_a_continuous_1000_hz_burst_cannot_pin_the_worker', async () => {
  const sc = new FakeSwapChain({ continuous: true });
  // No yields at all: the loop never awaits once draining, as a thread in a burst never waits.
  const { clock, proc } = rig(sc, { tuning: { burstYieldFrames: 0 } });
  // Each frame takes 1 ms of display time: a 1000 Hz burst. The stop lands from a timer (as from
  // another thread) in the middle of the burst.
  sc.onAcquire = () => {
    // A processor that misses the stop would burst forever; end such a run as a failure instead.
    if (sc.acquired > 5000) throw new Error('the stop was never seen');
    clock.advance(1);
  };
  clock.setTimer(500, () => proc.requestStop());
  const exit = await proc.run();
  assert.equal(exit.reason, 'terminated');
  assert.equal(proc.counters.pendingWaits, 0, 'the burst never waited: only the loop-top check can see the stop');
  assert.ok(exit.terminateLatencyMs !== null && exit.terminateLatencyMs < 20, `latency ${exit.terminateLatencyMs} ms`);
  assert.equal(proc.counters.terminate.maxLatencyMs, exit.terminateLatencyMs);
  assert.ok(sc.acquired >= 499 && sc.acquired <= 501, `acquired ${sc.acquired}`);
  assert.equal(sc.finishErrors, 0);
});

test('a_burst_yields_to_the_event_loop_now_and_then_so_host_messages_still_arrive', async () => {
  const sc = new FakeSwapChain({ continuous: true });
  const { clock, proc } = rig(sc, { tuning: { burstYieldFrames: 32 } });
  let macrotaskRan = false;
  setImmediate(() => {
    macrotaskRan = true;
  });
  sc.onAcquire = () => {
    if (macrotaskRan) proc.requestStop();
  };
  const exit = await clock.drive(proc.run());
  assert.equal(exit.reason, 'terminated');
  assert.ok(macrotaskRan);
  assert.ok(sc.acquired <= 64, `acquired ${sc.acquired} before the event loop turned`);
});

test('the_ring_is_attached_lazily_on_the_first_pass_then_every_30_passes_and_keeps_trying_while_idle', async () => {
  const sc = new FakeSwapChain();
  const { clock, ring, proc } = rig(sc);
  ring.available = false;
  void proc.run();
  await clock.runFor(16 * 100);
  const passes = proc.counters.pendingWaits;
  assert.ok(passes >= 100);
  // Seed: frames_since_try starts at its limit (attempt on pass 1), then counts 30 passes between
  // attempts, so attempts are on passes 1, 32, 63, ...
  assert.equal(ring.opens, 1 + Math.floor((passes - 1) / 31));
  // The host creates its ring while the display is idle: the next attempt attaches, no frame needed.
  ring.available = true;
  await clock.runFor(16 * 31);
  assert.ok(proc.attached);
  assert.equal(sc.acquired, 0);
  assert.equal(proc.counters.attaches, 1);
  await clock.drive(proc.stop());
});

test('a_stale_publisher_is_dropped_and_re_attached_at_once', async () => {
  const sc = new FakeSwapChain();
  const { clock, ring, proc } = rig(sc);
  void proc.run();
  sc.present();
  await clock.runFor(20);
  const first = ring.last!;
  assert.equal(first.published.length, 1);
  const opensBefore = ring.opens;
  ring.recreate();
  // One pass is enough: the idle loop wakes within 16 ms, sees isStale() and re-attaches.
  await clock.runFor(16);
  assert.ok(first.detached);
  assert.equal(ring.opens, opensBefore + 1);
  const second = ring.last!;
  assert.notEqual(second, first);
  assert.equal(proc.counters.staleDrops, 1);
  sc.present();
  await clock.runFor(1);
  assert.deepEqual(
    second.published.map((p) => p.frameNumber),
    [1, 2],
    'the new ring gets the stashed frame 1 at once, then frame 2',
  );
  await clock.drive(proc.stop());
});

test('e_pending_waits_at_most_16_ms_on_surface_available_then_retries', async () => {
  const sc = new FakeSwapChain();
  const { clock, proc } = rig(sc);
  const at: number[] = [];
  sc.onAcquire = () => at.push(clock.now());
  void proc.run();
  await clock.runFor(100);
  for (let i = 1; i < at.length; i++) assert.equal(at[i]! - at[i - 1]!, 16, 'an idle wait times out at 16 ms');
  // A present wakes the wait before the 16 ms are up: the frame is acquired at once.
  const t = clock.now();
  clock.setTimer(5, () => sc.present());
  await clock.runFor(6);
  assert.equal(sc.acquired, 1);
  assert.ok(at.includes(t + 5), `acquired at ${t + 5}`);
  await clock.drive(proc.stop());
});

test('every_acquired_frame_is_published_before_it_is_finished_and_finished_exactly_once', async () => {
  const sc = new FakeSwapChain();
  const { clock, proc } = rig(sc);
  void proc.run();
  await clock.runFor(1);
  sc.log.length = 0;
  for (let i = 0; i < 5; i++) {
    sc.present();
    await clock.runFor(3);
  }
  await clock.drive(proc.stop());
  const frames = sc.log.filter((l) => l === 'acquire:ok' || l.startsWith('publish:') || l === 'finish');
  const expected: string[] = [];
  for (let n = 1; n <= 5; n++) expected.push('acquire:ok', `publish:${n}:0`, 'finish');
  assert.deepEqual(frames, expected);
  assert.equal(sc.finished, sc.acquired);
  assert.equal(sc.finishErrors, 0);
  assert.equal(proc.counters.published, 5);
});

test('any_other_acquire_error_leaves_the_loop_and_returns_its_hresult', async () => {
  const sc = new FakeSwapChain();
  const { clock, proc, ring } = rig(sc);
  sc.present(2);
  void proc.run();
  await clock.runFor(5);
  sc.failAcquire = DXGI_ERROR_DEVICE_REMOVED;
  sc.present();
  const exit = await clock.drive(proc.run());
  assert.equal(exit.reason, 'acquire-failed');
  assert.equal(exit.hr, DXGI_ERROR_DEVICE_REMOVED);
  assert.equal(exit.frames, 2);
  assert.ok(sc.deleted);
  // The host is told the pipeline is rebuilding, then the publisher lets go.
  assert.equal(ring.last!.health.at(-1), HealthState.Rebuilding);
  assert.ok(ring.last!.detached);
});

test('a_failed_finish_leaves_the_loop', async () => {
  const sc = new FakeSwapChain();
  const { clock, proc } = rig(sc);
  sc.failFinish = DXGI_ERROR_ACCESS_LOST;
  sc.present(3);
  const exit = await clock.drive(proc.run());
  assert.equal(exit.reason, 'finish-failed');
  assert.equal(exit.hr, DXGI_ERROR_ACCESS_LOST);
  assert.equal(sc.acquired, 1);
  assert.equal(proc.counters.finishFailures, 1);
});

test('the_swap_chain_is_deleted_before_the_device_is_released', async () => {
  for (const stopHow of ['terminate', 'error'] as const) {
    const sc = new FakeSwapChain();
    const { clock, proc } = rig(sc);
    void proc.run();
    await clock.runFor(20);
    if (stopHow === 'error') {
      sc.failAcquire = DXGI_ERROR_DEVICE_REMOVED;
      await clock.drive(proc.run());
    } else {
      await clock.drive(proc.stop());
    }
    const del = sc.log.indexOf('swapChain.delete');
    const rel = sc.log.indexOf('releaseDevice');
    assert.ok(del >= 0 && rel > del, `${stopHow}: ${sc.log.slice(-3).join(', ')}`);
  }
});

test('a_stop_reaches_an_idle_worker_at_once', async () => {
  const sc = new FakeSwapChain();
  const { clock, proc } = rig(sc);
  void proc.run();
  await clock.runFor(103); // mid-way through a 16 ms wait
  const exit = await clock.drive(proc.stop());
  assert.equal(exit.reason, 'terminated');
  assert.equal(exit.atMs, 103, 'the wake ends the wait; no waiting out the 16 ms');
  assert.equal(exit.terminateLatencyMs, 0);
});

test('a_transient_failure_the_policy_accepts_is_retried_within_the_frame', async () => {
  const sc = new FakeSwapChain();
  const seen: number[] = [];
  const { clock, proc } = rig(sc, {
    onAcquireError: (hr) => {
      seen.push(hr);
      return hr === E_OUTOFMEMORY ? 1 : -1;
    },
  });
  sc.failNextAcquire = [E_OUTOFMEMORY, E_OUTOFMEMORY];
  sc.present();
  void proc.run();
  await clock.runFor(10);
  assert.deepEqual(seen, [E_OUTOFMEMORY, E_OUTOFMEMORY]);
  assert.equal(sc.acquired, 1);
  assert.equal(proc.counters.transientRetries, 2);
  assert.equal(proc.state, 'draining');
  await clock.drive(proc.stop());
});

test('run_never_rejects_a_throwing_backend_ends_the_run_and_still_cleans_up', async () => {
  const sc = new FakeSwapChain();
  const { clock, proc } = rig(sc);
  sc.onAcquire = () => {
    throw new Error('backend bug');
  };
  const exit = await clock.drive(proc.run());
  assert.equal(exit.reason, 'exception');
  assert.ok(sc.deleted);
  assert.ok(sc.log.includes('releaseDevice'));
});

test('a_frame_is_drained_and_counted_as_no_publisher_when_no_ring_is_attached', async () => {
  const sc = new FakeSwapChain();
  const { clock, ring, proc } = rig(sc);
  ring.available = false;
  sc.present(4);
  void proc.run();
  await clock.runFor(10);
  assert.equal(sc.finished, 4);
  assert.equal(proc.counters.dropped.noPublisher, 4);
  assert.equal(proc.counters.published, 0);
  await clock.drive(proc.stop());
});

test('an_idle_display_waits_idleWaitMs_between_passes_after_idleAfterMs_and_a_frame_brings_the_seeds_16_ms_back', async () => {
  const sc = new FakeSwapChain();
  const { clock, proc } = rig(sc, { tuning: { idleAfterMs: 1000, idleWaitMs: 250 } });
  const at: number[] = [];
  sc.onAcquire = () => at.push(clock.now());
  void proc.run();
  await clock.runFor(3000);
  // ~62 seed passes in the first second, then one every 250 ms.
  const gaps = at.slice(1).map((t, i) => t - at[i]!);
  assert.ok(gaps.slice(0, 60).every((g) => g === 16), `the first second keeps the seed's 16 ms: ${gaps.slice(0, 60).join(',')}`);
  assert.deepEqual(gaps.slice(-4), [250, 250, 250, 250]);
  assert.equal(proc.counters.idleWaits, 8);
  // Only the idle waits may share a wake-up with other timers (coalesced-timer.ts); the seed's 16 ms are exact.
  assert.equal(clock.coalescableTimers, 8);
  // A present ends the long wait at once (surface-available), and the passes after it are 16 ms again.
  const t0 = clock.now();
  sc.present();
  await clock.runFor(0);
  assert.equal(proc.counters.acquired, 1);
  at.length = 0;
  await clock.runFor(200);
  assert.ok(at.every((t, i) => i === 0 || t - at[i - 1]! === 16), 'after a frame the seed passes resume');
  assert.ok(at[0]! - t0 <= 16);
  await clock.drive(proc.stop());
});

test('an_idle_processor_sees_the_host_retire_its_ring_at_once_through_the_stale_signal_and_republishes_the_stash', async () => {
  const sc = new FakeSwapChain();
  const { clock, ring, proc } = rig(sc, { tuning: { idleAfterMs: 1000, idleWaitMs: 60_000 } });
  void proc.run();
  sc.present();
  await clock.runFor(5000);
  const first = ring.last!;
  assert.equal(first.published.length, 1);
  assert.ok(proc.counters.idleWaits >= 1, 'the display went idle: the processor waits up to a minute');
  const opens = ring.opens;
  ring.recreate();
  await clock.runFor(0);
  assert.ok(first.detached, 'the stale ring was dropped without waiting for the timeout');
  assert.equal(ring.opens, opens + 1);
  assert.deepEqual(ring.last!.published.map((p) => p.frameNumber), [1], 'the new ring holds the last frame');
  await clock.drive(proc.stop());
});

test('a_stop_reaches_a_processor_in_its_long_idle_wait_at_once', async () => {
  const sc = new FakeSwapChain();
  const { clock, proc } = rig(sc, { tuning: { idleAfterMs: 100, idleWaitMs: 60_000 } });
  const run = proc.run();
  await clock.runFor(1000);
  assert.ok(proc.counters.idleWaits >= 1);
  const t0 = clock.now();
  proc.requestStop();
  const exit = await clock.drive(run);
  assert.equal(exit.reason, 'terminated');
  assert.equal(clock.now(), t0);
});
