/**
 * Tight (encoding 7, as TightVNC defined it and noVNC, TigerVNC and libvncserver implement it).
 * Each damaged rectangle is cut into tiles of at most TILE x TILE pixels (Tight limits a
 * rectangle to 2048 pixels wide, and its compact length field to 22 bits); per tile:
 *   one colour        → fill (0x80 + TPIXEL)
 *   2..16 colours     → palette filter, zlib stream 1 (two colours: 1 bit per pixel) or 2; a
 *                       tile at least half of whose 64x64 blocks are flat goes as fills for those
 *                       and palette rectangles for the rest (flat-blocks.ts)
 *   more, JPEG wanted → JPEG (0x90 + compact length + JFIF), encoded by sharp (libjpeg-turbo),
 *                       adjacent JPEG tiles merged into larger JPEG rectangles (jpeg-rects.ts:
 *                       a whole-screen change is one image, not 40)
 *   more, otherwise   → copy filter, zlib stream 0
 * JPEG is used only when the client sent a quality level (Tight's rule) and takes 24-bit colour.
 * Data shorter than 12 bytes is sent uncompressed (Tight's rule). A tile's zlib message (at most
 * 12 KiB) is compressed on this thread when its stream's queue is empty (zlib-stream.ts: ~10 us),
 * else on libuv's pool behind the queue; JPEG runs on libvips's threads. An update with no JPEG and
 * every message compressed at once is encoded without a promise (encode() returns it).
 *
 * Every tile's pixels are read at once, in encode()'s synchronous part, into the encoder's arena
 * (reset per update: no allocation per tile); the JPEGs then run in parallel and each zlib
 * stream takes its tiles in tile order (ZlibStream queues them), the order the client inflates them.
 * The JPEG rectangles follow the other tiles (they carry no stream state). A JPEG another client of
 * the same framebuffer was already sent (same frame, place and quality) is reused, not encoded
 * again (shared-encodes.ts).
 */
import sharp from 'sharp';
import { Encoding } from '../rfb-constants.js';
import { HOST_LITTLE_ENDIAN, type PixelTranslator } from '../rfb-pixel-format.js';
import { planJpegRects } from './jpeg-rects.js';
import { FLAT_BLOCK, NOT_FLAT, findFlatBlocks } from './flat-blocks.js';
import { RECT_HEADER_SIZE, rectHeader, writeRectHeader, type EncodedRects, type RectSnapshot } from './rect-snapshot.js';
import { rgbOf } from './rgb-rows.js';
import { ScratchArena } from './scratch-arena.js';
import { markRepeatedRows, packIndices, tileColours } from './tile-colours.js';
import { ZlibStream } from './zlib-stream.js';

const TILE = 256;
const MAX_PALETTE = 16;
const MIN_TO_COMPRESS = 12;
/** Below this many pixels a JPEG's headers cost more than zlib would. */
const MIN_JPEG_PIXELS = 64 * 16;
/** The most pixels a merged JPEG rectangle holds (jpeg-rects.ts): a whole 1080p frame is one. */
export const MAX_JPEG_RECT_PIXELS = 1 << 21;
/** The longest data Tight's compact length can announce (22 bits). */
export const MAX_TIGHT_DATA_BYTES = (1 << 22) - 1;
/** JPEG quality for Tight quality levels 0..9 (close to TigerVNC's table). */
export const JPEG_QUALITY = [15, 29, 41, 42, 62, 77, 79, 86, 92, 100] as const;
/**
 * The compression level from which a JPEG gets Huffman tables optimised for it. Below it the JPEG
 * uses JPEG's standard tables (Annex K, as TurboVNC and TigerVNC send them: TurboJPEG does not
 * optimise): the same pixels, ~1.8x the bytes on the sim's full pattern, and ~0.6-0.7x the
 * encode's CPU, since optimising is a second pass over every coefficient; Chromium decodes both in
 * the same CPU (measured alone, `vdpush bench page`'s codec). The compression level is the
 * client's choice between CPU and bytes: from zlib's default (6) up it asks for bytes.
 */
export const OPTIMISED_HUFFMAN_FROM_LEVEL = 6;

/** sharp's JPEG options for a Tight quality level 0..9 at a compression level 0..9. */
export function jpegOptions(quality: number, level: number): { quality: number; chromaSubsampling: string; optimiseCoding: boolean } {
  return { quality: JPEG_QUALITY[quality]!, chromaSubsampling: quality >= 8 ? '4:4:4' : '4:2:0', optimiseCoding: level >= OPTIMISED_HUFFMAN_FROM_LEVEL };
}

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
  private readonly blockKeys = new Int32Array((TILE / FLAT_BLOCK) ** 2);
  private readonly one = new Uint32Array(1);
  private readonly arena = new ScratchArena();
  /** encode() calls whose tile data zlib or sharp may still read (the arena is reset only at zero). */
  private inFlight = 0;
  /** sharp's encodes, for the stats (JPEG rectangles sent). */
  jpegRects = 0;
  private jpegFlagList = new Uint8Array(0);
  private jpegRectList = new Int32Array(0);

  /**
   * `maxJpegBytes`: the longest JPEG sent as one rectangle (Tight's compact length holds 22 bits);
   * the tests lower it to exercise the fallback to one JPEG per tile.
   */
  constructor(
    private level: number,
    private readonly maxJpegBytes = MAX_TIGHT_DATA_BYTES,
  ) {
    this.streams = [0, 1, 2, 3].map(() => new ZlibStream(level));
  }

  setLevel(level: number): void {
    this.level = level;
    for (const s of this.streams) s.setLevel(level);
  }

  /**
   * `quality` is the client's level 0..9, or -1 when it sent none (no JPEG then). Encoded at once
   * when no tile is JPEG and every tile's zlib message is compressed on this thread (fills,
   * palettes, small basic tiles: a desktop's and a flat animation's updates), else a promise.
   */
  encode(r: RectSnapshot, tr: PixelTranslator, quality: number): EncodedRects | Promise<EncodedRects> {
    if (this.inFlight === 0) this.arena.reset();
    const parts: Array<Promise<Buffer[]> | Buffer[]> = [];
    const jpegs: Array<Promise<Buffer[][]>> = [];
    const same = this.arena.take(r.h);
    markRepeatedRows(r, same);
    const cols = Math.ceil(r.w / TILE);
    const rows = Math.ceil(r.h / TILE);
    const wantsJpeg = this.jpegFlags(cols * rows);
    let jpegTiles = 0;
    let rects = 0;
    for (let ty = 0, b = 0; ty < r.h; ty += TILE, b++) {
      const th = Math.min(TILE, r.h - ty);
      for (let tx = 0, c = 0; tx < r.w; tx += TILE, c++) {
        const n = this.encodeTile(r, tx, ty, Math.min(TILE, r.w - tx), th, tr, quality, same, parts);
        wantsJpeg[b * cols + c] = n === 0 ? 1 : 0;
        if (n === 0) jpegTiles++;
        rects += n;
      }
    }
    if (jpegTiles > 0) {
      // JPEG has no stream state: its rectangles may follow the zlib tiles, merged (jpeg-rects.ts).
      const k = planJpegRects(wantsJpeg, cols, rows, TILE, r.w, r.h, MAX_JPEG_RECT_PIXELS, this.jpegRectsOf(cols * rows));
      const q = this.jpegRectList;
      for (let i = 0; i < k; i++) jpegs.push(this.encodeJpegRect(r, q[i * 4]!, q[i * 4 + 1]!, q[i * 4 + 2]!, q[i * 4 + 3]!, quality, same));
    }
    if (jpegs.length === 0) {
      let sync = true;
      for (const p of parts) if (p instanceof Promise) sync = false;
      if (sync) {
        const chunks: Buffer[] = [];
        for (const p of parts) for (const c of p as Buffer[]) chunks.push(c);
        return { rects, chunks };
      }
    }
    return this.settle(parts, rects, jpegs);
  }

  /** The update's rectangles once every tile's zlib message and every JPEG is done (`rects`: those in `parts`). */
  private async settle(parts: Array<Promise<Buffer[]> | Buffer[]>, rects: number, jpegs: Array<Promise<Buffer[][]>>): Promise<EncodedRects> {
    this.inFlight++;
    let all: Buffer[][];
    let jpegRects: Buffer[][][];
    try {
      [all, jpegRects] = await Promise.all([Promise.all(parts), Promise.all(jpegs)]);
    } finally {
      this.inFlight--;
    }
    for (const j of jpegRects) {
      rects += j.length;
      for (const chunks of j) all.push(chunks);
    }
    return { rects, chunks: all.flat() };
  }

  /** Word writes into an arena region (rgb-rows.ts), on a little-endian host. */
  private wordsOf(region: Buffer): Uint32Array | null {
    return HOST_LITTLE_ENDIAN ? this.arena.wordsOf(region) : null;
  }

  private jpegFlags(n: number): Uint8Array {
    if (this.jpegFlagList.length < n) this.jpegFlagList = new Uint8Array(n);
    return this.jpegFlagList;
  }

  private jpegRectsOf(n: number): Int32Array {
    if (this.jpegRectList.length < n * 4) this.jpegRectList = new Int32Array(n * 4);
    return this.jpegRectList;
  }

  /**
   * A merged JPEG rectangle (x, y relative to the snapshot): its RGB bytes are read now, the JPEG
   * made by sharp (or taken from another client's encode of the same frame). A JPEG too long for
   * Tight's compact length (noise at the top qualities) is sent as its tiles' JPEGs instead.
   */
  private encodeJpegRect(r: RectSnapshot, x: number, y: number, w: number, h: number, quality: number, same: Uint8Array): Promise<Buffer[][]> {
    const rgb = this.arena.take(w * h * 3);
    rgbOf(r.words, r.offset + y * r.stride + x, r.stride, w, h, rgb, this.wordsOf(rgb), same, y);
    const sh = r.shared;
    const opts = jpegOptions(quality, this.level);
    const make = (ox: number, oy: number, ow: number, oh: number): Promise<Buffer> => {
      // Clients share a JPEG only when they would be sent the same bytes.
      const key = `${quality}${opts.optimiseCoding ? 'o' : 's'}:${r.x + x + ox},${r.y + y + oy},${ow},${oh}`;
      const run = (): Promise<Buffer> => this.jpeg(rgb, w, h, opts, ox, oy, ow, oh);
      return sh ? sh.encodes.jpeg(sh.version, key, run) : run();
    };
    const rect = (ox: number, oy: number, ow: number, oh: number, j: Buffer): Buffer[] => [rectHeader(r.x + x + ox, r.y + y + oy, ow, oh, Encoding.Tight), Buffer.from([CTRL_JPEG]), compactLength(j.length), j];
    return make(0, 0, w, h).then((j) => {
      if (j.length <= this.maxJpegBytes) return [rect(0, 0, w, h, j)];
      const tiles: Array<Promise<Buffer[]>> = [];
      for (let oy = 0; oy < h; oy += TILE) {
        for (let ox = 0; ox < w; ox += TILE) {
          const tw = Math.min(TILE, w - ox);
          const th = Math.min(TILE, h - oy);
          tiles.push(make(ox, oy, tw, th).then((t) => rect(ox, oy, tw, th, t)));
        }
      }
      return Promise.all(tiles);
    });
  }

  /**
   * Pushes a tile's rectangles (their chunks, header first) onto `parts` and returns how many, or
   * returns 0 when the tile is to be JPEG (encode() merges those). Reads the snapshot synchronously
   * (before any await).
   */
  private encodeTile(r: RectSnapshot, tx: number, ty: number, tw: number, th: number, tr: PixelTranslator, quality: number, same: Uint8Array, parts: Array<Promise<Buffer[]> | Buffer[]>): number {
    const pal = this.palette;
    const words = r.words;
    const start = r.offset + ty * r.stride + tx;
    const n = tileColours(words, start, r.stride, tw, th, pal, MAX_PALETTE, same, ty);
    const tp = tr.tpixelIsRgb ? 3 : tr.bytesPerPixel;
    if (n === 1) {
      const b = Buffer.allocUnsafe(1 + tp);
      b[0] = CTRL_FILL;
      tr.writeTpixel(pal[0]!, b, 1);
      parts.push([rectHeader(r.x + tx, r.y + ty, tw, th, Encoding.Tight), b]);
      return 1;
    }
    if (n <= MAX_PALETTE) {
      if (findFlatBlocks(r, tx, ty, tw, th, same, this.blockKeys, this.one)) return this.encodeBlocks(r, tx, ty, tw, th, tr, same, parts);
      parts.push(this.paletteRect(r, tx, ty, tw, th, n, tr, same));
      return 1;
    }
    if (quality >= 0 && tr.tpixelIsRgb && tw * th >= MIN_JPEG_PIXELS) return 0; // merged into a JPEG rectangle by encode()
    const header = rectHeader(r.x + tx, r.y + ty, tw, th, Encoding.Tight);
    const data = this.arena.take(tw * th * tp);
    if (tr.tpixelIsRgb) rgbOf(words, start, r.stride, tw, th, data, this.wordsOf(data), same, ty);
    else {
      let o = 0;
      for (let y = 0; y < th; y++) {
        const s = start + y * r.stride;
        for (let i = s; i < s + tw; i++) o = tr.writePixel(tr.valueOfWord(words[i]!), data, o);
      }
    }
    parts.push(this.compressed(0, data, [header, Buffer.from([0x00])])); // basic, stream 0, copy filter
    return 1;
  }

  /**
   * A palette tile with flat blocks (flat-blocks.ts has the rule): all its fills first, in one
   * buffer (they carry no stream state), then one palette rectangle per run of blocks that are not
   * flat, row by row of blocks, in the order their zlib stream must see them. Returns how many
   * rectangles it pushed.
   */
  private encodeBlocks(r: RectSnapshot, tx: number, ty: number, tw: number, th: number, tr: PixelTranslator, same: Uint8Array, parts: Array<Promise<Buffer[]> | Buffer[]>): number {
    const keys = this.blockKeys;
    const cols = Math.ceil(tw / FLAT_BLOCK);
    const rows = Math.ceil(th / FLAT_BLOCK);
    let fills = 0;
    for (let k = 0; k < cols * rows; k++) if (keys[k] !== NOT_FLAT && (k % cols === 0 || keys[k - 1] !== keys[k])) fills++;
    const tp = tr.tpixelIsRgb ? 3 : tr.bytesPerPixel;
    const fillBytes = RECT_HEADER_SIZE + 1 + tp;
    const buf = Buffer.allocUnsafe(fills * fillBytes);
    parts.push([buf]);
    let o = 0;
    let rects = fills;
    for (let j = 0; j < rows; j++) {
      const y = ty + j * FLAT_BLOCK;
      const h = Math.min(FLAT_BLOCK, th - j * FLAT_BLOCK);
      for (let i = 0; i < cols; ) {
        const key = keys[j * cols + i]!;
        let e = i + 1;
        while (e < cols && (key === NOT_FLAT ? keys[j * cols + e] === NOT_FLAT : keys[j * cols + e] === key)) e++;
        const x = tx + i * FLAT_BLOCK;
        const w = Math.min(e * FLAT_BLOCK, tw) - i * FLAT_BLOCK;
        if (key === NOT_FLAT) {
          const n = tileColours(r.words, r.offset + y * r.stride + x, r.stride, w, h, this.palette, MAX_PALETTE, same, y);
          parts.push(this.paletteRect(r, x, y, w, h, n, tr, same));
          rects++;
        } else {
          writeRectHeader(buf, o, r.x + x, r.y + y, w, h, Encoding.Tight);
          buf[o + RECT_HEADER_SIZE] = CTRL_FILL;
          tr.writeTpixel(key, buf, o + RECT_HEADER_SIZE + 1);
          o += fillBytes;
        }
        i = e;
      }
    }
    return rects;
  }

  /** A palette rectangle of n (2..16) colours, whose palette tileColours has just left in this.palette. */
  private paletteRect(r: RectSnapshot, x: number, y: number, w: number, h: number, n: number, tr: PixelTranslator, same: Uint8Array): Promise<Buffer[]> | Buffer[] {
    const pal = this.palette;
    const tp = tr.tpixelIsRgb ? 3 : tr.bytesPerPixel;
    const header = rectHeader(r.x + x, r.y + y, w, h, Encoding.Tight);
    const head = Buffer.allocUnsafe(3 + n * tp);
    const stream = n === 2 ? 1 : 2;
    head[0] = CTRL_EXPLICIT_FILTER | (stream << 4);
    head[1] = FILTER_PALETTE;
    head[2] = n - 1;
    let o = 3;
    for (let p = 0; p < n; p++) o = tr.writeTpixel(pal[p]!, head, o);
    const rowBytes = n === 2 ? (w + 7) >> 3 : w;
    const data = this.arena.take(rowBytes * h);
    packIndices(r.words, r.offset + y * r.stride + x, r.stride, w, h, pal, n, n === 2 ? 1 : 8, data, 0, same, y);
    return this.compressed(stream, data, [header, head]);
  }

  /** The JPEG of the (ox, oy, ow, oh) part of a w x h RGB image (all of it, or one tile of a fallback). */
  private jpeg(rgb: Buffer, w: number, h: number, opts: ReturnType<typeof jpegOptions>, ox: number, oy: number, ow: number, oh: number): Promise<Buffer> {
    this.jpegRects++;
    let img = sharp(rgb, { raw: { width: w, height: h, channels: 3 } });
    if (ow !== w || oh !== h) img = img.extract({ left: ox, top: oy, width: ow, height: oh });
    return img.jpeg(opts).toBuffer();
  }

  /** `data` (in the arena) compressed behind `before`; called in tile order, so each stream stays in order. */
  private compressed(stream: number, data: Buffer, before: Buffer[]): Promise<Buffer[]> | Buffer[] {
    if (data.length < MIN_TO_COMPRESS) return [...before, Buffer.from(data)]; // a copy: the arena is reused
    const z = this.streams[stream]!.compressNow(data);
    if (z !== null) return [...before, compactLength(z.length), z];
    return this.streams[stream]!.compress(data).then((c) => [...before, compactLength(c.length), c]);
  }

  close(): void {
    for (const s of this.streams) s.close();
  }
}
