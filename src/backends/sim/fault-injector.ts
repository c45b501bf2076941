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
import { DEFAULT_ASSIGN_FAIL_COUNT, DEFAULT_FAULT_DURATION_MS, isFaultKind, takesDuration, type FaultEntry, type FaultKind } from './fault-schedule.js';

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
}

export interface FaultRecord {
  /** Display-clock ms after start() when it was injected. */
  atMs: number;
  kind: FaultKind;
  durationMs: number;
  count: number;
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
   * Injects a fault now (the viewer's buttons). `arg` is the duration in ms for flap / idle /
   * host-stall and the count for assign-fail; omitted, the kind's default.
   */
  inject(kind: string, arg?: number): FaultRecord {
    if (!isFaultKind(kind)) throw new FaultScheduleError(kind, 'unknown fault kind');
    let durationMs = 0;
    let count = 0;
    if (kind === 'assign-fail') count = arg ?? DEFAULT_ASSIGN_FAIL_COUNT;
    else if (takesDuration(kind)) durationMs = arg ?? DEFAULT_FAULT_DURATION_MS[kind]!;
    if (!Number.isFinite(durationMs) || durationMs < 0 || !Number.isInteger(count) || count < 0) {
      throw new FaultScheduleError(`${kind}:${String(arg)}`, 'the duration or count must be a finite number >= 0');
    }
    return this.apply({ kind, atMs: 0, durationMs, count, source: 'inject' });
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
    }
    const rec: FaultRecord = {
      atMs: this.clock.now() - this.startMs,
      kind: e.kind,
      durationMs: e.durationMs,
      count: e.count,
      detail,
      source: e.source,
    };
    this.log.push(rec);
    return rec;
  }
}
