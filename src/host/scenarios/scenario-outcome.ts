/**
 * What must hold at the end of a field scenario, stated as data over the run summary (so the
 * catalogue can print it, and a test and `vdpush run --scenario` check it the same way).
 *
 * Every field is optional; an absent field is not checked. Integrity errors are always checked:
 * no scenario may ever deliver a frame that does not verify.
 */
import type { RunSummary } from '../run-summary.js';

export interface ScenarioOutcome {
  /** The adapter the OS composes on at the end. */
  adapter?: 'hardware' | 'software';
  /** null: the run must not end on a critical error; 'reported': it must (bounded, not a loop). */
  criticalError?: null | 'reported';
  /** Upper bound on devices created over the whole run (a recovery loop shows up here). */
  maxDevicesCreated?: number;
  /** No recovery event of class 'directx': the OS's business (a taken swap-chain, a flap) is not a GPU failure. */
  noDirectXFailures?: boolean;
  /** No recovery event at all. */
  noRecoveryEvents?: boolean;
  /** Every recovery event is followed by a published frame (recoveryMs is a number). */
  everyEventRecovered?: boolean;
  /** Drop reasons that must stay at zero. */
  noDrops?: ReadonlyArray<keyof RunSummary['frames']['dropped']>;
  /** Exactly this many ring generations (1 = the host never recreated its ring). */
  ringGenerations?: number;
  /** At least this many swap-chains assigned (the OS really did take and give back). */
  minSwapChainsAssigned?: number;
  /** The display never stalled waiting on the driver to finish a frame. */
  noDisplayStalls?: boolean;
  /** The mode at the end (e.g. after a mode change). */
  finalMode?: { width: number; height: number };
  /** Frames consumed by the host: at least this many. */
  minConsumed?: number;
}

/** The outcome's clauses as short sentences, for `vdpush scenarios` and failure messages. */
export function describeOutcome(o: ScenarioOutcome): string[] {
  const out: string[] = ['every frame verifies'];
  if (o.criticalError === null) out.push('no critical error');
  if (o.criticalError === 'reported') out.push('a critical error is reported');
  if (o.adapter !== undefined) out.push(`ends on the ${o.adapter} adapter`);
  if (o.maxDevicesCreated !== undefined) out.push(`at most ${o.maxDevicesCreated} devices created`);
  if (o.noDirectXFailures) out.push('nothing counted as a DirectX failure');
  if (o.noRecoveryEvents) out.push('no recovery decision');
  if (o.everyEventRecovered) out.push('frames flow again after every decision');
  if (o.noDrops !== undefined && o.noDrops.length > 0) out.push(`no ${o.noDrops.join('/')} drops`);
  if (o.ringGenerations !== undefined) out.push(`${o.ringGenerations} ring generation${o.ringGenerations === 1 ? '' : 's'}`);
  if (o.minSwapChainsAssigned !== undefined) out.push(`>= ${o.minSwapChainsAssigned} swap-chains assigned`);
  if (o.noDisplayStalls) out.push('the display never stalls');
  if (o.finalMode !== undefined) out.push(`ends at ${o.finalMode.width}x${o.finalMode.height}`);
  if (o.minConsumed !== undefined) out.push(`>= ${o.minConsumed} frames consumed`);
  return out;
}

/** The clauses that do not hold on this summary, each with what was seen; empty when it all holds. */
export function checkOutcome(s: RunSummary, o: ScenarioOutcome): string[] {
  const bad: string[] = [];
  // The timeline also marks injected faults (class 'injected'): those are the schedule, not decisions.
  const events = s.recovery.events.filter((e) => e.class !== 'injected');
  if (s.frames.integrityErrors !== 0) bad.push(`${s.frames.integrityErrors} frames failed verification`);
  if (o.criticalError === null && s.recovery.criticalError !== null) {
    bad.push(`the run ended on critical error 0x${s.recovery.criticalError.major.toString(16)}/${s.recovery.criticalError.minor}`);
  }
  if (o.criticalError === 'reported' && s.recovery.criticalError === null) bad.push('no critical error was reported');
  if (o.adapter !== undefined && s.adapter.kind !== o.adapter) bad.push(`ended on the ${s.adapter.kind} adapter, not ${o.adapter}`);
  if (o.maxDevicesCreated !== undefined && s.devices.created > o.maxDevicesCreated) {
    bad.push(`${s.devices.created} devices created (at most ${o.maxDevicesCreated})`);
  }
  if (o.noDirectXFailures) {
    const dx = events.filter((e) => e.class === 'directx');
    if (dx.length > 0) bad.push(`${dx.length} DirectX failures counted (first: ${dx[0]!.failure} at ${dx[0]!.atMs} ms, ${dx[0]!.action})`);
  }
  if (o.noRecoveryEvents && events.length > 0) bad.push(`${events.length} recovery decisions (first: ${events[0]!.failure} ${events[0]!.action})`);
  if (o.everyEventRecovered) {
    const stuck = events.filter((e) => typeof e.recoveryMs !== 'number');
    if (stuck.length > 0) bad.push(`${stuck.length} decisions were never followed by a frame (first: ${stuck[0]!.action} at ${stuck[0]!.atMs} ms)`);
  }
  for (const k of o.noDrops ?? []) if (s.frames.dropped[k] !== 0) bad.push(`${s.frames.dropped[k]} ${k} drops`);
  if (o.ringGenerations !== undefined && s.ring.generations !== o.ringGenerations) {
    bad.push(`${s.ring.generations} ring generations (expected ${o.ringGenerations})`);
  }
  if (o.minSwapChainsAssigned !== undefined && s.swapChains.assigned < o.minSwapChainsAssigned) {
    bad.push(`${s.swapChains.assigned} swap-chains assigned (expected >= ${o.minSwapChainsAssigned})`);
  }
  if (o.noDisplayStalls && s.stalls !== 0) bad.push(`the display stalled ${s.stalls} times`);
  if (o.finalMode !== undefined && (s.mode.width !== o.finalMode.width || s.mode.height !== o.finalMode.height)) {
    bad.push(`ended at ${s.mode.width}x${s.mode.height}, not ${o.finalMode.width}x${o.finalMode.height}`);
  }
  if (o.minConsumed !== undefined && s.frames.consumed < o.minConsumed) bad.push(`${s.frames.consumed} frames consumed (expected >= ${o.minConsumed})`);
  return bad;
}
