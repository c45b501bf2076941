import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FrameVerifier,
  PATTERN_WORKLOADS,
  codeBits,
  frameDirtyRects,
  makePatternParams,
  readFrameStamp,
  renderFrame,
  unwrapFrame,
  verifyFrame,
  type PatternParams,
} from '../../../src/backends/sim/index.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F, bytesPerPixel, formatName } from '../../../src/contract/pixel-format.js';

const W = 200;
const H = 120;
const FORMATS = [FORMAT_BGRA8, FORMAT_RGBA16F];

function surface(format: number, w = W, h = H): { px: Uint8Array; stride: number } {
  const stride = w * bytesPerPixel(format);
  return { px: new Uint8Array(stride * h), stride };
}

function frame(format: number, n: number, p: PatternParams, w = W, h = H): { px: Uint8Array; stride: number } {
  const s = surface(format, w, h);
  renderFrame(s.px, w, h, s.stride, format, n, p, 'full');
  return s;
}

/** Dirty rects of frame n as a per-pixel mask. */
function dirtyMask(p: PatternParams, n: number, w = W, h = H): Uint8Array {
  const rects = new Int32Array(16);
  const count = frameDirtyRects(p, w, h, n, rects, new Int32Array(12));
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < count; i++) {
    const [x, y, rw, rh] = [rects[i * 4]!, rects[i * 4 + 1]!, rects[i * 4 + 2]!, rects[i * 4 + 3]!];
    assert.ok(x >= 0 && y >= 0 && rw > 0 && rh > 0 && x + rw <= w && y + rh <= h, `rect ${x},${y},${rw},${rh} inside the screen`);
    for (let yy = y; yy < y + rh; yy++) mask.fill(1, yy * w + x, yy * w + x + rw);
  }
  return mask;
}

for (const format of FORMATS) {
  for (const workload of PATTERN_WORKLOADS) {
    test(`${workload} ${formatName(format)}: frames drawn incrementally verify exactly for 3 periods`, () => {
      const p = makePatternParams({ workload, seed: 9 });
      const s = frame(format, 0, p);
      for (let n = 1; n <= 200; n++) {
        renderFrame(s.px, W, H, s.stride, format, n, p, 'dirty');
        const r = verifyFrame(s.px, W, H, s.stride, format, n, p);
        assert.ok(r.ok, `frame ${n}: ${r.reason}`);
        assert.equal(readFrameStamp(s.px, format, p), n);
      }
      // Drawing frame 200 whole gives the same bytes as drawing it step by step.
      assert.deepEqual(frame(format, 200, p).px, s.px);
    });

    test(`${workload} ${formatName(format)}: the dirty rects of frame n cover every pixel that differs from n-1`, () => {
      const p = makePatternParams({ workload, seed: 3 });
      const bpp = bytesPerPixel(format);
      for (let n = 1; n <= 70; n++) {
        const a = frame(format, n - 1, p).px;
        const b = frame(format, n, p).px;
        const mask = dirtyMask(p, n);
        for (let i = 0; i < W * H; i++) {
          if (mask[i]) continue;
          for (let k = 0; k < bpp; k++) assert.equal(a[i * bpp + k], b[i * bpp + k], `frame ${n}: pixel ${i % W},${(i / W) | 0} changed outside the dirty rects`);
        }
      }
    });
  }
}

test('the desktop workload changes about 1% of a 1280x720 screen per frame; moving more; full all', () => {
  const share = (workload: 'desktop' | 'moving' | 'full'): number => {
    const p = makePatternParams({ workload });
    const rects = new Int32Array(16);
    let sum = 0; // rect areas; a cursor's old and new positions may overlap, which only overcounts
    for (let n = 1; n <= 64; n++) {
      const count = frameDirtyRects(p, 1280, 720, n, rects, new Int32Array(12));
      for (let i = 0; i < count; i++) sum += rects[i * 4 + 2]! * rects[i * 4 + 3]!;
    }
    return sum / 64 / (1280 * 720);
  };
  const desktop = share('desktop');
  assert.ok(desktop > 0.005 && desktop < 0.015, `desktop share ${desktop}`);
  assert.ok(share('moving') > desktop * 5);
  assert.equal(share('full'), 1);
});

test('rgba16f pixels are finite half floats in [0.5, 1] with alpha 1', () => {
  const p = makePatternParams({ seed: 5 });
  const { px } = frame(FORMAT_RGBA16F, 77, p);
  const halves = new Uint16Array(px.buffer);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i]!;
    assert.notEqual((h >> 10) & 0x1f, 0x1f, 'not inf/NaN');
    if (i % 4 === 3) assert.equal(h, 0x3c00);
    else assert.ok(h >= 0x3800 && h <= 0x3bff);
  }
});

for (const format of FORMATS) {
  const name = formatName(format);
  const p = makePatternParams({ workload: 'moving', seed: 11 });
  const bpp = bytesPerPixel(format);

  test(`${name}: a torn frame (bottom rows from frame n-1) is caught at the first torn row`, () => {
    const n = 40;
    const good = frame(format, n, p);
    const old = frame(format, n - 1, p);
    const tornAt = 60;
    good.px.set(old.px.subarray(tornAt * good.stride), tornAt * good.stride);
    const r = verifyFrame(good.px, W, H, good.stride, format, n, p);
    assert.equal(r.ok, false);
    assert.equal(r.firstBadPixel!.y, tornAt);
    assert.equal(r.firstBadPixel!.region, 'stamp');
    assert.equal(r.firstBadPixel!.shownFrame, n - 1);
  });

  test(`${name}: a stale tile (a dirty rect the consumer missed) is caught and named`, () => {
    const n = 41;
    const rects = new Int32Array(16);
    const count = frameDirtyRects(p, W, H, n, rects, new Int32Array(12));
    assert.ok(count >= 2);
    // The consumer applied frame n except its last tile rectangle, which still shows frame n-1.
    const consumer = frame(format, n - 1, p);
    const src = frame(format, n, p);
    for (let i = 0; i < count - 1; i++) {
      const [x, y, w, h] = [rects[i * 4]!, rects[i * 4 + 1]!, rects[i * 4 + 2]!, rects[i * 4 + 3]!];
      for (let yy = y; yy < y + h; yy++) {
        const o = yy * consumer.stride + x * bpp;
        consumer.px.set(src.px.subarray(o, o + w * bpp), o);
      }
    }
    const r = verifyFrame(consumer.px, W, H, consumer.stride, format, n, p);
    assert.equal(r.ok, false, 'stale tile must fail');
    assert.equal(r.firstBadPixel!.region, 'tile');
    assert.ok(r.firstBadPixel!.shownFrame < n);
    assert.match(r.reason, /tile \(\d+, \d+\) shows frame \d+'s paint, expected frame \d+'s/);
  });

  test(`${name}: a consumer that applies only the latest present's rects instead of the union is caught`, () => {
    // The driver skipped acquiring frame 50; its copy of 49 + only 51's rects misses 50's damage.
    const consumer = frame(format, 49, p);
    const src = frame(format, 51, p);
    const rects = new Int32Array(16);
    const count = frameDirtyRects(p, W, H, 51, rects, new Int32Array(12));
    for (let i = 0; i < count; i++) {
      const [x, y, w, h] = [rects[i * 4]!, rects[i * 4 + 1]!, rects[i * 4 + 2]!, rects[i * 4 + 3]!];
      for (let yy = y; yy < y + h; yy++) {
        const o = yy * consumer.stride + x * bpp;
        consumer.px.set(src.px.subarray(o, o + w * bpp), o);
      }
    }
    assert.equal(verifyFrame(consumer.px, W, H, consumer.stride, format, 51, p).ok, false);
  });

  test(`${name}: a wrong stamp, a wrong frame number and a shifted copy are caught`, () => {
    const n = 42;
    const s = frame(format, n, p);
    assert.equal(verifyFrame(s.px, W, H, s.stride, format, n + 1, p).ok, false, 'verified as the wrong frame');
    assert.equal(verifyFrame(s.px, W, H, s.stride, format, n, makePatternParams({ workload: 'moving', seed: 12 })).ok, false, 'another seed');
    const stamp = frame(format, n, p);
    stamp.px[5 * stamp.stride + 2 * bpp] ^= 1;
    const r = verifyFrame(stamp.px, W, H, stamp.stride, format, n, p);
    assert.equal(r.ok, false);
    assert.deepEqual([r.firstBadPixel!.x, r.firstBadPixel!.y, r.firstBadPixel!.region], [2, 5, 'stamp']);
    const shifted = frame(format, n, p);
    const row = 30 * shifted.stride;
    shifted.px.copyWithin(row + bpp, row, row + shifted.stride - bpp); // one row shifted right by a pixel
    assert.equal(verifyFrame(shifted.px, W, H, shifted.stride, format, n, p).ok, false);
  });

  test(`${name}: surfaces with padded rows and unaligned offsets verify too`, () => {
    const n = 17;
    const stride = W * bpp + 6; // not a multiple of 4: the byte path
    const buf = new Uint8Array(stride * H + 3);
    const view = buf.subarray(3);
    renderFrame(view, W, H, stride, format, n, p);
    assert.ok(verifyFrame(view, W, H, stride, format, n, p).ok);
    view[10 * stride + 100 * bpp + 1]! ^= 0x10;
    const r = verifyFrame(view, W, H, stride, format, n, p);
    assert.deepEqual([r.ok, r.firstBadPixel!.x, r.firstBadPixel!.y], [false, 100, 10]);
  });
}

test('a wrong geometry is a failed verify with a reason, never a throw or an out-of-bounds read', () => {
  const p = makePatternParams();
  const { px, stride } = frame(FORMAT_BGRA8, 3, p);
  assert.match(verifyFrame(px, W, H + 1, stride, FORMAT_BGRA8, 3, p).reason, /holds/);
  assert.match(verifyFrame(px, W, H, stride - 4, FORMAT_BGRA8, 3, p).reason, /stride/);
  assert.match(verifyFrame(px, W, H, stride, 99, 3, p).reason, /format 99/);
  assert.match(verifyFrame(px, 0, H, stride, FORMAT_BGRA8, 3, p).reason, /size/);
});

test('the verifier reuses its result and allocates no scratch once sized', () => {
  const p = makePatternParams();
  const v = new FrameVerifier();
  const { px, stride } = frame(FORMAT_BGRA8, 9, p);
  const first = v.verify(px, W, H, stride, FORMAT_BGRA8, 9, p);
  const second = v.verify(px, W, H, stride, FORMAT_BGRA8, 9, p);
  assert.equal(first, second);
  assert.ok(second.ok);
});

test('a stamp read back mod 2^bits unwraps to the frame near a known one', () => {
  const p = makePatternParams({ seed: 2 });
  const big = 2 ** 24 + 5;
  const { px } = frame(FORMAT_BGRA8, big, p, 32, 16);
  const wrapped = readFrameStamp(px, FORMAT_BGRA8, p);
  assert.equal(wrapped, 5);
  assert.equal(unwrapFrame(wrapped, codeBits(FORMAT_BGRA8), big - 3), big);
  assert.ok(verifyFrame(px, 32, 16, 32 * 4, FORMAT_BGRA8, big, p).ok);
});

test('tiny screens (narrower than the stamp, one tile) still render and verify', () => {
  for (const [w, h] of [[1, 1], [5, 3], [9, 1], [17, 17]] as const) {
    for (const workload of PATTERN_WORKLOADS) {
      const p = makePatternParams({ workload });
      const s = frame(FORMAT_BGRA8, 0, p, w, h);
      for (let n = 1; n < 70; n++) {
        renderFrame(s.px, w, h, s.stride, FORMAT_BGRA8, n, p, 'dirty');
        assert.ok(verifyFrame(s.px, w, h, s.stride, FORMAT_BGRA8, n, p).ok, `${w}x${h} ${workload} ${n}`);
      }
    }
  }
});

for (const format of FORMATS) {
  test(`${formatName(format)}: a frame of another monitor never verifies as this monitor's, and says whose it is`, () => {
    for (const workload of PATTERN_WORKLOADS) {
      const mine = makePatternParams({ workload, seed: 9, targetId: 1 });
      for (const other of [2, 3, 255]) {
        const theirs = makePatternParams({ workload, seed: 9, targetId: other });
        for (const n of [1, 37, 64, 500]) {
          const s = frame(format, n, theirs);
          assert.ok(verifyFrame(s.px, W, H, s.stride, format, n, theirs).ok, `target ${other} verifies as itself`);
          // The stamp names the frame whoever drew it; the tiles name the monitor.
          assert.equal(readFrameStamp(s.px, format, mine), n);
          const r = verifyFrame(s.px, W, H, s.stride, format, n, mine);
          assert.equal(r.ok, false, `${workload} frame ${n} of target ${other} refused as target 1's`);
          assert.equal(r.firstBadPixel!.region, 'tile');
          assert.equal(r.firstBadPixel!.shownTarget, other, r.reason);
          assert.match(r.reason, new RegExp(`target ${other}'s paint`));
        }
      }
    }
  });
}

test('target 1 draws the image a pattern without a target always drew (one monitor is unchanged)', () => {
  const p = makePatternParams({ workload: 'moving', seed: 9 });
  assert.equal(p.targetId, 1);
  const s = frame(FORMAT_BGRA8, 10, p);
  const explicit = frame(FORMAT_BGRA8, 10, makePatternParams({ workload: 'moving', seed: 9, targetId: 1 }));
  assert.deepEqual(s.px, explicit.px);
  assert.throws(() => makePatternParams({ targetId: 0 }), /targetId 0/);
});
