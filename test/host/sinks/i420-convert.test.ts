import { test } from 'node:test';
import assert from 'node:assert/strict';
import { I420Converter, i420Size } from '../../../src/host/sinks/i420-convert.js';
import { ConvertOutcome, RgbaConverter } from '../../../src/host/sinks/pixel-convert.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010, bytesPerPixel } from '../../../src/contract/pixel-format.js';
import type { FrameView } from '../../../src/host/sinks/frame-view.js';
import { frameOf } from './test-frames.js';
import { prng, randInt, seedsFor, withSeed } from '../../ring/helpers.js';

/**
 * The reference: tightly packed 8-bit RGBA → I420 the plain way (a luma pass, then a chroma pass
 * over 2x2 blocks), BT.601 limited range, the arithmetic the one-pass converter must reproduce.
 */
function rgbaToI420(rgba: Uint8Array, width: number, height: number, out: Uint8Array, offset: number): void {
  let yo = offset;
  for (let i = 0, n = width * height * 4; i < n; i += 4) {
    out[yo++] = ((66 * rgba[i]! + 129 * rgba[i + 1]! + 25 * rgba[i + 2]! + 128) >> 8) + 16;
  }
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  let uo = offset + width * height;
  let vo = uo + cw * ch;
  const rowBytes = width * 4;
  for (let cy = 0; cy < ch; cy++) {
    const r0 = 2 * cy * rowBytes;
    const r1 = Math.min(2 * cy + 1, height - 1) * rowBytes;
    for (let cx = 0; cx < cw; cx++) {
      const c0 = 8 * cx;
      const c1 = Math.min(2 * cx + 1, width - 1) * 4;
      const a = r0 + c0;
      const b = r0 + c1;
      const c = r1 + c0;
      const d = r1 + c1;
      const r = (rgba[a]! + rgba[b]! + rgba[c]! + rgba[d]! + 2) >> 2;
      const g = (rgba[a + 1]! + rgba[b + 1]! + rgba[c + 1]! + rgba[d + 1]! + 2) >> 2;
      const bl = (rgba[a + 2]! + rgba[b + 2]! + rgba[c + 2]! + rgba[d + 2]! + 2) >> 2;
      out[uo++] = ((-38 * r - 74 * g + 112 * bl + 128) >> 8) + 128;
      out[vo++] = ((112 * r - 94 * g - 18 * bl + 128) >> 8) + 128;
    }
  }
}

/** The picture as the two-stage path gives it: RGBA first, then rgbaToI420 (the reference). */
function reference(f: FrameView): Uint8Array {
  const rgba = new RgbaConverter();
  assert.equal(rgba.convert(f), ConvertOutcome.Ok);
  const out = new Uint8Array(i420Size(f.width, f.height));
  rgbaToI420(rgba.data, f.width, f.height, out, 0);
  return out;
}

const FORMATS = [FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010];

/** A frame of random bytes in `format` whose pixels start `byteOffset` bytes into their buffer (unaligned when odd). */
function randomFrame(rand: () => number, format: number, w: number, h: number, pad: number, byteOffset: number): FrameView {
  const stride = w * bytesPerPixel(format) + pad;
  const buf = new Uint8Array(byteOffset + stride * h);
  for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rand() * 256);
  return frameOf(format, w, h, stride, buf.subarray(byteOffset));
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

test('every format converts in one pass to exactly the two-stage picture at any size, stride and alignment', () => {
  for (const seed of seedsFor([0x1420, 0x1421])) {
    withSeed(seed, (s) => {
      const rand = prng(s);
      const c = new I420Converter();
      for (let i = 0; i < 90; i++) {
        const format = FORMATS[i % 3]!;
        const w = randInt(rand, 1, 37);
        const h = randInt(rand, 1, 23);
        const f = randomFrame(rand, format, w, h, 4 * randInt(rand, 0, 2) + (i % 5 === 0 ? 1 : 0), (i >> 1) % 2);
        const out = new Uint8Array(i420Size(w, h) + 3).fill(0x5a);
        assert.equal(c.convert(f, out, 3), ConvertOutcome.Ok);
        assert.deepEqual(Array.from(out.subarray(0, 3)), [0x5a, 0x5a, 0x5a], 'nothing before the offset is written');
        assert.deepEqual(out.subarray(3), reference(f), `format ${format} ${w}x${h} stride ${f.stride} offset ${f.pixels.byteOffset}`);
      }
    });
  }
});

test('a_region_converts_only_the_2x2_blocks_it_touches_and_brings_an_older_picture_up_to_date', () => {
  for (const seed of seedsFor([0x1422])) {
    withSeed(seed, (s) => {
      const rand = prng(s);
      const c = new I420Converter();
      for (let i = 0; i < 90; i++) {
        const format = FORMATS[i % 3]!;
        const bpp = bytesPerPixel(format);
        const w = randInt(rand, 1, 33);
        const h = randInt(rand, 1, 19);
        const before = randomFrame(rand, format, w, h, 0, i % 2);
        // The newer frame differs from the older one only inside (x0, y0)-(x1, y1).
        const x0 = randInt(rand, 0, w - 1);
        const y0 = randInt(rand, 0, h - 1);
        const x1 = randInt(rand, x0 + 1, w);
        const y1 = randInt(rand, y0 + 1, h);
        const after = frameOf(format, w, h, w * bpp, before.pixels.slice());
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let k = 0; k < bpp; k++) after.pixels[y * w * bpp + bpp * x + k] = Math.floor(rand() * 256);
        const pic = new Uint8Array(i420Size(w, h));
        c.convert(before, pic, 0);
        const untouched = new Uint8Array(pic.length).fill(0xa5);
        assert.equal(c.convert(after, untouched, 0, x0, y0, x1, y1), ConvertOutcome.Ok);
        assert.equal(c.convert(after, pic, 0, x0, y0, x1, y1), ConvertOutcome.Ok);
        assert.deepEqual(pic, reference(after), `format ${format} ${w}x${h}, region ${x0},${y0}-${x1},${y1}`);
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

test('unknown formats, short buffers, short strides and a short output are outcomes, not exceptions', () => {
  const c = new I420Converter();
  const out = new Uint8Array(i420Size(4, 2));
  assert.equal(c.convert(frameOf(FORMAT_BGRA8, 4, 2, 16, new Uint8Array(20)), out, 0), ConvertOutcome.BadGeometry);
  assert.equal(c.convert(frameOf(FORMAT_BGRA8, 4, 2, 12, new Uint8Array(64)), out, 0), ConvertOutcome.BadGeometry);
  assert.equal(c.convert(frameOf(FORMAT_RGBA16F, 4, 2, 16, new Uint8Array(64)), out, 0), ConvertOutcome.BadGeometry);
  assert.equal(c.convert(frameOf(FORMAT_BGRA8, 4, 2, 16, new Uint8Array(32)), new Uint8Array(4), 0), ConvertOutcome.BadGeometry);
  assert.equal(c.convert(frameOf(FORMAT_BGRA8, 0, 2, 16, new Uint8Array(32)), out, 0), ConvertOutcome.BadGeometry);
  assert.equal(c.convert(frameOf(99, 4, 2, 16, new Uint8Array(32)), out, 0), ConvertOutcome.UnknownFormat);
});
