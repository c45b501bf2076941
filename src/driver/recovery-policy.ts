/**
 * RecoveryPolicy: seed 004's ladder (DESIGN.md "Recovery"). It classifies each failure, decides the
 * action, records it on the timeline, and escalates when failures keep coming. It decides only; the
 * MonitorContext carries the actions out (destroy the device, return ABANDON, setRenderAdapter,
 * reportCriticalError), so the policy is a plain state machine, tested without a display.
 *
 * | failure          | where      | action                                                          |
 * |------------------|------------|-----------------------------------------------------------------|
 * | transient, own   | processing | retry within the frame; recurring regularly → permanent          |
 * | permanent, own   | anywhere   | critical-error (major >= 0x100, unique minor; critical-codes.ts)  |
 * | DirectX/unknown  | assign     | abandon-swapchain (destroy that device, return ABANDON)          |
 * | DirectX/unknown  | processing | recreate-device (leave loop, delete swap-chain, destroy device)  |
 * | too many of those on a hardware adapter | either | + software-fallback (setRenderAdapter)   |
 * | the same on the software adapter        | either | + critical-error                         |
 *
 * "Too many" (configurable; defaults from seed 004's example): `consecutiveAssignFailures` (5)
 * consecutive DirectX failures in assignSwapChain, or `processingFailures` (5) while processing
 * within `processingWindowMs` (60 s).
 *
 * Counter resets (what the guidance implies):
 * - the consecutive assign count resets when an assign succeeds (the run of failures is broken);
 * - the processing count is a sliding window: a failure older than processingWindowMs no longer
 *   counts (frames flowing in between do not clear it: five failures a minute is the criterion);
 * - the transient count is a sliding window too, and a clean stretch of `cleanFramesToReset`
 *   delivered frames since the last transient failure clears it (the issue was indeed transient);
 * - a new render adapter (a fallback, or the OS assigning on another adapter) resets all three:
 *   the new stage starts with a clean slate, as the ladder's stages are per adapter.
 *
 * Several monitors on one adapter (issue 12): given an AdapterLadder (adapter-ladder.ts), the
 * DirectX counts, the stage and the critical error are the adapter's, in shared memory, so
 * failures count wherever they happen and one of them ends a stage once. The stage then moves
 * only by the ladder's own decision (a fallback, a critical error), never because one monitor's
 * swap-chain still sits on the old adapter. The transient count stays per monitor (an issue of
 * our own while processing that monitor's frames).
 */
import { InvalidArgumentError } from '../contract/errors.js';
import { hresultHex } from '../display/result-codes.js';
import type { Adapter } from '../display/types.js';
import { CriticalCodes, type CriticalCode } from './critical-codes.js';
import { classifyFailure, DEFAULT_TRANSIENT_CODES, failureName, type FailureClass, type FailureWhere } from './failure-class.js';
import { RecoveryTimeline, type RecoveryAction, type RecoveryEvent } from './recovery-timeline.js';
import type { AdapterLadder } from './adapter-ladder.js';
import { LADDER_TIMES_CAPACITY } from './adapter-ladder.js';

/** The adapter-wide ladder a monitor's policy counts into, and which monitor it is. */
export interface SharedLadder {
  ladder: AdapterLadder;
  targetId: number;
}

export interface RecoveryPolicyOptions {
  /** DirectX failures in a row inside assignSwapChain that end a stage (default 5). */
  consecutiveAssignFailures?: number;
  /** DirectX failures while processing, within processingWindowMs, that end a stage (default 5). */
  processingFailures?: number;
  processingWindowMs?: number;
  /** Transient own failures within transientWindowMs that promote them to permanent (default 10 in 10 s). */
  transientFailures?: number;
  transientWindowMs?: number;
  /** Delivered frames in a row that clear the transient count (default 300). */
  cleanFramesToReset?: number;
  /** HRESULTs treated as transient issues of our own (default [E_OUTOFMEMORY]). */
  transientCodes?: readonly number[];
}

export interface ResolvedPolicyOptions {
  consecutiveAssignFailures: number;
  processingFailures: number;
  processingWindowMs: number;
  transientFailures: number;
  transientWindowMs: number;
  cleanFramesToReset: number;
  transientCodes: readonly number[];
}

export const DEFAULT_POLICY: Readonly<ResolvedPolicyOptions> = Object.freeze({
  consecutiveAssignFailures: 5,
  processingFailures: 5,
  processingWindowMs: 60_000,
  transientFailures: 10,
  transientWindowMs: 10_000,
  cleanFramesToReset: 300,
  transientCodes: DEFAULT_TRANSIENT_CODES,
});

export type Escalation =
  | { action: 'software-fallback'; luid: number }
  | { action: 'critical-error'; major: number; minor: number };

export interface RecoveryDecision {
  class: FailureClass;
  /** What to do about this failure. */
  action: Exclude<RecoveryAction, 'software-fallback'>;
  /** What to do on top, when this failure ended a stage of the ladder. */
  escalation: Escalation | null;
}

export class RecoveryPolicy {
  readonly options: ResolvedPolicyOptions;
  readonly timeline: RecoveryTimeline;
  private _criticalError: { major: number; minor: number } | null = null;
  private currentLuid: number | null = null;
  private consecutiveAssign = 0;
  private readonly processingTimes: number[] = [];
  private readonly transientTimes: number[] = [];
  private cleanFrames = 0;

  readonly shared: SharedLadder | null;

  constructor(options: RecoveryPolicyOptions = {}, timeline = new RecoveryTimeline(), shared: SharedLadder | null = null) {
    this.options = resolvePolicyOptions(options);
    this.timeline = timeline;
    this.shared = shared;
    if (shared !== null && this.options.processingFailures > LADDER_TIMES_CAPACITY) {
      throw new InvalidArgumentError(`recovery policy processingFailures must be at most ${LADDER_TIMES_CAPACITY} on a shared adapter ladder`);
    }
  }

  /** The adapter's critical error (reported by this monitor or, with a shared ladder, by any). */
  get criticalError(): { major: number; minor: number } | null {
    return this._criticalError ?? this.shared?.ladder.criticalError ?? null;
  }

  /** The counters, for tests and the viewer. */
  get counts(): { consecutiveAssign: number; processingInWindow: number; transientInWindow: number } {
    return {
      consecutiveAssign: this.consecutiveAssign,
      processingInWindow: this.processingTimes.length,
      transientInWindow: this.transientTimes.length,
    };
  }

  /** An assign succeeded on `adapter`: the run of assign failures is broken. */
  onAssigned(adapter: Adapter): void {
    this.noteAdapter(adapter);
    this.consecutiveAssign = 0;
    this.shared?.ladder.assignSucceeded();
  }

  /**
   * Frames flow (a frame reached the ring). Per frame, so cheap: a clean stretch clears the
   * transient count, and waiting timeline events learn their recovery time.
   */
  readonly onFrameDelivered = (nowMs: number): void => {
    if (this.transientTimes.length > 0 && ++this.cleanFrames >= this.options.cleanFramesToReset) {
      this.transientTimes.length = 0;
      this.cleanFrames = 0;
    }
    if (this.timeline.awaitingFrames) this.timeline.markFramesFlowing(nowMs);
  };

  /**
   * Decides what to do about a failure `hr` that happened `where`, on `renderAdapter`. `adapters`
   * is the system's render adapters (DXGI enumeration), searched for the software one on a fallback.
   * `name` overrides the failure's timeline name (e.g. 'set-device-failed').
   */
  onFailure(
    where: FailureWhere,
    hr: number,
    renderAdapter: Adapter,
    adapters: readonly Adapter[],
    nowMs: number,
    name?: string,
  ): RecoveryDecision {
    this.noteAdapter(renderAdapter);
    const cls = classifyFailure(hr, this.options.transientCodes);
    const failure = name ?? failureName(hr);
    if (cls === 'transient-own') return this.onTransient(where, hr, failure, renderAdapter, nowMs);
    const action = where === 'assign' ? 'abandon-swapchain' : 'recreate-device';
    this.record(nowMs, failure, hr, cls, where, action, renderAdapter);
    if (this.criticalError !== null) return { class: cls, action, escalation: null };
    if (this.shared !== null) return { class: cls, action, escalation: this.countShared(where, hr, failure, cls, renderAdapter, adapters, nowMs) };
    let exhausted = false;
    if (where === 'assign') {
      exhausted = ++this.consecutiveAssign >= this.options.consecutiveAssignFailures;
    } else {
      this.processingTimes.push(nowMs);
      trimWindow(this.processingTimes, nowMs, this.options.processingWindowMs);
      exhausted = this.processingTimes.length >= this.options.processingFailures;
    }
    if (!exhausted) return { class: cls, action, escalation: null };
    return { class: cls, action, escalation: this.escalate(where, hr, failure, cls, renderAdapter, adapters, nowMs) };
  }

  /** Counts a DirectX failure on the adapter's ladder; the escalation when it ended a stage. */
  private countShared(
    where: FailureWhere,
    hr: number,
    failure: string,
    cls: FailureClass,
    renderAdapter: Adapter,
    adapters: readonly Adapter[],
    nowMs: number,
  ): Escalation | null {
    const { ladder, targetId } = this.shared!;
    const limit = where === 'assign' ? this.options.consecutiveAssignFailures : this.options.processingFailures;
    const software = adapters.find((a) => a.kind === 'software');
    const outcome = ladder.countFailure(where, nowMs, limit, this.options.processingWindowMs, targetId, software?.luid ?? null);
    if (outcome === 'counted' || outcome === 'stopped') return null;
    if (outcome === 'hardware-exhausted') {
      if (software === undefined) return this.critical(nowMs, failure, hr, cls, where, renderAdapter, CriticalCodes.NoSoftwareAdapter).escalation;
      this.record(nowMs, failure, hr, cls, where, 'software-fallback', renderAdapter);
      this.resetCounters();
      this.currentLuid = software.luid;
      return { action: 'software-fallback', luid: software.luid };
    }
    return this.critical(nowMs, failure, hr, cls, where, renderAdapter, exhaustedCode(cls, where)).escalation;
  }

  /** A permanent issue of the driver's own: stop with a critical error. */
  reportPermanent(
    failure: string,
    hr: number,
    renderAdapter: Adapter,
    nowMs: number,
    code: CriticalCode = CriticalCodes.PermanentOwn,
  ): RecoveryDecision {
    this.noteAdapter(renderAdapter);
    return this.critical(nowMs, failure, hr, 'permanent-own', 'processing', renderAdapter, code);
  }

  private onTransient(where: FailureWhere, hr: number, failure: string, adapter: Adapter, nowMs: number): RecoveryDecision {
    this.cleanFrames = 0;
    this.transientTimes.push(nowMs);
    trimWindow(this.transientTimes, nowMs, this.options.transientWindowMs);
    if (this.criticalError === null && this.transientTimes.length >= this.options.transientFailures) {
      // Seed 004: "If the error happens regularly then the driver could consider preempting the
      // error to a permanent issue."
      this.transientTimes.length = 0;
      return this.critical(nowMs, failure, hr, 'permanent-own', where, adapter, CriticalCodes.TransientRecurring);
    }
    this.record(nowMs, failure, hr, 'transient-own', where, 'retry', adapter);
    return { class: 'transient-own', action: 'retry', escalation: null };
  }

  /** The current stage is exhausted: move to the software adapter, or stop. */
  private escalate(
    where: FailureWhere,
    hr: number,
    failure: string,
    cls: FailureClass,
    renderAdapter: Adapter,
    adapters: readonly Adapter[],
    nowMs: number,
  ): Escalation {
    if (renderAdapter.kind === 'hardware') {
      const software = adapters.find((a) => a.kind === 'software');
      if (software !== undefined) {
        this.record(nowMs, failure, hr, cls, where, 'software-fallback', renderAdapter);
        // A new stage: the software adapter starts with clean counters.
        this.resetCounters();
        this.currentLuid = software.luid;
        return { action: 'software-fallback', luid: software.luid };
      }
      const d = this.critical(nowMs, failure, hr, cls, where, renderAdapter, CriticalCodes.NoSoftwareAdapter);
      return d.escalation!;
    }
    return this.critical(nowMs, failure, hr, cls, where, renderAdapter, exhaustedCode(cls, where)).escalation!;
  }

  private critical(
    nowMs: number,
    failure: string,
    hr: number,
    cls: FailureClass,
    where: FailureWhere,
    adapter: Adapter,
    code: CriticalCode,
  ): RecoveryDecision {
    // With a shared ladder the adapter stops once: the first monitor to get here reports its code.
    const first = this.shared !== null ? this.shared.ladder.stop(code.major, code.minor, this.shared.targetId) : this._criticalError === null;
    if (first) this._criticalError = { major: code.major, minor: code.minor };
    const reported = this.criticalError!;
    const e = this.record(nowMs, failure, hr, cls, where, 'critical-error', adapter);
    e.critical = { major: reported.major, minor: reported.minor };
    return {
      class: cls,
      action: 'critical-error',
      // Reported once: the device stops at the first critical error.
      escalation: first ? { action: 'critical-error', major: reported.major, minor: reported.minor } : null,
    };
  }

  private record(
    atMs: number,
    failure: string,
    hr: number,
    cls: FailureClass,
    where: FailureWhere,
    action: RecoveryAction,
    adapter: Adapter,
  ): RecoveryEvent {
    return this.timeline.record({ atMs, failure, hresult: hresultHex(hr), class: cls, where, action, adapter: adapter.kind });
  }

  private noteAdapter(adapter: Adapter): void {
    if (this.currentLuid !== adapter.luid) {
      // The adapter's counts are the shared ladder's to reset; only this monitor's are reset here.
      if (this.currentLuid !== null) this.resetCounters();
      this.currentLuid = adapter.luid;
    }
  }

  private resetCounters(): void {
    this.consecutiveAssign = 0;
    this.processingTimes.length = 0;
    this.transientTimes.length = 0;
    this.cleanFrames = 0;
  }
}

function exhaustedCode(cls: FailureClass, where: FailureWhere): CriticalCode {
  if (cls === 'directx') return where === 'assign' ? CriticalCodes.DirectXAssignExhausted : CriticalCodes.DirectXProcessingExhausted;
  return where === 'assign' ? CriticalCodes.UnknownAssignExhausted : CriticalCodes.UnknownProcessingExhausted;
}

/** Drops the timestamps older than the window (they are in time order). */
function trimWindow(times: number[], nowMs: number, windowMs: number): void {
  let drop = 0;
  while (drop < times.length && nowMs - times[drop]! >= windowMs) drop++;
  if (drop > 0) times.splice(0, drop);
}

export function resolvePolicyOptions(o: RecoveryPolicyOptions): ResolvedPolicyOptions {
  const r: ResolvedPolicyOptions = { ...DEFAULT_POLICY };
  const counts = ['consecutiveAssignFailures', 'processingFailures', 'transientFailures', 'cleanFramesToReset'] as const;
  const windows = ['processingWindowMs', 'transientWindowMs'] as const;
  for (const k of counts) {
    const v = o[k];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`recovery policy ${k} must be an integer >= 1, got ${String(v)}`);
    r[k] = v;
  }
  for (const k of windows) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new InvalidArgumentError(`recovery policy ${k} must be a positive number of milliseconds, got ${String(v)}`);
    }
    r[k] = v;
  }
  if (o.transientCodes !== undefined) {
    if (!Array.isArray(o.transientCodes) || o.transientCodes.some((c) => !Number.isInteger(c))) {
      throw new InvalidArgumentError('recovery policy transientCodes must be an array of HRESULT integers');
    }
    r.transientCodes = o.transientCodes.map((c) => c >>> 0);
  }
  return r;
}
