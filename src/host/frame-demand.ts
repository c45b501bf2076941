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
 * The display may stop capturing while nobody looks (`setWatchLink`, an on-demand pump): an
 * unwatched Xvfb display takes no damage and reads no pixels, so a served display nobody looks at
 * costs what an idle one does, where it used to capture every frame for nobody (11% of a core on
 * a 60 Hz 1080p animation). Then the newest frame in the ring can be minutes old, so a consumer
 * arriving first tells the display to watch again and waits until it says it caught up (it
 * captured and published what changed meanwhile, or nothing had): only then is the newest frame
 * taken for `fresh`. A display that never answers is waited for CATCH_UP_TIMEOUT_MS at most.
 *
 * Invariant: every `fresh` promise settles: when the pump took the newest frame, found nothing
 * newer, or ended (`end()` in its finally: a consumer arriving after that is not kept waiting
 * for a pump that will take nothing more).
 */

/** How often an idle pump looks at the ring's header for a mode change (and at the end). */
export const IDLE_HOUSEKEEPING_MS = 250;

/** The longest a consumer waits for the display to catch up after it was told to watch again. */
export const CATCH_UP_TIMEOUT_MS = 1000;

/** Tells the display to watch (capture) or not; `seq` is echoed by its caught-up answer. */
export type WatchLink = (watched: boolean, seq: number) => void;

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
  private link: WatchLink | null = null;
  /** An on-demand pump runs: the display may be told to stop watching while nobody looks. */
  private onDemand = false;
  private watchSeq = 0;
  /** The display was told to stop watching (and not told to watch since). */
  private unwatched = false;
  /** The seq of the watch whose caught-up answer `fresh` waits for, or -1. */
  private catchUpSeq = -1;
  private catchUpTimer: NodeJS.Timeout | null = null;

  /** True while at least one consumer looks. */
  get wanted(): boolean {
    return this.users > 0;
  }

  /** True while someone waits for a fresh take. */
  get freshPending(): boolean {
    return this.freshWaiters.length > 0;
  }

  /** True while a consumer waits for the display to catch up (the pump takes nothing before). */
  get catchingUp(): boolean {
    return this.catchUpSeq !== -1;
  }

  acquire(): FrameDemandHandle {
    this.users++;
    const fresh = this.pumping ? new Promise<void>((resolve) => this.freshWaiters.push(resolve)) : Promise.resolve();
    if (this.unwatched && this.link !== null) {
      this.unwatched = false;
      this.catchUpSeq = ++this.watchSeq;
      this.link(true, this.catchUpSeq);
      const seq = this.catchUpSeq;
      this.catchUpTimer = setTimeout(() => this.caughtUp(seq), CATCH_UP_TIMEOUT_MS);
      this.catchUpTimer.unref();
    }
    this.wake();
    let released = false;
    return {
      fresh,
      release: () => {
        if (released) return;
        released = true;
        this.users--;
        this.unwatchIfNobody();
      },
    };
  }

  /** How the display is told to watch or not (the monitor's link to its worker); once. */
  setWatchLink(link: WatchLink): void {
    this.link = link;
  }

  /** The display answered watch `seq`: it caught up, so the newest frame may be taken now. */
  caughtUp(seq: number): void {
    if (seq === -1 || seq !== this.catchUpSeq) return; // none awaited, an older watch's answer, or one timed out
    this.catchUpSeq = -1;
    if (this.catchUpTimer !== null) clearTimeout(this.catchUpTimer);
    this.catchUpTimer = null;
    this.wake();
  }

  /**
   * A pump begins (frames() runs): consumers arriving from now on wait for its take. An on-demand
   * pump with nobody looking tells the display to stop watching.
   */
  begin(onDemand = false): void {
    this.pumping = true;
    this.onDemand = onDemand;
    this.unwatchIfNobody();
  }

  /** The pump ended: nothing will be taken any more, so nobody waits for a take. */
  end(): void {
    this.pumping = false;
    this.onDemand = false;
    this.caughtUp(this.catchUpSeq);
    this.settleFresh();
  }

  private unwatchIfNobody(): void {
    if (this.users > 0 || !this.onDemand || this.unwatched || this.link === null) return;
    this.unwatched = true;
    this.caughtUp(this.catchUpSeq); // nobody waits for it any more
    this.link(false, ++this.watchSeq);
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
