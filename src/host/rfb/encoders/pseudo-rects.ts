/**
 * Pseudo-encoding rectangles: Cursor (-239), DesktopSize (-223), ExtendedDesktopSize (-308) and
 * LastRect (-224).
 */
import type { CursorView } from '../../sinks/frame-view.js';
import { DesktopSizeReason, DesktopSizeStatus, Encoding, SCREEN_ID } from '../rfb-constants.js';
import type { PixelTranslator } from '../rfb-pixel-format.js';
import { rectHeader } from './rect-snapshot.js';

/**
 * The cursor as RFB's Cursor pseudo-rectangle: x, y = hotspot, then the image in the client's
 * pixel format and a 1-bit mask (rows padded to a byte). The display's shape is premultiplied
 * BGRA (XFIXES's ARGB32): colours are un-premultiplied, and a pixel is in the mask when it is at
 * least half opaque. An invisible cursor (or none) is an empty rectangle, which hides it.
 */
export function cursorRect(cur: CursorView | null, tr: PixelTranslator): Buffer[] {
  if (cur === null || !cur.visible || cur.width <= 0 || cur.height <= 0 || cur.shape.length < cur.width * cur.height * 4) {
    return [rectHeader(0, 0, 0, 0, Encoding.Cursor)];
  }
  const w = cur.width;
  const h = cur.height;
  const pixels = Buffer.alloc(w * h * tr.bytesPerPixel);
  const maskRow = (w + 7) >> 3;
  const mask = Buffer.alloc(maskRow * h);
  const s = cur.shape;
  let o = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 4 * (y * w + x);
      const a = s[i + 3]!;
      const un = (c: number): number => (a === 0 ? 0 : Math.min(255, Math.round((c * 255) / a)));
      const key = (un(s[i + 2]!) << 16) | (un(s[i + 1]!) << 8) | un(s[i]!);
      o = tr.writePixel(tr.value(key), pixels, o);
      if (a >= 128) mask[y * maskRow + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return [rectHeader(Math.min(cur.hotX, w - 1), Math.min(cur.hotY, h - 1), w, h, Encoding.Cursor), pixels, mask];
}

export function desktopSizeRect(width: number, height: number): Buffer[] {
  return [rectHeader(0, 0, width, height, Encoding.DesktopSize)];
}

/** One screen covering the framebuffer; x = why it is sent, y = the status of a client's request. */
export function extendedDesktopSizeRect(width: number, height: number, reason: number = DesktopSizeReason.Server, status: number = DesktopSizeStatus.Ok): Buffer[] {
  const body = Buffer.alloc(4 + 16);
  body[0] = 1; // one screen
  body.writeUInt32BE(SCREEN_ID, 4);
  body.writeUInt16BE(0, 8);
  body.writeUInt16BE(0, 10);
  body.writeUInt16BE(width, 12);
  body.writeUInt16BE(height, 14);
  body.writeUInt32BE(0, 16);
  return [rectHeader(reason, status, width, height, Encoding.ExtendedDesktopSize), body];
}

export function lastRect(): Buffer[] {
  return [rectHeader(0, 0, 0, 0, Encoding.LastRect)];
}
