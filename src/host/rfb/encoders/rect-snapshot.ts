/**
 * What an encoder works from: one rectangle of the framebuffer as it was when the update was
 * decided. Encoders may compress asynchronously (zlib, JPEG on libuv's threads), but they read a
 * snapshot only in the synchronous part of their encode call (the part that builds the data they
 * then compress); the snapshot keeps them independent of the frames that arrive meanwhile.
 *
 * The snapshot holds 32-bit words whose low 24 bits are the pixel's 0xRRGGBB key; the top byte is
 * whatever the frame held there (a bgra8 frame's fourth byte) and every encoder ignores it
 * (KEY_MASK). A bgra8 frame, the Xvfb and simulated displays' format, is never read pixel by pixel
 * in JavaScript to make one:
 *  - 'view': the words ARE the framebuffer's (no copy). Valid only until the framebuffer next
 *    changes: its owner calls materializeSnapshot() on every view not yet encoded right before a
 *    new frame overwrites the framebuffer (the RFB session does, from framebufferWillChange). An
 *    update's first rectangle is encoded in the task that took it, so it is never copied;
 *  - 'copy': its rows copied (memcpy) into the arena.
 * rgba16f and 10-bit frames (and 'convert', for the tests) are converted by readKeys.
 */
import { FORMAT_BGRA8 } from '../../../contract/pixel-format.js';
import { HOST_LITTLE_ENDIAN, readKeys } from '../rfb-pixel-format.js';
import type { FrameView } from '../../sinks/frame-view.js';
import type { ScratchArena } from './scratch-arena.js';
import type { SharedEncodes } from './shared-encodes.js';

export interface RectSnapshot {
  x: number;
  y: number;
  w: number;
  h: number;
  /** The rectangle's words: low 24 bits 0xRRGGBB, top byte ignored. */
  words: Uint32Array;
  /** Index in `words` of the rectangle's top-left word. */
  offset: number;
  /** Words from one row of the rectangle to the next. */
  stride: number;
  /** True while `words` is the framebuffer itself (see materializeSnapshot). */
  view: boolean;
  /** Where clients of the same framebuffer share encodes, and the framebuffer's version the snapshot shows. */
  shared?: { encodes: SharedEncodes; version: number };
}

export type SnapshotMode = 'view' | 'copy' | 'convert';

export interface EncodedRects {
  /** How many rectangles `chunks` holds (an encoder may split one into several). */
  rects: number;
  chunks: Buffer[];
}

/** Word views over frames' pixels (made once per framebuffer buffer). */
const wordViews = new WeakMap<Uint8Array, Uint32Array>();

function wordsOf(u: Uint8Array): Uint32Array {
  let w = wordViews.get(u);
  if (w === undefined) {
    w = new Uint32Array(u.buffer, u.byteOffset, u.byteLength >>> 2);
    wordViews.set(u, w);
  }
  return w;
}

function bytesOf(w: Uint32Array): Buffer {
  return Buffer.from(w.buffer, w.byteOffset, w.byteLength);
}

/**
 * The rectangle (clipped by the caller to the frame) as a snapshot. Copies take their words from
 * `arena` when given (the caller resets it once no snapshot of its previous update is in use), else
 * from a new allocation. Null for a pixel format the encoders do not know.
 */
export function snapshotRect(f: FrameView, x: number, y: number, w: number, h: number, arena?: ScratchArena, mode: SnapshotMode = 'copy'): RectSnapshot | null {
  const wordsFit = f.format === FORMAT_BGRA8 && HOST_LITTLE_ENDIAN && (f.pixels.byteOffset & 3) === 0 && (f.stride & 3) === 0;
  if (wordsFit && mode !== 'convert') {
    const s: RectSnapshot = { x, y, w, h, words: wordsOf(f.pixels), offset: y * (f.stride >>> 2) + x, stride: f.stride >>> 2, view: true };
    if (mode === 'copy') materializeSnapshot(s, arena);
    return s;
  }
  const words = arena ? arena.takeWords(w * h) : new Uint32Array(w * h);
  return readKeys(f, x, y, w, h, words) ? { x, y, w, h, words, offset: 0, stride: w, view: false } : null;
}

/** Turns a view snapshot into a copy of the rows it shows now (a copy is left as it is). */
export function materializeSnapshot(s: RectSnapshot, arena?: ScratchArena): void {
  if (!s.view) return;
  const words = arena ? arena.takeWords(s.w * s.h) : new Uint32Array(s.w * s.h);
  const src = bytesOf(s.words);
  const dst = bytesOf(words);
  const rowBytes = 4 * s.w;
  if (s.stride === s.w) src.copy(dst, 0, 4 * s.offset, 4 * s.offset + rowBytes * s.h);
  else for (let row = 0; row < s.h; row++) src.copy(dst, row * rowBytes, 4 * (s.offset + row * s.stride), 4 * (s.offset + row * s.stride) + rowBytes);
  s.words = words;
  s.offset = 0;
  s.stride = s.w;
  s.view = false;
}

export const RECT_HEADER_SIZE = 12;

export function rectHeader(x: number, y: number, w: number, h: number, encoding: number): Buffer {
  const b = Buffer.alloc(RECT_HEADER_SIZE);
  writeRectHeader(b, 0, x, y, w, h, encoding);
  return b;
}

/** A rectangle's header written at `o` of `b` (RECT_HEADER_SIZE bytes). */
export function writeRectHeader(b: Buffer, o: number, x: number, y: number, w: number, h: number, encoding: number): void {
  b.writeUInt16BE(x, o);
  b.writeUInt16BE(y, o + 2);
  b.writeUInt16BE(w, o + 4);
  b.writeUInt16BE(h, o + 6);
  b.writeInt32BE(encoding, o + 8);
}
