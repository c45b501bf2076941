/**
 * A swap-chain processor's hold on the host's ring: attaching lazily (the seed's rate-limited
 * attach at the top of the loop, so it keeps trying while the display is idle), publishing each
 * acquired frame and counting the outcome, dropping a ring the host retired (and re-attaching at
 * once), and letting go on exit. The FrameStash keeps the last frame across rings, so a host that
 * opens onto an idle desktop gets a frame at attach, not at the next present.
 *
 * Runs on the processor's loop (swap-chain-processor.ts): publish() is on the hot path and
 * allocates nothing, throws nothing.
 */
import { HealthState, PublishOutcome } from '../contract/status-codes.js';
import type { Clock } from '../display/clock.js';
import type { AcquiredFrame, SwapChain } from '../display/types.js';
import type { FrameStash } from './frame-stash.js';
import { countPublishOutcome, type ProcessorCounters } from './processor-counters.js';
import type { PublisherLike, RingPort } from './ring-port.js';

export interface RingAttachmentOptions {
  ring: RingPort;
  swapChain: SwapChain;
  clock: Clock;
  counters: ProcessorCounters;
  stash: FrameStash | null;
  epochs: { assignment: number; device: number };
  /** Attach at most every this many passes while detached (ProcessorTuning.attachEveryPasses). */
  attachEveryPasses: number;
  /** A frame reached the ring (or was drained with no ring attached). */
  onFrameDelivered: ((nowMs: number) => void) | null;
}

export class RingAttachment {
  private publisher: PublisherLike | null = null;
  private passesSinceAttach: number;

  constructor(private readonly o: RingAttachmentOptions) {
    // Seed: the first pass tries to attach at once (frames_since_try starts at its limit).
    this.passesSinceAttach = o.attachEveryPasses;
  }

  /** True while a ring is attached. */
  get attached(): boolean {
    return this.publisher !== null;
  }

  /**
   * The loop top's ring work: drop a publisher whose ring the host retired, then (detached) try to
   * attach, rate-limited. Returns the publisher attached on this pass, else null.
   */
  maintain(): PublisherLike | null {
    // Seed: the host recreates the ring when the format changes (HDR flip) and bumps its
    // generation. Drop a stale publisher and re-attach at once below; otherwise every publish
    // would hit the format guard and the stream would freeze until the next swap-chain.
    if (this.publisher !== null && this.publisher.isStale()) this.drop(true);
    // Seed: attach lazily, rate-limited, at the loop TOP so it keeps trying while the display is
    // idle (E_PENDING), not only when a frame arrives. open() fails fast until the host made one.
    if (this.publisher !== null) return null;
    if (this.passesSinceAttach < this.o.attachEveryPasses) {
      this.passesSinceAttach++;
      return null;
    }
    this.passesSinceAttach = 0;
    return this.tryAttach();
  }

  /** Publishes the acquired frame, counts the outcome, stashes a copy. Hot path. */
  publish(frame: AcquiredFrame): void {
    const p = this.publisher;
    const c = this.o.counters;
    let taken = false;
    if (p === null) {
      // Nothing attached: the frame is drained, not published (a session without a ring).
      c.dropped.noPublisher++;
    } else {
      const outcome = p.publish(frame);
      countPublishOutcome(c, outcome);
      if (outcome === PublishOutcome.Published) taken = true;
      else this.onRefused(outcome);
    }
    if (this.o.onFrameDelivered !== null && (taken || p === null)) this.o.onFrameDelivered(this.o.clock.now());
    const stash = this.o.stash;
    if (stash !== null) {
      // A frame the ring took is in its slot: the stash references it instead of copying it.
      const held = taken && p !== null && p.publishedPixels !== undefined ? p.publishedPixels() : null;
      if (held !== null && p!.publishedStride !== undefined) stash.reference(frame, held, p!.publishedStride);
      else stash.capture(frame, taken);
    }
  }

  /** On exit: a failure tells the host we are rebuilding; either way, detach (release what we borrowed). */
  letGo(failed: boolean): void {
    const p = this.publisher;
    if (p === null) return;
    this.publisher = null;
    try {
      if (failed) p.setHealth(HealthState.Rebuilding);
      p.detach();
    } catch {
      // The ring is the host's; a failure to write our farewell must not keep the swap-chain alive.
    }
  }

  /** One attach attempt: open, describe ourselves, republish the stash if the ring lacks it. */
  private tryAttach(): PublisherLike | null {
    const c = this.o.counters;
    c.attachAttempts++;
    let p: PublisherLike | null;
    try {
      p = this.o.ring.open();
    } catch {
      // RingPort.open must not throw; if one does, treat it as "no ring yet" rather than dying.
      p = null;
    }
    if (p === null) return null;
    c.attaches++;
    this.publisher = p;
    p.setRenderAdapterLuid(this.o.swapChain.renderAdapter.luid);
    p.setEpochs(this.o.epochs.assignment, this.o.epochs.device);
    p.setHealth(HealthState.Active);
    const s = this.o.stash;
    if (s !== null && s.needsRepublish) {
      // A host opening onto an idle desktop gets its first frame now, not at the next present.
      const outcome = p.publish(s.frame);
      if (outcome === PublishOutcome.Published) {
        c.republished++;
        s.notePublished(true);
        this.o.onFrameDelivered?.(this.o.clock.now());
      } else this.onRefused(outcome);
    }
    return p;
  }

  /** A publish the ring did not take: a retired ring is dropped for a new one at once, a fatal one for good. */
  private onRefused(outcome: number): void {
    if (outcome === PublishOutcome.Stale || outcome === PublishOutcome.HostAbandoned) this.drop(true);
    else if (outcome === PublishOutcome.Fatal) this.drop(false);
  }

  /** Lets go of the publisher. `reattachNow`: the host made a new ring; attach on the next pass. */
  private drop(reattachNow: boolean): void {
    const p = this.publisher;
    if (p === null) return;
    this.publisher = null;
    this.o.counters.staleDrops++;
    p.detach();
    // The new ring does not hold the last frame.
    this.o.stash?.markRingLost();
    this.passesSinceAttach = reattachNow ? this.o.attachEveryPasses : 0;
  }
}
