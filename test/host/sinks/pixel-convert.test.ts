import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConvertOutcome,
  RgbaConverter,
  TEN_TO_EIGHT,
  fitSize,
  halfToFloat,
  halfToSrgb8Table,
} from '../../../src/host/sinks/pixel-convert.js';
import { FORMAT_BGRA8 } from '../../../src/contract/pixel-format.js';
import { HALF, bgraFrame, frameOf, halfFrame, tenBitFrame } from './test-frames.js';

test('half_float_one_is_sdr_white_255', () => {
  assert.equal(halfToFloat(HALF.one), 1);
  assert.equal(halfToSrgb8Table()[HALF.one], 255);
});

test('half_float_linear_one_half_goes_through_the_srgb_curve_to_188_not_128', () => {
  assert.equal(halfToFloat(HALF.half), 0.5);
  assert.equal(halfToSrgb8Table()[HALF.half], 188);
});

test('out_of_range_half_floats_clamp_and_nan_is_black', () => {
  const lut = halfToSrgb8Table();
  assert.equal(lut[HALF.zero], 0);
  assert.equal(lut[HALF.minusOne], 0, 'negative scRGB clips to 0');
  assert.equal(lut[HALF.two], 255, 'HDR highlights above SDR white clip to 255');
  assert.equal(lut[HALF.inf], 255);
  assert.equal(lut[HALF.nan], 0);
});

test('the_half_float_table_rises_monotonically_from_0_to_sdr_white', () => {
  const lut = halfToSrgb8Table();
  for (let h = 1; h <= HALF.one; h++) assert.ok(lut[h]! >= lut[h - 1]!, `lut[0x${h.toString(16)}] < lut[0x${(h - 1).toString(16)}]`);
});

test('ten_bit_values_round_to_eight_bits_rather_than_shift', () => {
  assert.equal(TEN_TO_EIGHT[1023], 255);
  assert.equal(TEN_TO_EIGHT[512], 128);
  assert.equal(TEN_TO_EIGHT[0], 0);
  assert.equal(TEN_TO_EIGHT[3], 1, '3 * 255 / 1023 = 0.75 rounds to 1, where 3 >> 2 = 0');
  for (let v = 0; v < 1024; v++) assert.equal(TEN_TO_EIGHT[v], Math.round((v * 255) / 1023));
});

test('bgra8_is_swizzled_to_opaque_rgba_and_row_padding_is_skipped', () => {
  const f = bgraFrame(3, 2, (x, y) => [10 * x + 1, 20 + y, 30], 8);
  const c = new RgbaConverter();
  assert.equal(c.convert(f), ConvertOutcome.Ok);
  assert.deepEqual([c.width, c.height], [3, 2]);
  assert.deepEqual(Array.from(c.data), [1, 20, 30, 255, 11, 20, 30, 255, 21, 20, 30, 255, 1, 21, 30, 255, 11, 21, 30, 255, 21, 21, 30, 255]);
});

test('rgba16f_converts_each_channel_through_the_half_table', () => {
  const f = halfFrame(2, 1, (x) => (x === 0 ? [HALF.one, HALF.half, HALF.zero] : [HALF.two, HALF.minusOne, HALF.nan]), 16);
  const c = new RgbaConverter();
  assert.equal(c.convert(f), ConvertOutcome.Ok);
  assert.deepEqual(Array.from(c.data), [255, 188, 0, 255, 255, 0, 0, 255]);
});

test('xrgb2101010_takes_blue_from_the_low_bits_and_ignores_x', () => {
  const f = tenBitFrame(3, 1, (x) => [[1023, 512, 0], [0, 1023, 512], [3, 0, 1023]][x] as [number, number, number], 4);
  const c = new RgbaConverter();
  assert.equal(c.convert(f), ConvertOutcome.Ok);
  assert.deepEqual(Array.from(c.data), [255, 128, 0, 255, 0, 255, 128, 255, 1, 0, 255, 255]);
});

test('a_large_frame_is_scaled_down_by_nearest_neighbour_keeping_its_aspect', () => {
  assert.deepEqual(fitSize(3840, 2160, 1280, 1280), { width: 1280, height: 720 });
  assert.deepEqual(fitSize(800, 600, 1280, 1280), { width: 800, height: 600 });
  const f = bgraFrame(4, 2, (x, y) => [x, y, 0]);
  const c = new RgbaConverter();
  assert.equal(c.convert(f, 2), ConvertOutcome.Ok);
  assert.deepEqual([c.width, c.height], [2, 1]);
  // output pixel centres 0.5 and 1.5 of 2 map to source columns 1 and 3, source row 1
  assert.deepEqual(Array.from(c.data), [1, 1, 0, 255, 3, 1, 0, 255]);
});

test('unknown_formats_and_short_buffers_are_outcomes_not_exceptions', () => {
  const c = new RgbaConverter();
  assert.equal(c.convert(frameOf(99, 2, 2, 8, new Uint8Array(16))), ConvertOutcome.UnknownFormat);
  assert.equal(c.convert(frameOf(FORMAT_BGRA8, 2, 2, 8, new Uint8Array(15))), ConvertOutcome.BadGeometry);
  assert.equal(c.convert(frameOf(FORMAT_BGRA8, 2, 2, 4, new Uint8Array(16))), ConvertOutcome.BadGeometry);
  assert.equal(c.convert(frameOf(FORMAT_BGRA8, 0, 2, 8, new Uint8Array(16))), ConvertOutcome.BadGeometry);
});

test('the_output_buffer_is_reused_across_frames_of_one_size', () => {
  const c = new RgbaConverter();
  c.convert(bgraFrame(8, 8, () => [1, 2, 3]));
  const first = c.data;
  c.convert(bgraFrame(8, 8, () => [4, 5, 6]));
  assert.equal(c.data, first);
  assert.equal(c.data[0], 4);
});

test('formats_alternating_frame_by_frame_each_convert_in_their_own_format_scaled_or_not', () => {
  const c = new RgbaConverter();
  const sdr = bgraFrame(4, 2, (x, y) => [x, y, 7]);
  const hdr = halfFrame(4, 2, () => [HALF.one, HALF.zero, HALF.half]);
  for (const max of [0, 2]) {
    for (let i = 0; i < 3; i++) {
      assert.equal(c.convert(sdr, max), ConvertOutcome.Ok);
      assert.deepEqual(Array.from(c.data.subarray(0, 4)), max === 0 ? [0, 0, 7, 255] : [1, 1, 7, 255]);
      assert.equal(c.convert(hdr, max), ConvertOutcome.Ok);
      assert.deepEqual(Array.from(c.data.subarray(0, 4)), [255, 0, 188, 255]);
    }
  }
});
