/**
 * Does an RGB image (what a VNC client saved, through JPEG) show a frame of the simulated
 * pattern? The frame number is unknown: it is read from the stamp column, trying the codes within
 * a few steps of the pixel's colour (JPEG moves a flat colour by up to ~5 levels next to other
 * tiles), and the best candidate frame is rendered and compared pixel by pixel.
 */
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../../src/contract/pixel-format.js';
import { makePatternParams, readFrameStamp, renderFrame, type PatternParams } from '../../../src/backends/sim/index.js';
import { RgbaConverter } from '../../../src/host/sinks/pixel-convert.js';

export interface PatternMatch {
  frame: number;
  /** Mean absolute error per channel (0..255) and the share of pixels off by more than 48 in any channel. */
  meanError: number;
  badShare: number;
}

/** Renders frame n as 8-bit RGB, as vdpush's sinks convert `format`. */
export function expectedRgb(width: number, height: number, format: number, n: number, params: PatternParams): Uint8Array {
  const bpp = format === FORMAT_RGBA16F ? 8 : 4;
  const px = new Uint8Array(width * height * bpp);
  renderFrame(px, width, height, width * bpp, format, n, params);
  const conv = new RgbaConverter();
  conv.convert({ pixels: px, width, height, format, stride: width * bpp });
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < conv.data.length; i += 4, o += 3) {
    rgb[o] = conv.data[i]!;
    rgb[o + 1] = conv.data[i + 1]!;
    rgb[o + 2] = conv.data[i + 2]!;
  }
  return rgb;
}

export function compareRgb(a: Uint8Array, b: Uint8Array): { meanError: number; badShare: number } {
  let sum = 0;
  let bad = 0;
  for (let i = 0; i < a.length; i += 3) {
    const d0 = Math.abs(a[i]! - b[i]!);
    const d1 = Math.abs(a[i + 1]! - b[i + 1]!);
    const d2 = Math.abs(a[i + 2]! - b[i + 2]!);
    sum += d0 + d1 + d2;
    if (d0 > 48 || d1 > 48 || d2 > 48) bad++;
  }
  return { meanError: sum / a.length, badShare: bad / (a.length / 3) };
}

/**
 * How far JPEG may move the stamp pixel per channel. Chromium's WebCodecs decode (the viewer page
 * on loopback) moved it by 5 in blue at quality 7 (test/host/rfb/pattern-match.test.ts).
 */
const STAMP_JITTER = 6;
/**
 * Codes near a real one decode to arbitrary 24-bit frame numbers; no test runs 2^20 frames (~5 h
 * at 60 Hz), so those are not rendered (13^3 probes would otherwise each render a frame).
 */
const MAX_FRAME = (1 << 20) - 1;

/** The best-matching bgra8 frame of the default pattern (seed 1, moving) for an RGB image. */
export function matchBgraPattern(rgb: Uint8Array, width: number, height: number, params = makePatternParams()): PatternMatch {
  // A pixel in the middle of the stamp column (left edge), away from any tile edge.
  const i = ((height >> 1) * width + 2) * 3;
  const tried = new Set<number>();
  let best: PatternMatch = { frame: -1, meanError: Infinity, badShare: 1 };
  const probe = new Uint8Array(4);
  for (let dr = -STAMP_JITTER; dr <= STAMP_JITTER; dr++) {
    for (let dg = -STAMP_JITTER; dg <= STAMP_JITTER; dg++) {
      for (let db = -STAMP_JITTER; db <= STAMP_JITTER; db++) {
        probe[0] = Math.max(0, Math.min(255, rgb[i + 2]! + db));
        probe[1] = Math.max(0, Math.min(255, rgb[i + 1]! + dg));
        probe[2] = Math.max(0, Math.min(255, rgb[i]! + dr));
        probe[3] = 255;
        const n = readFrameStamp(probe, FORMAT_BGRA8, params);
        if (n < 0 || n > MAX_FRAME || tried.has(n)) continue;
        tried.add(n);
        const e = compareRgb(rgb, expectedRgb(width, height, FORMAT_BGRA8, n, params));
        if (e.meanError < best.meanError) best = { frame: n, ...e };
      }
    }
  }
  return best;
}
