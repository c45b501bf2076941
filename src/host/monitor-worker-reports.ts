/**
 * What a monitor's worker tells the host besides its replies: the counters (a 'snapshot', on a
 * timer that slows down while the display is idle), the markers of injected faults and the
 * display's own events ('recovery'), and the hardware cursor ('cursor', as it changes).
 *
 * Each post wakes this thread and the host's, so nothing here runs on a fast timer while nothing
 * changes: an idle display posts one snapshot a second and no cursor at all.
 */
import type { WorkerToHost, WorkerSnapshot } from './worker-messages.js';
import type { CursorState } from '../display/types.js';
import { emptyInputCounters } from '../display/input.js';
import { setCoalescedTimeout } from '../display/coalesced-timer.js';
import { mergeTimeline } from './injected-events.js';
import type { Running } from './monitor-worker-run.js';

export type Post = (m: WorkerToHost) => void;

const SNAPSHOT_INTERVAL_MS = 200;
/**
 * While the display is idle (no frame acquired since the last snapshot) the snapshot is posted
 * this often instead: each post wakes this thread and the host's (~150-250 µs of CPU each on these
 * VMs), and an idle display's counters do not move. The first frame after idle is in the next
 * snapshot within this time; events (recovery, critical error) never wait for it.
 */
const IDLE_SNAPSHOT_INTERVAL_MS = 1000;
/** A cursor change is posted at most this often (~60 Hz). */
const CURSOR_INTERVAL_MS = 16;
const NO_SHAPE = new Uint8Array(0);

/** The worker's counters, events and resources as the host's MonitorLink takes them. */
export function snapshot(r: Running): WorkerSnapshot {
  const d = r.driver.stats();
  return {
    display: r.display.stats(),
    driver: {
      acquired: d.acquired,
      finished: d.finished,
      // A frame the FrameStash republished into a fresh ring is a publish too.
      published: d.published + d.republished,
      dropped: { ...d.dropped },
      devices: { ...d.devices },
      terminateMaxLatencyMs: d.terminate.maxLatencyMs,
    },
    events: mergeTimeline(
      d.recovery.events.map((e) => ({
        atMs: e.atMs,
        failure: e.failure,
        hresult: e.hresult,
        class: e.class,
        action: e.action,
        adapter: e.adapter,
        recoveryMs: e.recoveryMs,
        targetId: r.config.targetId,
      })),
      [...(r.injected?.all() ?? []), ...(r.displayEvents?.all() ?? [])],
    ),
    criticalError: d.recovery.criticalError ?? r.display.stats().criticalError,
    nowMs: r.display.clock.now(),
    resources: r.resources(),
    input: r.input?.counters() ?? { ...emptyInputCounters(), dropped: r.inputDropped },
  };
}

/** Posts the markers of faults injected since the last look (see injected-events.ts). */
export function postInjected(r: Running, post: Post): void {
  for (const event of r.injected?.poll() ?? []) post({ type: 'recovery', event });
  for (const event of r.displayEvents?.poll() ?? []) post({ type: 'recovery', event });
}

/** Posts a snapshot every SNAPSHOT_INTERVAL_MS, every IDLE_SNAPSHOT_INTERVAL_MS while no frame is acquired. */
export class SnapshotTicker {
  private lastAcquired = -1;
  private cancel: (() => void) | null = null;

  constructor(
    private readonly r: Running,
    private readonly post: Post,
  ) {
    this.cancel = setCoalescedTimeout(this.tick, SNAPSHOT_INTERVAL_MS);
  }

  private readonly tick = (): void => {
    postInjected(this.r, this.post);
    this.post({ type: 'snapshot', snapshot: snapshot(this.r) });
    const acquired = this.r.driver.stats().acquired;
    const idle = acquired === this.lastAcquired;
    this.lastAcquired = acquired;
    // Idle, the 1 s post shares the processor's idle wake-up (coalesced-timer.ts).
    this.cancel = setCoalescedTimeout(this.tick, idle ? IDLE_SNAPSHOT_INTERVAL_MS : SNAPSHOT_INTERVAL_MS);
  };

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }
}

/**
 * Posts the hardware cursor as it changes, at most every CURSOR_INTERVAL_MS (a trailing timer posts
 * the last change of a burst): an idle display wakes nothing here, where a 16 ms poll woke 62 times
 * a second. Its image goes only with a new shape (up to 256 KiB). Nothing is posted before start():
 * the host takes cursor messages once 'ready' is out.
 */
export class CursorPoster {
  private version = -1;
  private shapeId = -1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastPost = Number.NEGATIVE_INFINITY;
  private live = false;

  constructor(
    private readonly get: () => { state: CursorState; version: number } | null,
    private readonly post: Post,
  ) {}

  /** The display's cursor changed. */
  readonly changed = (): void => {
    if (!this.live || this.timer !== null) return;
    const wait = this.lastPost + CURSOR_INTERVAL_MS - performance.now();
    if (wait <= 0) this.postNow();
    else this.timer = setTimeout(this.postNow, wait);
  };

  /** Posts the cursor as it is now (as it was before the host listened), then every change. */
  start(): void {
    this.live = true;
    this.postNow();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.live = false;
  }

  private readonly postNow = (): void => {
    this.timer = null;
    this.lastPost = performance.now();
    const c = this.get();
    if (c === null || c.version === this.version) return;
    this.version = c.version;
    const newShape = c.state.shapeId !== this.shapeId;
    this.shapeId = c.state.shapeId;
    this.post({ type: 'cursor', cursor: { ...c.state, shape: newShape ? c.state.shape.slice() : NO_SHAPE } });
  };
}
