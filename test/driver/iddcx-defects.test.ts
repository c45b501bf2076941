/**
 * Issue 10's numbered defects, one test each, on the real driver, the real simulated OS (which now
 * punishes what IddCx punishes) and the real ring. Each failed on the driver as it was before the
 * issue; the comment says how.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorDomain, HealthState } from '../../src/contract/status-codes.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../src/contract/pixel-format.js';
import { CriticalCodes, criticalTerminalCode } from '../../src/driver/critical-codes.js';
import { SimHarness } from './sim-harness.js';

async function run(faults: string, ms: number, mode = '96x54@120'): Promise<{ h: SimHarness; broken: string[] }> {
  const h = new SimHarness({ faults, mode });
  await h.start();
  await h.runFor(ms);
  const broken = await h.stop();
  return { h, broken };
}

const decisions = (h: SimHarness): string[] => h.driver.stats().recovery.events.map((e) => `${e.failure}:${e.class}:${e.action}:${e.adapter}`);

// 1. Before: each SetDevice give-up (60 x 50 ms) was a DirectX failure that destroyed the healthy
// device; a 20 s flap gave up six times and ended on the software adapter.
test('defect_1_a_long_flap_gives_up_cleanly_keeps_the_healthy_device_and_never_climbs_the_ladder', async () => {
  const { h, broken } = await run('flap@200ms:20s', 22_000, '32x18@30');
  assert.deepEqual(broken, []);
  const d = decisions(h);
  assert.ok(d.length >= 5, `${d.length} give-ups`);
  assert.ok(d.every((x) => x === 'access-lost:os:release-swapchain:hardware' || x === 'set-device-failed:os:release-swapchain:hardware'), d.join('\n'));
  assert.equal(h.display.stats().renderAdapter.kind, 'hardware');
  assert.equal(h.driver.stats().devices.created, 1, 'the one healthy device served every swap-chain');
  assert.ok(h.consumedAt.some((t) => t > 20_500), 'frames flow once the flap ends');
});

// 2. Before: ACCESS_LOST from acquire on a healthy device destroyed it and counted toward the
// fallback, so a few OS reassignments (an Xvfb resize, say) within a minute meant software for good.
test('defect_2_the_os_abandoning_swap_chains_keeps_the_device_and_counts_nothing', async () => {
  const { h, broken } = await run('access-lost@200ms*6/200ms', 1800);
  assert.deepEqual(broken, []);
  assert.deepEqual(decisions(h), new Array(6).fill('access-lost:os:release-swapchain:hardware'));
  assert.equal(h.display.stats().renderAdapter.kind, 'hardware');
  assert.equal(h.driver.stats().devices.created, 1);
  assert.equal(h.driver.monitor.policy.counts.processingInWindow, 0);
});

// 3. Before: a device removed during a flap kept SetDevice retrying for 3 s on a device that could
// never bind, and the event then said recovery took ~15 ms.
test('defect_3_a_device_lost_during_a_flap_stops_the_setdevice_retries_and_recovery_ms_is_the_outage_the_user_saw', async () => {
  const { h, broken } = await run('flap@200ms:200ms,device-removed@250ms', 1500);
  assert.deepEqual(broken, []);
  assert.deepEqual(decisions(h), ['device-removed:directx:recreate-device:hardware']);
  assert.equal(h.driver.stats().processor.bindDeviceLost, 1, 'SetDevice stopped once the device was removed');
  const back = h.consumedAt.find((t) => t > 200)!;
  assert.ok(back < 600, `frames are back at ${back} ms, soon after the flap ended at 400 ms`);
  const last = h.consumedAt.filter((t) => t <= 200).at(-1)!;
  const e = h.driver.stats().recovery.events[0]!;
  // The outage: from the first failed SetDevice (the flap, just after 200 ms) to the next frame.
  assert.ok(e.recoveryMs! >= back - 210 && e.recoveryMs! <= back - last, `recoveryMs ${e.recoveryMs} for a gap ${last}..${back} ms`);
});

// 4. Before: the ladder's counters reset whenever the adapter changed, so an OS that kept composing
// on the hardware adapter after setRenderAdapter made it fall back again and again, forever.
test('defect_4_an_os_that_ignores_the_render_adapter_preference_still_gets_a_critical_error_in_bounded_time', async () => {
  const { h, broken } = await run('ignore-render-adapter@0ms,driver-bug@200ms', 20_000, '32x18@60');
  assert.deepEqual(broken, []);
  const s = h.driver.stats();
  const c = CriticalCodes.DirectXProcessingExhausted;
  assert.deepEqual(s.recovery.criticalError, { major: c.major, minor: c.minor });
  assert.equal(s.recovery.events.filter((e) => e.action === 'software-fallback').length, 1);
  assert.ok(s.devices.created <= 12, `${s.devices.created} devices created`);
  const critical = s.recovery.events.find((e) => e.action === 'critical-error')!;
  assert.ok(critical.atMs < 2000, `critical error at ${critical.atMs} ms`);
});

// 5. Before: every 1 ms retry of one 10 ms out-of-memory counted as a recurrence (10 → critical), and
// in assignSwapChain the retry had no delay at all (a busy loop: critical at once).
test('defect_5_one_short_transient_episode_is_one_retry_decision_in_the_loop_and_in_assign', async () => {
  const loop = await run('acquire-oom@200ms:10ms', 1000);
  assert.deepEqual(loop.broken, []);
  assert.deepEqual(decisions(loop.h), ['out-of-memory:transient-own:retry:hardware']);
  assert.equal(loop.h.driver.stats().recovery.criticalError, null);
  const assign = await run('device-removed@200ms,create-oom@200ms:40ms', 1000);
  assert.deepEqual(assign.broken, []);
  assert.deepEqual(decisions(assign.h), ['device-removed:directx:recreate-device:hardware', 'out-of-memory:transient-own:retry:hardware']);
  assert.equal(assign.h.driver.stats().recovery.criticalError, null);
  assert.ok(assign.h.consumedAt.some((t) => t > 300));
});

// 6. Before: assignSwapChain returned DEVICE_STOPPED when the ladder ended inside it (and when
// stopping): IddCx 1.4+ bugchecks that. The sim now does too.
test('defect_6_assign_swap_chain_returns_only_s_ok_or_abandon_even_when_the_ladder_ends_inside_it', async () => {
  const { h, broken } = await run('assign-fail@200ms:12', 1500);
  assert.deepEqual(broken, []);
  assert.equal(h.display.stats().bugcheck, null);
  const c = CriticalCodes.DirectXAssignExhausted;
  assert.deepEqual(h.display.stats().criticalError, { major: c.major, minor: c.minor });
});

// 7. Before: the ring's terminal error was written after IddCxReportCriticalError, which never
// returns, so the host never saw it; and the major passed was 0x101 (the boundary takes 0..0xFF).
test('defect_7_the_host_learns_the_critical_error_from_the_ring_and_the_os_reports_major_plus_0x100', async () => {
  const { h, broken } = await run('driver-bug@200ms', 3000);
  assert.deepEqual(broken, [], 'no bugcheck: the major crossed the boundary in 0..0xFF and nothing followed the call');
  const c = CriticalCodes.DirectXProcessingExhausted;
  assert.deepEqual(h.display.stats().criticalError, { major: c.major, minor: c.minor }, 'the OS adds 0x100');
  assert.deepEqual(h.driver.stats().recovery.criticalError, { major: c.major, minor: c.minor }, 'the summary keeps the OS code');
  const health = h.lastHealth!;
  assert.equal(health.healthState, HealthState.Dead);
  assert.deepEqual(health.terminalError, { domain: ErrorDomain.Critical, code: criticalTerminalCode(c.major, c.minor) });
});

// 8 (the OS side; "format" owns the ring/host side). Before: the sim changed format only with a
// new swap-chain, so a per-frame format change never reached the driver.
test('defect_8_per_frame_format_changes_on_one_swap_chain_reach_the_driver_and_the_publisher', async () => {
  const { h, broken } = await run('format-blip@200ms:2,format-blip@500ms', 1000);
  assert.deepEqual(broken, []);
  assert.equal(h.driver.stats().swapChains.assigned, 1, 'one swap-chain throughout');
  assert.ok((h.publishedFormats.get(FORMAT_RGBA16F) ?? 0) >= 3, JSON.stringify([...h.publishedFormats]));
  assert.ok((h.publishedFormats.get(FORMAT_BGRA8) ?? 0) > 50);
  assert.deepEqual(decisions(h), []);
});

// 9. Before: the OS never re-presented a frame, and the sim's own invariant called a repeated
// frame number a bug.
test('defect_9_a_static_desktop_re_encode_repeats_the_frame_number_without_breaking_an_invariant', async () => {
  const { h, broken } = await run('idle@200ms:400ms,static-reencode@300ms:4', 1000);
  assert.deepEqual(broken, []);
  const s = h.display.stats();
  assert.equal(s.nonMonotonicFrames, 0);
  assert.deepEqual(decisions(h), []);
  assert.equal(s.acquired, s.finished, 'every re-present was drained');
});

// Found by the soak (seed 936): the OS abandoning a swap-chain that was still being assigned (the
// driver waiting out a transient create failure) left SetDevice failing with ACCESS_LOST for 3 s.
// The OS takes back a swap-chain it has not seen bound by unassigning it, and frames come back.
test('a_swap_chain_abandoned_before_it_was_bound_is_unassigned_and_frames_resume_at_once', async () => {
  const { h, broken } = await run('device-reset@200ms,create-oom@200ms:100ms,access-lost@250ms', 1000);
  assert.deepEqual(broken, []);
  assert.equal(h.driver.stats().processor.bindGiveUps, 0);
  const back = h.consumedAt.find((t) => t > 250)!;
  assert.ok(back < 400, `frames are back at ${back} ms`);
});
