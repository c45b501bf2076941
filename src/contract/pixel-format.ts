/**
 * Pixel formats the ring carries. A format code is stored in the header and the slot geometry
 * follows from its bytes per pixel. Codes are never reused; 0 is "unknown".
 */

export const FORMAT_UNKNOWN = 0;
/** 8-bit B,G,R,A in memory (DXGI_FORMAT_B8G8R8A8_UNORM; Xvfb depth 24 with X = 0xFF). */
export const FORMAT_BGRA8 = 1;
/** 16-bit float R,G,B,A (DXGI_FORMAT_R16G16B16A16_FLOAT, the HDR composition format), linear scRGB. */
export const FORMAT_RGBA16F = 2;
/** 32-bit little-endian words, 2:10:10:10 with blue in the low bits (X depth 30, DRM XRGB2101010). */
export const FORMAT_XRGB2101010 = 3;

export type PixelFormatName = 'bgra8' | 'rgba16f' | 'xrgb2101010';

interface FormatInfo {
  code: number;
  name: PixelFormatName;
  bytesPerPixel: number;
}

const FORMATS: readonly FormatInfo[] = [
  { code: FORMAT_BGRA8, name: 'bgra8', bytesPerPixel: 4 },
  { code: FORMAT_RGBA16F, name: 'rgba16f', bytesPerPixel: 8 },
  { code: FORMAT_XRGB2101010, name: 'xrgb2101010', bytesPerPixel: 4 },
];

export const PIXEL_FORMAT_NAMES: readonly PixelFormatName[] = FORMATS.map((f) => f.name);
/** Every known format code, in code order. */
export const PIXEL_FORMAT_CODES: readonly number[] = FORMATS.map((f) => f.code);
/** The largest known code: per-format tables are indexed 0..MAX_FORMAT_CODE. */
export const MAX_FORMAT_CODE = Math.max(...PIXEL_FORMAT_CODES);

/** Bytes per pixel of a format code, or 0 for an unknown code (callers refuse 0). */
export function bytesPerPixel(code: number): number {
  for (const f of FORMATS) if (f.code === code) return f.bytesPerPixel;
  return 0;
}

export function formatName(code: number): PixelFormatName | 'unknown' {
  for (const f of FORMATS) if (f.code === code) return f.name;
  return 'unknown';
}

/** Format code for a name, or FORMAT_UNKNOWN. */
export function formatCode(name: string): number {
  for (const f of FORMATS) if (f.name === name) return f.code;
  return FORMAT_UNKNOWN;
}
