/**
 * The recovery policy on its own: seed 004's ladder as a state machine of failures and time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/contract/errors.js';
import {
  CRITICAL_MAJOR_BASE,
  DXGI_ERROR_ACCESS_LOST,
  DXGI_ERROR_DEVICE_HUNG,
  DXGI_ERROR_DEVICE_REMOVED,
  E_FAIL,
  E_OUTOFMEMORY,
  STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY,
  S_OK,
} from '../../src/display/result-codes.js';
import { ALL_CRITICAL_CODES, CriticalCodes, criticalTerminalCode } from '../../src/driver/critical-codes.js';
import { classifyFailure, failureName } from '../../src/driver/failure-class.js';
import { RecoveryPolicy } from '../../src/driver/recovery-policy.js';
import { HARDWARE, SOFTWARE } from './fakes/fake-display.js';

const BOTH = [HARDWARE, SOFTWARE];

test('failures_are_classified_as_seed_004_describes', () => {
  assert.equal(classifyFailure(DXGI_ERROR_DEVICE_REMOVED), 'directx');
  assert.equal(classifyFailure(DXGI_ERROR_DEVICE_HUNG), 'directx');
  assert.equal(classifyFailure(DXGI_ERROR_ACCESS_LOST), 'os', 'the OS took the swap-chain');
  assert.equal(classifyFailure(STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY), 'os', 'a topology rebuild');
  // The device is asked first: removed means DirectX, whatever the call returned.
  assert.equal(classifyFailure(DXGI_ERROR_ACCESS_LOST, undefined, DXGI_ERROR_DEVICE_REMOVED), 'directx');
  assert.equal(classifyFailure(STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY, undefined, DXGI_ERROR_DEVICE_HUNG), 'directx');
  assert.equal(classifyFailure(DXGI_ERROR_ACCESS_LOST, undefined, S_OK), 'os');
  assert.equal(classifyFailure(E_OUTOFMEMORY, undefined, S_OK), 'transient-own');
  assert.equal(classifyFailure(E_OUTOFMEMORY), 'transient-own');
  assert.equal(classifyFailure(E_FAIL), 'unknown');
  assert.equal(classifyFailure(E_FAIL, [E_FAIL]), 'transient-own');
  assert.equal(failureName(DXGI_ERROR_DEVICE_REMOVED), 'device-removed');
  assert.equal(failureName(0x80001234), 'unknown');
});

test('every_critical_code_has_a_major_of_at_least_0x100_and_a_unique_major_minor_pair', () => {
  const pairs = new Set<string>();
  const names = new Set<string>();
  for (const c of ALL_CRITICAL_CODES) {
    assert.ok(c.major >= CRITICAL_MAJOR_BASE, `${c.name}: major 0x${c.major.toString(16)}`);
    assert.ok(c.major - CRITICAL_MAJOR_BASE <= 0xff && c.minor >= 1 && c.minor <= 0xff, c.name);
    pairs.add(`${c.major}/${c.minor}`);
    names.add(c.name);
    assert.ok(c.meaning.length > 10);
  }
  assert.equal(pairs.size, ALL_CRITICAL_CODES.length);
  assert.equal(names.size, ALL_CRITICAL_CODES.length);
  assert.equal(criticalTerminalCode(0x101, 0x02), 0x01010002);
});

test('a_directx_error_in_assign_abandons_and_five_in_a_row_fall_back_to_software', () => {
  const p = new RecoveryPolicy();
  for (let i = 1; i <= 4; i++) {
    const d = p.onFailure('assign', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, i);
    assert.deepEqual([d.class, d.action, d.escalation], ['directx', 'abandon-swapchain', null]);
  }
  const d = p.onFailure('assign', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, 5);
  assert.deepEqual(d.escalation, { action: 'software-fallback', luid: SOFTWARE.luid });
  assert.deepEqual(
    p.timeline.events.map((e) => e.action),
    ['abandon-swapchain', 'abandon-swapchain', 'abandon-swapchain', 'abandon-swapchain', 'abandon-swapchain', 'software-fallback'],
  );
  assert.equal(p.timeline.events[0]!.hresult, '0x887A0005');
  assert.equal(p.timeline.events[0]!.adapter, 'hardware');
  assert.deepEqual(p.counts, { consecutiveAssign: 0, processingInWindow: 0, transientInWindow: 0 });
});

test('a_successful_assign_breaks_the_run_of_consecutive_assign_failures', () => {
  const p = new RecoveryPolicy();
  for (let i = 0; i < 4; i++) p.onFailure('assign', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, i);
  p.onAssigned(HARDWARE);
  for (let i = 0; i < 4; i++) assert.equal(p.onFailure('assign', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, 10 + i).escalation, null);
});

test('five_processing_failures_within_60_s_escalate_but_failures_spread_wider_do_not', () => {
  const spread = new RecoveryPolicy();
  for (let i = 0; i < 10; i++) {
    const d = spread.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, i * 15_001);
    assert.equal(d.action, 'recreate-device');
    assert.equal(d.escalation, null, `failure ${i}: only 4 fall in any 60 s window`);
  }
  const dense = new RecoveryPolicy();
  const actions = [];
  for (let i = 0; i < 5; i++) actions.push(dense.onFailure('processing', DXGI_ERROR_DEVICE_HUNG, HARDWARE, BOTH, i * 100).escalation);
  assert.deepEqual(actions.slice(0, 4), [null, null, null, null]);
  assert.deepEqual(actions[4], { action: 'software-fallback', luid: SOFTWARE.luid });
});

test('the_same_on_the_software_adapter_reports_a_critical_error_once', () => {
  const p = new RecoveryPolicy();
  for (let i = 0; i < 5; i++) p.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, i);
  // The fallback is a new stage: the software adapter starts with clean counters.
  const ds = [];
  for (let i = 0; i < 5; i++) ds.push(p.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, SOFTWARE, BOTH, 100 + i));
  assert.deepEqual(ds.slice(0, 4).map((d) => d.escalation), [null, null, null, null]);
  const c = CriticalCodes.DirectXProcessingExhausted;
  assert.deepEqual(ds[4]!.escalation, { action: 'critical-error', major: c.major, minor: c.minor });
  assert.deepEqual(p.criticalError, { major: c.major, minor: c.minor });
  assert.deepEqual(p.timeline.events.at(-1)!.critical, { major: c.major, minor: c.minor });
  // After the device stopped, a late failure is still recorded but reported no second time.
  assert.equal(p.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, SOFTWARE, BOTH, 200).escalation, null);
});

test('without_a_software_adapter_the_hardware_stage_ends_in_a_critical_error', () => {
  const p = new RecoveryPolicy({ consecutiveAssignFailures: 2 });
  p.onFailure('assign', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, [HARDWARE], 0);
  const d = p.onFailure('assign', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, [HARDWARE], 1);
  assert.deepEqual(d.escalation, {
    action: 'critical-error',
    major: CriticalCodes.NoSoftwareAdapter.major,
    minor: CriticalCodes.NoSoftwareAdapter.minor,
  });
});

test('a_transient_own_failure_is_retried_and_promoted_to_permanent_when_its_episodes_recur_regularly', () => {
  const p = new RecoveryPolicy({ transientEpisodes: 3, transientWindowMs: 1000 });
  assert.equal(p.onFailure('processing', E_OUTOFMEMORY, HARDWARE, BOTH, 0).action, 'retry');
  p.noteFrame();
  assert.equal(p.onFailure('processing', E_OUTOFMEMORY, HARDWARE, BOTH, 2000).action, 'retry', 'outside the window');
  p.noteFrame();
  assert.equal(p.onFailure('processing', E_OUTOFMEMORY, HARDWARE, BOTH, 2100).action, 'retry');
  p.noteFrame();
  const d = p.onFailure('processing', E_OUTOFMEMORY, HARDWARE, BOTH, 2200);
  assert.equal(d.action, 'critical-error');
  assert.equal(d.class, 'permanent-own');
  const c = CriticalCodes.TransientRecurring;
  assert.deepEqual(d.escalation, { action: 'critical-error', major: c.major, minor: c.minor });
});

test('one_transient_episode_counts_once_and_its_retries_back_off_1_2_4_ms_to_a_bound', () => {
  const p = new RecoveryPolicy({ transientEpisodes: 2 });
  const delays: number[] = [];
  for (let t = 0; t < 12; t++) {
    const d = p.onFailure('processing', E_OUTOFMEMORY, HARDWARE, BOTH, t * 5);
    assert.equal(d.action, 'retry');
    delays.push(d.retryAfterMs!);
  }
  assert.deepEqual(delays, [1, 2, 4, 8, 16, 16, 16, 16, 16, 16, 16, 16]);
  assert.equal(p.counts.transientInWindow, 1, 'twelve failures, one episode');
  assert.equal(p.timeline.events.length, 1, 'recorded once');
  // A frame ends the episode: the next failure starts a new one, from the first delay again.
  p.noteFrame();
  const d = p.onFailure('processing', E_OUTOFMEMORY, HARDWARE, BOTH, 100);
  assert.equal(d.action, 'critical-error', 'the second episode within the window reaches transientEpisodes = 2');
});

test('a_transient_episode_that_outlasts_a_transient_issue_is_permanent', () => {
  const p = new RecoveryPolicy({ transientEpisodeMaxMs: 1000 });
  assert.equal(p.onFailure('assign', E_OUTOFMEMORY, HARDWARE, BOTH, 0).action, 'retry');
  assert.equal(p.onFailure('assign', E_OUTOFMEMORY, HARDWARE, BOTH, 1000).action, 'retry');
  const d = p.onFailure('assign', E_OUTOFMEMORY, HARDWARE, BOTH, 1001);
  const c = CriticalCodes.TransientPersistent;
  assert.deepEqual(d.escalation, { action: 'critical-error', major: c.major, minor: c.minor });
});

test('a_swap_chain_the_os_took_from_a_healthy_device_counts_nothing', () => {
  const p = new RecoveryPolicy({ processingFailures: 2 });
  for (let i = 0; i < 10; i++) {
    const d = p.onFailure('processing', i % 2 === 0 ? DXGI_ERROR_ACCESS_LOST : STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY, HARDWARE, BOTH, i, { deviceReason: S_OK });
    assert.deepEqual([d.class, d.action, d.escalation], ['os', 'release-swapchain', null]);
  }
  assert.equal(p.counts.processingInWindow, 0);
  // The same HRESULT on a removed device is a DirectX failure, named after the device's reason.
  const d = p.onFailure('processing', DXGI_ERROR_ACCESS_LOST, HARDWARE, BOTH, 20, { deviceReason: DXGI_ERROR_DEVICE_HUNG });
  assert.deepEqual([d.class, d.action], ['directx', 'recreate-device']);
  assert.equal(p.timeline.events.at(-1)!.failure, 'device-hung');
});

test('the_stage_is_the_drivers_own_after_the_fallback_failures_count_toward_the_critical_error_wherever_the_os_composes', () => {
  const p = new RecoveryPolicy();
  for (let i = 0; i < 5; i++) p.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, i);
  assert.equal(p.stage, 'software');
  // The OS ignored setRenderAdapter: failures keep coming on the hardware adapter.
  const ds = [];
  for (let i = 0; i < 5; i++) ds.push(p.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, 100 + i));
  assert.deepEqual(ds.slice(0, 4).map((d) => d.escalation), [null, null, null, null]);
  assert.equal(ds[4]!.escalation?.action, 'critical-error');
  assert.equal(p.stage, 'stopped');
  assert.equal(p.timeline.events.filter((e) => e.action === 'software-fallback').length, 1);
});

test('a_permanent_own_issue_reports_a_critical_error', () => {
  const p = new RecoveryPolicy();
  const d = p.reportPermanent('slot-storage-corrupt', E_FAIL, HARDWARE, 5);
  assert.equal(d.action, 'critical-error');
  assert.deepEqual(p.criticalError, { major: CriticalCodes.PermanentOwn.major, minor: CriticalCodes.PermanentOwn.minor });
});

test('recovery_ms_is_the_outage_from_the_first_failed_call_to_the_next_delivered_frame', () => {
  const p = new RecoveryPolicy();
  p.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, 100, { sinceMs: 60 });
  p.onFailure('assign', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, 110);
  assert.ok(p.timeline.awaitingFrames);
  p.onFrameDelivered(142);
  p.onFrameDelivered(150);
  assert.deepEqual(p.timeline.events.map((e) => e.recoveryMs), [82, 82], 'one outage, from the first failed call at 60 ms');
  assert.equal(p.timeline.awaitingFrames, false);
  p.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HARDWARE, BOTH, 300);
  p.onFrameDelivered(310);
  assert.equal(p.timeline.events.at(-1)!.recoveryMs, 10, 'a new outage after frames flowed');
});

test('bad_policy_options_are_refused_with_a_message_naming_the_option', () => {
  assert.throws(() => new RecoveryPolicy({ processingFailures: 0 }), (e: unknown) => e instanceof InvalidArgumentError && /processingFailures/.test(e.message));
  assert.throws(() => new RecoveryPolicy({ processingWindowMs: -1 }), /processingWindowMs/);
  assert.throws(() => new RecoveryPolicy({ transientCodes: [1.5] }), /transientCodes/);
});
