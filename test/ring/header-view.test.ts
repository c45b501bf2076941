import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEADER_SIZE, OFF_LATEST, OFF_MAGIC, OFF_PRESENT_TIME, OFF_PUBLISHED_TOTAL, OFF_TARGET_ID, RING_MAGIC } from '../../src/contract/index.js';
import { HeaderView } from '../../src/ring/header-view.js';

test('a header view refuses a buffer smaller than the header', () => {
  assert.throws(() => new HeaderView(new SharedArrayBuffer(HEADER_SIZE - 1)), RangeError);
});

test('32-bit fields read back unsigned at their contract offsets', () => {
  const v = new HeaderView(new SharedArrayBuffer(HEADER_SIZE));
  v.store32(OFF_MAGIC, RING_MAGIC);
  v.store32(OFF_TARGET_ID, 0xfffffffe);
  assert.equal(v.load32(OFF_MAGIC), RING_MAGIC);
  assert.equal(v.load32(OFF_TARGET_ID), 0xfffffffe);
  assert.equal(v.i32[OFF_TARGET_ID / 4], -2);
});

test('64-bit fields, counters and times use their own views at the same offsets', () => {
  const v = new HeaderView(new SharedArrayBuffer(HEADER_SIZE + 3));
  v.store64(OFF_LATEST, 0x0102030405060708n);
  assert.equal(v.load64(OFF_LATEST), 0x0102030405060708n);
  assert.equal(v.i64[OFF_LATEST / 8], 0x0102030405060708n);
  v.store64(OFF_PUBLISHED_TOTAL, 12345n);
  assert.equal(v.loadCount(OFF_PUBLISHED_TOTAL), 12345);
  v.storeTime(OFF_PRESENT_TIME, 1234.5);
  assert.equal(v.loadTime(OFF_PRESENT_TIME), 1234.5);
});

test('readHostFields snapshots every host-written field as a u32', () => {
  const v = new HeaderView(new SharedArrayBuffer(HEADER_SIZE));
  for (let off = 0; off < 48; off += 4) v.store32(off, 0x80000000 + off);
  const h = v.readHostFields();
  assert.deepEqual(Object.values(h), Array.from({ length: 12 }, (_, i) => 0x80000000 + 4 * i));
  assert.equal(h.magic, 0x80000000);
  assert.equal(h.hostCapabilities, 0x80000000 + 44);
});
