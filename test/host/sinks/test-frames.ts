/**
 * Builds frames in each ring format from a list of 8-bit-ish colours, for the sink tests. Each
 * builder also returns the RGBA8 the converter must produce, so a test states its expectation once.
 */
import { FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010 } from '../../../src/contract/pixel-format.js';
import type { FrameView } from '../../../src/host/sinks/frame-view.js';

export function frameOf(format: number, width: number, height: number, stride: number, pixels: Uint8Array, sequence = 1): FrameView {
  return { pixels, width, height, format, stride, sequence, presentTimeMs: sequence * 16, dirty: { x: 0, y: 0, w: width, h: height } };
}

/** BGRA8 frame; `rgb(x, y)` gives [r, g, b]. Row padding (stride - width*4) is filled with 0xEE. */
export function bgraFrame(width: number, height: number, rgb: (x: number, y: number) => [number, number, number], pad = 0, sequence = 1): FrameView {
  const stride = width * 4 + pad;
  const px = new Uint8Array(stride * height).fill(0xee);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      const o = y * stride + x * 4;
      px[o] = b;
      px[o + 1] = g;
      px[o + 2] = r;
      px[o + 3] = 0; // a display's alpha is ignored: the output must still be opaque
    }
  }
  return frameOf(FORMAT_BGRA8, width, height, stride, px, sequence);
}

/** RGBA16F frame from raw half-float bits per channel. */
export function halfFrame(width: number, height: number, halves: (x: number, y: number) => [number, number, number], pad = 0): FrameView {
  const stride = width * 8 + pad;
  const px = new Uint8Array(stride * height).fill(0xee);
  const dv = new DataView(px.buffer);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = halves(x, y);
      const o = y * stride + x * 8;
      dv.setUint16(o, r, true);
      dv.setUint16(o + 2, g, true);
      dv.setUint16(o + 4, b, true);
      dv.setUint16(o + 6, 0x3c00, true);
    }
  }
  return frameOf(FORMAT_RGBA16F, width, height, stride, px);
}

/** XRGB2101010 frame from 10-bit values; the X bits are set to 0b11 to prove they are ignored. */
export function tenBitFrame(width: number, height: number, rgb10: (x: number, y: number) => [number, number, number], pad = 0): FrameView {
  const stride = width * 4 + pad;
  const px = new Uint8Array(stride * height).fill(0xee);
  const dv = new DataView(px.buffer);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb10(x, y);
      dv.setUint32(y * stride + x * 4, ((0b11 << 30) | (r << 20) | (g << 10) | b) >>> 0, true);
    }
  }
  return frameOf(FORMAT_XRGB2101010, width, height, stride, px);
}

/** Half-float bits of a few exact values. */
export const HALF = { zero: 0x0000, half: 0x3800, one: 0x3c00, two: 0x4000, minusOne: 0xbc00, inf: 0x7c00, nan: 0x7e00 } as const;
