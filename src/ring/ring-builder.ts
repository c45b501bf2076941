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

export function buildRing(o: ResolvedRingOptions, generation: number): BuiltRing {
  const bpp = bytesPerPixel(o.format);
  const g = ringGeometry(o.width, o.height, bpp, o.ringLen, o.slotBytesPerPixel);
  let buffer: SharedArrayBuffer;
  try {
    buffer = new SharedArrayBuffer(Math.max(g.totalBytes, HEADER_SIZE));
  } catch (cause) {
    throw new InvalidArgumentError(
      `cannot allocate a ${g.totalBytes}-byte ring for ${o.ringLen} slots of ${o.width}x${o.height} (${bpp} bytes/pixel): lower ringLen or the size`,
      { cause },
    );
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
