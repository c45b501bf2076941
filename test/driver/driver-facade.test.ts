import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/contract/errors.js';
import { createDriver } from '../../src/driver/driver.js';
import { NO_RING } from '../../src/driver/ring-port.js';
import { SimHarness } from './sim-harness.js';

test('create_driver_refuses_bad_options_with_a_message_that_names_them', () => {
  const h = new SimHarness();
  const display = h.display;
  assert.throws(() => createDriver({ display, ring: NO_RING, targetId: -1 }), (e: unknown) => e instanceof InvalidArgumentError && /targetId/.test(e.message));
  assert.throws(() => createDriver({ display, ring: {} as never, targetId: 1 }), /ring/);
  assert.throws(() => createDriver({ display: {} as never, ring: NO_RING, targetId: 1 }), /display/);
  assert.throws(() => createDriver({ display, ring: NO_RING, targetId: 1, policy: { processingFailures: 0 } }), /processingFailures/);
});

test('stats_report_what_the_host_summary_needs_and_stop_is_idempotent', async () => {
  const h = new SimHarness({ faults: 'device-removed@100ms' });
  const seen: string[] = [];
  h.driver.onRecoveryEvent((e) => seen.push(e.action));
  await h.start();
  await h.runFor(400);
  assert.deepEqual(await h.stop(), []);
  await h.clock.drive(h.driver.stop());
  const s = h.driver.stats();
  assert.equal(s.targetId, 7);
  assert.deepEqual(seen, ['recreate-device']);
  assert.equal(s.recovery.events[0]!.hresult, '0x887A0005');
  assert.ok((s.recovery.events[0]!.recoveryMs ?? -1) >= 0);
  assert.deepEqual(s.adapter, { kind: 'hardware', luid: h.display.stats().renderAdapter.luid });
  assert.deepEqual(s.devices, { created: 2, destroyed: 2, live: 0 });
  assert.equal(s.recovery.criticalError, null);
  assert.equal(typeof s.terminate.maxLatencyMs, 'number');
  assert.ok(s.processor.attaches >= 2);
});
