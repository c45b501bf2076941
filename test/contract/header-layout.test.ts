import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/contract/header-layout.js';

/** Every header field: [name, offset, size in bytes]. A one-sided edit of the layout fails here. */
const HEADER_FIELDS: ReadonlyArray<readonly [string, number, 4 | 8]> = [
  ['MAGIC', 0, 4],
  ['VERSION', 4, 4],
  ['GENERATION', 8, 4],
  ['RING_LEN', 12, 4],
  ['WIDTH', 16, 4],
  ['HEIGHT', 20, 4],
  ['FORMAT', 24, 4],
  ['TARGET_ID', 28, 4],
  ['STRIDE', 32, 4],
  ['SLOT_STRIDE', 36, 4],
  ['PIXELS_OFFSET', 40, 4],
  ['HOST_CAPABILITIES', 44, 4],
  ['FRAME_READY', 48, 4],
  ['HOST_HEARTBEAT', 52, 4],
  ['HOST_LAST_TAKEN', 56, 4],
  ['LATEST', 64, 8],
  ['PRESENT_TIME', 72, 8],
  ['RENDER_ADAPTER_LUID', 80, 8],
  ['LAST_PUBLISH_TIME', 88, 8],
  ['PUBLISHED_TOTAL', 96, 8],
  ['DROPPED_TOTAL', 104, 8],
  ['SOURCE_SEQUENCE', 112, 8],
  ['DRIVER_STATUS', 120, 4],
  ['DRIVER_STATUS_DETAIL', 124, 4],
  ['HEALTH_STATE', 128, 4],
  ['CAPABILITIES', 132, 4],
  ['ASSIGNMENT_EPOCH', 136, 4],
  ['DEVICE_EPOCH', 140, 4],
  ['TERMINAL_ERROR_DOMAIN', 144, 4],
  ['TERMINAL_ERROR_CODE', 148, 4],
  ['SOURCE_WIDTH', 152, 4],
  ['SOURCE_HEIGHT', 156, 4],
  ['SOURCE_FORMAT', 160, 4],
  ['DROPPED_DESC_MISMATCH', 164, 4],
  ['DROPPED_ALL_SLOTS_BUSY', 168, 4],
  ['DROPPED_STALE', 172, 4],
];

const SLOT_FIELDS: ReadonlyArray<readonly [string, number, 4 | 8]> = [
  ['STATE', 0, 4],
  ['MUTEX', 4, 4],
  ['TOKEN', 8, 8],
  ['PRESENT_TIME', 16, 8],
  ['DIRTY_X', 24, 4],
  ['DIRTY_Y', 28, 4],
  ['DIRTY_W', 32, 4],
  ['DIRTY_H', 36, 4],
  ['FORMAT', 40, 4],
  ['DIRTY_SPAN', 44, 4],
];

const exported = L as unknown as Record<string, number>;

test('every header offset constant sits where the layout table pins it', () => {
  for (const [name, offset] of HEADER_FIELDS) assert.equal(exported[`OFF_${name}`], offset, `OFF_${name}`);
});

test('the pin table names every OFF_ constant the layout exports', () => {
  const pinned = new Set(HEADER_FIELDS.map(([n]) => `OFF_${n}`));
  const declared = Object.keys(exported).filter((k) => k.startsWith('OFF_'));
  assert.deepEqual(declared.filter((k) => !pinned.has(k)), []);
});

test('every slot-entry offset constant sits where the layout table pins it', () => {
  for (const [name, offset] of SLOT_FIELDS) assert.equal(exported[`SLOT_OFF_${name}`], offset, `SLOT_OFF_${name}`);
  const pinned = new Set(SLOT_FIELDS.map(([n]) => `SLOT_OFF_${n}`));
  assert.deepEqual(Object.keys(exported).filter((k) => k.startsWith('SLOT_OFF_') && !pinned.has(k)), []);
});

test('the header is 256 bytes and a slot entry 64 bytes', () => {
  assert.equal(L.HEADER_SIZE, 256);
  assert.equal(L.SLOT_ENTRY_SIZE, 64);
  assert.equal(L.PIXEL_ALIGN, 64);
});

test('the magic numbers, version and limits are the published ones', () => {
  assert.equal(L.RING_MAGIC, 0x52504456);
  assert.equal(L.RING_MAGIC_RETIRED, 0x44455452);
  assert.notEqual(L.RING_MAGIC, L.RING_MAGIC_RETIRED);
  assert.equal(L.RING_VERSION, 1);
  assert.equal(L.DEFAULT_RING_LEN, 6);
  assert.equal(L.MAX_RING_LEN, 64);
  assert.equal(L.MAX_DIMENSION, 16384);
});

test('every 64-bit field is 8-byte aligned and every 32-bit field 4-byte aligned', () => {
  for (const [name, offset, size] of [...HEADER_FIELDS, ...SLOT_FIELDS]) {
    assert.equal(offset % size, 0, `${name} at ${offset} is not ${size}-aligned`);
  }
  // Slot entries start on an 8-byte boundary, so their 64-bit fields stay aligned in the buffer.
  assert.equal(L.HEADER_SIZE % 8, 0);
  assert.equal(L.SLOT_ENTRY_SIZE % 8, 0);
});

test('no two header fields overlap and all of them fit in the header', () => {
  const sorted = [...HEADER_FIELDS].sort((a, b) => a[1] - b[1]);
  for (let i = 1; i < sorted.length; i++) {
    const [prevName, prevOff, prevSize] = sorted[i - 1]!;
    assert.ok(prevOff + prevSize <= sorted[i]![1], `${prevName} overlaps ${sorted[i]![0]}`);
  }
  const [, lastOff, lastSize] = sorted[sorted.length - 1]!;
  assert.ok(lastOff + lastSize <= L.HEADER_SIZE);
});

test('no two slot-entry fields overlap and all of them fit in one entry', () => {
  const sorted = [...SLOT_FIELDS].sort((a, b) => a[1] - b[1]);
  for (let i = 1; i < sorted.length; i++) {
    assert.ok(sorted[i - 1]![1] + sorted[i - 1]![2] <= sorted[i]![1], `${sorted[i - 1]![0]} overlaps ${sorted[i]![0]}`);
  }
  assert.ok(sorted[sorted.length - 1]![1] + sorted[sorted.length - 1]![2] <= L.SLOT_ENTRY_SIZE);
});

test('slot entries follow the header back to back', () => {
  assert.equal(L.slotEntryOffset(0), L.HEADER_SIZE);
  assert.equal(L.slotEntryOffset(1), L.HEADER_SIZE + L.SLOT_ENTRY_SIZE);
  assert.equal(L.slotEntryOffset(63), L.HEADER_SIZE + 63 * L.SLOT_ENTRY_SIZE);
});

test('alignUp rounds up to the boundary and leaves aligned values alone', () => {
  assert.equal(L.alignUp(0, 64), 0);
  assert.equal(L.alignUp(1, 64), 64);
  assert.equal(L.alignUp(64, 64), 64);
  assert.equal(L.alignUp(65, 64), 128);
});

test('the geometry of a 1080p bgra8 ring of six slots is pinned', () => {
  const g = L.ringGeometry(1920, 1080, 4, 6);
  assert.equal(g.stride, 7680);
  assert.equal(g.slotStride, 7680 * 1080);
  assert.equal(g.pixelsOffset, 256 + 6 * 64);
  assert.equal(g.totalBytes, 640 + 6 * 7680 * 1080);
});

test('the geometry pads slot strides and the pixel offset to the pixel alignment', () => {
  const g = L.ringGeometry(3, 3, 4, 1); // 36 bytes of pixels, 320 bytes of header + table
  assert.equal(g.stride, 12);
  assert.equal(g.slotStride, 64);
  assert.equal(g.pixelsOffset, 320);
  assert.equal(g.totalBytes, 384);
  const odd = L.ringGeometry(5, 1, 8, 3); // table ends at 448
  assert.equal(odd.pixelsOffset, 448);
  assert.equal(odd.slotStride, 64);
  for (const [w, h, bpp, n] of [[1, 1, 4, 1], [7, 13, 8, 5], [1920, 1080, 4, 64], [16384, 16384, 8, 2]] as const) {
    const r = L.ringGeometry(w, h, bpp, n);
    assert.equal(r.pixelsOffset % L.PIXEL_ALIGN, 0);
    assert.equal(r.slotStride % L.PIXEL_ALIGN, 0);
    assert.ok(r.slotStride >= r.stride * h);
    assert.ok(r.pixelsOffset >= L.HEADER_SIZE + n * L.SLOT_ENTRY_SIZE);
    assert.ok(Number.isSafeInteger(r.totalBytes));
  }
});

test('slots sized for a larger format hold a frame of it; the ring format still sets the stride', () => {
  const g = L.ringGeometry(1920, 1080, 4, 6, 8); // a bgra8 ring whose slots also carry rgba16f
  assert.equal(g.stride, 7680);
  assert.equal(g.slotStride, 15360 * 1080);
  assert.equal(g.totalBytes, 640 + 6 * 15360 * 1080);
  assert.deepEqual(L.ringGeometry(1920, 1080, 8, 6, 4), L.ringGeometry(1920, 1080, 8, 6), 'never smaller than one frame of the ring format');
  assert.equal(L.ringGeometry(3, 3, 4, 1, 8).slotStride, 128);
});

test('a frame fits a slot exactly when its tight rows fit the slot stride', () => {
  const bgra = L.ringGeometry(8, 4, 4, 2);
  assert.equal(L.frameFitsSlot(8, 4, 4, bgra.slotStride), true);
  assert.equal(L.frameFitsSlot(8, 4, 8, bgra.slotStride), false);
  const both = L.ringGeometry(8, 4, 4, 2, 8);
  assert.equal(L.frameFitsSlot(8, 4, 8, both.slotStride), true);
  assert.equal(L.frameFitsSlot(8, 4, 0, both.slotStride), false, 'an unknown format never fits');
  assert.equal(L.frameFitsSlot(8, 5, 8, both.slotStride), false);
});
