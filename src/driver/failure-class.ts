/**
 * Seed 004's failure classes, as a pure function of an HRESULT: what kind of failure it is and
 * what it is called on the recovery timeline.
 *
 * - directx: the device-loss family (removed / hung / reset) and access lost. Seed 004: hard to
 *   attribute (external event, our bug, another vendor's bug), so always handled the same way:
 *   give the swap-chain back and build a new device; escalate if it keeps happening.
 * - transient-own: a short-lived shortage of our own (out of memory by default; configurable),
 *   fixed within the frame by retrying.
 * - permanent-own: never inferred from an HRESULT; the driver declares it (RecoveryPolicy.reportPermanent)
 *   or a transient one that recurs regularly is promoted to it.
 * - unknown: any other failure. Handled like a DirectX error (give back, rebuild, escalate): that
 *   path recovers from either, and its counters keep an unrecognised failure from looping forever.
 */
import {
  DXGI_ERROR_ACCESS_LOST,
  DXGI_ERROR_DEVICE_HUNG,
  DXGI_ERROR_DEVICE_REMOVED,
  DXGI_ERROR_DEVICE_RESET,
  E_FAIL,
  E_OUTOFMEMORY,
  isDirectXError,
} from '../display/result-codes.js';

export type FailureClass = 'transient-own' | 'permanent-own' | 'directx' | 'unknown';
export type FailureWhere = 'assign' | 'processing';

export const DEFAULT_TRANSIENT_CODES: readonly number[] = Object.freeze([E_OUTOFMEMORY]);

export function classifyFailure(hr: number, transientCodes: readonly number[] = DEFAULT_TRANSIENT_CODES): FailureClass {
  const u = hr >>> 0;
  if (isDirectXError(u)) return 'directx';
  for (const t of transientCodes) if (t >>> 0 === u) return 'transient-own';
  return 'unknown';
}

const FAILURE_NAMES: ReadonlyMap<number, string> = new Map([
  [DXGI_ERROR_DEVICE_REMOVED, 'device-removed'],
  [DXGI_ERROR_DEVICE_HUNG, 'device-hung'],
  [DXGI_ERROR_DEVICE_RESET, 'device-reset'],
  [DXGI_ERROR_ACCESS_LOST, 'access-lost'],
  [E_OUTOFMEMORY, 'out-of-memory'],
  [E_FAIL, 'unspecified-failure'],
]);

/** The failure's name on the timeline, e.g. 'device-removed'; 'unknown' for a code we do not know. */
export function failureName(hr: number): string {
  return FAILURE_NAMES.get(hr >>> 0) ?? 'unknown';
}
