/**
 * Raw (encoding 0): the rectangle's pixels in the client's format, row by row. A 32-bit
 * little-endian BGRX or RGBX client gets one 32-bit store per pixel (the padding byte zero, as the
 * tables give it); other formats go through the translator's tables. The output is allocated per
 * rectangle: it goes to the socket, which may hold it after the update is done.
 */
import { Encoding } from '../rfb-constants.js';
import { KEY_MASK, WORD_BGRX, type PixelTranslator } from '../rfb-pixel-format.js';
import { rectHeader, type EncodedRects, type RectSnapshot } from './rect-snapshot.js';

export function encodeRaw(r: RectSnapshot, tr: PixelTranslator): EncodedRects {
  const n = r.w * r.h;
  const out = Buffer.allocUnsafe(n * tr.bytesPerPixel);
  const words = r.words;
  const kind = tr.wordKind;
  if (kind !== 0 && (out.byteOffset & 3) === 0) {
    const o32 = new Uint32Array(out.buffer, out.byteOffset, n);
    let j = 0;
    for (let y = 0; y < r.h; y++) {
      const s = r.offset + y * r.stride;
      const e = s + r.w;
      if (kind === WORD_BGRX) for (let i = s; i < e; i++) o32[j++] = words[i]! & KEY_MASK;
      else {
        for (let i = s; i < e; i++) {
          const v = words[i]!;
          o32[j++] = ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff);
        }
      }
    }
  } else {
    let o = 0;
    for (let y = 0; y < r.h; y++) {
      const s = r.offset + y * r.stride;
      for (let i = s; i < s + r.w; i++) o = tr.writePixel(tr.valueOfWord(words[i]!), out, o);
    }
  }
  return { rects: 1, chunks: [rectHeader(r.x, r.y, r.w, r.h, Encoding.Raw), out] };
}
