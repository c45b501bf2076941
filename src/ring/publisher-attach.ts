/**
 * FramePublisher.open's checks: the caller's options (misuse throws InvalidArgumentError), then
 * the host's buffer and header (checkAttach). A refusal is written back (DRIVER_STATUS = Refused,
 * detail = the code) when that is safe: never into another monitor's ring, whose own display may
 * be publishing there. On success, the slot table is built from the validated header fields: the
 * publisher works from this copy, so a header rewritten later cannot steer a copy out of bounds.
 */
import {
  AttachRefusal,
  DriverStatus,
  HEADER_SIZE,
  InvalidArgumentError,
  OFF_DRIVER_STATUS,
  OFF_DRIVER_STATUS_DETAIL,
  bytesPerPixel,
  checkAttach,
  type AttachRefusalCode,
  type SlotArm,
} from '../contract/index.js';
import { HeaderView } from './header-view.js';
import { DEFAULT_DISPLAY_CAPABILITIES } from './ring-options.js';
import { SlotTable } from './slot-table.js';

export interface PublisherOptions {
  targetId: number;
  /** The display's capability bits (default: both arms, dirty rects, HDR). */
  capabilities?: number;
  renderAdapterLuid?: number;
}

export type AttachRefused = { ok: false; refusal: AttachRefusalCode; message: string };

export type AttachChecked =
  | { ok: true; view: HeaderView; table: SlotTable; check: { arm: SlotArm; negotiated: number }; capabilities: number }
  | AttachRefused;

/** A LUID is a 64-bit integer: a bigint, or a finite number (truncated). */
export function checkLuid(luid: unknown): void {
  if (typeof luid === 'bigint') return;
  if (typeof luid !== 'number' || !Number.isFinite(luid)) throw new InvalidArgumentError(`render adapter LUID ${String(luid)} is not an integer or bigint`);
}

export function validateAttach(buffer: SharedArrayBuffer, options: PublisherOptions): AttachChecked {
  // Options are the caller's own code, not the host's buffer: a mistake there is misuse.
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('FramePublisher.open(buffer, options) needs options with a targetId');
  const t = options.targetId;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > 0xffffffff) {
    throw new InvalidArgumentError(`FramePublisher.open: targetId ${String(t)} is not a u32`);
  }
  if (options.capabilities !== undefined && (typeof options.capabilities !== 'number' || !Number.isInteger(options.capabilities))) {
    throw new InvalidArgumentError(`FramePublisher.open: capabilities ${String(options.capabilities)} is not an integer bit set`);
  }
  if (options.renderAdapterLuid !== undefined) checkLuid(options.renderAdapterLuid);
  if (!(buffer instanceof SharedArrayBuffer)) {
    return { ok: false, refusal: AttachRefusal.BufferTooSmall, message: 'the ring buffer is not a SharedArrayBuffer' };
  }
  const capabilities = (options.capabilities ?? DEFAULT_DISPLAY_CAPABILITIES) >>> 0;
  if (buffer.byteLength < HEADER_SIZE) {
    return { ok: false, refusal: AttachRefusal.BufferTooSmall, message: `buffer of ${buffer.byteLength} bytes cannot hold the ${HEADER_SIZE}-byte header` };
  }
  const view = new HeaderView(buffer);
  const h = view.readHostFields();
  const check = checkAttach(h, buffer.byteLength, { targetId: options.targetId >>> 0, capabilities });
  if (!check.ok) {
    // Never write into another monitor's ring: its own display may be publishing there.
    if (check.refusal !== AttachRefusal.TargetMismatch) {
      view.store32(OFF_DRIVER_STATUS, DriverStatus.Refused);
      view.store32(OFF_DRIVER_STATUS_DETAIL, check.refusal);
    }
    return check;
  }
  const table = new SlotTable(view, {
    generation: h.generation,
    ringLen: h.ringLen,
    width: h.width,
    height: h.height,
    format: h.format,
    bytesPerPixel: bytesPerPixel(h.format),
    stride: h.stride,
    slotStride: h.slotStride,
    pixelsOffset: h.pixelsOffset,
  });
  return { ok: true, view, table, check, capabilities };
}
