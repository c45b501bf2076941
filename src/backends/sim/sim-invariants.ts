/**
 * The simulated display's invariants, checked after (or during) a run. Each broken one is a
 * sentence in the returned list; an empty list is a healthy run.
 *
 * Always: every acquired frame is finished exactly once (none released by a second acquire or by
 * delete, no finish without a frame, frame numbers never go down and repeat only for a re-present),
 * the OS never bugchecked (os-guard.ts), no monitor callback threw, and no
 * present stalled (unless allowed). After stop: no device is live, every swap-chain lost to
 * access-lost was deleted by the driver, and no swap-chain is left.
 */
import type { SimDisplayStats } from './sim-display-stats.js';

export interface InvariantOptions {
  /** Stalls are expected (a test that stops finishing on purpose). */
  allowStalls?: boolean;
}

export interface InvariantInput {
  stats: SimDisplayStats;
  stopped: boolean;
  /** A frame is acquired and not finished right now. */
  outstanding: boolean;
  leakedDevices: string[];
  /** Ids of swap-chains abandoned with access lost and never deleted. */
  undeleted: number[];
  liveSwapChains: number[];
}

export function checkSimInvariants(i: InvariantInput, o: InvariantOptions): string[] {
  const s = i.stats;
  const out: string[] = [];
  const inFlight = i.stopped ? 0 : i.outstanding ? 1 : 0;
  const unfinished = s.acquired - s.finished - s.releasedUnfinished - s.unfinishedAtDelete - inFlight;
  if (unfinished !== 0) out.push(`${s.acquired} frames acquired but ${s.finished} finished (${unfinished} unaccounted for)`);
  if (i.stopped && i.outstanding) out.push('a frame was still acquired and not finished when the display stopped');
  if (s.releasedUnfinished > 0) out.push(`${s.releasedUnfinished} acquired frame(s) were released by the next acquire() without finish()`);
  if (s.unfinishedAtDelete > 0) out.push(`${s.unfinishedAtDelete} acquired frame(s) were released by delete() without finish()`);
  if (s.finishWithoutFrame > 0) out.push(`finish() was called ${s.finishWithoutFrame} time(s) with no acquired frame`);
  if (s.nonMonotonicFrames > 0) out.push(`${s.nonMonotonicFrames} acquire(s) handed out a frame number not above the previous one`);
  if (!o.allowStalls && s.stalls > 0) out.push(`the display stalled ${s.stalls} time(s): a frame was not finished within the stall threshold`);
  for (const e of s.monitorErrors) out.push(`monitor callback failed: ${e}`);
  if (s.bugcheck !== null) out.push(`the OS bugchecked: ${s.bugcheck.reason}`);
  if (i.stopped) {
    if (i.leakedDevices.length > 0) out.push(`${i.leakedDevices.length} device(s) still live after stop: ${i.leakedDevices.join(', ')}`);
    if (i.undeleted.length > 0) out.push(`swap-chain(s) ${i.undeleted.join(', ')} lost access but the driver never deleted them`);
    const left = i.liveSwapChains.filter((id) => !i.undeleted.includes(id));
    if (left.length > 0) out.push(`swap-chain(s) ${left.join(', ')} still live after stop`);
  }
  return out;
}
