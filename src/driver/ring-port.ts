/**
 * The driver's view of the host's ring, declared here so the driver never imports src/ring.
 * src/ring's FramePublisher satisfies PublisherLike structurally; the worker that joins the two
 * supplies a RingPort whose open() tries to attach to the buffer the host delivered last.
 *
 * Seed 000 attaches lazily (`FramePublisher::try_open`) because the host creates the ring and the
 * driver can only open it once it exists; open() is therefore cheap and returns null until then
 * (or when the header refuses the attach), and never throws.
 */
import type { Signal } from '../display/signal.js';
import type { AcquiredFrame } from '../display/types.js';

/** What the processor hands to publish(): the acquired frame, or the FrameStash's copy of one. */
export type PublishableFrame = AcquiredFrame;

/** The display side of one attached ring (src/ring's FramePublisher). */
export interface PublisherLike {
  /** True once the host recreated or retired the ring this publisher writes: drop it and re-attach. */
  isStale(): boolean;
  /**
   * Set (level-triggered) once isStale() would say so, without a poll (optional): an idle
   * processor's long wait includes it, so a recreated ring gets its first frame at once.
   */
  readonly staleSignal?: Signal;
  /** Copies the frame (or its dirty rectangles) into a free slot; returns a PublishOutcome code. */
  publish(frame: PublishableFrame): number;
  /**
   * The ring's copy of the frame the last successful publish wrote, at `publishedStride`, valid
   * until the publisher writes that slot again (optional: a FrameStash then copies instead).
   */
  publishedPixels?(): Uint8Array | null;
  readonly publishedStride?: number;
  /** HEALTH_STATE (a HealthState code). */
  setHealth(state: number): void;
  setRenderAdapterLuid(luid: number): void;
  setEpochs(assignment: number, device: number): void;
  /** TERMINAL_ERROR_DOMAIN / CODE (an ErrorDomain code and its value). */
  setTerminalError(domain: number, code: number): void;
  /** Lets go of the ring (writes DriverStatus.Detached). Idempotent. */
  detach(): void;
}

/** Where the driver finds the host's ring. */
export interface RingPort {
  /** Attaches to the ring the host delivered last; null while there is none or it refuses. */
  open(): PublisherLike | null;
}

/** A RingPort for a driver that runs without a host ring: it only drains. */
export const NO_RING: RingPort = { open: () => null };
