/**
 * ZRLE (encoding 16, RFC 6143 7.7.6): the rectangle in 64x64 tiles, each tile solid (one CPIXEL),
 * packed-palette (2..16 colours, 1/2/4-bit indices) or raw CPIXELs, all through the connection's
 * one zlib stream. The RLE sub-encodings are not produced (a client decodes every sub-encoding;
 * a server may choose any): solid and palette tiles already cover the flat areas of a desktop.
 *
 * The tile data is built from the snapshot's words in the encoder's arena (reset per update), so
 * a 32-bit client's CPIXELs are three byte stores per pixel (BGRX, RGBX) and nothing is allocated
 * per tile; other formats go through the translator's tables.
 */
import { Encoding } from '../rfb-constants.js';
import { KEY_MASK, WORD_BGRX, WORD_RGBX, type PixelTranslator } from '../rfb-pixel-format.js';
import { RECT_HEADER_SIZE, writeRectHeader, type EncodedRects, type RectSnapshot } from './rect-snapshot.js';
import { ScratchArena } from './scratch-arena.js';
import { markRepeatedRows, packIndices, tileColours } from './tile-colours.js';
import { ZlibStream } from './zlib-stream.js';

const TILE = 64;
const MAX_PALETTE = 16;

function indexBits(n: number): number {
  return n <= 2 ? 1 : n <= 4 ? 2 : 4;
}

export class ZrleEncoder {
  private readonly stream: ZlibStream;
  private readonly palette = new Uint32Array(MAX_PALETTE);
  private readonly arena = new ScratchArena();
  /** encode() calls whose tile data zlib may still read (the arena is reset only at zero). */
  private inFlight = 0;

  constructor(level: number) {
    this.stream = new ZlibStream(level);
  }

  setLevel(level: number): void {
    this.stream.setLevel(level);
  }

  /** The tile data of the whole rectangle, before zlib (exposed for tests), in the arena. */
  tiles(r: RectSnapshot, tr: PixelTranslator): Buffer {
    if (this.inFlight === 0) this.arena.reset();
    const cp = tr.cpixelBytes;
    // Upper bound: every tile raw, plus one sub-encoding byte per tile.
    const tilesCount = Math.ceil(r.w / TILE) * Math.ceil(r.h / TILE);
    const out = this.arena.take(r.w * r.h * cp + tilesCount);
    const same = this.arena.take(r.h);
    markRepeatedRows(r, same);
    const fast = cp === 3 ? tr.wordKind : 0;
    let o = 0;
    const words = r.words;
    const pal = this.palette;
    for (let ty = 0; ty < r.h; ty += TILE) {
      const th = Math.min(TILE, r.h - ty);
      for (let tx = 0; tx < r.w; tx += TILE) {
        const tw = Math.min(TILE, r.w - tx);
        const start = r.offset + ty * r.stride + tx;
        const n = tileColours(words, start, r.stride, tw, th, pal, MAX_PALETTE, same, ty);
        if (n === 1) {
          out[o++] = 1;
          o = tr.writeCpixel(pal[0]!, out, o);
        } else if (n <= MAX_PALETTE) {
          out[o++] = n;
          for (let p = 0; p < n; p++) o = tr.writeCpixel(pal[p]!, out, o);
          o = packIndices(words, start, r.stride, tw, th, pal, n, indexBits(n), out, o, same, ty);
        } else {
          out[o++] = 0;
          o = rawCpixels(words, start, r.stride, tw, th, tr, fast, out, o, same, ty);
        }
      }
    }
    return out.subarray(0, o);
  }

  /**
   * The rectangle, encoded at once when its zlib message is compressed on this thread (small, the
   * stream's queue empty: every update of a desktop or of a flat animation), else a promise of it.
   */
  encode(r: RectSnapshot, tr: PixelTranslator): EncodedRects | Promise<EncodedRects> {
    const data = this.tiles(r, tr);
    const z = this.stream.compressNow(data);
    return z !== null ? zrleRect(r, z) : this.encodeLater(r, data);
  }

  private async encodeLater(r: RectSnapshot, data: Buffer): Promise<EncodedRects> {
    this.inFlight++;
    let z: Buffer;
    try {
      z = await this.stream.compress(data);
    } finally {
      this.inFlight--;
    }
    return zrleRect(r, z);
  }

  close(): void {
    this.stream.close();
  }
}

/** The rectangle's header and zlib length in one buffer, then the zlib message. */
function zrleRect(r: RectSnapshot, z: Buffer): EncodedRects {
  const head = Buffer.allocUnsafe(RECT_HEADER_SIZE + 4);
  writeRectHeader(head, 0, r.x, r.y, r.w, r.h, Encoding.ZRLE);
  head.writeUInt32BE(z.length, RECT_HEADER_SIZE);
  return { rects: 1, chunks: [head, z] };
}

/** A raw tile's CPIXELs; `fast` is the translator's word kind when its CPIXEL is 3 bytes, else 0. */
function rawCpixels(words: Uint32Array, start: number, stride: number, tw: number, th: number, tr: PixelTranslator, fast: number, out: Buffer, o: number, same: Uint8Array, row0: number): number {
  const rowBytes = tw * tr.cpixelBytes;
  for (let y = 0; y < th; y++) {
    if (y > 0 && same[row0 + y] === 1) {
      out.copyWithin(o, o - rowBytes, o);
      o += rowBytes;
      continue;
    }
    const s = start + y * stride;
    const e = s + tw;
    if (fast === WORD_BGRX) {
      for (let i = s; i < e; i++, o += 3) {
        const v = words[i]!;
        out[o] = v;
        out[o + 1] = v >>> 8;
        out[o + 2] = v >>> 16;
      }
    } else if (fast === WORD_RGBX) {
      for (let i = s; i < e; i++, o += 3) {
        const v = words[i]!;
        out[o] = v >>> 16;
        out[o + 1] = v >>> 8;
        out[o + 2] = v;
      }
    } else {
      for (let i = s; i < e; i++) o = tr.writeCpixel(words[i]! & KEY_MASK, out, o);
    }
  }
  return o;
}
