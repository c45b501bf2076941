/**
 * RecoveryPolicy: seed 004's ladder (DESIGN.md "Recovery"). It classifies each failure, decides the
 * action, records it on the timeline, and escalates when failures keep coming. It decides only; the
 * MonitorContext carries the actions out (destroy the device, return ABANDON, setRenderAdapter,
 * reportCriticalError), so the policy is a plain state machine, tested without a display.
 *
 * | failure          | where      | action                                                          |
 * |------------------|------------|-----------------------------------------------------------------|
 * | OS took the swap-chain (healthy device) | either | release-swapchain: keep the device, count nothing |
 * | transient, own   | either     | retry after a backoff; an episode counts once; regularly → permanent |
 * | permanent, own   | anywhere   | critical-error (unique major/minor; critical-codes.ts)            |
 * | DirectX/unknown  | assign     | abandon-swapchain (destroy that device, return ABANDON)          |
 * | DirectX/unknown  | processing | recreate-device (leave loop, delete swap-chain, destroy device)  |
 * | too many of those in the hardware stage | either | + software-fallback (setRenderAdapter)  |
 * | the same in the software stage          | either | + critical-error                        |
 *
 * Which class a failure is: failure-class.ts (the device is asked, not only the HRESULT).
 *
 * "Too many" (configurable; defaults from seed 004's example, "five consecutive DirectX failures in
 * EvtIddCxMonitorAssignSwapChain or five failures while processing frames with 1 minute"):
 * `consecutiveAssignFailures` (5) in a row in assignSwapChain, or `processingFailures` (5) while
 * processing within `processingWindowMs` (60 s).
 *
 * The stage is the driver's own state. IddCxAdapterSetRenderAdapter is a preference ("the OS will
 * attempt to re-create swap-chains on it"): the OS may go on composing on the hardware adapter. So
 * the stage moves only on the driver's own decisions (hardware → software on a fallback, → stopped on
 * a critical error), never because of the adapter the OS happens to use, and after the fallback
 * DirectX failures count toward the critical error wherever the OS composes. The critical error is
 * therefore reached in bounded time (two stages of `processingFailures` each) with a bounded number
 * of devices created. The first stage is the kind of the first render adapter the OS offers.
 *
 * Transient issues of our own ("The driver should fix the issue while processing the frame. This
 * action might result in a small delay in processing the frame. If the error happens regularly then
 * the driver could consider preempting the error to a permanent issue."):
 * - one episode = consecutive failures with no frame between them (noteFrame ends it); it counts
 *   once and is recorded once, however many retries it takes;
 * - retries back off: transientRetryBaseMs, doubling, at most transientRetryMaxMs (1, 2, 4, 8, 16 ms
 *   by default), in assignSwapChain as in the frame loop, so a 10 ms shortage costs a handful of
 *   retries, not hundreds, and never a busy loop;
 * - "regularly" = `transientEpisodes` (10) episodes within `transientWindowMs` (10 s) → permanent
 *   (critical 0x102/0x01); an episode longer than `transientEpisodeMaxMs` (1 s: transient issues
 *   recover "typically well under a second") is not transient either → permanent (0x102/0x03).
 *
 * Counter resets: the consecutive assign count resets when an assign succeeds; the processing and
 * transient counts are sliding windows; a new stage starts with every count at zero.
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
import type { AdapterKind } from '../display/types.js';
import { classifyFailure, failureName, type FailureClass, type FailureWhere } from './failure-class.js';
import { RecoveryTimeline, type RecoveryAction, type RecoveryEvent } from './recovery-timeline.js';
import { resolvePolicyOptions, trimWindow, type RecoveryPolicyOptions, type ResolvedPolicyOptions } from './recovery-policy-options.js';

export { DEFAULT_POLICY, resolvePolicyOptions, type RecoveryPolicyOptions, type ResolvedPolicyOptions } from './recovery-policy-options.js';
import type { AdapterLadder } from './adapter-ladder.js';
import { LADDER_TIMES_CAPACITY, LadderStage as SharedStage } from './adapter-ladder.js';

/** The adapter-wide ladder a monitor's policy counts into, and which monitor it is. */
export interface SharedLadder {
  ladder: AdapterLadder;
  targetId: number;
}

export type Escalation =
  | { action: 'software-fallback'; luid: number }
  | { action: 'critical-error'; major: number; minor: number };

export interface RecoveryDecision {
  class: FailureClass;
  /** What to do about this failure. */
  action: Exclude<RecoveryAction, 'software-fallback'>;
  /** What to do on top, when this failure ended a stage of the ladder. */
  escalation: Escalation | null;
  /** For 'retry': how long to wait before the retry (the episode's backoff). */
  retryAfterMs?: number;
}

/** What the caller knows about a failure beyond its HRESULT. */
export interface FailureContext {
  /** The timeline name (default from the HRESULT, or from the device's reason when it is removed). */
  name?: string;
  /** The device's removedReason() asked right after the failure; omitted when there is no device. */
  deviceReason?: number;
  /** When the outage began: the first failed call of this episode (default nowMs). */
  sinceMs?: number;
}

/** The ladder's stage: the driver's own state (see the file comment). */
export type PolicyStage = AdapterKind | 'stopped';

export class RecoveryPolicy {
  readonly options: ResolvedPolicyOptions;
  readonly timeline: RecoveryTimeline;
  private _criticalError: { major: number; minor: number } | null = null;
  private _stage: PolicyStage | null = null;
  private consecutiveAssign = 0;
  private readonly processingTimes: number[] = [];
  /** Start times of transient episodes within the window. */
  private readonly transientTimes: number[] = [];
  private episodeOpen = false;
  private episodeStartMs = 0;
  private episodeRetries = 0;

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

  /** The ladder's stage (null before the first adapter was seen); with a shared ladder, the adapter's. */
  get stage(): PolicyStage | null {
    if (this.shared !== null) {
      const st = this.shared.ladder.stage;
      return st === SharedStage.Stopped ? 'stopped' : st === SharedStage.Software ? 'software' : 'hardware';
    }
    return this._stage;
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

  /** A frame was acquired: a transient episode in progress is over. Per frame, so cheap. */
  readonly noteFrame = (): void => {
    this.episodeOpen = false;
  };

  /** Frames flow (a frame reached the ring). Per frame, so cheap: the outage, if any, is over. */
  readonly onFrameDelivered = (nowMs: number): void => {
    this.episodeOpen = false;
    if (this.timeline.awaitingFrames) this.timeline.markFramesFlowing(nowMs);
  };

  /**
   * Decides what to do about a failure `hr` that happened `where`, on `renderAdapter`. `adapters`
   * is the system's render adapters (DXGI enumeration), searched for the software one on a fallback.
   */
  onFailure(
    where: FailureWhere,
    hr: number,
    renderAdapter: Adapter,
    adapters: readonly Adapter[],
    nowMs: number,
    ctx: FailureContext = {},
  ): RecoveryDecision {
    this.noteAdapter(renderAdapter);
    this.timeline.noteFailure(ctx.sinceMs ?? nowMs);
    const reason = ctx.deviceReason;
    const cls = classifyFailure(hr, this.options.transientCodes, reason);
    const removed = reason !== undefined && reason >>> 0 !== 0;
    const failure = removed ? failureName(reason) : (ctx.name ?? failureName(hr));
    if (removed) hr = reason;
    if (cls === 'transient-own') return this.onTransient(where, hr, failure, renderAdapter, nowMs);
    if (cls === 'os') {
      // The OS took the swap-chain; the device is fine. Nothing counts toward the ladder.
      this.record(nowMs, failure, hr, cls, where, 'release-swapchain', renderAdapter);
      return { class: cls, action: 'release-swapchain', escalation: null };
    }
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
      this._stage = 'software';
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
    const o = this.options;
    if (this.criticalError !== null) return { class: 'transient-own', action: 'retry', escalation: null, retryAfterMs: o.transientRetryMaxMs };
    if (this.episodeOpen) {
      // The same episode: counted already. One that outlasts a transient issue is not one.
      if (nowMs - this.episodeStartMs > o.transientEpisodeMaxMs) {
        this.episodeOpen = false;
        return this.critical(nowMs, failure, hr, 'permanent-own', where, adapter, CriticalCodes.TransientPersistent);
      }
      return { class: 'transient-own', action: 'retry', escalation: null, retryAfterMs: this.nextBackoff() };
    }
    this.episodeOpen = true;
    this.episodeStartMs = nowMs;
    this.episodeRetries = 0;
    this.transientTimes.push(nowMs);
    trimWindow(this.transientTimes, nowMs, o.transientWindowMs);
    if (this.transientTimes.length >= o.transientEpisodes) {
      // Seed 004: "If the error happens regularly then the driver could consider preempting the
      // error to a permanent issue."
      this.transientTimes.length = 0;
      this.episodeOpen = false;
      return this.critical(nowMs, failure, hr, 'permanent-own', where, adapter, CriticalCodes.TransientRecurring);
    }
    this.record(nowMs, failure, hr, 'transient-own', where, 'retry', adapter);
    return { class: 'transient-own', action: 'retry', escalation: null, retryAfterMs: this.nextBackoff() };
  }

  /** The episode's next retry delay: base, doubling, capped. */
  private nextBackoff(): number {
    const o = this.options;
    const ms = Math.min(o.transientRetryMaxMs, o.transientRetryBaseMs * 2 ** Math.min(this.episodeRetries, 30));
    this.episodeRetries++;
    return ms;
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
    // The driver's own stage decides, not the adapter the OS happens to compose on.
    if (this._stage === 'hardware') {
      const software = adapters.find((a) => a.kind === 'software');
      if (software !== undefined) {
        this.record(nowMs, failure, hr, cls, where, 'software-fallback', renderAdapter);
        // A new stage: it starts with clean counters.
        this.resetCounters();
        this._stage = 'software';
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
    this._stage = 'stopped';
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

  /** The first adapter the OS offers sets the first stage; later adapters change nothing. */
  private noteAdapter(adapter: Adapter): void {
    if (this._stage === null) this._stage = adapter.kind;
  }

  private resetCounters(): void {
    this.consecutiveAssign = 0;
    this.processingTimes.length = 0;
    this.transientTimes.length = 0;
    this.episodeOpen = false;
  }
}

function exhaustedCode(cls: FailureClass, where: FailureWhere): CriticalCode {
  if (cls === 'directx') return where === 'assign' ? CriticalCodes.DirectXAssignExhausted : CriticalCodes.DirectXProcessingExhausted;
  return where === 'assign' ? CriticalCodes.UnknownAssignExhausted : CriticalCodes.UnknownProcessingExhausted;
}
