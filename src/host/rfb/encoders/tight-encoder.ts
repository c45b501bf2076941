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
 */
import sharp from 'sharp';
import { Encoding } from '../rfb-constants.js';
import type { PixelTranslator } from '../rfb-pixel-format.js';
import { collectPalette, rectHeader, type EncodedRects, type RectSnapshot } from './rect-snapshot.js';
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
  /** sharp's encodes, for the stats (JPEG rectangles sent). */
  jpegRects = 0;

  constructor(level: number) {
    this.streams = [0, 1, 2, 3].map(() => new ZlibStream(level));
  }

  setLevel(level: number): void {
    for (const s of this.streams) s.setLevel(level);
  }

  /**
   * `quality` is the client's level 0..9, or -1 when it sent none (no JPEG then). The tiles' JPEGs
   * are encoded at once (sharp runs them on its threads); the zlib tiles follow one another, in the
   * order the client will inflate them.
   */
  async encode(r: RectSnapshot, tr: PixelTranslator, quality: number): Promise<EncodedRects> {
    const tiles: Array<Promise<Buffer[]>> = [];
    let zlibChain: Promise<unknown> = Promise.resolve();
    for (let ty = 0; ty < r.h; ty += TILE) {
      const th = Math.min(TILE, r.h - ty);
      for (let tx = 0; tx < r.w; tx += TILE) {
        const tw = Math.min(TILE, r.w - tx);
        const header = rectHeader(r.x + tx, r.y + ty, tw, th, Encoding.Tight);
        const body = this.encodeTile(r, tx, ty, tw, th, tr, quality, zlibChain);
        zlibChain = body.catch(() => undefined);
        tiles.push(body.then((chunks) => [header, ...chunks]));
      }
    }
    const all = await Promise.all(tiles);
    return { rects: all.length, chunks: all.flat() };
  }

  /** A tile's chunks. Reads the snapshot synchronously; a zlib tile waits for `after` (the previous zlib tile). */
  private async encodeTile(r: RectSnapshot, tx: number, ty: number, tw: number, th: number, tr: PixelTranslator, quality: number, after: Promise<unknown>): Promise<Buffer[]> {
    const chunks: Buffer[] = [];
    const pal = this.palette;
    const n = collectPalette(r.keys, r.w, tx, ty, tw, th, pal, MAX_PALETTE);
    const tp = tr.tpixelIsRgb ? 3 : tr.bytesPerPixel;
    if (n === 1) {
      const b = Buffer.allocUnsafe(1 + tp);
      b[0] = CTRL_FILL;
      tr.writeTpixel(pal[0]!, b, 1);
      chunks.push(b);
      return chunks;
    }
    if (n <= MAX_PALETTE) {
      const head = Buffer.allocUnsafe(3 + n * tp);
      const stream = n === 2 ? 1 : 2;
      head[0] = CTRL_EXPLICIT_FILTER | (stream << 4);
      head[1] = FILTER_PALETTE;
      head[2] = n - 1;
      let o = 3;
      for (let p = 0; p < n; p++) o = tr.writeTpixel(pal[p]!, head, o);
      chunks.push(head);
      const rowBytes = n === 2 ? (tw + 7) >> 3 : tw;
      const data = Buffer.alloc(rowBytes * th);
      for (let y = 0; y < th; y++) {
        let i = (ty + y) * r.w + tx;
        const row = y * rowBytes;
        for (let x = 0; x < tw; x++, i++) {
          const k = r.keys[i]!;
          let idx = 0;
          while (pal[idx] !== k) idx++;
          if (n === 2) data[row + (x >> 3)]! |= idx << (7 - (x & 7));
          else data[row + x] = idx;
        }
      }
      await after;
      chunks.push(...(await this.compressed(stream, data)));
      return chunks;
    }
    if (quality >= 0 && tr.tpixelIsRgb && tw * th >= MIN_JPEG_PIXELS) {
      const rgb = Buffer.allocUnsafe(tw * th * 3);
      let o = 0;
      for (let y = 0; y < th; y++) {
        let i = (ty + y) * r.w + tx;
        for (let x = 0; x < tw; x++, i++) {
          const k = r.keys[i]!;
          rgb[o] = k >>> 16;
          rgb[o + 1] = k >>> 8;
          rgb[o + 2] = k;
          o += 3;
        }
      }
      const jpeg = await sharp(rgb, { raw: { width: tw, height: th, channels: 3 } })
        .jpeg({ quality: JPEG_QUALITY[quality]!, chromaSubsampling: quality >= 8 ? '4:4:4' : '4:2:0' })
        .toBuffer();
      this.jpegRects++;
      chunks.push(Buffer.from([CTRL_JPEG]), compactLength(jpeg.length), jpeg);
      return chunks;
    }
    const data = Buffer.allocUnsafe(tw * th * tp);
    let o = 0;
    for (let y = 0; y < th; y++) {
      let i = (ty + y) * r.w + tx;
      for (let x = 0; x < tw; x++, i++) o = tr.writeTpixel(r.keys[i]!, data, o);
    }
    await after;
    chunks.push(Buffer.from([0x00]), ...(await this.compressed(0, data))); // basic, stream 0, copy filter
    return chunks;
  }

  private async compressed(stream: number, data: Buffer): Promise<Buffer[]> {
    if (data.length < MIN_TO_COMPRESS) return [data];
    const z = await this.streams[stream]!.compress(data);
    return [compactLength(z.length), z];
  }

  close(): void {
    for (const s of this.streams) s.close();
  }
}
