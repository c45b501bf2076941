import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DXGI_ERROR_DEVICE_REMOVED, DXGI_ERROR_DEVICE_RESET, S_OK } from '../../src/display/result-codes.js';
import { DevicePool } from '../../src/driver/device-pool.js';
import { FakeAdapter, HARDWARE, SOFTWARE, type FakeDevice } from './fakes/fake-display.js';

test('checkout_creates_a_device_once_and_reuses_it_after_it_is_given_back', () => {
  const adapter = new FakeAdapter();
  const pool = new DevicePool(adapter);
  const a = pool.checkout(HARDWARE);
  assert.equal(a.hr, S_OK);
  assert.ok(a.fresh);
  pool.giveBack(a.device!);
  const b = pool.checkout(HARDWARE);
  assert.equal(b.device, a.device);
  assert.equal(b.fresh, false);
  assert.equal(pool.created, 1);
  assert.equal(pool.live, 1);
});

test('a_removed_device_is_destroyed_at_checkout_and_never_handed_out', () => {
  const adapter = new FakeAdapter();
  const pool = new DevicePool(adapter);
  const a = pool.checkout(HARDWARE).device as FakeDevice;
  pool.giveBack(a);
  a.reason = DXGI_ERROR_DEVICE_REMOVED; // removed while idle in the pool
  const b = pool.checkout(HARDWARE);
  assert.notEqual(b.device, a);
  assert.ok(a.destroyed);
  assert.ok(b.fresh);
  assert.equal(pool.removedAtCheckout, 1);
  assert.deepEqual([pool.created, pool.destroyed, pool.live], [2, 1, 1]);
});

test('a_device_given_back_in_error_is_destroyed_not_pooled', () => {
  const pool = new DevicePool(new FakeAdapter());
  const a = pool.checkout(HARDWARE).device as FakeDevice;
  a.reason = DXGI_ERROR_DEVICE_RESET;
  pool.giveBack(a);
  assert.ok(a.destroyed);
  assert.equal(pool.live, 0);
});

test('a_failed_creation_returns_its_hresult_and_leaves_nothing_live', () => {
  const adapter = new FakeAdapter();
  adapter.createResults = [DXGI_ERROR_DEVICE_REMOVED];
  const pool = new DevicePool(adapter);
  const c = pool.checkout(HARDWARE);
  assert.equal(c.hr, DXGI_ERROR_DEVICE_REMOVED);
  assert.equal(c.device, null);
  assert.equal(pool.live, 0);
});

test('devices_are_pooled_per_render_adapter_and_destroy_all_leaves_none_live', () => {
  const pool = new DevicePool(new FakeAdapter());
  const hw = pool.checkout(HARDWARE).device!;
  const sw = pool.checkout(SOFTWARE).device!;
  pool.giveBack(hw);
  assert.equal(pool.checkout(SOFTWARE).device === hw, false);
  pool.giveBack(sw);
  pool.trimExcept(SOFTWARE.luid);
  assert.ok(hw.destroyed);
  pool.destroyAll();
  pool.destroyAll();
  assert.equal(pool.live, 0);
  assert.equal(pool.created, pool.destroyed);
});
