import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdapterLadder,
  LADDER_BYTES,
  LADDER_CONSECUTIVE_ASSIGN,
  LADDER_CRITICAL_MAJOR,
  LADDER_CRITICAL_MINOR,
  LADDER_EPOCH,
  LADDER_FAILURES_TOTAL,
  LADDER_INT_WORDS,
  LADDER_LOCK,
  LADDER_MAGIC,
  LADDER_MAGIC_VALUE,
  LADDER_MOVED_BY,
  LADDER_SOFTWARE_LUID,
  LADDER_STAGE,
  LADDER_TIMES_BYTE,
  LADDER_TIMES_CAPACITY,
  LADDER_TIMES_COUNT,
  LADDER_TIMES_HEAD,
  LadderStage,
  RecoveryPolicy,
  createAdapterLadderBuffer,
} from '../../src/driver/index.js';
import { DXGI_ERROR_DEVICE_REMOVED } from '../../src/display/result-codes.js';
import type { Adapter } from '../../src/display/types.js';
import { InvalidArgumentError } from '../../src/contract/errors.js';

const HW: Adapter = { luid: 0x1000, kind: 'hardware', name: 'hw' };
const SW: Adapter = { luid: 0x2000, kind: 'software', name: 'sw' };

test('the adapter ladder block layout is pinned', () => {
  assert.deepEqual(
    [LADDER_MAGIC, LADDER_LOCK, LADDER_EPOCH, LADDER_STAGE, LADDER_SOFTWARE_LUID, LADDER_CONSECUTIVE_ASSIGN, LADDER_TIMES_COUNT, LADDER_TIMES_HEAD, LADDER_CRITICAL_MAJOR, LADDER_CRITICAL_MINOR, LADDER_FAILURES_TOTAL, LADDER_MOVED_BY],
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  );
  assert.equal(LADDER_INT_WORDS, 16);
  assert.equal(LADDER_TIMES_BYTE, 64);
  assert.equal(LADDER_TIMES_CAPACITY, 64);
  assert.equal(LADDER_BYTES, 64 + 64 * 8);
  assert.equal(LADDER_MAGIC_VALUE, 0x56444c41);
  assert.deepEqual(LadderStage, { Hardware: 0, Software: 1, Stopped: 2 });
  const sab = createAdapterLadderBuffer();
  assert.equal(sab.byteLength, LADDER_BYTES);
  assert.equal(new Int32Array(sab)[LADDER_MAGIC], LADDER_MAGIC_VALUE);
});

test('a block without magic or of the wrong size is refused', () => {
  assert.throws(() => new AdapterLadder(new SharedArrayBuffer(LADDER_BYTES)), InvalidArgumentError);
  assert.throws(() => new AdapterLadder(new SharedArrayBuffer(8)), InvalidArgumentError);
});

test("two monitors' policies over one block: failures of both end the hardware stage once, then the software stage with one critical error", () => {
  const sab = createAdapterLadderBuffer();
  const one = new RecoveryPolicy({}, undefined, { ladder: new AdapterLadder(sab), targetId: 1 });
  const two = new RecoveryPolicy({}, undefined, { ladder: new AdapterLadder(sab), targetId: 2 });
  const ladder = new AdapterLadder(sab);
  const fail = (p: RecoveryPolicy, t: number, a: Adapter) => p.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, a, [HW, SW], t);
  const decisions = [fail(one, 10, HW), fail(two, 11, HW), fail(one, 12, HW), fail(two, 13, HW)];
  assert.ok(decisions.every((d) => d.escalation === null), 'four failures are not five');
  assert.equal(ladder.stage, LadderStage.Hardware);
  const epoch = ladder.epoch;
  const fifth = fail(two, 14, HW);
  assert.deepEqual(fifth.escalation, { action: 'software-fallback', luid: SW.luid });
  assert.equal(ladder.stage, LadderStage.Software);
  assert.equal(ladder.softwareLuid, SW.luid);
  assert.equal(ladder.movedBy, 2);
  assert.equal(ladder.epoch, epoch + 1);
  // A late failure of monitor 1 still on hardware counts in the software stage; it does not move the stage back.
  assert.equal(fail(one, 15, HW).escalation, null);
  assert.equal(ladder.stage, LadderStage.Software);
  for (let t = 16; t < 19; t++) assert.equal(fail(t % 2 ? one : two, t, SW).escalation, null);
  const last = fail(one, 19, SW);
  assert.equal(last.escalation?.action, 'critical-error');
  assert.equal(ladder.stage, LadderStage.Stopped);
  assert.deepEqual(one.criticalError, two.criticalError, 'both monitors see the one critical error');
  assert.equal(fail(two, 20, SW).escalation, null, 'nothing more is decided once the adapter stopped');
  assert.equal(ladder.failuresTotal, 10);
});

test('the processing window is the adapter\'s: failures older than the window do not count', () => {
  const sab = createAdapterLadderBuffer();
  const opts = { processingFailures: 3, processingWindowMs: 100 };
  const one = new RecoveryPolicy(opts, undefined, { ladder: new AdapterLadder(sab), targetId: 1 });
  // Monitor 2's clock started 1000 ms later on the session's timeline.
  const two = new RecoveryPolicy(opts, undefined, { ladder: new AdapterLadder(sab, 1000), targetId: 2 });
  assert.equal(one.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HW, [HW, SW], 1000).escalation, null);
  assert.equal(one.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HW, [HW, SW], 1050).escalation, null);
  // 1000 + 200 = 1200 on the session's timeline: the first two are out of the window.
  assert.equal(two.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HW, [HW, SW], 200).escalation, null);
  assert.equal(two.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HW, [HW, SW], 210).escalation, null);
  assert.equal(one.onFailure('processing', DXGI_ERROR_DEVICE_REMOVED, HW, [HW, SW], 1220).escalation?.action, 'software-fallback');
});

test('an assign success anywhere on the adapter breaks the run of assign failures', () => {
  const sab = createAdapterLadderBuffer();
  const one = new RecoveryPolicy({ consecutiveAssignFailures: 2 }, undefined, { ladder: new AdapterLadder(sab), targetId: 1 });
  const two = new RecoveryPolicy({ consecutiveAssignFailures: 2 }, undefined, { ladder: new AdapterLadder(sab), targetId: 2 });
  assert.equal(one.onFailure('assign', DXGI_ERROR_DEVICE_REMOVED, HW, [HW, SW], 1).escalation, null);
  two.onAssigned(HW);
  assert.equal(one.onFailure('assign', DXGI_ERROR_DEVICE_REMOVED, HW, [HW, SW], 2).escalation, null);
  assert.equal(two.onFailure('assign', DXGI_ERROR_DEVICE_REMOVED, HW, [HW, SW], 3).escalation?.action, 'software-fallback');
});

test('a shared ladder refuses a processing limit its window cannot hold', () => {
  assert.throws(() => new RecoveryPolicy({ processingFailures: 65 }, undefined, { ladder: new AdapterLadder(createAdapterLadderBuffer()), targetId: 1 }), InvalidArgumentError);
});
