/**
 * Whether anyone looks at one monitor's frames, for a pump that takes them only for someone
 * (serve: an RFB client, a viewer page). While nobody does, such a pump stops waking for frames:
 * each take, check and accept cost the host thread ~0.2 ms per frame (1.2-1.5% of a core at
 * 60 Hz) for frames nobody would see. It still wakes on its own for what the host must handle
 * whoever looks: `wake()` (a host fault queued, the monitor ending) and a timer
 * (`IDLE_HOUSEKEEPING_MS`: a mode the display changed to, which only the ring's header says).
 *
 * A consumer arriving (`acquire()`) wakes the pump and gets `fresh`, which settles once the pump
 * has taken the newest frame the ring holds (or found none newer than the one it holds): what a
 * client is then shown (its ServerInit, its first update) is the display now, not the frame the
 * pump last took, possibly minutes ago.
 *
 * Invariant: every `fresh` promise settles: when the pump took the newest frame, found nothing
 * newer, or ended (`end()` in its finally: a consumer arriving after that is not kept waiting
 * for a pump that will take nothing more).
 */

/** How often an idle pump looks at the ring's header for a mode change (and at the end). */
export const IDLE_HOUSEKEEPING_MS = 250;

export interface FrameDemandHandle {
  /** Settles once the pump took the newest frame (or had it already). */
  readonly fresh: Promise<void>;
  /** This consumer is gone (idempotent). */
  release(): void;
}

export class FrameDemand {
  private users = 0;
  private freshWaiters: Array<() => void> = [];
  private idleWake: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** No pump runs (it ended, or none began): `fresh` settles at once. */
  private pumping = false;

  /** True while at least one consumer looks. */
  get wanted(): boolean {
    return this.users > 0;
  }

  /** True while someone waits for a fresh take. */
  get freshPending(): boolean {
    return this.freshWaiters.length > 0;
  }

  acquire(): FrameDemandHandle {
    this.users++;
    const fresh = this.pumping ? new Promise<void>((resolve) => this.freshWaiters.push(resolve)) : Promise.resolve();
    this.wake();
    let released = false;
    return {
      fresh,
      release: () => {
        if (released) return;
        released = true;
        this.users--;
      },
    };
  }

  /** A pump begins (frames() runs): consumers arriving from now on wait for its take. */
  begin(): void {
    this.pumping = true;
  }

  /** The pump ended: nothing will be taken any more, so nobody waits for a take. */
  end(): void {
    this.pumping = false;
    this.settleFresh();
  }

  /** The pump holds the newest frame there is: whoever waited for a fresh one may go on. */
  settleFresh(): void {
    if (this.freshWaiters.length === 0) return;
    const waiters = this.freshWaiters;
    this.freshWaiters = [];
    for (const w of waiters) w();
  }

  /** Ends the pump's idle wait now (a consumer arrived, a host fault is queued, the monitor ends). */
  wake(): void {
    const w = this.idleWake;
    if (w === null) return;
    this.idleWake = null;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    w();
  }

  /** The pump's wait while nobody looks: until wake() or `ms` (one wait at a time). */
  idle(ms: number): Promise<void> {
    this.wake();
    return new Promise<void>((resolve) => {
      this.idleWake = resolve;
      this.idleTimer = setTimeout(() => this.wake(), ms);
    });
  }
}
