/**
 * The ring header layout: the one place that says where every shared field lives.
 *
 * Invariants (pinned by test/contract/header-layout.test.ts):
 * - every 64-bit field sits at an 8-byte-aligned offset (BigInt64Array index = offset / 8);
 * - every 32-bit field sits at a 4-byte-aligned offset (Int32Array index = offset / 4);
 * - fields are never moved or reused; new fields are appended and 0 means "unknown".
 *
 * Time fields (PRESENT_TIME, LAST_PUBLISH_TIME and a slot's PRESENT_TIME) hold IEEE-754 float64
 * milliseconds (not integers), so the per-frame path never builds a BigInt for a time.
 * PRESENT_TIME is the display clock's present time; LAST_PUBLISH_TIME is on the clock both threads
 * share, performance.timeOrigin + performance.now().
 *
 * Who writes what:
 *   host:    MAGIC, VERSION, GENERATION, RING_LEN, WIDTH, HEIGHT, FORMAT, TARGET_ID, STRIDE,
 *            SLOT_STRIDE, PIXELS_OFFSET, HOST_CAPABILITIES, FRAME_READY (signal word),
 *            HOST_HEARTBEAT, HOST_LAST_TAKEN
 *   display: everything from LATEST on (token, times, status, health, counters, source desc)
 *
 * Memory map of one ring buffer:
 *
 *   0            HEADER_SIZE           slotTableEnd (64-aligned)      pixelsOffset + ringLen*slotStride
 *   | header     | slot table           | pad | slot 0 | slot 1 | ... |
 *                  ringLen * SLOT_ENTRY_SIZE
 */

/** 'VDPR' as a little-endian u32: the host stores it last, after every other field. */
export const RING_MAGIC = 0x52504456;
/** Stored into MAGIC of a buffer the host has replaced (recreate), so nobody attaches to it again. */
export const RING_MAGIC_RETIRED = 0x44455452; // 'RTED'
export const RING_VERSION = 1;

// ---- host-written, 32-bit ----
export const OFF_MAGIC = 0;
export const OFF_VERSION = 4;
export const OFF_GENERATION = 8;
export const OFF_RING_LEN = 12;
export const OFF_WIDTH = 16;
export const OFF_HEIGHT = 20;
export const OFF_FORMAT = 24;
export const OFF_TARGET_ID = 28;
export const OFF_STRIDE = 32;
export const OFF_SLOT_STRIDE = 36;
export const OFF_PIXELS_OFFSET = 40;
export const OFF_HOST_CAPABILITIES = 44;
/** The frame-ready auto-reset event's futex word (see ring/auto-reset-event.ts). */
export const OFF_FRAME_READY = 48;
/** Bumped by the host each time it consumes, so a publisher can see a host that stopped reading. */
export const OFF_HOST_HEARTBEAT = 52;
/**
 * The sequence (low 32 bits) of the last frame the host took, 0 before its first: the publisher
 * makes each frame's dirty bounds cover everything since that frame (SLOT_OFF_DIRTY_SPAN), so a
 * host that skipped published frames still knows what changed.
 */
export const OFF_HOST_LAST_TAKEN = 56;

// ---- display-written, 64-bit ----
export const OFF_LATEST = 64;
export const OFF_PRESENT_TIME = 72;
export const OFF_RENDER_ADAPTER_LUID = 80;
export const OFF_LAST_PUBLISH_TIME = 88;
export const OFF_PUBLISHED_TOTAL = 96;
export const OFF_DROPPED_TOTAL = 104;
export const OFF_SOURCE_SEQUENCE = 112;

// ---- display-written, 32-bit ----
export const OFF_DRIVER_STATUS = 120;
export const OFF_DRIVER_STATUS_DETAIL = 124;
export const OFF_HEALTH_STATE = 128;
export const OFF_CAPABILITIES = 132;
export const OFF_ASSIGNMENT_EPOCH = 136;
export const OFF_DEVICE_EPOCH = 140;
export const OFF_TERMINAL_ERROR_DOMAIN = 144;
export const OFF_TERMINAL_ERROR_CODE = 148;
/** What the display is composing now; differs from WIDTH/HEIGHT/FORMAT when the host must recreate. */
export const OFF_SOURCE_WIDTH = 152;
export const OFF_SOURCE_HEIGHT = 156;
export const OFF_SOURCE_FORMAT = 160;
/** Per-reason drop counters (32-bit, wrapping), so the host can show drops by reason. */
export const OFF_DROPPED_DESC_MISMATCH = 164;
export const OFF_DROPPED_ALL_SLOTS_BUSY = 168;
export const OFF_DROPPED_STALE = 172;

export const HEADER_SIZE = 256;

// ---- slot table: one entry per slot, at HEADER_SIZE + slot * SLOT_ENTRY_SIZE ----
/** Slot-state arm: FREE/WRITING/PUBLISHED/READING (contract/slot-state.ts). */
export const SLOT_OFF_STATE = 0;
/** Keyed-mutex arm: the mutex word (contract/keyed-mutex-word.ts). */
export const SLOT_OFF_MUTEX = 4;
/** The token of the frame the slot holds (0 = never written this generation). */
export const SLOT_OFF_TOKEN = 8;
export const SLOT_OFF_PRESENT_TIME = 16;
/**
 * Bounding box of what changed in this frame since the frame DIRTY_SPAN published frames before
 * it (at least since the previous one; frames dropped before publishing are folded in).
 */
export const SLOT_OFF_DIRTY_X = 24;
export const SLOT_OFF_DIRTY_Y = 28;
export const SLOT_OFF_DIRTY_W = 32;
export const SLOT_OFF_DIRTY_H = 36;
/**
 * The pixel format of the frame the slot holds (0 = unknown: the ring's FORMAT). IddCx may change
 * the format of each acquired buffer from frame to frame on one swap-chain, so the format is a
 * property of the frame, not of the ring: a slot holds a frame of any format whose tightly packed
 * rows (width * bytesPerPixel(format) bytes each) fit in SLOT_STRIDE. The host sizes SLOT_STRIDE
 * for the largest format it lets frames arrive in (ringGeometry's slotBytesPerPixel).
 */
export const SLOT_OFF_FORMAT = 40;
/**
 * How many published frames back the dirty bounds reach: they cover everything that changed since
 * frame (sequence - span). The publisher sets it to reach the host's last taken frame
 * (OFF_HOST_LAST_TAKEN) when it remembers that far, else 1. 0 (a publisher before this field) is 1.
 */
export const SLOT_OFF_DIRTY_SPAN = 44;
export const SLOT_ENTRY_SIZE = 64;

/** Slot pixel data starts on this boundary (cache line) and each slot's stride is a multiple of it. */
export const PIXEL_ALIGN = 64;

export const DEFAULT_RING_LEN = 6;
/** The token's slot field is 8 bits; 64 slots is already far more than any pipeline holds. */
export const MAX_RING_LEN = 64;
/** 16K per side: large enough for any real mode, small enough that sizes cannot overflow. */
export const MAX_DIMENSION = 16384;

export function slotEntryOffset(slot: number): number {
  return HEADER_SIZE + slot * SLOT_ENTRY_SIZE;
}

export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

export interface RingGeometry {
  stride: number;
  slotStride: number;
  pixelsOffset: number;
  totalBytes: number;
}

/**
 * Byte geometry of a ring: pure arithmetic, the same on both sides. `stride` is the ring format's
 * row; each slot holds `width * height * slotBytesPerPixel` bytes (at least one frame of the ring's
 * format), so a frame of any format up to that many bytes per pixel fits without a recreate.
 */
export function ringGeometry(width: number, height: number, bytesPerPixel: number, ringLen: number, slotBytesPerPixel = bytesPerPixel): RingGeometry {
  const stride = width * bytesPerPixel;
  const slotStride = alignUp(width * Math.max(bytesPerPixel, slotBytesPerPixel) * height, PIXEL_ALIGN);
  const pixelsOffset = alignUp(HEADER_SIZE + ringLen * SLOT_ENTRY_SIZE, PIXEL_ALIGN);
  return { stride, slotStride, pixelsOffset, totalBytes: pixelsOffset + ringLen * slotStride };
}

/**
 * Whether a frame of `bytesPerPixel` (tight rows) fits a slot of `slotStride` bytes of a ring of
 * this size. The one rule both sides apply to a slot's format: the publisher before it copies,
 * the consumer before it builds a view. 0 bytes per pixel (an unknown format) never fits.
 */
export function frameFitsSlot(width: number, height: number, bytesPerPixel: number, slotStride: number): boolean {
  return bytesPerPixel > 0 && width * bytesPerPixel * height <= slotStride;
}
