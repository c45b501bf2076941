/**
 * The session's timeline across its monitors, and on the virtual clock the pace that keeps their
 * clocks together (TEAM-NOTES "Virtual clock with several monitors").
 *
 * Each monitor's worker runs its virtual clock in slices and waits for the host to acknowledge
 * each one (host-lockstep.ts). A monitor's slice is acknowledged only while no other consumed
 * monitor lags more than one slice behind, and not at all while a monitor is arriving or leaving:
 * starting or joining a worker takes real time in which the running monitors could otherwise run
 * on (even to the run's end), and an arrival or a departure takes no virtual time.
 *
 * Slices are counted from when each monitor was plugged in: a late monitor's clock starts at 0 at
 * its `sliceBase` (the leading monitor's slice then).
 */
import type { MonitorLink } from './monitor-link.js';
import { VIRTUAL_SLICE_MS } from './worker-messages.js';

export class SessionPace {
  /** Monitors being plugged in or removed now (virtual time waits for them). */
  private changing = 0;
  /** When the session opened (performance.now()): 0 of the real clock's timeline. */
  readonly startedAt = performance.now();

  constructor(
    private readonly links: () => Iterable<MonitorLink>,
    private readonly virtual: () => boolean,
  ) {}

  /**
   * Now on the session's timeline: on the virtual clock the leading monitor's virtual ms (each
   * monitor's clock counted from when it was plugged in), on the real clock the ms since open.
   */
  nowMs(): number {
    if (!this.virtual()) return performance.now() - this.startedAt;
    let now = 0;
    for (const l of this.links()) now = Math.max(now, l.virtualNowMs + l.sliceBase * VIRTUAL_SLICE_MS);
    return now;
  }

  /** Where a monitor plugged into the running session starts its slices: the leading monitor's slice (0 before any). */
  lateSliceBase(): number {
    return Math.max(0, ...[...this.links()].map((l) => l.slice + l.sliceBase));
  }

  /** Runs `work` (a plug or an unplug) with virtual time held, then lets every monitor run on. */
  async holding<T>(work: () => Promise<T>): Promise<T> {
    this.changing++;
    try {
      return await work();
    } finally {
      this.changing--;
      this.wakeAll();
    }
  }

  /** Wakes every monitor's lockstep wait: the condition it waits on may have changed. */
  wakeAll(except?: MonitorLink): void {
    for (const l of this.links()) if (l !== except) l.wakeLockstep();
  }

  /**
   * Virtual clock: monitor `link` may run past `slice` only while every other running monitor with
   * a consumer has run at least slice - 1 (counted from when each was plugged in). A monitor
   * nobody consumes yet is not waited for (its clock waits for its first consumer).
   */
  mayAck(link: MonitorLink, slice: number): boolean {
    if (this.changing > 0) return false;
    const mine = slice + link.sliceBase;
    for (const other of this.links()) {
      if (other === link || other.isEnded || !other.consumerSeen) continue;
      if (other.slice + other.sliceBase < mine - 1) return false;
    }
    // Wake the others: one of them may have been waiting for this monitor.
    this.wakeAll(link);
    return true;
  }
}
