/**
 * What an encoder works from: one rectangle of the framebuffer, read (as 0xRRGGBB keys) at the
 * moment the update was decided. Encoders may compress asynchronously (zlib, JPEG on libuv's
 * threads); the snapshot keeps them independent of the frames that arrive meanwhile.
 */
import { readKeys } from '../rfb-pixel-format.js';
import type { FrameView } from '../../sinks/frame-view.js';

export interface RectSnapshot {
  x: number;
  y: number;
  w: number;
  h: number;
  /** w*h keys, row-major. */
  keys: Uint32Array;
}

export interface EncodedRects {
  /** How many rectangles `chunks` holds (an encoder may split one into several). */
  rects: number;
  chunks: Buffer[];
}

export function snapshotRect(f: FrameView, x: number, y: number, w: number, h: number): RectSnapshot | null {
  const keys = new Uint32Array(w * h);
  return readKeys(f, x, y, w, h, keys) ? { x, y, w, h, keys } : null;
}

export const RECT_HEADER_SIZE = 12;

export function rectHeader(x: number, y: number, w: number, h: number, encoding: number): Buffer {
  const b = Buffer.alloc(RECT_HEADER_SIZE);
  b.writeUInt16BE(x, 0);
  b.writeUInt16BE(y, 2);
  b.writeUInt16BE(w, 4);
  b.writeUInt16BE(h, 6);
  b.writeInt32BE(encoding, 8);
  return b;
}

/**
 * Counts the distinct keys of `keys[start..end)` (row-major, `w` wide, a sub-rectangle given by
 * x0,y0,tw,th) up to `limit`; fills `palette` with them. Returns the count, or limit + 1 when
 * there are more.
 */
export function collectPalette(keys: Uint32Array, stride: number, x0: number, y0: number, tw: number, th: number, palette: Uint32Array, limit: number): number {
  let n = 0;
  for (let y = y0; y < y0 + th; y++) {
    let i = y * stride + x0;
    for (let x = 0; x < tw; x++, i++) {
      const k = keys[i]!;
      if (n > 0 && palette[n - 1] === k) continue; // runs are common: check the last one first
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
