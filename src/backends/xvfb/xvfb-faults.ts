/**
 * Faults on a real X display: what the Xvfb backend, as the monitor's "OS", does to the driver when
 * a fault is scheduled (`--faults`) or injected (session.injectFault). The schedule language and
 * its dispatch are the simulated display's (fault-schedule.ts, fault-injector.ts: backend-neutral
 * code that happens to live there); the effects here act on the real objects, so every recovery
 * goes through the real driver and its ladder, and frames come back from the real X server:
 *
 *  - device-removed / -reset / -hung: the render device the swap-chain bound (its X connection and
 *    framebuffer reader) is removed with that reason. The processor's next acquire fails, the
 *    driver asks the device, destroys it, deletes the swap-chain; the OS assigns a new one and a new
 *    device opens the framebuffer again. Counted on the ladder like any DirectX failure.
 *  - access-lost: the OS takes the swap-chain away under the driver (acquire fails with
 *    ACCESS_LOST on a healthy device: class os, nothing counted); the driver deletes it, the OS
 *    assigns another. A swap-chain not bound yet is taken back the ordinary way instead.
 *  - unassign: the OS's ordinary unassign (the driver lets go at its loop top) and a new assign.
 *  - flap: unassign + assign while SetDevice fails with ACCESS_LOST for DUR.
 *  - idle:DUR: the OS presents nothing for DUR though the X server goes on drawing; the damage
 *    piles up and is presented when it ends.
 *  - mode-change:WxH[@HZ]: a mode committed through RandR (randr-mode.ts), as session.setMode.
 *  - host-stall / host-recreate: handed to the host, which performs them.
 *
 * The other kinds are refused before anything is sent (injectable-faults.ts says why); an entry
 * that reaches this file anyway is logged as refused, never applied.
 */
import { InvalidArgumentError } from '../../contract/errors.js';
import type { Clock } from '../../display/clock.js';
import { DXGI_ERROR_ACCESS_LOST, resultName } from '../../display/result-codes.js';
import type { DisplayMode, HostFaultRequest } from '../../display/types.js';
import { FaultInjector, type FaultEffects, type FaultRecord } from '../sim/fault-injector.js';
import { formatFaultMode, type FaultEntry, type FaultMode } from '../sim/fault-schedule.js';
import { xvfbRefusal } from './injectable-faults.js';
import type { XvfbSwapChain } from './swap-chain.js';

/** What the faults act on: the display's OS side. */
export interface XvfbFaultTarget {
  readonly clock: Clock;
  /** The swap-chain assigned now, if any. */
  currentSwapChain(): XvfbSwapChain | null;
  /** The OS's ordinary unassign of the current swap-chain, then an assign (queued in order). */
  reassign(): void;
  /** Present again: the current swap-chain captures the damage that piled up. */
  wake(): void;
  mode(): DisplayMode;
  /** A mode through RandR (XvfbDisplay.requestMode). */
  requestMode(mode: { width: number; height: number; refreshHz: number }): Promise<void>;
  /** Hands a host-side fault to the host; returns how many listeners took it. */
  hostFault(req: HostFaultRequest): number;
  /** A fault's effect that failed (a mode the server refused): for the display's stats and timeline. */
  recordFailure(kind: string, message: string): void;
}

export class XvfbFaults {
  /** True while an injected idle holds presents back (SwapChainHost.presentsPaused reads it). */
  presentsPaused = false;
  private idleUntil = Number.NEGATIVE_INFINITY;
  private cancelIdle: (() => void) | null = null;
  private flapUntil = Number.NEGATIVE_INFINITY;
  private readonly injector: FaultInjector;

  constructor(
    private readonly target: XvfbFaultTarget,
    schedule: readonly FaultEntry[],
  ) {
    for (const e of schedule) {
      const why = xvfbRefusal(e.kind);
      if (why !== null) throw new InvalidArgumentError(`fault ${e.kind} cannot be injected on the xvfb display: ${why}`);
    }
    this.injector = new FaultInjector(target.clock, schedule, this.effects());
  }

  /** Starts the schedule's clock (times count from the display's start). */
  start(): void {
    this.injector.start();
  }

  stop(): void {
    this.injector.stop();
    this.cancelIdle?.();
    this.cancelIdle = null;
    this.presentsPaused = false;
  }

  /** Injects `kind` now; a kind the Xvfb display cannot produce is an InvalidArgumentError naming why. */
  inject(kind: string, arg?: number | string): FaultRecord {
    const why = xvfbRefusal(kind);
    if (why !== null) throw new InvalidArgumentError(`fault ${kind} cannot be injected on the xvfb display: ${why}`);
    return this.injector.inject(kind, arg);
  }

  faultLog(): readonly FaultRecord[] {
    return this.injector.faultLog();
  }

  /** True while an injected flap makes SetDevice fail. */
  setDeviceRefused(): boolean {
    return this.flapUntil > this.target.clock.now();
  }

  private idle(ms: number): void {
    const until = this.target.clock.now() + ms;
    if (until <= this.idleUntil) return;
    this.idleUntil = until;
    this.presentsPaused = true;
    this.cancelIdle?.();
    this.armIdleEnd(ms);
  }

  /** Ends the idle at idleUntil on the display's clock (a timer may fire a fraction of a ms early). */
  private armIdleEnd(ms: number): void {
    this.cancelIdle = this.target.clock.setTimer(ms, () => {
      this.cancelIdle = null;
      const left = this.idleUntil - this.target.clock.now();
      if (left > 0) return this.armIdleEnd(left);
      this.presentsPaused = false;
      this.target.wake();
    });
  }

  private effects(): FaultEffects {
    const t = this.target;
    const refused = (kind: string) => (): string => `refused on xvfb: ${xvfbRefusal(kind) ?? kind}`;
    return {
      breakCurrentDevice: (hr) => {
        const sc = t.currentSwapChain();
        const d = sc?.boundDevice ?? null;
        if (sc === null || d === null) return 'no bound device';
        if (!d.remove(hr)) return `device ${d.id} was already lost`;
        // The processor may be idle in its wait: let it see the loss now.
        sc.surfaceAvailable.set();
        return `device ${d.id} on ${d.adapter.kind}: ${resultName(hr)}`;
      },
      loseSwapChain: () => {
        const sc = t.currentSwapChain();
        if (sc === null) return 'no swap-chain';
        if (sc.boundDevice === null) {
          // Not bound yet: no acquire would see the loss; the OS takes it back the ordinary way.
          t.reassign();
          return `swap-chain ${sc.id} (not bound yet) unassigned, a new one assigned`;
        }
        sc.revoke(DXGI_ERROR_ACCESS_LOST);
        return `swap-chain ${sc.id}: DXGI_ERROR_ACCESS_LOST`;
      },
      flap: (ms) => {
        this.flapUntil = Math.max(this.flapUntil, t.clock.now() + ms);
        const id = t.currentSwapChain()?.id;
        t.reassign();
        return `SetDevice fails for ${ms} ms; swap-chain ${id ?? '-'} unassigned, a new one assigned`;
      },
      unassign: () => {
        const id = t.currentSwapChain()?.id;
        t.reassign();
        return `swap-chain ${id ?? '-'} unassigned, a new one assigned`;
      },
      idle: (ms) => {
        this.idle(ms);
        return `no presents for ${ms} ms while the X server draws on`;
      },
      hostFault: (kind, ms) => {
        const n = t.hostFault({ kind, atMs: t.clock.now(), durationMs: ms });
        return `delivered to ${n} host listener(s)`;
      },
      modeChange: (m: FaultMode) => {
        const mode = { width: m.width, height: m.height, refreshHz: m.refreshHz ?? t.mode().refreshHz };
        t.requestMode(mode).catch((e: unknown) => t.recordFailure('mode-change', (e as Error).message ?? String(e)));
        return `RandR mode ${formatFaultMode(m)} requested`;
      },
      hdrFlip: refused('hdr-flip'),
      assignFail: refused('assign-fail'),
      driverBug: refused('driver-bug'),
      ignoreRenderAdapter: refused('ignore-render-adapter'),
      formatBlip: refused('format-blip'),
      acquireOom: refused('acquire-oom'),
      createOom: refused('create-oom'),
      topologyLost: refused('topology-lost'),
      staticReencode: refused('static-reencode'),
    };
  }
}
