import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ALL_CAPABILITIES,
  Capability,
  DriverStatus,
  ErrorDomain,
  HealthState,
  PUBLISH_OUTCOME_NAMES,
  PublishOutcome,
  armCapability,
  decodeHealth,
  negotiate,
  selectArm,
} from '../../src/contract/status-codes.js';

test('the driver status codes are the published ones and 0 means none', () => {
  assert.deepEqual(DriverStatus, { None: 0, Opened: 1, SlotsFailed: 2, BindFailed: 3, Refused: 4, DescMismatch: 5, Detached: 6 });
});

test('the health states, error domains and publish outcomes are the published codes', () => {
  assert.deepEqual(HealthState, { Initializing: 0, Active: 1, Rebuilding: 2, Dead: 3 });
  assert.deepEqual(ErrorDomain, { None: 0, Ring: 1, Device: 2, Critical: 3, Backend: 4 });
  assert.deepEqual(PublishOutcome, { Published: 0, DescMismatch: 1, AllSlotsBusy: 2, Stale: 3, HostAbandoned: 4, Fatal: 5 });
  assert.equal(PUBLISH_OUTCOME_NAMES.length, Object.keys(PublishOutcome).length);
});

test('known health values decode to their names', () => {
  assert.equal(decodeHealth(HealthState.Initializing), 'initializing');
  assert.equal(decodeHealth(HealthState.Active), 'active');
  assert.equal(decodeHealth(HealthState.Rebuilding), 'rebuilding');
  assert.equal(decodeHealth(HealthState.Dead), 'dead');
});

test('an unknown health value decodes as dead, never as healthy', () => {
  for (const raw of [4, 5, 255, -1, 0x7fffffff, 0xffffffff, 1.5, Number.NaN]) assert.equal(decodeHealth(raw), 'dead', String(raw));
  fc.assert(
    fc.property(fc.integer(), (raw) => {
      if (raw < 0 || raw > 3) assert.equal(decodeHealth(raw), 'dead');
    }),
  );
});

test('capability bits are distinct single bits', () => {
  const bits = Object.values(Capability);
  for (const b of bits) assert.equal(b & (b - 1), 0, `${b} is not a single bit`);
  assert.equal(new Set(bits).size, bits.length);
  assert.equal(ALL_CAPABILITIES, bits.reduce((a, b) => a | b, 0));
});

test('negotiation keeps exactly what both sides support', () => {
  assert.equal(negotiate(Capability.KeyedMutex | Capability.DirtyRects, Capability.DirtyRects | Capability.Hdr), Capability.DirtyRects);
  assert.equal(negotiate(0, ALL_CAPABILITIES), 0);
  assert.equal(negotiate(0xffffffff, 0xffffffff), 0xffffffff);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (h, d) => {
      const n = negotiate(h, d);
      assert.equal(n, (h & d) >>> 0);
      assert.equal(n, negotiate(d, h));
      assert.ok(n >= 0);
    }),
  );
});

test('the slot-state arm wins when both arms are shared', () => {
  assert.equal(selectArm(Capability.SlotState | Capability.KeyedMutex), 'slot-state');
  assert.equal(selectArm(Capability.SlotState), 'slot-state');
  assert.equal(selectArm(Capability.KeyedMutex | Capability.DirtyRects), 'keyed-mutex');
});

test('no shared arm selects nothing', () => {
  assert.equal(selectArm(0), null);
  assert.equal(selectArm(Capability.DirtyRects | Capability.Hdr | Capability.Cursor), null);
});

test('an arm selected from its own capability bit round-trips', () => {
  assert.equal(selectArm(armCapability('slot-state')), 'slot-state');
  assert.equal(selectArm(armCapability('keyed-mutex')), 'keyed-mutex');
});
