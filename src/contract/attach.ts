/**
 * Attach validation: may a display side open this ring? A pure function of integers, so it is
 * tested exhaustively. Fail-closed: anything not exactly right is a typed refusal, and a refusal
 * is written back to the header (DRIVER_STATUS = Refused, detail = the code), never thrown across
 * the worker boundary.
 */
import { bytesPerPixel } from './pixel-format.js';
import {
  HEADER_SIZE,
  MAX_DIMENSION,
  MAX_RING_LEN,
  PIXEL_ALIGN,
  RING_MAGIC,
  RING_MAGIC_RETIRED,
  RING_VERSION,
  SLOT_ENTRY_SIZE,
  alignUp,
} from './header-layout.js';
import { negotiate, selectArm, type SlotArm } from './status-codes.js';
import { GENERATION_MASK } from './frame-token.js';

/** Why an attach was refused. Codes are stable; they are written into DRIVER_STATUS_DETAIL. */
export const AttachRefusal = {
  /** The expected generation is not the header's current one: the host recreated the ring. */
  StaleGeneration: 1,
  BadMagic: 2,
  Retired: 3,
  UnsupportedVersion: 4,
  TargetMismatch: 5,
  RingLenOutOfRange: 6,
  BadFormat: 7,
  BadDimensions: 8,
  /** The header's sizes do not fit the buffer (or do not match the geometry they imply). */
  SizeOverflow: 9,
  NoCommonArm: 10,
  BufferTooSmall: 11,
  BadGeneration: 12,
  /** A header field, the buffer size or an expectation is not an integer in range (NaN, a fraction). */
  NotAnInteger: 13,
} as const;
export type AttachRefusalCode = (typeof AttachRefusal)[keyof typeof AttachRefusal];

/** The host-written header fields, as read (each a u32). */
export interface HeaderFields {
  magic: number;
  version: number;
  generation: number;
  ringLen: number;
  width: number;
  height: number;
  format: number;
  targetId: number;
  stride: number;
  slotStride: number;
  pixelsOffset: number;
  hostCapabilities: number;
}

export interface AttachExpectation {
  /** The monitor the opener serves: a ring must never carry one monitor's frames into another's. */
  targetId: number;
  /** The display side's capabilities. */
  capabilities: number;
  /** When re-checking a ring already attached: the generation attached to. */
  generation?: number;
}

export type AttachResult =
  | { ok: true; arm: SlotArm; negotiated: number }
  | { ok: false; refusal: AttachRefusalCode; message: string };

function refuse(refusal: AttachRefusalCode, message: string): AttachResult {
  return { ok: false, refusal, message };
}

const FIELD_NAMES: readonly (keyof HeaderFields)[] = [
  'magic', 'version', 'generation', 'ringLen', 'width', 'height', 'format', 'targetId', 'stride', 'slotStride', 'pixelsOffset', 'hostCapabilities',
];

function isU32(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

export function checkAttach(h: HeaderFields, bufferBytes: number, expect: AttachExpectation): AttachResult {
  // Every comparison below assumes integers: NaN fails every test (so passes every "refuse if"),
  // and a fraction could slip between bounds. Anything that is not a u32 is refused first.
  for (const name of FIELD_NAMES) {
    if (!isU32(h[name])) return refuse(AttachRefusal.NotAnInteger, `header field ${name} = ${String(h[name])} is not a u32`);
  }
  if (typeof bufferBytes !== 'number' || !Number.isSafeInteger(bufferBytes) || bufferBytes < 0) {
    return refuse(AttachRefusal.NotAnInteger, `buffer size ${String(bufferBytes)} is not a whole number of bytes`);
  }
  if (!isU32(expect.targetId) || !isU32(expect.capabilities) || (expect.generation !== undefined && !isU32(expect.generation))) {
    return refuse(AttachRefusal.NotAnInteger, 'the expected targetId, capabilities and generation must be u32 values');
  }
  // Stale first: during a recreate the other fields may be mid-update, and "stale" is the one
  // diagnosis whose remedy (re-attach to the new ring) is always right.
  if (expect.generation !== undefined && h.generation !== expect.generation) {
    return refuse(
      AttachRefusal.StaleGeneration,
      `ring generation ${h.generation} is not the attached generation ${expect.generation}: the host recreated the ring`,
    );
  }
  if (bufferBytes < HEADER_SIZE) {
    return refuse(AttachRefusal.BufferTooSmall, `buffer of ${bufferBytes} bytes cannot hold the ${HEADER_SIZE}-byte header`);
  }
  if (h.magic === RING_MAGIC_RETIRED) {
    return refuse(AttachRefusal.Retired, 'the host retired this ring buffer (it was recreated); attach to the new one');
  }
  if (h.magic !== RING_MAGIC) {
    return refuse(AttachRefusal.BadMagic, `bad magic 0x${(h.magic >>> 0).toString(16)}: not a vdpush ring, or not published yet`);
  }
  if (h.version !== RING_VERSION) {
    return refuse(AttachRefusal.UnsupportedVersion, `ring version ${h.version} is not supported (this side speaks ${RING_VERSION})`);
  }
  if (h.generation === 0 || h.generation > GENERATION_MASK) {
    return refuse(AttachRefusal.BadGeneration, `generation ${h.generation} is outside 1..${GENERATION_MASK}`);
  }
  if (h.targetId !== expect.targetId) {
    return refuse(AttachRefusal.TargetMismatch, `ring is for target ${h.targetId}, this display is target ${expect.targetId}`);
  }
  if (h.ringLen < 1 || h.ringLen > MAX_RING_LEN) {
    return refuse(AttachRefusal.RingLenOutOfRange, `ring length ${h.ringLen} is outside 1..${MAX_RING_LEN}`);
  }
  const bpp = bytesPerPixel(h.format);
  if (bpp === 0) return refuse(AttachRefusal.BadFormat, `unknown pixel format code ${h.format}`);
  if (h.width < 1 || h.height < 1 || h.width > MAX_DIMENSION || h.height > MAX_DIMENSION) {
    return refuse(AttachRefusal.BadDimensions, `size ${h.width}x${h.height} is outside 1..${MAX_DIMENSION} per side`);
  }
  // The geometry must be exactly what the size implies: a header that lies about strides could
  // otherwise steer a copy outside its slot.
  const stride = h.width * bpp;
  const minPixelsOffset = alignUp(HEADER_SIZE + h.ringLen * SLOT_ENTRY_SIZE, PIXEL_ALIGN);
  if (h.stride !== stride) {
    return refuse(AttachRefusal.SizeOverflow, `stride ${h.stride} is not width*bpp = ${stride}`);
  }
  if (h.slotStride < stride * h.height || h.slotStride % PIXEL_ALIGN !== 0) {
    return refuse(AttachRefusal.SizeOverflow, `slot stride ${h.slotStride} cannot hold ${stride}x${h.height} bytes`);
  }
  if (h.pixelsOffset < minPixelsOffset || h.pixelsOffset % PIXEL_ALIGN !== 0) {
    return refuse(AttachRefusal.SizeOverflow, `pixel offset ${h.pixelsOffset} overlaps the slot table (needs >= ${minPixelsOffset})`);
  }
  // Plain numbers are exact up to 2^53; these products stay far below it given the bounds above.
  const end = h.pixelsOffset + h.ringLen * h.slotStride;
  if (end > bufferBytes) {
    return refuse(AttachRefusal.SizeOverflow, `slots end at byte ${end}, past the ${bufferBytes}-byte buffer`);
  }
  const negotiated = negotiate(h.hostCapabilities, expect.capabilities);
  const arm = selectArm(negotiated);
  if (arm === null) {
    return refuse(
      AttachRefusal.NoCommonArm,
      `no slot arm in common (host caps 0x${h.hostCapabilities.toString(16)}, display caps 0x${expect.capabilities.toString(16)})`,
    );
  }
  return { ok: true, arm, negotiated };
}
