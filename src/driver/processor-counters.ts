/**
 * What the swap-chain processors of one monitor count. One object per monitor, shared by every
 * processor it runs (one at a time), so the totals span swap-chain recreations. Plain numbers,
 * incremented on the hot path; read by stats().
 */
import { PublishOutcome } from '../contract/status-codes.js';

export interface DropCounters {
  descMismatch: number;
  allSlotsBusy: number;
  stale: number;
  hostAbandoned: number;
  fatal: number;
  /** Acquired while no ring was attached (the frame was drained, not published). */
  noPublisher: number;
}

export interface ProcessorCounters {
  /** Frames acquired (acquire() returned success). */
  acquired: number;
  /** Frames finished successfully, as seen by the driver. */
  finished: number;
  /** finish() calls that failed (each also ended its processor). */
  finishFailures: number;
  /** Acquired frames the ring took (PublishOutcome.Published). */
  published: number;
  dropped: DropCounters;
  /** FrameStash copies published into a freshly attached ring (not counted in `published`). */
  republished: number;
  /** E_PENDING results (each followed by a wait of at most 16 ms, or idleWaitMs once idle). */
  pendingWaits: number;
  /** Of those, the waits of an idle display (tuning idleAfterMs / idleWaitMs). */
  idleWaits: number;
  /** Transient own failures retried within the frame. */
  transientRetries: number;
  attachAttempts: number;
  attaches: number;
  /** Publishers dropped because the host recreated or retired the ring. */
  staleDrops: number;
  setDeviceAttempts: number;
  setDeviceFailures: number;
  /** Processors that gave up binding after every SetDevice retry failed. */
  bindGiveUps: number;
  /** Processors that stopped retrying SetDevice because the device was removed. */
  bindDeviceLost: number;
  processorsStarted: number;
  processorsExited: number;
  terminate: {
    /** Stops that ended a processor and whose request time was known. */
    measured: number;
    /** Terminate latency (request → loop exit), driver-clock milliseconds. */
    maxLatencyMs: number;
    lastLatencyMs: number;
  };
}

export function createProcessorCounters(): ProcessorCounters {
  return {
    acquired: 0,
    finished: 0,
    finishFailures: 0,
    published: 0,
    dropped: { descMismatch: 0, allSlotsBusy: 0, stale: 0, hostAbandoned: 0, fatal: 0, noPublisher: 0 },
    republished: 0,
    pendingWaits: 0,
    idleWaits: 0,
    transientRetries: 0,
    attachAttempts: 0,
    attaches: 0,
    staleDrops: 0,
    setDeviceAttempts: 0,
    setDeviceFailures: 0,
    bindGiveUps: 0,
    bindDeviceLost: 0,
    processorsStarted: 0,
    processorsExited: 0,
    terminate: { measured: 0, maxLatencyMs: 0, lastLatencyMs: 0 },
  };
}

/** Counts one publish outcome. A code this version does not know counts as fatal (fail-closed). */
export function countPublishOutcome(c: ProcessorCounters, outcome: number): void {
  switch (outcome) {
    case PublishOutcome.Published:
      c.published++;
      return;
    case PublishOutcome.DescMismatch:
      c.dropped.descMismatch++;
      return;
    case PublishOutcome.AllSlotsBusy:
      c.dropped.allSlotsBusy++;
      return;
    case PublishOutcome.Stale:
      c.dropped.stale++;
      return;
    case PublishOutcome.HostAbandoned:
      c.dropped.hostAbandoned++;
      return;
    default:
      c.dropped.fatal++;
  }
}
