/**
 * Tight (encoding 7, as TightVNC defined it and noVNC, TigerVNC and libvncserver implement it).
 * Each damaged rectangle is cut into tiles of at most TILE x TILE pixels (Tight limits a
 * rectangle to 2048 pixels wide, and its compact length field to 22 bits); per tile:
 *   one colour        → fill (0x80 + TPIXEL)
 *   2..16 colours     → palette filter, zlib stream 1 (two colours: 1 bit per pixel) or 2
 *   more, JPEG wanted → JPEG (0x90 + compact length + JFIF), encoded by sharp (libjpeg-turbo)
 *   more, otherwise   → copy filter, zlib stream 0
 * JPEG is used only when the client sent a quality level (Tight's rule) and takes 24-bit colour.
 * Data shorter than 12 bytes is sent uncompressed (Tight's rule). Compression runs on libuv's
 * pool (zlib) and libvips's threads (JPEG), never on the main thread's critical path.
 *
 * Every tile's pixels are read at once, in encode()'s synchronous part, into the encoder's arena
 * (reset per update: no allocation per tile); the tiles' JPEGs then run in parallel and each zlib
 * stream takes its tiles in tile order (ZlibStream queues them), the order the client inflates them.
 * A JPEG tile another client of the same framebuffer was already sent (same frame, place and
 * quality) is reused, not encoded again (shared-encodes.ts).
 */
import sharp from 'sharp';
import { Encoding } from '../rfb-constants.js';
import { KEY_MASK, type PixelTranslator } from '../rfb-pixel-format.js';
import { rectHeader, type EncodedRects, type RectSnapshot } from './rect-snapshot.js';
import { ScratchArena } from './scratch-arena.js';
import { markRepeatedRows, packIndices, tileColours } from './tile-colours.js';
import { ZlibStream } from './zlib-stream.js';

const TILE = 256;
const MAX_PALETTE = 16;
const MIN_TO_COMPRESS = 12;
/** Below this many pixels a JPEG's headers cost more than zlib would. */
const MIN_JPEG_PIXELS = 64 * 16;
/** JPEG quality for Tight quality levels 0..9 (close to TigerVNC's table). */
export const JPEG_QUALITY = [15, 29, 41, 42, 62, 77, 79, 86, 92, 100] as const;

const CTRL_FILL = 0x80;
const CTRL_JPEG = 0x90;
const CTRL_EXPLICIT_FILTER = 0x40;
const FILTER_PALETTE = 1;

function compactLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([(n & 0x7f) | 0x80, n >> 7]);
  return Buffer.from([(n & 0x7f) | 0x80, ((n >> 7) & 0x7f) | 0x80, n >> 14]);
}

export class TightEncoder {
  private readonly streams: ZlibStream[];
  private readonly palette = new Uint32Array(MAX_PALETTE);
  private readonly arena = new ScratchArena();
  /** encode() calls whose tile data zlib or sharp may still read (the arena is reset only at zero). */
  private inFlight = 0;
  /** sharp's encodes, for the stats (JPEG rectangles sent). */
  jpegRects = 0;

  constructor(level: number) {
    this.streams = [0, 1, 2, 3].map(() => new ZlibStream(level));
  }

  setLevel(level: number): void {
    for (const s of this.streams) s.setLevel(level);
  }

  /** `quality` is the client's level 0..9, or -1 when it sent none (no JPEG then). */
  async encode(r: RectSnapshot, tr: PixelTranslator, quality: number): Promise<EncodedRects> {
    if (this.inFlight === 0) this.arena.reset();
    const tiles: Array<Promise<Buffer[]> | Buffer[]> = [];
    const same = this.arena.take(r.h);
    markRepeatedRows(r, same);
    for (let ty = 0; ty < r.h; ty += TILE) {
      const th = Math.min(TILE, r.h - ty);
      for (let tx = 0; tx < r.w; tx += TILE) tiles.push(this.encodeTile(r, tx, ty, Math.min(TILE, r.w - tx), th, tr, quality, same));
    }
    this.inFlight++;
    let all: Buffer[][];
    try {
      all = await Promise.all(tiles);
    } finally {
      this.inFlight--;
    }
    return { rects: all.length, chunks: all.flat() };
  }

  /** A tile's chunks, header first. Reads the snapshot synchronously (before any await). */
  private encodeTile(r: RectSnapshot, tx: number, ty: number, tw: number, th: number, tr: PixelTranslator, quality: number, same: Uint8Array): Promise<Buffer[]> | Buffer[] {
    const header = rectHeader(r.x + tx, r.y + ty, tw, th, Encoding.Tight);
    const pal = this.palette;
    const words = r.words;
    const start = r.offset + ty * r.stride + tx;
    const n = tileColours(words, start, r.stride, tw, th, pal, MAX_PALETTE, same, ty);
    const tp = tr.tpixelIsRgb ? 3 : tr.bytesPerPixel;
    if (n === 1) {
      const b = Buffer.allocUnsafe(1 + tp);
      b[0] = CTRL_FILL;
      tr.writeTpixel(pal[0]!, b, 1);
      return [header, b];
    }
    if (n <= MAX_PALETTE) {
      const head = Buffer.allocUnsafe(3 + n * tp);
      const stream = n === 2 ? 1 : 2;
      head[0] = CTRL_EXPLICIT_FILTER | (stream << 4);
      head[1] = FILTER_PALETTE;
      head[2] = n - 1;
      let o = 3;
      for (let p = 0; p < n; p++) o = tr.writeTpixel(pal[p]!, head, o);
      const rowBytes = n === 2 ? (tw + 7) >> 3 : tw;
      const data = this.arena.take(rowBytes * th);
      packIndices(words, start, r.stride, tw, th, pal, n, n === 2 ? 1 : 8, data, 0, same, ty);
      return this.compressed(stream, data, [header, head]);
    }
    if (quality >= 0 && tr.tpixelIsRgb && tw * th >= MIN_JPEG_PIXELS) {
      const make = (): Promise<Buffer> => {
        const rgb = this.arena.take(tw * th * 3);
        rgbOf(words, start, r.stride, tw, th, rgb, same, ty);
        return this.jpeg(rgb, tw, th, quality);
      };
      const sh = r.shared;
      const jpeg = sh ? sh.encodes.jpeg(sh.version, `${quality}:${r.x + tx},${r.y + ty},${tw},${th}`, make) : make();
      return jpeg.then((j) => [header, Buffer.from([CTRL_JPEG]), compactLength(j.length), j]);
    }
    const data = this.arena.take(tw * th * tp);
    if (tr.tpixelIsRgb) rgbOf(words, start, r.stride, tw, th, data, same, ty);
    else {
      let o = 0;
      for (let y = 0; y < th; y++) {
        const s = start + y * r.stride;
        for (let i = s; i < s + tw; i++) o = tr.writePixel(tr.valueOfWord(words[i]!), data, o);
      }
    }
    return this.compressed(0, data, [header, Buffer.from([0x00])]); // basic, stream 0, copy filter
  }

  private jpeg(rgb: Buffer, tw: number, th: number, quality: number): Promise<Buffer> {
    this.jpegRects++;
    return sharp(rgb, { raw: { width: tw, height: th, channels: 3 } })
      .jpeg({ quality: JPEG_QUALITY[quality]!, chromaSubsampling: quality >= 8 ? '4:4:4' : '4:2:0' })
      .toBuffer();
  }

  /** `data` (in the arena) compressed behind `before`; called in tile order, so each stream stays in order. */
  private compressed(stream: number, data: Buffer, before: Buffer[]): Promise<Buffer[]> | Buffer[] {
    if (data.length < MIN_TO_COMPRESS) return [...before, Buffer.from(data)]; // a copy: the arena is reused
    return this.streams[stream]!.compress(data).then((z) => [...before, compactLength(z.length), z]);
  }

  close(): void {
    for (const s of this.streams) s.close();
  }
}

/** R,G,B bytes of a tile's words (Tight's TPIXEL for 24-bit colour, and sharp's raw input). */
function rgbOf(words: Uint32Array, start: number, stride: number, tw: number, th: number, out: Buffer, same: Uint8Array, row0: number): void {
  let o = 0;
  const rowBytes = 3 * tw;
  for (let y = 0; y < th; y++) {
    if (y > 0 && same[row0 + y] === 1) {
      out.copyWithin(o, o - rowBytes, o);
      o += rowBytes;
      continue;
    }
    const s = start + y * stride;
    for (let i = s; i < s + tw; i++, o += 3) {
      const v = words[i]! & KEY_MASK;
      out[o] = v >>> 16;
      out[o + 1] = v >>> 8;
      out[o + 2] = v;
    }
  }
}
