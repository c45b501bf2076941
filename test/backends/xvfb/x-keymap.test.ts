import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keymap, canonicalKeysym } from '../../../src/backends/xvfb/x-keymap.js';

// A tiny keymap from keycode 8: a/A, 1/!, Shift_L, Return, then two empty rows.
const ROWS = [
  [0x61, 0x41, 0, 0],
  [0x31, 0x21, 0, 0],
  [0xffe1, 0, 0, 0],
  [0xff0d, 0, 0, 0],
  [0x62, 0, 0, 0], // b with no column 1: its upper case B is implied
  [0, 0, 0, 0],
  [0, 0, 0, 0],
];

test('keysyms are found with the shift state their column needs', () => {
  const m = new Keymap(8, ROWS, [10]);
  assert.deepEqual(m.lookup(0x61), { keycode: 8, shift: false });
  assert.deepEqual(m.lookup(0x41), { keycode: 8, shift: true });
  assert.deepEqual(m.lookup(0x21), { keycode: 9, shift: true });
  assert.deepEqual(m.lookup(0xff0d), { keycode: 11, shift: null });
  assert.deepEqual(m.lookup(0x42), { keycode: 12, shift: true });
  assert.equal(m.lookup(0x20ac), null);
  assert.equal(m.isShift(10), true);
  assert.equal(m.shiftKeycode(), 10);
});

test('a unicode keysym below U+0100 is its Latin-1 keysym', () => {
  assert.equal(canonicalKeysym(0x01000061), 0x61);
  assert.equal(canonicalKeysym(0x010000e9), 0xe9);
  assert.equal(canonicalKeysym(0x010020ac), 0x010020ac);
  const m = new Keymap(8, ROWS, [10]);
  assert.deepEqual(m.lookup(0x01000041), { keycode: 8, shift: true });
});

test('missing keysyms take spare keycodes, oldest first, never one held down', () => {
  const m = new Keymap(8, ROWS, [10]);
  assert.equal(m.spareCount, 2);
  const euro = m.assignSpare(0x20ac, new Set(), 4);
  assert.deepEqual(euro, { keycode: 13, row: [0x20ac, 0x20ac, 0, 0] });
  assert.deepEqual(m.lookup(0x20ac), { keycode: 13, shift: null });
  const pound = m.assignSpare(0xa3, new Set(), 4);
  assert.equal(pound?.keycode, 14);
  // Both spares used; 13 is held, so 14 (the pound's) is reused and the pound forgotten.
  const yen = m.assignSpare(0xa5, new Set([13]), 4);
  assert.equal(yen?.keycode, 14);
  assert.equal(m.lookup(0xa3), null);
  assert.equal(m.assignSpare(0xa7, new Set([13, 14]), 4), null, 'no free spare: the key is dropped');
});
