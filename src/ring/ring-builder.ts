/**
 * Builds one ring buffer: header, frame-ready event word, slot table and slots in ONE
 * SharedArrayBuffer. Every host field is written first and MAGIC last (a seq-cst store), so a
 * display that sees the magic sees a complete header.
 */
import {
  HEADER_SIZE,
  InvalidArgumentError,
  OFF_FORMAT,
  OFF_GENERATION,
  OFF_HEIGHT,
  OFF_HOST_CAPABILITIES,
  OFF_MAGIC,
  OFF_PIXELS_OFFSET,
  OFF_RING_LEN,
  OFF_SLOT_STRIDE,
  OFF_STRIDE,
  OFF_TARGET_ID,
  OFF_VERSION,
  OFF_WIDTH,
  RING_MAGIC,
  RING_VERSION,
  bytesPerPixel,
  ringGeometry,
} from '../contract/index.js';
import { HeaderView } from './header-view.js';
import type { RingDesc } from './slot-table.js';
import type { ResolvedRingOptions } from './ring-options.js';

export interface BuiltRing {
  view: HeaderView;
  desc: RingDesc;
}

/** The buffer size a ring with these options needs. */
export function ringBytes(o: ResolvedRingOptions): number {
  return Math.max(ringGeometry(o.width, o.height, bytesPerPixel(o.format), o.ringLen, o.slotBytesPerPixel).totalBytes, HEADER_SIZE);
}

/**
 * Builds a ring in a new buffer, or in `reuse` (a retired buffer of exactly ringBytes(o) that no
 * one can still write: see BufferPool). A reused buffer's header and slot table are zeroed first,
 * so it starts exactly as a fresh one; its pixels are left as they are (no slot is readable until
 * the display publishes into it, and a new publisher copies every slot whole the first time).
 */
export function buildRing(o: ResolvedRingOptions, generation: number, reuse?: SharedArrayBuffer): BuiltRing {
  const bpp = bytesPerPixel(o.format);
  const g = ringGeometry(o.width, o.height, bpp, o.ringLen, o.slotBytesPerPixel);
  const bytes = Math.max(g.totalBytes, HEADER_SIZE);
  let buffer: SharedArrayBuffer;
  if (reuse !== undefined && reuse.byteLength === bytes) {
    buffer = reuse;
    new Uint8Array(buffer, 0, Math.min(g.pixelsOffset, bytes)).fill(0);
  } else {
    try {
      buffer = new SharedArrayBuffer(bytes);
    } catch (cause) {
      throw new InvalidArgumentError(
        `cannot allocate a ${g.totalBytes}-byte ring for ${o.ringLen} slots of ${o.width}x${o.height} (${bpp} bytes/pixel): lower ringLen or the size`,
        { cause },
      );
    }
  }
  const view = new HeaderView(buffer);
  view.store32(OFF_VERSION, RING_VERSION);
  view.store32(OFF_GENERATION, generation);
  view.store32(OFF_RING_LEN, o.ringLen);
  view.store32(OFF_WIDTH, o.width);
  view.store32(OFF_HEIGHT, o.height);
  view.store32(OFF_FORMAT, o.format);
  view.store32(OFF_TARGET_ID, o.targetId);
  view.store32(OFF_STRIDE, g.stride);
  view.store32(OFF_SLOT_STRIDE, g.slotStride);
  view.store32(OFF_PIXELS_OFFSET, g.pixelsOffset);
  view.store32(OFF_HOST_CAPABILITIES, o.hostCapabilities);
  // Slot states start FREE (0) and mutex words at key 0, unheld (0): a fresh buffer is all zeros.
  view.store32(OFF_MAGIC, RING_MAGIC);
  const desc: RingDesc = {
    generation,
    ringLen: o.ringLen,
    width: o.width,
    height: o.height,
    format: o.format,
    bytesPerPixel: bpp,
    stride: g.stride,
    slotStride: g.slotStride,
    pixelsOffset: g.pixelsOffset,
  };
  return { view, desc };
}
