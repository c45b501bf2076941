/**
 * Which faults a session can inject now (Session.injectFault, the viewer's buttons), checked
 * before anything is sent: an unknown kind, a bad duration, or a kind the display cannot inject
 * is an InvalidArgumentError at once, never a message the worker silently ignores.
 *
 * The simulated display injects every kind. The Xvfb display injects the kinds its backend lists
 * (XVFB_INJECTABLE_FAULTS, host-stall and host-recreate among them: the display hands those to the
 * host); the rest are refused with the reason a real X server cannot produce them and the list of
 * those it takes. The same rule refuses a schedule entry (checkSchedule) before anything starts.
 */
import { FaultScheduleError, InvalidArgumentError } from '../contract/errors.js';
import { FAULT_KINDS, FAULT_KIND_SPECS, isFaultKind, parseFaultArg, parseFaultSchedule } from '../backends/sim/index.js';
import { XVFB_INJECTABLE_FAULTS, xvfbRefusal } from '../backends/xvfb/injectable-faults.js';
import type { SourceKind } from './worker-messages.js';

export function injectableFaults(source: SourceKind): readonly string[] {
  if (source === 'sim') return FAULT_KINDS;
  return XVFB_INJECTABLE_FAULTS;
}

/** Refuses a schedule (`--faults`) with an entry the display cannot inject, quoting the entry. */
export function checkSchedule(source: SourceKind, schedule: string): void {
  const entries = parseFaultSchedule(schedule);
  if (source === 'sim') return;
  for (const e of entries) {
    const why = xvfbRefusal(e.kind);
    if (why !== null) throw new FaultScheduleError(e.source, `${e.kind} cannot be injected on the ${source} display: ${why} (it takes: ${XVFB_INJECTABLE_FAULTS.join(', ')})`);
  }
}

/**
 * `arg`: a number (a duration in ms, or a count) for the kinds that take one; a string only for a
 * kind whose ARG is a mode (mode-change: "1920x1080@60"), which must have one.
 */
export function checkInjection(source: SourceKind, kind: unknown, arg: unknown): void {
  if (typeof kind !== 'string' || !isFaultKind(kind)) {
    throw new InvalidArgumentError(`fault kind ${JSON.stringify(kind)} is unknown (kinds: ${FAULT_KINDS.join(', ')})`);
  }
  const can = injectableFaults(source);
  if (!can.includes(kind)) {
    const why = source === 'xvfb' ? `: ${xvfbRefusal(kind)}` : '';
    throw new InvalidArgumentError(`fault ${kind} cannot be injected on the ${source} display${why} (it takes: ${can.join(', ')})`);
  }
  const takesMode = FAULT_KIND_SPECS[kind].arg === 'mode';
  if (takesMode) {
    const parsed = typeof arg === 'string' ? parseFaultArg(kind, arg) : `${kind} takes a mode string like "1920x1080@60"`;
    if (typeof parsed === 'string') throw new InvalidArgumentError(`fault ${kind}: ${parsed}`);
  } else if (typeof arg === 'string') {
    throw new InvalidArgumentError(`injectFault: ${kind} takes a number (a duration or a count), not ${JSON.stringify(arg)}`);
  } else if (arg !== undefined && (typeof arg !== 'number' || !Number.isFinite(arg) || arg < 0)) {
    throw new InvalidArgumentError(`fault ${kind}: duration ${String(arg)} must be a finite number of ms >= 0`);
  }
}
