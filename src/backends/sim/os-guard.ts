/**
 * What the simulated OS punishes, as a real IddCx does, so a driver bug cannot hide behind a kind
 * simulation. Each is a bugcheck: the run ends there, with the reason, as a distinct ending.
 *
 * - assignSwapChain returning a failure other than STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN
 *   ("Starting with Windows 10 version 1903 (IddCx 1.4), IddCx error handling for this callback
 *   changed", seed 004; the assign reference: any other failure bugchecks the system);
 * - IddCxReportCriticalError with a major (or minor) outside 0..0xFF (the struct reference: each is
 *   0..0xFF, and IddCx adds 0x100 to the major itself);
 * - IddCxSwapChainFinishedProcessingFrame with no frame acquired;
 * - any driver call after IddCxReportCriticalError: that call never returns (the OS terminates the
 *   driver's process), so a driver that goes on calling is a driver that assumed it returns.
 *
 * After the critical error the OS reclaims what the dead driver held (its devices, its
 * swap-chains) and calls nothing of it again; after a bugcheck the machine is down: nothing runs.
 */
import { CRITICAL_MAJOR_BASE } from '../../display/result-codes.js';

export interface Bugcheck {
  /** Why, in one sentence naming the call. */
  reason: string;
  /** Display-clock ms (not relative to start). */
  atMs: number;
}

/** The largest major or minor a driver may pass to IddCxReportCriticalError. */
export const MAX_CRITICAL_CODE = 0xff;

export class OsGuard {
  private bug: Bugcheck | null = null;
  private crit: { major: number; minor: number } | null = null;

  constructor(
    private readonly now: () => number,
    /** The machine is down: stop everything. Called once. */
    private readonly onBugcheck: () => void,
    /** The driver's process was terminated: reclaim what it held. Called once. */
    private readonly onCritical: () => void,
  ) {}

  get bugcheck(): Bugcheck | null {
    return this.bug;
  }

  /** The code as the OS reports it (major + 0x100), or null. */
  get criticalError(): { major: number; minor: number } | null {
    return this.crit;
  }

  /** The driver is gone (critical error) or the machine is (bugcheck): nothing more is assigned or composed. */
  get halted(): boolean {
    return this.crit !== null || this.bug !== null;
  }

  /**
   * A driver call into the OS: true when it may take effect. After the critical error it is a
   * bugcheck; after a bugcheck nothing takes effect. `call` is a constant string (hot path).
   */
  driverCall(call: string): boolean {
    if (this.bug !== null) return false;
    if (this.crit !== null) {
      this.crash(`${call} was called after IddCxReportCriticalError, which does not return (the OS terminates the driver)`);
      return false;
    }
    return true;
  }

  /** The first bugcheck stands. */
  crash(reason: string): void {
    if (this.bug !== null) return;
    this.bug = { reason, atMs: this.now() };
    this.onBugcheck();
  }

  /** IddCxReportCriticalError(major, minor) as the driver passes it. */
  reportCriticalError(major: number, minor: number): void {
    if (!this.driverCall('IddCxReportCriticalError')) return;
    for (const [name, v] of [['major', major], ['minor', minor]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > MAX_CRITICAL_CODE) {
        this.crash(`IddCxReportCriticalError ${name} 0x${(v >>> 0).toString(16)} is outside 0..0xFF (IddCx adds 0x100 to the major itself)`);
        return;
      }
    }
    this.crit = { major: major + CRITICAL_MAJOR_BASE, minor };
    this.onCritical();
  }
}
