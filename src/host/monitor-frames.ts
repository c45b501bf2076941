/**
 * The host's consumption of one monitor's frames (MonitorLink.frames): each pass does the ring's
 * housekeeping and any host fault the display scheduled, waits for the next frame (woken by the
 * frame-ready event or the host's own ring.wake(), never polling), verifies and counts it, yields
 * it, and gives its slot back when the iteration step ends, unless its consumer kept it.
 *
 * Keeping (the keeper): the consumer that shows the newest frame until the next one arrives (the
 * latest framebuffer) keeps the frame it was handed past its step and releases it itself later,
 * so it need not copy it. One consumer per monitor keeps frames.
 *
 * On demand (frames({ onDemand: true }), serve's pumps): while nobody looks at the monitor
 * (frame-demand.ts) the pass waits for no frame, only for its housekeeping (a timer, a host fault,
 * the end, a consumer arriving); a consumer arriving is handed the newest frame the ring holds at
 * once, after the display caught up if it had stopped watching (frame-demand.ts). Never with the
 * virtual clock (the lockstep needs every slice consumed), never once the monitor ended (the
 * frames still in the ring are taken, as always).
 *
 * Invariant: a frame handed out stays held until its step ends or, when kept, until the keeper
 * releases it; every frame taken from the ring is released exactly once.
 */
import type { HostFaultRequest } from '../display/types.js';
import type { ConsumedFrame, HostRing } from '../ring/index.js';
import type { FrameKeeper } from './framebuffer/latest-framebuffer.js';
import { FrameDemand, IDLE_HOUSEKEEPING_MS } from './frame-demand.js';
import type { FrameVerifier } from './frame-verifier.js';
import { performHostFault, type HostFaultTarget } from './host-faults.js';
import type { HostLockstep } from './host-lockstep.js';
import { IDLE_WAKE_MS } from './link-options.js';

/** How each pass waits for a frame (one object for every pass: nothing allocated per frame here). */
const WAIT = { timeoutMs: IDLE_WAKE_MS, returnOnWake: true } as const;

/** The shortest ring a consumer may keep a frame of (see keeper). */
export const MIN_RING_LEN_TO_KEEP = 3;

export interface MonitorFramesHooks {
  /** The monitor's current ring (it changes on recreate). */
  ring(): HostRing;
  isFinished(): boolean;
  /** Recreates the ring when the display's mode changed (run before each wait). */
  housekeeping(): void;
  /** The next host fault the display scheduled, if any (taken). */
  nextHostFault(): HostFaultRequest | undefined;
  faultTarget: HostFaultTarget;
  lockstep: HostLockstep | null;
  /** A frame arrived in this format (the mode reports the newest frame's). */
  noteFormat(format: number): void;
}

export class MonitorFrames {
  consumed = 0;
  integrityErrors = 0;
  /** The frame being yielded now, and whether its consumer kept it. */
  private yielded: ConsumedFrame | null = null;
  private kept: ConsumedFrame | null = null;
  /** Who looks at this monitor's frames (for frames({ onDemand: true })). */
  readonly demand = new FrameDemand();

  constructor(
    private readonly hooks: MonitorFramesHooks,
    private readonly verifier: FrameVerifier,
  ) {}

  /**
   * keep() during the step that yielded the frame, release() once, later. A ring shorter than
   * MIN_RING_LEN_TO_KEEP is not kept from: with one slot held for good, a one-slot ring would leave
   * the producer nothing to publish into (the view would freeze), a two-slot ring nothing while
   * the next frame is taken.
   */
  readonly keeper: FrameKeeper = {
    keep: (f) => {
      if (f !== this.yielded || this.hooks.ring().ringLen < MIN_RING_LEN_TO_KEEP) return false;
      this.kept = this.yielded;
      return true;
    },
    release: (f) => this.hooks.ring().release(f as ConsumedFrame),
  };

  /** Ends an idle pass's wait now (MonitorLink: a host fault queued, the monitor ended). */
  wake(): void {
    this.demand.wake();
  }

  async *frames(opts?: { onDemand?: boolean }): AsyncGenerator<ConsumedFrame, void, undefined> {
    const h = this.hooks;
    const d = this.demand;
    const onDemand = opts?.onDemand === true && h.lockstep === null;
    h.lockstep?.consumerEnter();
    d.begin(onDemand);
    try {
      while (true) {
        h.housekeeping();
        const fault = h.nextHostFault();
        if (fault !== undefined) await performHostFault(fault, h.faultTarget);
        if (onDemand && !d.wanted && !h.isFinished()) {
          await d.idle(IDLE_HOUSEKEEPING_MS);
          continue;
        }
        if (d.catchingUp && !h.isFinished()) {
          // The display was told to watch again: its catch-up frame, if any, comes first.
          await d.idle(IDLE_HOUSEKEEPING_MS);
          continue;
        }
        let frame: ConsumedFrame | null;
        if (d.freshPending && h.lockstep === null) {
          // Someone arrived: the newest frame now, or nothing newer than the one already held.
          frame = h.ring().tryConsume();
          if (frame === null) {
            d.settleFresh();
            continue;
          }
        } else frame = await (h.lockstep ? h.lockstep.nextFrame() : h.ring().nextFrame(WAIT));
        if (frame === null) {
          if (h.isFinished()) return;
          continue;
        }
        this.consumed++;
        // Formats are per frame (the ring carries a change without a recreate).
        h.noteFormat(frame.format);
        if (!this.verifier(frame)) this.integrityErrors++;
        this.yielded = frame;
        try {
          yield frame;
        } finally {
          this.yielded = null;
          if (this.kept === frame) this.kept = null;
          else h.ring().release(frame);
        }
        // The consumer has taken it in (its step ran): it is what a new client is shown.
        d.settleFresh();
      }
    } finally {
      d.end();
      h.lockstep?.consumerLeave();
    }
  }
}
