/**
 * HostRing options: validated once, up front, with messages that say exactly what is wrong
 * (the hot path never re-checks them).
 */
import {
  Capability,
  DEFAULT_RING_LEN,
  FORMAT_UNKNOWN,
  MAX_DIMENSION,
  MAX_RING_LEN,
  PIXEL_FORMAT_NAMES,
  bytesPerPixel,
  formatCode,
  InvalidArgumentError,
  ringGeometry,
} from '../contract/index.js';

/**
 * The largest ring the host allocates: 2 GiB (an 8K rgba16f ring of 6 slots is 1.6 GB). A display
 * that asks for more (16384x16384 rgba16f would be 12.9 GB) is refused, never allocated.
 */
export const MAX_RING_BYTES = 2 ** 31;

/** Refuses a ring whose total size passes MAX_RING_BYTES, with the figures in the message. */
export function checkRingBytes(width: number, height: number, bpp: number, ringLen: number): void {
  const total = ringGeometry(width, height, bpp, ringLen).totalBytes;
  if (total > MAX_RING_BYTES) {
    throw new InvalidArgumentError(
      `a ${ringLen}-slot ring of ${width}x${height} at ${bpp} bytes/pixel needs ${(total / 1e9).toFixed(1)} GB, over the ${MAX_RING_BYTES / 2 ** 30} GiB limit`,
    );
  }
}

export type ArmChoice = 'slot-state' | 'keyed-mutex' | 'auto';

export interface HostRingOptions {
  /** The monitor this ring serves; the display side refuses a ring for another target. */
  targetId: number;
  width: number;
  height: number;
  /** A format code (contract/pixel-format.ts) or its name ('bgra8', 'rgba16f', 'xrgb2101010'). */
  format: number | string;
  /** Number of slots, 1..MAX_RING_LEN (default 6). */
  ringLen?: number;
  /** Which slot arm the host offers; 'auto' offers both and lets negotiation pick. */
  arm?: ArmChoice;
  /**
   * Other formats frames may arrive in without a recreate (IddCx may change the format of each
   * acquired buffer from frame to frame). Slots are sized for the largest of these and `format`;
   * each frame's own format travels in its slot. Default: none (slots fit `format` only).
   */
  frameFormats?: ReadonlyArray<number | string>;
}

export interface RingModeSpec {
  width: number;
  height: number;
  format: number | string;
  /** As HostRingOptions.frameFormats; on recreate the slots never shrink below the old ones' bytes per pixel. */
  frameFormats?: ReadonlyArray<number | string>;
}

export interface ResolvedRingOptions {
  targetId: number;
  width: number;
  height: number;
  format: number;
  /** Bytes per pixel each slot is sized for: >= bytesPerPixel(format). */
  slotBytesPerPixel: number;
  ringLen: number;
  hostCapabilities: number;
}

/** What a display advertises unless told otherwise: both arms, dirty rects, HDR formats. */
export const DEFAULT_DISPLAY_CAPABILITIES = Capability.KeyedMutex | Capability.SlotState | Capability.DirtyRects | Capability.Hdr;

export function hostCapabilitiesFor(arm: ArmChoice): number {
  const common = Capability.DirtyRects | Capability.Hdr;
  if (arm === 'slot-state') return common | Capability.SlotState;
  if (arm === 'keyed-mutex') return common | Capability.KeyedMutex;
  return common | Capability.SlotState | Capability.KeyedMutex;
}

export function resolveFormat(format: unknown): number {
  const code = typeof format === 'string' ? formatCode(format) : typeof format === 'number' ? format : FORMAT_UNKNOWN;
  if (bytesPerPixel(code) === 0) {
    throw new InvalidArgumentError(`format ${JSON.stringify(format)} is not a known pixel format (${PIXEL_FORMAT_NAMES.join(', ')})`);
  }
  return code;
}

function dimension(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_DIMENSION) {
    throw new InvalidArgumentError(`${name} ${String(v)} is not an integer in 1..${MAX_DIMENSION}`);
  }
  return v;
}

export function resolveMode(mode: RingModeSpec): { width: number; height: number; format: number; slotBytesPerPixel: number } {
  if (mode === null || typeof mode !== 'object') throw new InvalidArgumentError('a ring mode needs {width, height, format}');
  const format = resolveFormat(mode.format);
  let slotBytesPerPixel = bytesPerPixel(format);
  if (mode.frameFormats !== undefined) {
    if (!Array.isArray(mode.frameFormats)) throw new InvalidArgumentError('frameFormats must be an array of pixel formats');
    for (const f of mode.frameFormats) slotBytesPerPixel = Math.max(slotBytesPerPixel, bytesPerPixel(resolveFormat(f)));
  }
  return { width: dimension('width', mode.width), height: dimension('height', mode.height), format, slotBytesPerPixel };
}

export function resolveRingOptions(o: HostRingOptions): ResolvedRingOptions {
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError('HostRing.create needs an options object');
  const { targetId } = o;
  if (typeof targetId !== 'number' || !Number.isInteger(targetId) || targetId < 0 || targetId > 0xffffffff) {
    throw new InvalidArgumentError(`targetId ${String(targetId)} is not a u32`);
  }
  const ringLen = o.ringLen ?? DEFAULT_RING_LEN;
  if (typeof ringLen !== 'number' || !Number.isInteger(ringLen) || ringLen < 1 || ringLen > MAX_RING_LEN) {
    throw new InvalidArgumentError(`ringLen ${String(ringLen)} is not an integer in 1..${MAX_RING_LEN}`);
  }
  const arm = o.arm ?? 'auto';
  if (arm !== 'auto' && arm !== 'slot-state' && arm !== 'keyed-mutex') {
    throw new InvalidArgumentError(`arm ${JSON.stringify(arm)} is not 'slot-state', 'keyed-mutex' or 'auto'`);
  }
  const mode = resolveMode(o);
  checkRingBytes(mode.width, mode.height, mode.slotBytesPerPixel, ringLen);
  return { targetId, ...mode, ringLen, hostCapabilities: hostCapabilitiesFor(arm) };
}
