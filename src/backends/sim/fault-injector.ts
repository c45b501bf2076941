/**
 * Applies a fault schedule on the display's clock, and records every fault it injects.
 *
 * The injector only dispatches and logs; what each fault does is the display's (FaultEffects),
 * because the faults act on the OS's state (its devices, its swap-chain, its mode). Faults due at
 * one instant are applied in schedule order, all in one timer callback, so nothing runs between
 * them. Times are relative to start().
 */
import { DXGI_ERROR_DEVICE_HUNG, DXGI_ERROR_DEVICE_REMOVED, DXGI_ERROR_DEVICE_RESET } from '../../display/result-codes.js';
import type { Clock } from '../../display/clock.js';
import { FaultScheduleError } from '../../contract/errors.js';
import { FAULT_KIND_SPECS, formatFaultMode, isFaultKind, parseFaultArg, type FaultEntry, type FaultKind, type FaultMode } from './fault-schedule.js';

/** What the display does for each fault. Each returns a short description of what it hit. */
export interface FaultEffects {
  /** device-removed / -reset / -hung: the current device's removedReason() becomes `hr`. */
  breakCurrentDevice(hr: number): string;
  /** access-lost: the OS abandons the current swap-chain. */
  loseSwapChain(): string;
  /** flap: unassign + reassign while SetDevice fails for `durationMs`. */
  flap(durationMs: number): string;
  /** unassign: the OS takes the swap-chain back and assigns a new one. */
  unassign(): string;
  /** hdr-flip: the composition format toggles; the swap-chain is recreated at the new format. */
  hdrFlip(): string;
  /** idle: no presents for `durationMs`. */
  idle(durationMs: number): string;
  /** host-stall / host-recreate: delivered to the host. */
  hostFault(kind: 'host-stall' | 'host-recreate', durationMs: number): string;
  /** assign-fail: device creation fails inside the next `count` assigns. */
  assignFail(count: number): string;
  /** driver-bug: every device, on every adapter, breaks after its first few frames, until the run ends. */
  driverBug(): string;
  /** ignore-render-adapter: from now on setRenderAdapter changes nothing (it is only a preference). */
  ignoreRenderAdapter(): string;
  /** format-blip: the next `frames` presents on the current swap-chain come in the other format. */
  formatBlip(frames: number): string;
  /** acquire-oom: acquire fails with E_OUTOFMEMORY for `durationMs`. */
  acquireOom(durationMs: number): string;
  /** create-oom: device creation fails with E_OUTOFMEMORY for `durationMs`. */
  createOom(durationMs: number): string;
  /** topology-lost: the next acquire fails with PATH_NOT_IN_TOPOLOGY; then unassign + assign. */
  topologyLost(): string;
  /** mode-change: unassign, then assign a new swap-chain at `mode`. */
  modeChange(mode: FaultMode): string;
  /** static-reencode: the next `frames` vsyncs re-present the last frame (same number, no dirty rects). */
  staticReencode(frames: number): string;
}

export interface FaultRecord {
  /** Display-clock ms after start() when it was injected. */
  atMs: number;
  kind: FaultKind;
  durationMs: number;
  count: number;
  /** mode-change: the mode, as the schedule writes it ("1920x1080@60"). */
  mode?: string;
  /** What it hit ("device 3 on hardware", "swap-chain 2", ...). */
  detail: string;
  /** The schedule entry, or 'inject' for injectFault(). */
  source: string;
}

const DEVICE_FAULT_HR: Readonly<Partial<Record<FaultKind, number>>> = {
  'device-removed': DXGI_ERROR_DEVICE_REMOVED,
  'device-reset': DXGI_ERROR_DEVICE_RESET,
  'device-hung': DXGI_ERROR_DEVICE_HUNG,
};

export class FaultInjector {
  private readonly log: FaultRecord[] = [];
  private next = 0;
  private startMs = 0;
  private cancel: (() => void) | null = null;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly schedule: readonly FaultEntry[],
    private readonly effects: FaultEffects,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startMs = this.clock.now();
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.cancel?.();
    this.cancel = null;
  }

  /** Every fault injected so far, in order. */
  faultLog(): readonly FaultRecord[] {
    return this.log;
  }

  /** Faults of the schedule not yet injected. */
  get remaining(): number {
    return this.schedule.length - this.next;
  }

  /**
   * Injects a fault now (the viewer's buttons). `arg` is the duration in ms for a kind whose ARG is
   * a duration, the count for one whose ARG is a count; a string is read as the schedule's ARG
   * text (the only form mode-change takes: "1920x1080@60"). Omitted, the kind's default.
   */
  inject(kind: string, arg?: number | string): FaultRecord {
    if (!isFaultKind(kind)) throw new FaultScheduleError(kind, 'unknown fault kind');
    const spec = FAULT_KIND_SPECS[kind];
    let durationMs = 0;
    let count = 0;
    let mode: FaultMode | undefined;
    if (typeof arg === 'string' || (arg === undefined && spec.arg !== 'none')) {
      const parsed = parseFaultArg(kind, arg);
      if (typeof parsed === 'string') throw new FaultScheduleError(`${kind}:${String(arg ?? '')}`, parsed);
      ({ durationMs, count, mode } = parsed);
    } else if (arg !== undefined) {
      if (spec.arg === 'duration') durationMs = arg;
      else if (spec.arg === 'count') count = arg;
      else throw new FaultScheduleError(`${kind}:${String(arg)}`, `${kind} takes ${spec.arg === 'mode' ? 'a mode string like "1920x1080@60"' : 'no argument'}`);
    }
    if (!Number.isFinite(durationMs) || durationMs < 0 || !Number.isInteger(count) || count < 0) {
      throw new FaultScheduleError(`${kind}:${String(arg)}`, 'the duration or count must be a finite number >= 0');
    }
    const e: FaultEntry = { kind, atMs: 0, durationMs, count, source: 'inject', target: 0 };
    if (mode !== undefined) e.mode = mode;
    return this.apply(e);
  }

  private arm(): void {
    if (!this.running || this.next >= this.schedule.length) return;
    const due = this.startMs + this.schedule[this.next]!.atMs;
    this.cancel = this.clock.setTimer(due - this.clock.now(), () => this.fire());
  }

  private fire(): void {
    this.cancel = null;
    if (!this.running) return;
    const now = this.clock.now();
    while (this.next < this.schedule.length && this.startMs + this.schedule[this.next]!.atMs <= now) {
      this.apply(this.schedule[this.next++]!);
    }
    this.arm();
  }

  private apply(e: FaultEntry): FaultRecord {
    const fx = this.effects;
    let detail: string;
    switch (e.kind) {
      case 'device-removed':
      case 'device-reset':
      case 'device-hung':
        detail = fx.breakCurrentDevice(DEVICE_FAULT_HR[e.kind]!);
        break;
      case 'access-lost':
        detail = fx.loseSwapChain();
        break;
      case 'flap':
        detail = fx.flap(e.durationMs);
        break;
      case 'unassign':
        detail = fx.unassign();
        break;
      case 'hdr-flip':
        detail = fx.hdrFlip();
        break;
      case 'idle':
        detail = fx.idle(e.durationMs);
        break;
      case 'host-stall':
      case 'host-recreate':
        detail = fx.hostFault(e.kind, e.durationMs);
        break;
      case 'assign-fail':
        detail = fx.assignFail(e.count);
        break;
      case 'driver-bug':
        detail = fx.driverBug();
        break;
      case 'ignore-render-adapter':
        detail = fx.ignoreRenderAdapter();
        break;
      case 'format-blip':
        detail = fx.formatBlip(e.count);
        break;
      case 'acquire-oom':
        detail = fx.acquireOom(e.durationMs);
        break;
      case 'create-oom':
        detail = fx.createOom(e.durationMs);
        break;
      case 'topology-lost':
        detail = fx.topologyLost();
        break;
      case 'mode-change':
        detail = e.mode === undefined ? 'no mode given' : fx.modeChange(e.mode);
        break;
      case 'static-reencode':
        detail = fx.staticReencode(e.count);
        break;
      case 'plug':
      case 'unplug':
        // Monitor arrival and departure are the session's (it starts or ends a monitor's worker);
        // a display never sees them, but an entry that reaches one is logged, not lost.
        detail = 'monitor arrival/departure is performed by the session, not the display';
        break;
    }
    const rec: FaultRecord = {
      atMs: this.clock.now() - this.startMs,
      kind: e.kind,
      durationMs: e.durationMs,
      count: e.count,
      detail,
      source: e.source,
    };
    if (e.mode !== undefined) rec.mode = formatFaultMode(e.mode);
    this.log.push(rec);
    return rec;
  }
}
