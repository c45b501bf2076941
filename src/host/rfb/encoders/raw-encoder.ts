/** Raw (encoding 0): the rectangle's pixels in the client's format, row by row. */
import { Encoding } from '../rfb-constants.js';
import type { PixelTranslator } from '../rfb-pixel-format.js';
import { rectHeader, type EncodedRects, type RectSnapshot } from './rect-snapshot.js';

export function encodeRaw(r: RectSnapshot, tr: PixelTranslator): EncodedRects {
  const n = r.w * r.h;
  const out = Buffer.allocUnsafe(n * tr.bytesPerPixel);
  let o = 0;
  const keys = r.keys;
  for (let i = 0; i < n; i++) o = tr.writePixel(tr.value(keys[i]!), out, o);
  return { rects: 1, chunks: [rectHeader(r.x, r.y, r.w, r.h, Encoding.Raw), out] };
}
