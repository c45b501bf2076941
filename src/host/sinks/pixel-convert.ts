/**
 * Converts any ring format to what the outside world reads: 8-bit sRGB RGBA (PNG, the browser, and
 * the first stage of i420-convert.ts's planar YUV 4:2:0 for Y4M and ffmpeg).
 *
 * Per format:
 * - bgra8: a swizzle. The bytes are already sRGB-encoded.
 * - rgba16f: half floats in linear scRGB. scRGB 1.0 is the sRGB reference white (80 nits), which is
 *   also where Windows puts SDR content when it composes in scRGB with the default SDR white level.
 *   We map scRGB [0, 1] to sRGB [0, 255] through the sRGB transfer function and CLIP everything
 *   outside (negative values of wide-gamut colours and HDR highlights above 1.0): no tone mapping,
 *   so SDR content round-trips exactly and HDR highlights saturate to white. One 65536-entry table,
 *   indexed by the raw half bits, does decode + clamp + transfer + rounding in one load.
 * - xrgb2101010: 32-bit little-endian words, blue in bits 0..9, green 10..19, red 20..29 (X depth
 *   30). Each 10-bit value v becomes round(v * 255 / 1023), not v >> 2 (which would map 1023 to 255
 *   but bias every other value down by up to one step).
 *
 * Alpha: a display's scan-out ignores alpha (desktop surfaces leave it undefined, Xvfb's X byte is
 * padding), so every output pixel is opaque (A = 255).
 *
 * Invariant: the per-frame calls never throw and allocate only when the frame size changes; they
 * return a ConvertOutcome. Outputs are preallocated and reused across frames, so a result is valid
 * until the next call on the same converter.
 */
import { FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010, bytesPerPixel } from '../../contract/pixel-format.js';
import type { FrameView } from './frame-view.js';

/** The fields of a frame the pixel conversion reads. */
export type PixelSource = Pick<FrameView, 'pixels' | 'width' | 'height' | 'format' | 'stride'>;

export const ConvertOutcome = {
  Ok: 0,
  /** The format code is not one this version converts. */
  UnknownFormat: 1,
  /** Zero or negative size, a stride shorter than a row, or a pixel buffer shorter than the frame. */
  BadGeometry: 2,
} as const;
export type ConvertOutcomeCode = (typeof ConvertOutcome)[keyof typeof ConvertOutcome];

/** sRGB transfer function (IEC 61966-2-1), linear [0,1] → encoded [0,1]. */
export function linearToSrgb(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
}

/** IEEE 754 binary16 bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero and subnormals
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

let halfLut: Uint8Array | null = null;

/** Half-float bits → 8-bit sRGB (clamped to [0,1], NaN → 0). Built once, on first use (~10 ms). */
export function halfToSrgb8Table(): Uint8Array {
  if (halfLut !== null) return halfLut;
  const lut = new Uint8Array(65536);
  for (let h = 0; h < 65536; h++) {
    const v = halfToFloat(h);
    // NaN fails both comparisons and stays 0; +/-Infinity clamp like any other out-of-range value.
    const clamped = v > 0 ? (v < 1 ? v : 1) : 0;
    lut[h] = Math.round(linearToSrgb(clamped) * 255);
  }
  halfLut = lut;
  return lut;
}

/** 10-bit → 8-bit with rounding: round(v * 255 / 1023). */
export const TEN_TO_EIGHT: Uint8Array = (() => {
  const t = new Uint8Array(1024);
  for (let v = 0; v < 1024; v++) t[v] = Math.round((v * 255) / 1023);
  return t;
})();

/** The largest size <= (maxWidth, maxHeight) with the frame's aspect ratio; 0 means "no limit". */
export function fitSize(width: number, height: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
  let scale = 1;
  if (maxWidth > 0 && width > maxWidth) scale = Math.min(scale, maxWidth / width);
  if (maxHeight > 0 && height > maxHeight) scale = Math.min(scale, maxHeight / height);
  if (scale === 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function geometryOk(f: PixelSource, bpp: number): boolean {
  if (!(f.width > 0 && f.height > 0 && Number.isInteger(f.width) && Number.isInteger(f.height))) return false;
  if (f.stride < f.width * bpp) return false;
  return f.pixels.length >= (f.height - 1) * f.stride + f.width * bpp;
}

/**
 * Frame → tightly packed 8-bit sRGB RGBA, optionally scaled down (nearest neighbour, so the cost is
 * proportional to the OUTPUT size: a 4K frame shown at 1280 wide converts only the pixels it shows).
 */
export class RgbaConverter {
  /** The last output: width * height * 4 bytes. A view over a reused buffer. */
  data: Uint8Array = new Uint8Array(0);
  width = 0;
  height = 0;
  private storage = new Uint8Array(0);
  // Source byte offset, within a row, of each output column; rebuilt only when the geometry changes.
  private columns = new Uint32Array(0);
  private colSrcW = 0;
  private colBpp = 0;
  private altColumns = new Uint32Array(0);
  private altSrcW = 0;
  private altBpp = 0;

  /** Converts `frame`; maxWidth/maxHeight 0 = full size. On anything but Ok, `data` is unchanged. */
  convert(frame: PixelSource, maxWidth = 0, maxHeight = 0): ConvertOutcomeCode {
    const bpp = bytesPerPixel(frame.format);
    if (bpp === 0) return ConvertOutcome.UnknownFormat;
    if (!geometryOk(frame, bpp)) return ConvertOutcome.BadGeometry;
    const out = fitSize(frame.width, frame.height, maxWidth, maxHeight);
    this.prepare(frame.width, out.width, out.height, bpp);
    const w = out.width;
    const h = out.height;
    const dst = this.data;
    const src = frame.pixels;
    const cols = this.columns;
    const stride = frame.stride;
    const srcH = frame.height;
    let o = 0;
    if (frame.format === FORMAT_BGRA8) {
      for (let y = 0; y < h; y++) {
        const row = (h === srcH ? y : Math.floor(((y + 0.5) * srcH) / h)) * stride;
        for (let x = 0; x < w; x++) {
          const s = row + cols[x]!;
          dst[o] = src[s + 2]!;
          dst[o + 1] = src[s + 1]!;
          dst[o + 2] = src[s]!;
          dst[o + 3] = 255;
          o += 4;
        }
      }
    } else if (frame.format === FORMAT_RGBA16F) {
      const lut = halfToSrgb8Table();
      for (let y = 0; y < h; y++) {
        const row = (h === srcH ? y : Math.floor(((y + 0.5) * srcH) / h)) * stride;
        for (let x = 0; x < w; x++) {
          const s = row + cols[x]!;
          dst[o] = lut[src[s]! | (src[s + 1]! << 8)]!;
          dst[o + 1] = lut[src[s + 2]! | (src[s + 3]! << 8)]!;
          dst[o + 2] = lut[src[s + 4]! | (src[s + 5]! << 8)]!;
          dst[o + 3] = 255;
          o += 4;
        }
      }
    } else if (frame.format === FORMAT_XRGB2101010) {
      const t = TEN_TO_EIGHT;
      for (let y = 0; y < h; y++) {
        const row = (h === srcH ? y : Math.floor(((y + 0.5) * srcH) / h)) * stride;
        for (let x = 0; x < w; x++) {
          const s = row + cols[x]!;
          const b1 = src[s + 1]!;
          const b2 = src[s + 2]!;
          dst[o] = t[(b2 >> 4) | ((src[s + 3]! & 0x3f) << 4)]!; // red, bits 20..29
          dst[o + 1] = t[(b1 >> 2) | ((b2 & 0x0f) << 6)]!; // green, bits 10..19
          dst[o + 2] = t[src[s]! | ((b1 & 0x03) << 8)]!; // blue, bits 0..9
          dst[o + 3] = 255;
          o += 4;
        }
      }
    } else {
      return ConvertOutcome.UnknownFormat;
    }
    return ConvertOutcome.Ok;
  }

  private prepare(srcW: number, w: number, h: number, bpp: number): void {
    const bytes = w * h * 4;
    if (this.storage.length < bytes) this.storage = new Uint8Array(bytes);
    if (this.width !== w || this.height !== h || this.data.buffer !== this.storage.buffer) {
      this.data = this.storage.subarray(0, bytes);
    }
    this.width = w;
    this.height = h;
    if (this.colSrcW === srcW && this.colBpp === bpp && this.columns.length === w) return;
    // Formats may alternate frame by frame (4 and 8 bytes per pixel): keep the other table too,
    // so an alternation swaps tables instead of building one per frame.
    if (this.altSrcW === srcW && this.altBpp === bpp && this.altColumns.length === w) {
      const c = this.columns;
      const sw = this.colSrcW;
      const b = this.colBpp;
      this.columns = this.altColumns;
      this.colSrcW = srcW;
      this.colBpp = bpp;
      this.altColumns = c;
      this.altSrcW = sw;
      this.altBpp = b;
      return;
    }
    this.altColumns = this.columns;
    this.altSrcW = this.colSrcW;
    this.altBpp = this.colBpp;
    this.colSrcW = srcW;
    this.colBpp = bpp;
    this.columns = new Uint32Array(w);
    for (let x = 0; x < w; x++) this.columns[x] = (w === srcW ? x : Math.floor(((x + 0.5) * srcW) / w)) * bpp;
  }
}
