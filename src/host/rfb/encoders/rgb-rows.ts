/**
 * R,G,B bytes of a snapshot's words: Tight's TPIXEL for 24-bit colour, and sharp's raw input for
 * a JPEG (which must be RGB: libvips has no cheap channel swap, and libjpeg-turbo's BGRX input is
 * not reachable through it). This runs on the main thread for every pixel a JPEG covers, so it
 * writes whole words: 4 pixels are 3 words (a byte per write would be 12), and a row that
 * repeats the row above it (markRepeatedRows) is a copyWithin of the row already written.
 */
import { KEY_MASK } from '../rfb-pixel-format.js';

/**
 * Writes the tw x th pixels from word `start` (rows `stride` words apart) as RGB into `out`.
 * `out32` is a Uint32Array over out's buffer (ScratchArena.wordsOf) or null (bytewise). `same` is
 * markRepeatedRows' answer for the snapshot and `row0` the snapshot row of the first row.
 */
export function rgbOf(words: Uint32Array, start: number, stride: number, tw: number, th: number, out: Buffer, out32: Uint32Array | null, same: Uint8Array, row0: number): void {
  let o = 0;
  const rowBytes = 3 * tw;
  const base = out.byteOffset;
  for (let y = 0; y < th; y++) {
    if (y > 0 && same[row0 + y] === 1) {
      out.copyWithin(o, o - rowBytes, o);
      o += rowBytes;
      continue;
    }
    let i = start + y * stride;
    const end = i + tw;
    if (out32 !== null && ((base + o) & 3) === 0) {
      // Little-endian words: s = the pixel's bytes R,G,B; four of them pack into three words.
      let w = (base + o) >>> 2;
      for (; i + 4 <= end; i += 4, w += 3, o += 12) {
        const a = words[i]!;
        const b = words[i + 1]!;
        const c = words[i + 2]!;
        const d = words[i + 3]!;
        const s0 = ((a & 0xff) << 16) | (a & 0xff00) | ((a >>> 16) & 0xff);
        const s1 = ((b & 0xff) << 16) | (b & 0xff00) | ((b >>> 16) & 0xff);
        const s2 = ((c & 0xff) << 16) | (c & 0xff00) | ((c >>> 16) & 0xff);
        const s3 = ((d & 0xff) << 16) | (d & 0xff00) | ((d >>> 16) & 0xff);
        out32[w] = s0 | (s1 << 24);
        out32[w + 1] = (s1 >>> 8) | (s2 << 16);
        out32[w + 2] = (s2 >>> 16) | (s3 << 8);
      }
    }
    for (; i < end; i++, o += 3) {
      const v = words[i]! & KEY_MASK;
      out[o] = v >>> 16;
      out[o + 1] = v >>> 8;
      out[o + 2] = v;
    }
  }
}
