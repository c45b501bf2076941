/**
 * What an encoder works from: one rectangle of the framebuffer, copied at the moment the update was
 * decided. Encoders may compress asynchronously (zlib, JPEG on libuv's threads); the snapshot keeps
 * them independent of the frames that arrive meanwhile.
 *
 * The snapshot holds 32-bit words whose low 24 bits are the pixel's 0xRRGGBB key; the top byte is
 * whatever the frame held there (a bgra8 frame's fourth byte) and every encoder ignores it
 * (KEY_MASK). A bgra8 frame, the Xvfb and simulated displays' format, is therefore snapshotted by
 * copying its rows (memcpy), never by reading pixels in JavaScript; rgba16f and 10-bit frames are
 * converted by readKeys.
 */
import { FORMAT_BGRA8 } from '../../../contract/pixel-format.js';
import { HOST_LITTLE_ENDIAN, readKeys } from '../rfb-pixel-format.js';
import type { FrameView } from '../../sinks/frame-view.js';
import { ScratchArena } from './scratch-arena.js';

export interface RectSnapshot {
  x: number;
  y: number;
  w: number;
  h: number;
  /** w*h words, row-major; low 24 bits 0xRRGGBB, top byte ignored. */
  words: Uint32Array;
}

export interface EncodedRects {
  /** How many rectangles `chunks` holds (an encoder may split one into several). */
  rects: number;
  chunks: Buffer[];
}

/** Buffers over frames' pixels that are plain Uint8Arrays (made once per frame buffer). */
const byteViews = new WeakMap<Uint8Array, Buffer>();

function asBuffer(u: Uint8Array): Buffer {
  if (Buffer.isBuffer(u)) return u;
  let b = byteViews.get(u);
  if (b === undefined) {
    b = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    byteViews.set(u, b);
  }
  return b;
}

/**
 * The rectangle (clipped by the caller to the frame) as a snapshot, its words taken from `arena`
 * when given (the caller resets it once no snapshot of its previous update is in use), else newly
 * allocated. Null for a pixel format the encoders do not know. `convert` forces the per-pixel
 * conversion for a bgra8 frame too (the tests compare both).
 */
export function snapshotRect(f: FrameView, x: number, y: number, w: number, h: number, arena?: ScratchArena, convert = false): RectSnapshot | null {
  const words = arena ? arena.takeWords(w * h) : new Uint32Array(w * h);
  if (f.format === FORMAT_BGRA8 && !convert && HOST_LITTLE_ENDIAN) {
    const src = asBuffer(f.pixels);
    const dst = Buffer.from(words.buffer, words.byteOffset, words.byteLength);
    const rowBytes = 4 * w;
    if (f.stride === rowBytes) src.copy(dst, 0, y * f.stride, (y + h) * f.stride);
    else for (let row = 0; row < h; row++) src.copy(dst, row * rowBytes, (y + row) * f.stride + 4 * x, (y + row) * f.stride + 4 * x + rowBytes);
    return { x, y, w, h, words };
  }
  return readKeys(f, x, y, w, h, words) ? { x, y, w, h, words } : null;
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
