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
 * Invariant: a frame handed out stays held until its step ends or, when kept, until the keeper
 * releases it; every frame taken from the ring is released exactly once.
 */
import type { HostFaultRequest } from '../display/types.js';
import type { ConsumedFrame, HostRing } from '../ring/index.js';
import type { FrameKeeper } from './framebuffer/latest-framebuffer.js';
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

  async *frames(): AsyncGenerator<ConsumedFrame, void, undefined> {
    const h = this.hooks;
    h.lockstep?.consumerEnter();
    try {
      while (true) {
        h.housekeeping();
        const fault = h.nextHostFault();
        if (fault !== undefined) await performHostFault(fault, h.faultTarget);
        const frame = await (h.lockstep ? h.lockstep.nextFrame() : h.ring().nextFrame(WAIT));
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
      }
    } finally {
      h.lockstep?.consumerLeave();
    }
  }
}
