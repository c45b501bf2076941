/**
 * Which faults a session can inject now (Session.injectFault, the viewer's buttons), checked
 * before anything is sent: an unknown kind, a bad duration, or a kind the display cannot inject
 * is an InvalidArgumentError at once, never a message the worker silently ignores.
 *
 * The simulated display injects every kind. Host-side kinds (host-stall, host-recreate) are the
 * host's own doing, so they work on any display. The Xvfb display injects the kinds its backend
 * lists (XVFB_INJECTABLE_FAULTS); the rest are refused with the list of those it takes.
 */
import { InvalidArgumentError } from '../contract/errors.js';
import { FAULT_KINDS, isFaultKind } from '../backends/sim/index.js';
import { XVFB_INJECTABLE_FAULTS } from '../backends/xvfb/injectable-faults.js';
import type { SourceKind } from './worker-messages.js';

export const HOST_SIDE_FAULTS: ReadonlySet<string> = new Set(['host-stall', 'host-recreate']);

export function injectableFaults(source: SourceKind): readonly string[] {
  if (source === 'sim') return FAULT_KINDS;
  return [...XVFB_INJECTABLE_FAULTS, ...HOST_SIDE_FAULTS];
}

export function checkInjection(source: SourceKind, kind: unknown, durationMs: unknown): void {
  if (typeof kind !== 'string' || !isFaultKind(kind)) {
    throw new InvalidArgumentError(`fault kind ${JSON.stringify(kind)} is unknown (kinds: ${FAULT_KINDS.join(', ')})`);
  }
  if (durationMs !== undefined && (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0)) {
    throw new InvalidArgumentError(`fault ${kind}: duration ${String(durationMs)} must be a finite number of ms >= 0`);
  }
  const can = injectableFaults(source);
  if (!can.includes(kind)) {
    throw new InvalidArgumentError(`fault ${kind} cannot be injected on the ${source} display (it takes: ${can.join(', ')})`);
  }
}
