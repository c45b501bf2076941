/**
 * Seed 004's failure classes: what kind of failure a failed call was, and what it is called on the
 * recovery timeline. A pure function of the call's HRESULT and, when there is a device to ask, the
 * device's removed reason.
 *
 * The rule (DESIGN.md "Recovery"): classify by asking the device, not by the HRESULT alone.
 * - directx: the device is removed, reset or hung (its removedReason() is not S_OK), whatever the
 *   call returned; or, with no device to ask, the call returned a device-loss code. Seed 004: "once
 *   a DX device is in an error state it will never recover and needs to be recreated", and the
 *   cause is hard to attribute ("It is difficult for a driver to accurately distinguish between the
 *   different DirectX errors"), so every one is handled alike: destroy the device, give the
 *   swap-chain back, and count it toward the next stage of the ladder.
 * - os: the device is healthy and the call says the swap-chain is gone: ACCESS_LOST (the OS
 *   abandoned the swap-chain, or SetDevice while the monitor flaps) or PATH_NOT_IN_TOPOLOGY (a
 *   topology rebuild). The OS took the swap-chain; "the OS will stabilize and create a new
 *   swapchain". Keep the device and count nothing: a healthy device is not in error, and counting
 *   the OS's own reassignments would walk a healthy display down the ladder to the software adapter.
 * - transient-own: a short-lived shortage of our own (out of memory by default; configurable):
 *   "Transient issues specific to your solution ... recovery happens quickly (typically well under
 *   a second)": fixed within the frame by retrying; "If the error happens regularly" it is promoted
 *   to permanent (recovery-policy.ts says what "regularly" is).
 * - permanent-own: never inferred from an HRESULT; the driver declares it (reportPermanent), or a
 *   transient one is promoted to it.
 * - unknown: any other failure on a healthy device. Handled like a DirectX error (give back,
 *   rebuild, escalate): that path recovers from either, and its counters keep an unrecognised
 *   failure from looping forever.
 */
import {
  DXGI_ERROR_ACCESS_LOST,
  DXGI_ERROR_DEVICE_HUNG,
  DXGI_ERROR_DEVICE_REMOVED,
  DXGI_ERROR_DEVICE_RESET,
  E_FAIL,
  E_OUTOFMEMORY,
  STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY,
  S_OK,
  isDeviceLost,
} from '../display/result-codes.js';

export type FailureClass = 'transient-own' | 'permanent-own' | 'directx' | 'os' | 'unknown';
export type FailureWhere = 'assign' | 'processing';

export const DEFAULT_TRANSIENT_CODES: readonly number[] = Object.freeze([E_OUTOFMEMORY]);

/** The OS took the swap-chain (when the device is healthy). */
export function isSwapChainTaken(hr: number): boolean {
  const u = hr >>> 0;
  return u === DXGI_ERROR_ACCESS_LOST || u === STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY;
}

/**
 * Classifies a failed call. `deviceReason` is the device's removedReason() asked right after the
 * failure, or undefined when there is no device to ask (device creation in assign).
 */
export function classifyFailure(hr: number, transientCodes: readonly number[] = DEFAULT_TRANSIENT_CODES, deviceReason?: number): FailureClass {
  if (deviceReason !== undefined && deviceReason >>> 0 !== S_OK) return 'directx';
  const u = hr >>> 0;
  if (isDeviceLost(u)) return 'directx';
  if (isSwapChainTaken(u)) return 'os';
  for (const t of transientCodes) if (t >>> 0 === u) return 'transient-own';
  return 'unknown';
}

const FAILURE_NAMES: ReadonlyMap<number, string> = new Map([
  [DXGI_ERROR_DEVICE_REMOVED, 'device-removed'],
  [DXGI_ERROR_DEVICE_HUNG, 'device-hung'],
  [DXGI_ERROR_DEVICE_RESET, 'device-reset'],
  [DXGI_ERROR_ACCESS_LOST, 'access-lost'],
  [STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY, 'path-not-in-topology'],
  [E_OUTOFMEMORY, 'out-of-memory'],
  [E_FAIL, 'unspecified-failure'],
]);

/** The failure's name on the timeline, e.g. 'device-removed'; 'unknown' for a code we do not know. */
export function failureName(hr: number): string {
  return FAILURE_NAMES.get(hr >>> 0) ?? 'unknown';
}
