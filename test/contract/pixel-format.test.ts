import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FORMAT_BGRA8,
  FORMAT_RGBA16F,
  FORMAT_UNKNOWN,
  FORMAT_XRGB2101010,
  MAX_FORMAT_CODE,
  PIXEL_FORMAT_CODES,
  PIXEL_FORMAT_NAMES,
  bytesPerPixel,
  formatCode,
  formatName,
} from '../../src/contract/pixel-format.js';

test('the format codes are stable and 0 is unknown', () => {
  assert.deepEqual([FORMAT_UNKNOWN, FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010], [0, 1, 2, 3]);
});

test('bgra8 is 4 bytes per pixel, rgba16f 8 and xrgb2101010 4', () => {
  assert.equal(bytesPerPixel(FORMAT_BGRA8), 4);
  assert.equal(bytesPerPixel(FORMAT_RGBA16F), 8);
  assert.equal(bytesPerPixel(FORMAT_XRGB2101010), 4);
});

test('an unknown code has 0 bytes per pixel and the name unknown', () => {
  for (const c of [FORMAT_UNKNOWN, 4, -1, 0xffffffff]) {
    assert.equal(bytesPerPixel(c), 0);
    assert.equal(formatName(c), 'unknown');
  }
  assert.equal(formatCode('bgra'), FORMAT_UNKNOWN);
});

test('every format name maps to its code and back', () => {
  assert.deepEqual(PIXEL_FORMAT_NAMES, ['bgra8', 'rgba16f', 'xrgb2101010']);
  for (const n of PIXEL_FORMAT_NAMES) assert.equal(formatName(formatCode(n)), n);
});

test('the known codes are listed in order and bound the per-format tables', () => {
  assert.deepEqual(PIXEL_FORMAT_CODES, [FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010]);
  assert.equal(MAX_FORMAT_CODE, 3);
});
