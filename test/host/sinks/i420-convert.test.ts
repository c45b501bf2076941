import { test } from 'node:test';
import assert from 'node:assert/strict';
import { I420Converter, i420Size, rgbaToI420 } from '../../../src/host/sinks/i420-convert.js';
import { ConvertOutcome, RgbaConverter } from '../../../src/host/sinks/pixel-convert.js';
import { FORMAT_BGRA8 } from '../../../src/contract/pixel-format.js';
import type { FrameView } from '../../../src/host/sinks/frame-view.js';
import { HALF, frameOf, halfFrame } from './test-frames.js';
import { prng, randInt, seedsFor, withSeed } from '../../ring/helpers.js';

/** The picture as the two-stage path gives it: RGBA first, then rgbaToI420 (the reference). */
function reference(f: FrameView): Uint8Array {
  const rgba = new RgbaConverter();
  assert.equal(rgba.convert(f), ConvertOutcome.Ok);
  const out = new Uint8Array(i420Size(f.width, f.height));
  rgbaToI420(rgba.data, f.width, f.height, out, 0);
  return out;
}

/** A random bgra8 frame whose pixels start `byteOffset` bytes into their buffer (unaligned when odd). */
function randomBgra(rand: () => number, w: number, h: number, pad: number, byteOffset: number): FrameView {
  const stride = w * 4 + pad;
  const buf = new Uint8Array(byteOffset + stride * h);
  for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rand() * 256);
  return frameOf(FORMAT_BGRA8, w, h, stride, buf.subarray(byteOffset));
}

test('rgb_to_i420_uses_bt601_limited_range', () => {
  const px = (r: number, g: number, b: number): number[] => {
    const out = new Uint8Array(i420Size(2, 2));
    rgbaToI420(new Uint8Array([r, g, b, 255, r, g, b, 255, r, g, b, 255, r, g, b, 255]), 2, 2, out, 0);
    return [out[0]!, out[4]!, out[5]!];
  };
  assert.deepEqual(px(255, 255, 255), [235, 128, 128]);
  assert.deepEqual(px(0, 0, 0), [16, 128, 128]);
  assert.deepEqual(px(255, 0, 0), [82, 90, 240]);
});

test('odd_sizes_get_rounded_up_chroma_planes', () => {
  assert.equal(i420Size(3, 3), 9 + 2 * 4);
  const out = new Uint8Array(i420Size(3, 1) + 2).fill(7);
  const rgba = new Uint8Array(3 * 4).fill(255);
  rgbaToI420(rgba, 3, 1, out, 2);
  assert.deepEqual(Array.from(out), [7, 7, 235, 235, 235, 128, 128, 128, 128]);
});

test('a_bgra8_frame_converts_in_one_pass_to_exactly_the_two_stage_picture_at_any_size_stride_and_alignment', () => {
  for (const seed of seedsFor([0x1420, 0x1421])) {
    withSeed(seed, (s) => {
      const rand = prng(s);
      const c = new I420Converter();
      for (let i = 0; i < 60; i++) {
        const w = randInt(rand, 1, 37);
        const h = randInt(rand, 1, 23);
        const f = randomBgra(rand, w, h, 4 * randInt(rand, 0, 2) + (i % 3 === 0 ? 1 : 0), i % 2);
        const out = new Uint8Array(i420Size(w, h) + 3).fill(0x5a);
        assert.equal(c.convert(f, out, 3), ConvertOutcome.Ok);
        assert.deepEqual(Array.from(out.subarray(0, 3)), [0x5a, 0x5a, 0x5a], 'nothing before the offset is written');
        assert.deepEqual(out.subarray(3), reference(f), `${w}x${h} stride ${f.stride} offset ${i % 2}`);
      }
    });
  }
});

test('a_region_converts_only_the_2x2_blocks_it_touches_and_brings_an_older_picture_up_to_date', () => {
  for (const seed of seedsFor([0x1422])) {
    withSeed(seed, (s) => {
      const rand = prng(s);
      const c = new I420Converter();
      for (let i = 0; i < 60; i++) {
        const w = randInt(rand, 1, 33);
        const h = randInt(rand, 1, 19);
        const before = randomBgra(rand, w, h, 0, 0);
        // The newer frame differs from the older one only inside (x0, y0)-(x1, y1).
        const x0 = randInt(rand, 0, w - 1);
        const y0 = randInt(rand, 0, h - 1);
        const x1 = randInt(rand, x0 + 1, w);
        const y1 = randInt(rand, y0 + 1, h);
        const after = frameOf(FORMAT_BGRA8, w, h, w * 4, before.pixels.slice());
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let k = 0; k < 3; k++) after.pixels[y * w * 4 + 4 * x + k] = Math.floor(rand() * 256);
        const pic = new Uint8Array(i420Size(w, h));
        c.convert(before, pic, 0);
        const untouched = new Uint8Array(pic.length).fill(0xa5);
        assert.equal(c.convert(after, untouched, 0, x0, y0, x1, y1), ConvertOutcome.Ok);
        assert.equal(c.convert(after, pic, 0, x0, y0, x1, y1), ConvertOutcome.Ok);
        assert.deepEqual(pic, reference(after), `${w}x${h}, region ${x0},${y0}-${x1},${y1}`);
        // Outside the touched blocks nothing was written.
        const cw = Math.ceil(w / 2);
        const ch = Math.ceil(h / 2);
        const inBlock = (x: number, y: number): boolean => x >> 1 >= x0 >> 1 && x >> 1 < (x1 + 1) >> 1 && y >> 1 >= y0 >> 1 && y >> 1 < (y1 + 1) >> 1;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (!inBlock(x, y)) assert.equal(untouched[y * w + x], 0xa5, `luma ${x},${y}`);
        for (let cy = 0; cy < ch; cy++) {
          for (let cx = 0; cx < cw; cx++) {
            if (inBlock(2 * cx, 2 * cy)) continue;
            assert.equal(untouched[w * h + cy * cw + cx], 0xa5, `U ${cx},${cy}`);
            assert.equal(untouched[w * h + cw * ch + cy * cw + cx], 0xa5, `V ${cx},${cy}`);
          }
        }
      }
    });
  }
});

test('other_formats_convert_whole_whatever_the_region_and_bad_geometry_is_an_outcome', () => {
  const c = new I420Converter();
  const hdr = halfFrame(4, 2, () => [HALF.one, HALF.zero, HALF.half]);
  const out = new Uint8Array(i420Size(4, 2)).fill(1);
  assert.equal(c.convert(hdr, out, 0, 0, 0, 1, 1), ConvertOutcome.Ok);
  assert.deepEqual(out, reference(hdr));
  const short = frameOf(FORMAT_BGRA8, 4, 2, 16, new Uint8Array(20));
  assert.equal(c.convert(short, out, 0), ConvertOutcome.BadGeometry);
  assert.equal(c.convert(frameOf(FORMAT_BGRA8, 4, 2, 12, new Uint8Array(64)), out, 0), ConvertOutcome.BadGeometry);
  assert.equal(c.convert(frameOf(FORMAT_BGRA8, 4, 2, 16, new Uint8Array(32)), new Uint8Array(4), 0), ConvertOutcome.BadGeometry);
  assert.equal(c.convert(frameOf(99, 4, 2, 16, new Uint8Array(32)), out, 0), ConvertOutcome.UnknownFormat);
});
