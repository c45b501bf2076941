/**
 * The host half of the virtual-clock lockstep (see CONTROL_SLICE in worker-messages.ts).
 *
 * The worker runs simulated time in slices and waits after each until the host acknowledges it.
 * The host acknowledges a slice once (1) every host-fault message posted before it has arrived,
 * (2) the ring matches the display's mode, and (3) an active consumer has taken what was published
 * in it. So host-side reactions happen at exact virtual times, and a virtual run repeats exactly
 * however fast either thread is.
 *
 * Invariant: a consumer reads the slice number BEFORE it looks at the ring; everything published
 * in slices up to that number is therefore visible to that look (the worker stores the slice
 * after publishing), so "nothing to consume" really means "caught up to that slice".
 */
import { sleepWhileEqual, type ConsumedFrame, type HostRing } from '../ring/index.js';
import { CONTROL_ACK, CONTROL_POSTED, CONTROL_SLICE, CONTROL_VNOW } from './worker-messages.js';

export interface LockstepHooks {
  isFinished(): boolean;
  /** Host-fault messages received so far. */
  faultsReceived(): number;
  /** Recreate the ring if the display's mode changed. */
  housekeeping(): void;
  /**
   * Several monitors: may this monitor's worker go past `slice` yet? The session says no while
   * another monitor lags more than a slice behind, so the monitors' virtual clocks stay within one
   * slice of each other and adapter-wide events (a fallback, a critical error) reach every monitor
   * at about the same virtual time. Absent: always.
   */
  mayAck?(slice: number): boolean;
  /** Called after each acknowledgement (the session wakes the other monitors' loops). */
  acked?(slice: number): void;
}

/** How often a monitor held back for a lagging one looks again, at the latest (real ms). */
const MAY_ACK_RECHECK_MS = 20;

export class HostLockstep {
  private consumers = 0;
  private consumerSeen = false;
  private caughtUpSlice = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly control: Int32Array,
    private readonly ring: () => HostRing,
    private readonly hooks: LockstepHooks,
    private readonly pollMs: number,
  ) {}

  consumerEnter(): void {
    this.consumers++;
    this.consumerSeen = true;
    this.wake();
  }

  consumerLeave(): void {
    this.consumers--;
    this.wake();
  }

  /** Wakes the acknowledging loop to look again (a consumer came or went, the run ended). */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** The next frame, or null (caught up) after waiting for the next slice. */
  async nextFrame(): Promise<ConsumedFrame | null> {
    const slice = Atomics.load(this.control, CONTROL_SLICE);
    const frame = this.ring().tryConsume();
    if (frame !== null) return frame;
    this.caughtUp(slice);
    if (!this.hooks.isFinished()) await sleepWhileEqual(this.control, CONTROL_SLICE, slice, this.pollMs);
    return null;
  }

  /** host-stall in virtual time: takes every frame into `held` until the display's clock passes `untilMs`. */
  async holdFrames(untilMs: number, held: ConsumedFrame[]): Promise<void> {
    while (Atomics.load(this.control, CONTROL_VNOW) < untilMs && !this.hooks.isFinished()) {
      const slice = Atomics.load(this.control, CONTROL_SLICE);
      const f = this.ring().tryConsume();
      if (f) {
        held.push(f);
        continue;
      }
      this.caughtUp(slice);
      await sleepWhileEqual(this.control, CONTROL_SLICE, slice, this.pollMs);
    }
  }

  private caughtUp(slice: number): void {
    if (slice > this.caughtUpSlice) this.caughtUpSlice = slice;
    this.wake();
  }

  private waitForChange(timeoutMs?: number): Promise<void> {
    return new Promise<void>((r) => {
      if (timeoutMs === undefined) {
        this.waiters.push(r);
        return;
      }
      const t = setTimeout(r, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        r();
      });
    });
  }

  /** Acknowledges slices until the run ends. */
  async run(): Promise<void> {
    let acked = 0;
    const done = (): boolean => this.hooks.isFinished();
    while (!done()) {
      const slice = Atomics.load(this.control, CONTROL_SLICE);
      if (slice <= acked) {
        await sleepWhileEqual(this.control, CONTROL_SLICE, slice, 100);
        continue;
      }
      while (this.hooks.faultsReceived() < Atomics.load(this.control, CONTROL_POSTED) && !done()) {
        await new Promise((r) => setImmediate(r));
      }
      // Until a consumer first iterates, virtual time waits for it (a recorder still starting its
      // encoder must not miss the run); once one has come and gone, slices are acknowledged at
      // once and the ring absorbs them.
      while (this.consumers === 0 && !this.consumerSeen && !done()) await this.waitForChange();
      if (this.consumers > 0) {
        while (this.consumers > 0 && this.caughtUpSlice < slice && !done()) await this.waitForChange();
      } else {
        this.hooks.housekeeping();
      }
      // Bounded wait: a lagging monitor's acknowledgement wakes us, the timeout is a safety net.
      while (this.hooks.mayAck !== undefined && !this.hooks.mayAck(slice) && !done()) await this.waitForChange(MAY_ACK_RECHECK_MS);
      acked = slice;
      Atomics.store(this.control, CONTROL_ACK, slice);
      Atomics.notify(this.control, CONTROL_ACK);
      this.hooks.acked?.(slice);
    }
  }
}
