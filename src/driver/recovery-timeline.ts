/**
 * The recovery timeline: every decision the recovery policy takes, in order, as the host, the CLI
 * summary and the viewer show it. Each event later learns how long the display took to deliver
 * frames again. `recoveryMs` is the outage a user sees: from the fault's first effect (the first
 * failed call since the last frame, noteFailure) to the next frame that reached the ring (or was
 * drained when no ring is attached), whatever decisions came in between; every event of one outage
 * shares its start. A critical error never recovers, so its recoveryMs stays null.
 *
 * Invariant: events are appended in time order and never removed; past `maxEvents` further events
 * are counted in `overflow` instead of stored (a transient failure retried at frame rate must not
 * grow memory without bound).
 */
import type { AdapterKind } from '../display/types.js';
import type { FailureClass, FailureWhere } from './failure-class.js';

export type RecoveryAction =
  /** Transient own issue: fixed within the frame. */
  | 'retry'
  /** DirectX error in assignSwapChain: device destroyed, ABANDON_SWAPCHAIN returned. */
  | 'abandon-swapchain'
  /** DirectX error while processing: loop left, swap-chain deleted, device destroyed (new one at next assign). */
  | 'recreate-device'
  /** Too many DirectX errors on the hardware adapter: setRenderAdapter(software). */
  | 'software-fallback'
  /** The OS took the swap-chain (healthy device): delete it, keep the device, count nothing. */
  | 'release-swapchain'
  /** Nothing else can work: reportCriticalError; the device stops. */
  | 'critical-error';

export interface RecoveryEvent {
  /** Driver-clock ms of the decision (the fault was seen then). */
  atMs: number;
  /** e.g. 'device-removed'. */
  failure: string;
  /** e.g. '0x887A0005'. */
  hresult: string;
  class: FailureClass;
  where: FailureWhere;
  action: RecoveryAction;
  /** The kind of render adapter the failure happened on. */
  adapter: AdapterKind;
  /** First failed call of the outage → next delivered frame, once frames flow again; null until then (and for critical-error). */
  recoveryMs: number | null;
  /** For critical-error: the reported code. */
  critical?: { major: number; minor: number };
}

export const DEFAULT_MAX_EVENTS = 1000;

export class RecoveryTimeline {
  readonly events: RecoveryEvent[] = [];
  /** Events not stored because the timeline was full. */
  overflow = 0;
  private firstAwaiting = 0;
  /** Where each stored event's outage began (parallel to `events`). */
  private readonly outageStarts: number[] = [];
  /** The first failed call since the last delivered frame; NaN while frames flow. */
  private outageStartMs = Number.NaN;
  private readonly listeners = new Set<(e: RecoveryEvent) => void>();

  constructor(private readonly maxEvents = DEFAULT_MAX_EVENTS) {}

  /** Appends an event and tells the listeners (the worker forwards it to the host). */
  record(e: Omit<RecoveryEvent, 'recoveryMs'>): RecoveryEvent {
    const event: RecoveryEvent = { ...e, recoveryMs: null };
    this.noteFailure(e.atMs);
    if (this.events.length >= this.maxEvents) {
      this.overflow++;
      return event;
    }
    this.events.push(event);
    this.outageStarts.push(this.outageStartMs);
    for (const l of this.listeners) l(event);
    return event;
  }

  /** A call failed at `atMs`: the outage began then, unless one is already open. */
  noteFailure(atMs: number): void {
    if (Number.isNaN(this.outageStartMs) || atMs < this.outageStartMs) this.outageStartMs = atMs;
  }

  /** True while an outage is open or some event waits for frames. Cheap: checked per frame. */
  get awaitingFrames(): boolean {
    return this.firstAwaiting < this.events.length || !Number.isNaN(this.outageStartMs);
  }

  /** Frames flow again at `nowMs`: the outage is over, and every event still waiting recovered now. */
  markFramesFlowing(nowMs: number): void {
    const ev = this.events;
    for (let i = this.firstAwaiting; i < ev.length; i++) {
      const e = ev[i]!;
      const start = this.outageStarts[i]!;
      if (e.action !== 'critical-error' && e.recoveryMs === null) e.recoveryMs = Math.max(0, nowMs - (Number.isNaN(start) ? e.atMs : start));
    }
    this.firstAwaiting = ev.length;
    this.outageStartMs = Number.NaN;
  }

  onEvent(listener: (e: RecoveryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A copy for a snapshot message. */
  snapshot(): RecoveryEvent[] {
    return this.events.map((e) => ({ ...e }));
  }
}
