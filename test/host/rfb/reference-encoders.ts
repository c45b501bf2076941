/**
 * The generic path every fast path is checked against: the encoders as they were before the fast
 * paths, per pixel through 0xRRGGBB keys (readKeys) and the translator's table lookups
 * (value/writePixel/writeCpixel/writeTpixel), the code noVNC, vncsnapshot and the protocol tests
 * were first proven with. Kept only for the property tests (test/host/rfb/encoder-fast-paths.test.ts).
 */
import sharp from 'sharp';
import { readKeys, type PixelTranslator } from '../../../src/host/rfb/rfb-pixel-format.js';
import { planJpegRects } from '../../../src/host/rfb/encoders/jpeg-rects.js';
import { MAX_JPEG_RECT_PIXELS, MAX_TIGHT_DATA_BYTES, jpegOptions } from '../../../src/host/rfb/encoders/tight-encoder.js';
import { ZlibStream } from '../../../src/host/rfb/encoders/zlib-stream.js';
import type { FrameView } from '../../../src/host/sinks/frame-view.js';

export interface KeyRect {
  x: number;
  y: number;
  w: number;
  h: number;
  keys: Uint32Array;
}

export function keyRect(f: FrameView, x: number, y: number, w: number, h: number): KeyRect {
  const keys = new Uint32Array(w * h);
  if (!readKeys(f, x, y, w, h, keys)) throw new Error(`format ${f.format} unknown`);
  return { x, y, w, h, keys };
}

function collectPalette(keys: Uint32Array, stride: number, x0: number, y0: number, tw: number, th: number, palette: Uint32Array, limit: number): number {
  let n = 0;
  for (let y = y0; y < y0 + th; y++) {
    let i = y * stride + x0;
    for (let x = 0; x < tw; x++, i++) {
      const k = keys[i]!;
      if (n > 0 && palette[n - 1] === k) continue;
      let found = false;
      for (let p = 0; p < n; p++) {
        if (palette[p] === k) {
          found = true;
          break;
        }
      }
      if (found) continue;
      if (n === limit) return limit + 1;
      palette[n++] = k;
    }
  }
  return n;
}

/** Raw's pixel bytes (after the rectangle header). */
export function referenceRaw(r: KeyRect, tr: PixelTranslator): Buffer {
  const n = r.w * r.h;
  const out = Buffer.alloc(n * tr.bytesPerPixel);
  let o = 0;
  for (let i = 0; i < n; i++) o = tr.writePixel(tr.value(r.keys[i]!), out, o);
  return out;
}

/** ZRLE's tile data before zlib. */
export function referenceZrleTiles(r: KeyRect, tr: PixelTranslator): Buffer {
  const TILE = 64;
  const cp = tr.cpixelBytes;
  const tilesCount = Math.ceil(r.w / TILE) * Math.ceil(r.h / TILE);
  const out = Buffer.alloc(r.w * r.h * cp + tilesCount);
  let o = 0;
  const keys = r.keys;
  const pal = new Uint32Array(16);
  for (let ty = 0; ty < r.h; ty += TILE) {
    const th = Math.min(TILE, r.h - ty);
    for (let tx = 0; tx < r.w; tx += TILE) {
      const tw = Math.min(TILE, r.w - tx);
      const n = collectPalette(keys, r.w, tx, ty, tw, th, pal, 16);
      if (n === 1) {
        out[o++] = 1;
        o = tr.writeCpixel(pal[0]!, out, o);
      } else if (n <= 16) {
        out[o++] = n;
        for (let p = 0; p < n; p++) o = tr.writeCpixel(pal[p]!, out, o);
        const bits = n <= 2 ? 1 : n <= 4 ? 2 : 4;
        for (let y = ty; y < ty + th; y++) {
          let acc = 0;
          let used = 0;
          let i = y * r.w + tx;
          for (let x = 0; x < tw; x++, i++) {
            let idx = 0;
            while (pal[idx] !== keys[i]) idx++;
            acc = (acc << bits) | idx;
            used += bits;
            if (used === 8) {
              out[o++] = acc;
              acc = 0;
              used = 0;
            }
          }
          if (used > 0) out[o++] = acc << (8 - used);
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

function tightHeader(x: number, y: number, w: number, h: number): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(x, 0);
  head.writeUInt16BE(y, 2);
  head.writeUInt16BE(w, 4);
  head.writeUInt16BE(h, 6);
  head.writeInt32BE(7, 8);
  return head;
}

function compactLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([(n & 0x7f) | 0x80, n >> 7]);
  return Buffer.from([(n & 0x7f) | 0x80, ((n >> 7) & 0x7f) | 0x80, n >> 14]);
}

/**
 * Tight, whole messages' rectangle bodies in order (headers included), with its own four zlib
 * streams. JPEG tiles become the merged rectangles of planJpegRects (jpeg-rects.ts, the one plan
 * both encoders follow), after the other tiles; a JPEG longer than maxJpegBytes is sent as its
 * tiles' JPEGs, each made from its own pixels.
 */
export class ReferenceTight {
  private readonly streams: ZlibStream[];
  constructor(
    private readonly level: number,
    private readonly maxJpegBytes = MAX_TIGHT_DATA_BYTES,
  ) {
    this.streams = [0, 1, 2, 3].map(() => new ZlibStream(level));
  }

  async encode(r: KeyRect, tr: PixelTranslator, quality: number): Promise<Buffer> {
    const TILE = 256;
    const chunks: Buffer[] = [];
    const cols = Math.ceil(r.w / TILE);
    const rows = Math.ceil(r.h / TILE);
    const wantsJpeg = new Uint8Array(cols * rows);
    for (let ty = 0; ty < r.h; ty += TILE) {
      const th = Math.min(TILE, r.h - ty);
      for (let tx = 0; tx < r.w; tx += TILE) {
        const tw = Math.min(TILE, r.w - tx);
        const rects = await this.tile(r, tx, ty, tw, th, tr, quality);
        if (rects === null) wantsJpeg[(ty / TILE) * cols + tx / TILE] = 1;
        else chunks.push(...rects);
      }
    }
    const plan = new Int32Array(cols * rows * 4);
    const k = planJpegRects(wantsJpeg, cols, rows, TILE, r.w, r.h, MAX_JPEG_RECT_PIXELS, plan);
    for (let i = 0; i < k; i++) {
      const [x, y, w, h] = [plan[i * 4]!, plan[i * 4 + 1]!, plan[i * 4 + 2]!, plan[i * 4 + 3]!];
      const whole = await this.jpeg(r, x, y, w, h, quality);
      if (whole.length <= this.maxJpegBytes) {
        chunks.push(tightHeader(r.x + x, r.y + y, w, h), Buffer.from([0x90]), compactLength(whole.length), whole);
        continue;
      }
      for (let oy = 0; oy < h; oy += TILE) {
        for (let ox = 0; ox < w; ox += TILE) {
          const [tw, th] = [Math.min(TILE, w - ox), Math.min(TILE, h - oy)];
          const j = await this.jpeg(r, x + ox, y + oy, tw, th, quality);
          chunks.push(tightHeader(r.x + x + ox, r.y + y + oy, tw, th), Buffer.from([0x90]), compactLength(j.length), j);
        }
      }
    }
    return Buffer.concat(chunks);
  }

  /** The JPEG of the rectangle's (x, y, w, h) part, from its keys. */
  private async jpeg(r: KeyRect, x: number, y: number, w: number, h: number, quality: number): Promise<Buffer> {
    const rgb = Buffer.alloc(w * h * 3);
    let o = 0;
    for (let yy = 0; yy < h; yy++) {
      let i = (y + yy) * r.w + x;
      for (let xx = 0; xx < w; xx++, i++, o += 3) {
        rgb[o] = r.keys[i]! >>> 16;
        rgb[o + 1] = r.keys[i]! >>> 8;
        rgb[o + 2] = r.keys[i]!;
      }
    }
    return sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
      .jpeg(jpegOptions(quality, this.level))
      .toBuffer();
  }

  /** A tile's rectangles (headers included), or null when it is to be JPEG. */
  private async tile(r: KeyRect, tx: number, ty: number, tw: number, th: number, tr: PixelTranslator, quality: number): Promise<Buffer[] | null> {
    const pal = new Uint32Array(16);
    const n = collectPalette(r.keys, r.w, tx, ty, tw, th, pal, 16);
    const tp = tr.tpixelIsRgb ? 3 : tr.bytesPerPixel;
    if (n === 1) return [tightHeader(r.x + tx, r.y + ty, tw, th), this.fill(pal[0]!, tr)];
    if (n <= 16) {
      // Flat 64x64 blocks (src/host/rfb/encoders/flat-blocks.ts has the rule).
      const cols = Math.ceil(tw / 64);
      const rows = Math.ceil(th / 64);
      const flat: Array<number | null> = [];
      for (let j = 0; j < rows; j++) {
        for (let i = 0; i < cols; i++) {
          const b = new Uint32Array(16);
          const bn = collectPalette(r.keys, r.w, tx + i * 64, ty + j * 64, Math.min(64, tw - i * 64), Math.min(64, th - j * 64), b, 16);
          flat.push(bn === 1 ? b[0]! : null);
        }
      }
      if (cols * rows < 2 || 2 * flat.filter((k) => k !== null).length < cols * rows) {
        return [tightHeader(r.x + tx, r.y + ty, tw, th), ...(await this.palette(r, tx, ty, tw, th, n, pal, tr))];
      }
      const fills: Buffer[] = [];
      const others: Buffer[] = [];
      for (let j = 0; j < rows; j++) {
        for (let i = 0; i < cols; ) {
          const k = flat[j * cols + i]!;
          let e = i + 1;
          while (e < cols && flat[j * cols + e] === k) e++;
          const [x, y, w, h] = [tx + i * 64, ty + j * 64, Math.min(e * 64, tw) - i * 64, Math.min(64, th - j * 64)];
          if (k !== null) fills.push(tightHeader(r.x + x, r.y + y, w, h), this.fill(k, tr));
          else {
            const p = new Uint32Array(16);
            const pn = collectPalette(r.keys, r.w, x, y, w, h, p, 16);
            others.push(tightHeader(r.x + x, r.y + y, w, h), ...(await this.palette(r, x, y, w, h, pn, p, tr)));
          }
          i = e;
        }
      }
      return [...fills, ...others];
    }
    if (quality >= 0 && tr.tpixelIsRgb && tw * th >= 64 * 16) return null; // a JPEG tile: merged by encode()
    const data = Buffer.alloc(tw * th * tp);
    let o = 0;
    for (let y = 0; y < th; y++) {
      let i = (ty + y) * r.w + tx;
      for (let x = 0; x < tw; x++, i++) o = tr.writeTpixel(r.keys[i]!, data, o);
    }
    return [tightHeader(r.x + tx, r.y + ty, tw, th), Buffer.from([0x00]), ...(await this.compressed(0, data))];
  }

  private fill(key: number, tr: PixelTranslator): Buffer {
    const b = Buffer.alloc(1 + (tr.tpixelIsRgb ? 3 : tr.bytesPerPixel));
    b[0] = 0x80;
    tr.writeTpixel(key, b, 1);
    return b;
  }

  /** A palette rectangle's body (after its header): n colours, `pal` in order of first appearance. */
  private async palette(r: KeyRect, tx: number, ty: number, tw: number, th: number, n: number, pal: Uint32Array, tr: PixelTranslator): Promise<Buffer[]> {
    const tp = tr.tpixelIsRgb ? 3 : tr.bytesPerPixel;
    const head = Buffer.alloc(3 + n * tp);
    const stream = n === 2 ? 1 : 2;
    head[0] = 0x40 | (stream << 4);
    head[1] = 1;
    head[2] = n - 1;
    let o = 3;
    for (let p = 0; p < n; p++) o = tr.writeTpixel(pal[p]!, head, o);
    const rowBytes = n === 2 ? (tw + 7) >> 3 : tw;
    const data = Buffer.alloc(rowBytes * th);
    for (let y = 0; y < th; y++) {
      let i = (ty + y) * r.w + tx;
      for (let x = 0; x < tw; x++, i++) {
        let idx = 0;
        while (pal[idx] !== r.keys[i]) idx++;
        if (n === 2) data[y * rowBytes + (x >> 3)]! |= idx << (7 - (x & 7));
        else data[y * rowBytes + x] = idx;
      }
    }
    return [head, ...(await this.compressed(stream, data))];
  }

  private async compressed(stream: number, data: Buffer): Promise<Buffer[]> {
    if (data.length < 12) return [data];
    const z = await this.streams[stream]!.compress(data);
    return [compactLength(z.length), z];
  }

  close(): void {
    for (const s of this.streams) s.close();
  }
}
