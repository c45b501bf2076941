/**
 * ZRLE (encoding 16, RFC 6143 7.7.6): the rectangle in 64x64 tiles, each tile solid (one CPIXEL),
 * packed-palette (2..16 colours, 1/2/4-bit indices) or raw CPIXELs, all through the connection's
 * one zlib stream. The RLE sub-encodings are not produced (a client decodes every sub-encoding;
 * a server may choose any): solid and palette tiles already cover the flat areas of a desktop.
 */
import { Encoding } from '../rfb-constants.js';
import type { PixelTranslator } from '../rfb-pixel-format.js';
import { collectPalette, rectHeader, type EncodedRects, type RectSnapshot } from './rect-snapshot.js';
import { ZlibStream } from './zlib-stream.js';

const TILE = 64;
const MAX_PALETTE = 16;

function indexBits(n: number): number {
  return n <= 2 ? 1 : n <= 4 ? 2 : 4;
}

export class ZrleEncoder {
  private readonly stream: ZlibStream;
  private readonly palette = new Uint32Array(MAX_PALETTE);

  constructor(level: number) {
    this.stream = new ZlibStream(level);
  }

  setLevel(level: number): void {
    this.stream.setLevel(level);
  }

  /** The tile data of the whole rectangle, before zlib (exposed for tests). */
  tiles(r: RectSnapshot, tr: PixelTranslator): Buffer {
    const cp = tr.cpixelBytes;
    // Upper bound: every tile raw, plus one sub-encoding byte per tile.
    const tilesCount = Math.ceil(r.w / TILE) * Math.ceil(r.h / TILE);
    const out = Buffer.allocUnsafe(r.w * r.h * cp + tilesCount);
    let o = 0;
    const keys = r.keys;
    const pal = this.palette;
    for (let ty = 0; ty < r.h; ty += TILE) {
      const th = Math.min(TILE, r.h - ty);
      for (let tx = 0; tx < r.w; tx += TILE) {
        const tw = Math.min(TILE, r.w - tx);
        const n = collectPalette(keys, r.w, tx, ty, tw, th, pal, MAX_PALETTE);
        if (n === 1) {
          out[o++] = 1;
          o = tr.writeCpixel(pal[0]!, out, o);
        } else if (n <= MAX_PALETTE) {
          out[o++] = n;
          for (let p = 0; p < n; p++) o = tr.writeCpixel(pal[p]!, out, o);
          const bits = indexBits(n);
          for (let y = ty; y < ty + th; y++) {
            let acc = 0;
            let used = 0;
            let i = y * r.w + tx;
            for (let x = 0; x < tw; x++, i++) {
              const k = keys[i]!;
              let idx = 0;
              while (pal[idx] !== k) idx++;
              acc = (acc << bits) | idx;
              used += bits;
              if (used === 8) {
                out[o++] = acc;
                acc = 0;
                used = 0;
              }
            }
            if (used > 0) out[o++] = acc << (8 - used); // rows are padded to a byte
          }
        } else {
          out[o++] = 0;
          for (let y = ty; y < ty + th; y++) {
            let i = y * r.w + tx;
            for (let x = 0; x < tw; x++, i++) o = tr.writeCpixel(keys[i]!, out, o);
          }
        }
      }
    }
    return out.subarray(0, o);
  }

  async encode(r: RectSnapshot, tr: PixelTranslator): Promise<EncodedRects> {
    const z = await this.stream.compress(this.tiles(r, tr));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(z.length);
    return { rects: 1, chunks: [rectHeader(r.x, r.y, r.w, r.h, Encoding.ZRLE), len, z] };
  }

  close(): void {
    this.stream.close();
  }
}
