/**
 * The XWD header Xvfb writes at the start of `-fbdir DIR/Xvfb_screen0` (X11 XWDFileHeader, version 7).
 *
 * Layout: 25 big-endian CARD32 fields (100 bytes), then the window name up to `header_size`, then
 * `ncolors` XWDColor entries of 12 bytes, then the live pixels, `bytes_per_line` per row. Nothing
 * here is hard-coded beyond the field order: the pixel offset is header_size + ncolors * 12, and the
 * stride is bytes_per_line, both read from the file. A header that cannot describe a ZPixmap of
 * 32-bit pixels at depth 24 or 30 is refused with a FramebufferHeaderError naming the field.
 *
 * Xvfb does not rewrite the header on a RandR resize: it describes the framebuffer as allocated
 * (the largest size), and a smaller screen is the top-left region of it, same stride.
 */
import { FramebufferHeaderError } from '../../contract/errors.js';
import { FORMAT_BGRA8, FORMAT_XRGB2101010 } from '../../contract/pixel-format.js';

/** Bytes of the 25 fixed CARD32 fields; header_size is never smaller. */
export const XWD_FIXED_HEADER_BYTES = 100;
export const XWD_FILE_VERSION = 7;
export const XWD_COLOR_BYTES = 12;
/** XWD pixmap_format value of a ZPixmap. */
export const XWD_ZPIXMAP = 2;
/** A sanity bound: Xvfb writes ~160 bytes; a header claiming more is corrupt, not large. */
export const XWD_MAX_HEADER_BYTES = 4096;
/** Xvfb's colormap has at most 2^10 entries (depth 30). */
export const XWD_MAX_COLORS = 1 << 16;

/** Field offsets (each a big-endian CARD32). */
export const XWD_FIELD = {
  headerSize: 0,
  fileVersion: 4,
  pixmapFormat: 8,
  pixmapDepth: 12,
  pixmapWidth: 16,
  pixmapHeight: 20,
  xoffset: 24,
  byteOrder: 28,
  bitmapUnit: 32,
  bitmapBitOrder: 36,
  bitmapPad: 40,
  bitsPerPixel: 44,
  bytesPerLine: 48,
  visualClass: 52,
  redMask: 56,
  greenMask: 60,
  blueMask: 64,
  bitsPerRgb: 68,
  colormapEntries: 72,
  ncolors: 76,
  windowWidth: 80,
  windowHeight: 84,
} as const;

export interface XwdHeader {
  headerSize: number;
  depth: number;
  /** The framebuffer as allocated (not the current RandR size). */
  width: number;
  height: number;
  bitsPerPixel: number;
  bytesPerLine: number;
  /** 0 = LSBFirst (little-endian pixels), 1 = MSBFirst. */
  byteOrder: number;
  redMask: number;
  greenMask: number;
  blueMask: number;
  ncolors: number;
  /** Where pixel (0,0) starts in the file: header_size + ncolors * 12. */
  pixelOffset: number;
  /** vdpush pixel-format code of the pixels (FORMAT_BGRA8 or FORMAT_XRGB2101010). */
  format: number;
  /** Window name Xvfb writes ("Xvfb vm:N.0"), for diagnostics. */
  name: string;
}

/**
 * Parses an XWD header. `bytes` must hold at least the first header_size bytes; `fileSize`, when
 * given, is checked to hold every pixel the header promises.
 */
export function parseXwdHeader(bytes: Uint8Array, fileSize?: number): XwdHeader {
  if (bytes.length < XWD_FIXED_HEADER_BYTES) {
    throw new FramebufferHeaderError('file', `${bytes.length} bytes, need at least ${XWD_FIXED_HEADER_BYTES}`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (off: number): number => v.getUint32(off, false);

  const headerSize = u32(XWD_FIELD.headerSize);
  if (headerSize < XWD_FIXED_HEADER_BYTES || headerSize > XWD_MAX_HEADER_BYTES) {
    throw new FramebufferHeaderError('header_size', `${headerSize} is outside ${XWD_FIXED_HEADER_BYTES}..${XWD_MAX_HEADER_BYTES}`);
  }
  const version = u32(XWD_FIELD.fileVersion);
  if (version !== XWD_FILE_VERSION) {
    throw new FramebufferHeaderError('file_version', `${version}, expected ${XWD_FILE_VERSION} (is this an XWD file?)`);
  }
  const pixmapFormat = u32(XWD_FIELD.pixmapFormat);
  if (pixmapFormat !== XWD_ZPIXMAP) {
    throw new FramebufferHeaderError('pixmap_format', `${pixmapFormat}, only ZPixmap (${XWD_ZPIXMAP}) is supported`);
  }
  const depth = u32(XWD_FIELD.pixmapDepth);
  const width = u32(XWD_FIELD.pixmapWidth);
  const height = u32(XWD_FIELD.pixmapHeight);
  if (width === 0 || height === 0 || width > 0x7fff || height > 0x7fff) {
    throw new FramebufferHeaderError('pixmap_width', `size ${width}x${height} is not a screen`);
  }
  const bitsPerPixel = u32(XWD_FIELD.bitsPerPixel);
  if (bitsPerPixel !== 32) {
    throw new FramebufferHeaderError('bits_per_pixel', `${bitsPerPixel}, only 32-bit pixels are supported`);
  }
  const bytesPerLine = u32(XWD_FIELD.bytesPerLine);
  if (bytesPerLine < width * 4 || bytesPerLine % 4 !== 0) {
    throw new FramebufferHeaderError('bytes_per_line', `${bytesPerLine} cannot hold ${width} 32-bit pixels`);
  }
  const byteOrder = u32(XWD_FIELD.byteOrder);
  if (byteOrder !== 0) {
    throw new FramebufferHeaderError('byte_order', `${byteOrder}, only LSBFirst (0) pixels are supported`);
  }
  const redMask = u32(XWD_FIELD.redMask);
  const greenMask = u32(XWD_FIELD.greenMask);
  const blueMask = u32(XWD_FIELD.blueMask);
  let format: number;
  if (depth === 24 && redMask === 0xff0000 && greenMask === 0xff00 && blueMask === 0xff) format = FORMAT_BGRA8;
  else if (depth === 30 && redMask === 0x3ff00000 && greenMask === 0xffc00 && blueMask === 0x3ff) format = FORMAT_XRGB2101010;
  else {
    throw new FramebufferHeaderError(
      'pixmap_depth',
      `depth ${depth} with masks r=0x${redMask.toString(16)} g=0x${greenMask.toString(16)} b=0x${blueMask.toString(16)}; ` +
        'supported: depth 24 (ff0000/ff00/ff) and depth 30 (3ff00000/ffc00/3ff)',
    );
  }
  const ncolors = u32(XWD_FIELD.ncolors);
  if (ncolors > XWD_MAX_COLORS) {
    throw new FramebufferHeaderError('ncolors', `${ncolors} exceeds ${XWD_MAX_COLORS}`);
  }
  const pixelOffset = headerSize + ncolors * XWD_COLOR_BYTES;
  if (fileSize !== undefined && fileSize < pixelOffset + bytesPerLine * height) {
    throw new FramebufferHeaderError(
      'file',
      `${fileSize} bytes, the header promises ${pixelOffset + bytesPerLine * height} (${width}x${height}, stride ${bytesPerLine})`,
    );
  }
  let name = '';
  const nameEnd = Math.min(headerSize, bytes.length);
  for (let i = XWD_FIXED_HEADER_BYTES; i < nameEnd && bytes[i] !== 0; i++) name += String.fromCharCode(bytes[i]!);
  return { headerSize, depth, width, height, bitsPerPixel, bytesPerLine, byteOrder, redMask, greenMask, blueMask, ncolors, pixelOffset, format, name };
}

/** Pixel format of an X screen depth, or 0 when vdpush cannot carry it. */
export function formatForDepth(depth: number): number {
  if (depth === 24) return FORMAT_BGRA8;
  if (depth === 30) return FORMAT_XRGB2101010;
  return 0;
}
