/**
 * Injected-fault markers on the recovery timeline.
 *
 * Some faults make the driver decide nothing (flap, unassign, idle, host-stall): the display copes
 * and the timeline would show no trace that the schedule took effect. Each of those becomes an
 * event of its own, with the timeline's usual fields and `class` and `action` both 'injected', so
 * a user reading `recovery.events` sees when it hit and what it hit (`detail`). Faults that make
 * the driver act (device-removed, access-lost, ...) are left to the driver's own events.
 */
import type { RecoveryEventMessage } from './worker-messages.js';

/** The fault kinds that leave no driver event, so vdpush marks them itself. */
export const MARKED_FAULT_KINDS: ReadonlySet<string> = new Set(['flap', 'unassign', 'idle', 'host-stall']);

export interface InjectedFault {
  /** ms after the display started. */
  atMs: number;
  kind: string;
  durationMs: number;
  detail: string;
  source: string;
}

export function injectedEvent(f: InjectedFault, startMs: number, adapter: string): RecoveryEventMessage {
  return {
    atMs: startMs + f.atMs,
    failure: f.kind,
    hresult: 'none',
    class: 'injected',
    action: 'injected',
    adapter,
    recoveryMs: null,
    durationMs: f.durationMs,
    detail: f.detail,
    source: f.source,
  };
}

/**
 * Turns a display's growing fault log into marker events: poll() returns the markers for the
 * faults logged since the last call (none allocated when nothing new was logged).
 */
export class InjectedEventLog {
  private seen = 0;
  private readonly markers: RecoveryEventMessage[] = [];

  constructor(
    private readonly log: () => readonly InjectedFault[],
    private readonly startMs: number,
    private readonly adapter: () => string,
  ) {}

  poll(): RecoveryEventMessage[] {
    const log = this.log();
    if (log.length === this.seen) return NONE;
    const fresh: RecoveryEventMessage[] = [];
    for (; this.seen < log.length; this.seen++) {
      const f = log[this.seen]!;
      if (!MARKED_FAULT_KINDS.has(f.kind)) continue;
      const e = injectedEvent(f, this.startMs, this.adapter());
      this.markers.push(e);
      fresh.push(e);
    }
    return fresh;
  }

  /** Every marker so far. */
  all(): readonly RecoveryEventMessage[] {
    return this.markers;
  }
}

const NONE: RecoveryEventMessage[] = [];

/** The driver's events and the markers in one timeline, by time (a stable merge: ties keep the driver's first). */
export function mergeTimeline(driver: readonly RecoveryEventMessage[], markers: readonly RecoveryEventMessage[]): RecoveryEventMessage[] {
  if (markers.length === 0) return driver.slice();
  return [...driver, ...markers].sort((a, b) => a.atMs - b.atMs);
}

/** A backend's own event (the Xvfb workload died, was restarted), as the display reports it. */
export interface DisplaySideEvent {
  atMs: number;
  failure: string;
  action: string;
  detail: string;
}

/**
 * Turns a display's growing event list into timeline events with `class: 'display'` (poll() as
 * InjectedEventLog's). A display without such a list gives none.
 */
export class DisplayEventLog {
  private seen = 0;
  private readonly events: RecoveryEventMessage[] = [];

  constructor(
    private readonly list: () => readonly DisplaySideEvent[],
    private readonly adapter: () => string,
  ) {}

  poll(): RecoveryEventMessage[] {
    const list = this.list();
    if (list.length === this.seen) return NONE;
    const fresh: RecoveryEventMessage[] = [];
    for (; this.seen < list.length; this.seen++) {
      const d = list[this.seen]!;
      const e: RecoveryEventMessage = { atMs: d.atMs, failure: d.failure, hresult: 'none', class: 'display', action: d.action, adapter: this.adapter(), recoveryMs: null, detail: d.detail };
      this.events.push(e);
      fresh.push(e);
    }
    return fresh;
  }

  all(): readonly RecoveryEventMessage[] {
    return this.events;
  }
}
