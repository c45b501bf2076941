/**
 * The test helper that finds which frame of the sim pattern a lossy image shows. Chromium's
 * WebCodecs JPEG decode (the viewer page's path on loopback) moved the stamp pixel of a 320x180
 * frame at quality 7 by 5 levels in blue (39,94,62 for 42,94,57): a window of ±3 misread the
 * stamp as an arbitrary 24-bit frame number while the canvas held frame 95 exactly (mean error
 * 1.7), and viewer-jpeg-off-thread timed out on whichever frame its idle display held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_BGRA8 } from '../../../src/contract/pixel-format.js';
import { makePatternParams } from '../../../src/backends/sim/index.js';
import { expectedRgb, matchBgraPattern } from './pattern-match.js';

const W = 320;
const H = 180;
const STAMP = ((H >> 1) * W + 2) * 3;

function shifted(n: number, dr: number, dg: number, db: number): Uint8Array {
  const rgb = expectedRgb(W, H, FORMAT_BGRA8, n, makePatternParams());
  rgb[STAMP] = Math.max(0, Math.min(255, rgb[STAMP]! + dr));
  rgb[STAMP + 1] = Math.max(0, Math.min(255, rgb[STAMP + 1]! + dg));
  rgb[STAMP + 2] = Math.max(0, Math.min(255, rgb[STAMP + 2]! + db));
  return rgb;
}

test('a frame whose stamp pixel JPEG moved by up to 6 levels per channel is still found', () => {
  // The case seen in Chromium, then the corners of the window.
  const cases: Array<[number, number, number, number]> = [
    [95, -3, 0, 5],
    [95, 6, -6, 6],
    [7, -6, 6, -6],
    [1234, 0, 0, 0],
  ];
  for (const [n, dr, dg, db] of cases) {
    const m = matchBgraPattern(shifted(n, dr, dg, db), W, H);
    assert.equal(m.frame, n, `frame ${n} with its stamp moved by (${dr},${dg},${db}): found ${m.frame}`);
    assert.ok(m.meanError < 0.1 && m.badShare === 0, `frame ${n}: mean error ${m.meanError}, bad share ${m.badShare}`);
  }
});

test('two frames in one image never match as one', () => {
  // Frame 95 above, frame 200 below: the wider window must not turn a torn image into a pass.
  const a = expectedRgb(W, H, FORMAT_BGRA8, 95, makePatternParams());
  const b = expectedRgb(W, H, FORMAT_BGRA8, 200, makePatternParams());
  a.set(b.subarray((H >> 1) * W * 3), (H >> 1) * W * 3);
  const m = matchBgraPattern(a, W, H);
  assert.ok(m.badShare >= 0.05 || m.meanError >= 6, `torn image matched frame ${m.frame}: mean error ${m.meanError}, bad share ${m.badShare}`);
});
