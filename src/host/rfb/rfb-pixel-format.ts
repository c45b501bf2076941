/**
 * RFB pixel formats (RFC 6143 7.4): parsing, validation, and the translation from the ring's
 * formats to a client's.
 *
 * The path of a pixel: ring format → a 32-bit "word" whose low 24 bits are the 8-bit sRGB key
 * 0xRRGGBB (a bgra8 pixel read as a little-endian word is one as it stands, its top byte ignored;
 * other formats are converted by readKeys) → the client's pixel value (its maxes and shifts) →
 * bytes in its byte order. The formats real clients use (noVNC, TigerVNC: 32-bit little-endian,
 * 8-bit channels, red at shift 16 = BGRX, or at shift 0 = RGBX) have a fast path (`wordKind`)
 * that computes the value from the word without the tables; every other format goes through the
 * tables, and both give the same bytes (test/host/rfb/encoder-fast-paths.test.ts). rgba16f goes through the sRGB table of sinks/pixel-convert.ts (scRGB [0,1] → sRGB,
 * clipped) and 10-bit through round(v * 255 / 1023), the same conversions the PNG and video sinks
 * use, so every output of vdpush shows the same colours.
 *
 * Only true colour is served: a client that asks for a colour map is refused with a reason
 * (every current client, noVNC, TigerVNC, vncsnapshot, uses true colour).
 */
import { FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010 } from '../../contract/pixel-format.js';
import { TEN_TO_EIGHT, halfToSrgb8Table } from '../sinks/pixel-convert.js';
import type { FrameView } from '../sinks/frame-view.js';

export interface RfbPixelFormat {
  bitsPerPixel: number;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

export const PIXEL_FORMAT_SIZE = 16;

/** What the server announces: 32-bit little-endian B,G,R,X in memory, the ring's bgra8 layout. */
export const SERVER_PIXEL_FORMAT: Readonly<RfbPixelFormat> = Object.freeze({
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
});

export function readPixelFormat(b: Uint8Array, o: number): RfbPixelFormat {
  return {
    bitsPerPixel: b[o]!,
    depth: b[o + 1]!,
    bigEndian: b[o + 2]! !== 0,
    trueColour: b[o + 3]! !== 0,
    redMax: (b[o + 4]! << 8) | b[o + 5]!,
    greenMax: (b[o + 6]! << 8) | b[o + 7]!,
    blueMax: (b[o + 8]! << 8) | b[o + 9]!,
    redShift: b[o + 10]!,
    greenShift: b[o + 11]!,
    blueShift: b[o + 12]!,
  };
}

export function writePixelFormat(pf: RfbPixelFormat, b: Uint8Array, o: number): void {
  b[o] = pf.bitsPerPixel;
  b[o + 1] = pf.depth;
  b[o + 2] = pf.bigEndian ? 1 : 0;
  b[o + 3] = pf.trueColour ? 1 : 0;
  b[o + 4] = pf.redMax >> 8;
  b[o + 5] = pf.redMax & 0xff;
  b[o + 6] = pf.greenMax >> 8;
  b[o + 7] = pf.greenMax & 0xff;
  b[o + 8] = pf.blueMax >> 8;
  b[o + 9] = pf.blueMax & 0xff;
  b[o + 10] = pf.redShift;
  b[o + 11] = pf.greenShift;
  b[o + 12] = pf.blueShift;
  b[o + 13] = 0;
  b[o + 14] = 0;
  b[o + 15] = 0;
}

const isMask = (m: number): boolean => m > 0 && (m & (m + 1)) === 0;
const bitsOf = (m: number): number => 32 - Math.clz32(m);

/** Why a pixel format cannot be served, or null when it can. */
export function pixelFormatProblem(pf: RfbPixelFormat): string | null {
  if (pf.bitsPerPixel !== 8 && pf.bitsPerPixel !== 16 && pf.bitsPerPixel !== 32) return `bits-per-pixel ${pf.bitsPerPixel} (must be 8, 16 or 32)`;
  if (!pf.trueColour) return 'colour-map pixel formats are not served (use true colour)';
  for (const [name, max, shift] of [
    ['red', pf.redMax, pf.redShift],
    ['green', pf.greenMax, pf.greenShift],
    ['blue', pf.blueMax, pf.blueShift],
  ] as const) {
    if (!isMask(max)) return `${name}-max ${max} is not 2^n - 1`;
    if (shift + bitsOf(max) > pf.bitsPerPixel) return `${name} (max ${max}, shift ${shift}) does not fit in ${pf.bitsPerPixel} bits`;
  }
  return null;
}

/** The word → value rule of a translator (WORD_GENERIC: through the tables). */
export const WORD_GENERIC = 0;
/** value = word & 0xffffff (the client's format is the frame's own bgra8). */
export const WORD_BGRX = 1;
/** value = the word with red and blue swapped (R,G,B,X in memory). */
export const WORD_RGBX = 2;
/** A Uint32Array over bgra8 bytes reads 0xAARRGGBB only on a little-endian host (every Node target but s390x). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** The colour bits of a word (a bgra8 pixel's B,G,R; its fourth byte is padding or alpha). */
export const KEY_MASK = 0xffffff;

/** Turns ring pixels into keys and keys into one client's pixels. One per client (tables are its own). */
export class PixelTranslator {
  readonly format: RfbPixelFormat;
  readonly bytesPerPixel: number;
  /** Bytes of a ZRLE CPIXEL (3 when a 32-bit pixel's colour fits in 3 bytes, else bytesPerPixel). */
  readonly cpixelBytes: number;
  /** Offset of a CPIXEL's first byte within the pixel's bytes. */
  private readonly cpixelSkip: number;
  /** Tight's TPIXEL is R,G,B when the client is 32-bit depth-24 with 8-bit maxes. */
  readonly tpixelIsRgb: boolean;
  private readonly redT = new Uint32Array(256);
  private readonly greenT = new Uint32Array(256);
  private readonly blueT = new Uint32Array(256);
  /** True when the client's format is the ring's bgra8 layout (a row copy suffices). */
  readonly isBgrx: boolean;
  /** WORD_BGRX / WORD_RGBX for the formats with a fast path, else WORD_GENERIC. */
  readonly wordKind: number;

  /** `generic` turns the fast paths off (the tests compare both). */
  constructor(pf: RfbPixelFormat, opts: { generic?: boolean } = {}) {
    this.format = { ...pf };
    this.bytesPerPixel = pf.bitsPerPixel >> 3;
    for (let v = 0; v < 256; v++) {
      this.redT[v] = (Math.round((v * pf.redMax) / 255) << pf.redShift) >>> 0;
      this.greenT[v] = (Math.round((v * pf.greenMax) / 255) << pf.greenShift) >>> 0;
      this.blueT[v] = (Math.round((v * pf.blueMax) / 255) << pf.blueShift) >>> 0;
    }
    const used = ((pf.redMax << pf.redShift) | (pf.greenMax << pf.greenShift) | (pf.blueMax << pf.blueShift)) >>> 0;
    let cp = this.bytesPerPixel;
    let skip = 0;
    if (pf.bitsPerPixel === 32 && pf.depth <= 24) {
      if ((used & 0xff000000) === 0) {
        cp = 3;
        skip = pf.bigEndian ? 1 : 0; // the least significant three bytes
      } else if ((used & 0xff) === 0) {
        cp = 3;
        skip = pf.bigEndian ? 0 : 1; // the most significant three bytes
      }
    }
    this.cpixelBytes = cp;
    this.cpixelSkip = skip;
    this.tpixelIsRgb = pf.bitsPerPixel === 32 && pf.depth === 24 && pf.redMax === 255 && pf.greenMax === 255 && pf.blueMax === 255;
    this.isBgrx = pf.bitsPerPixel === 32 && !pf.bigEndian && pf.redMax === 255 && pf.greenMax === 255 && pf.blueMax === 255 && pf.redShift === 16 && pf.greenShift === 8 && pf.blueShift === 0;
    const le8 = pf.bitsPerPixel === 32 && !pf.bigEndian && pf.redMax === 255 && pf.greenMax === 255 && pf.blueMax === 255 && pf.greenShift === 8;
    this.wordKind = opts.generic || !HOST_LITTLE_ENDIAN ? WORD_GENERIC : this.isBgrx ? WORD_BGRX : le8 && pf.redShift === 0 && pf.blueShift === 16 ? WORD_RGBX : WORD_GENERIC;
  }

  /** The client's pixel value of a word (its low 24 bits 0xRRGGBB; the top byte is ignored). */
  valueOfWord(w: number): number {
    if (this.wordKind === WORD_BGRX) return w & KEY_MASK;
    if (this.wordKind === WORD_RGBX) return ((w & 0xff) << 16) | (w & 0xff00) | ((w >>> 16) & 0xff);
    return this.value(w & KEY_MASK);
  }

  /** The client's pixel value of a key (0xRRGGBB). */
  value(key: number): number {
    return (this.redT[(key >>> 16) & 0xff]! | this.greenT[(key >>> 8) & 0xff]! | this.blueT[key & 0xff]!) >>> 0;
  }

  /** Writes one pixel value in the client's byte order; returns the next offset. */
  writePixel(v: number, out: Uint8Array, o: number): number {
    const n = this.bytesPerPixel;
    if (n === 1) out[o] = v;
    else if (n === 2) {
      if (this.format.bigEndian) {
        out[o] = v >>> 8;
        out[o + 1] = v;
      } else {
        out[o] = v;
        out[o + 1] = v >>> 8;
      }
    } else if (this.format.bigEndian) {
      out[o] = v >>> 24;
      out[o + 1] = v >>> 16;
      out[o + 2] = v >>> 8;
      out[o + 3] = v;
    } else {
      out[o] = v;
      out[o + 1] = v >>> 8;
      out[o + 2] = v >>> 16;
      out[o + 3] = v >>> 24;
    }
    return o + n;
  }

  /** Writes a ZRLE CPIXEL of a key; returns the next offset. */
  writeCpixel(key: number, out: Uint8Array, o: number): number {
    const v = this.value(key);
    if (this.cpixelBytes !== 3) return this.writePixel(v, out, o);
    const big = this.format.bigEndian;
    for (let i = 0; i < 3; i++) {
      const byteIndex = this.cpixelSkip + i; // index within the 4 bytes as sent
      const shift = big ? 8 * (3 - byteIndex) : 8 * byteIndex;
      out[o + i] = v >>> shift;
    }
    return o + 3;
  }

  /** Writes a Tight TPIXEL of a key; returns the next offset. */
  writeTpixel(key: number, out: Uint8Array, o: number): number {
    if (!this.tpixelIsRgb) return this.writePixel(this.value(key), out, o);
    out[o] = key >>> 16;
    out[o + 1] = key >>> 8;
    out[o + 2] = key;
    return o + 3;
  }
}

/**
 * Reads a rectangle of a frame as keys (0xRRGGBB), row-major into `out` (w*h entries). The caller
 * has clipped the rectangle to the frame. Returns false for a format it does not know.
 */
export function readKeys(f: FrameView, x: number, y: number, w: number, h: number, out: Uint32Array): boolean {
  const src = f.pixels;
  const stride = f.stride;
  let o = 0;
  if (f.format === FORMAT_BGRA8) {
    for (let row = y; row < y + h; row++) {
      let s = row * stride + x * 4;
      for (let i = 0; i < w; i++, s += 4) out[o++] = (src[s + 2]! << 16) | (src[s + 1]! << 8) | src[s]!;
    }
    return true;
  }
  if (f.format === FORMAT_XRGB2101010) {
    const t = TEN_TO_EIGHT;
    for (let row = y; row < y + h; row++) {
      let s = row * stride + x * 4;
      for (let i = 0; i < w; i++, s += 4) {
        const b1 = src[s + 1]!;
        const b2 = src[s + 2]!;
        const r = t[(b2 >> 4) | ((src[s + 3]! & 0x3f) << 4)]!;
        const g = t[(b1 >> 2) | ((b2 & 0x0f) << 6)]!;
        const b = t[src[s]! | ((b1 & 0x03) << 8)]!;
        out[o++] = (r << 16) | (g << 8) | b;
      }
    }
    return true;
  }
  if (f.format === FORMAT_RGBA16F) {
    const lut = halfToSrgb8Table();
    for (let row = y; row < y + h; row++) {
      let s = row * stride + x * 8;
      for (let i = 0; i < w; i++, s += 8) {
        const r = lut[src[s]! | (src[s + 1]! << 8)]!;
        const g = lut[src[s + 2]! | (src[s + 3]! << 8)]!;
        const b = lut[src[s + 4]! | (src[s + 5]! << 8)]!;
        out[o++] = (r << 16) | (g << 8) | b;
      }
    }
    return true;
  }
  return false;
}
