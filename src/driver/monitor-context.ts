/**
 * MonitorContext: the driver's side of one monitor (EvtIddCxMonitorAssignSwapChain /
 * UnassignSwapChain). It owns the monitor's device pool and runs one SwapChainProcessor at a time,
 * and it carries out the RecoveryPolicy's decisions.
 *
 * Invariants:
 * - at most one processor runs; an old one is terminated, woken and joined before anything new
 *   starts (a second drain of the same monitor would race the first for the device);
 * - assign/unassign/stop run one after another (a promise chain, the OS's callback serialisation);
 *   a processor that exits on its own settles without that chain, so joining it while "holding"
 *   the chain can never deadlock;
 * - a device that saw a DirectX error is destroyed, never pooled (it never recovers; seed 004); a
 *   healthy device whose swap-chain the OS took (ACCESS_LOST, PATH_NOT_IN_TOPOLOGY, a flap's SetDevice
 *   give-up) is kept for the next swap-chain (failure-class.ts);
 * - assignSwapChain returns only S_OK or ABANDON_SWAPCHAIN: since IddCx 1.4 (Windows 10 1903) the OS
 *   bugchecks any other failure (seed 004, "Change in EvtIddCxMonitorAssignSwapChain error
 *   handling"). A refusal (shutdown) is ABANDON too: the OS may ask again, and we refuse again;
 * - a transient failure inside assignSwapChain is retried there with the policy's backoff (never a
 *   busy loop), and a stop cuts the wait short;
 * - the critical error is the driver's last act: IddCxReportCriticalError never returns (the OS
 *   terminates the driver), so the ring's terminal error is written, the processor told to stop and
 *   the listeners told BEFORE the call, and after it nothing reaches the OS or the ring again (an
 *   assign in flight hands back ABANDON, which a real OS never sees, so a backend awaiting the
 *   callback is not left hanging);
 * - after stop(), no device is live and no processor runs.
 */
import { ErrorDomain, HealthState } from '../contract/status-codes.js';
import type { Clock } from '../display/clock.js';
import { DXGI_ERROR_DEVICE_REMOVED, E_FAIL, STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN, S_OK } from '../display/result-codes.js';
import { waitAny, type Signal } from '../display/signal.js';
import type { Adapter, IndirectDisplayAdapter, Monitor, RenderDevice, SwapChain } from '../display/types.js';
import { boundaryArgs, criticalTerminalCode, type CriticalCode } from './critical-codes.js';
import { DevicePool } from './device-pool.js';
import { FrameStash } from './frame-stash.js';
import { createProcessorCounters, type ProcessorCounters } from './processor-counters.js';
import { RecoveryPolicy, type RecoveryDecision } from './recovery-policy.js';
import type { RingPort } from './ring-port.js';
import type { ProcessorTuning } from './processor-tuning.js';
import { SwapChainProcessor, type ProcessorExit } from './swap-chain-processor.js';
import { TerminateFlag } from './terminate-signal.js';

export interface MonitorContextOptions {
  adapter: IndirectDisplayAdapter;
  clock: Clock;
  ring: RingPort;
  policy?: RecoveryPolicy;
  pool?: DevicePool;
  /** A driver-wide stop (possibly shared with the host thread); every processor's flag is its child. */
  terminate?: TerminateFlag | null;
  counters?: ProcessorCounters;
  /** The FrameStash shared by this monitor's processors; null disables it. */
  stash?: FrameStash | null;
  tuning?: Partial<ProcessorTuning>;
  /** Called once when the driver reported a critical error. */
  onCriticalError?: (major: number, minor: number) => void;
}

export interface SwapChainCounts {
  /** Swap-chains accepted (assign returned S_OK). */
  assigned: number;
  /** Swap-chains refused with ABANDON_SWAPCHAIN. */
  abandoned: number;
  /** Swap-chains deleted by a processor on its way out. */
  deleted: number;
  /** Assigns refused (with ABANDON_SWAPCHAIN) because the driver is stopping or stopped. */
  refused: number;
}

interface Running {
  processor: SwapChainProcessor;
  /** Resolves when the processor exited and its device and decision were settled. */
  done: Promise<void>;
}

export class MonitorContext implements Monitor {
  readonly pool: DevicePool;
  readonly policy: RecoveryPolicy;
  readonly counters: ProcessorCounters;
  readonly swapChains: SwapChainCounts = { assigned: 0, abandoned: 0, deleted: 0, refused: 0 };
  private readonly adapter: IndirectDisplayAdapter;
  private readonly clock: Clock;
  private readonly ring: RingPort;
  private readonly parent: TerminateFlag | null;
  private readonly stash: FrameStash | null;
  private readonly tuning: Partial<ProcessorTuning>;
  private readonly onCriticalError: ((major: number, minor: number) => void) | null;
  private current: Running | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Set just before IddCxReportCriticalError: from then on nothing reaches the OS or the ring. */
  private dead = false;
  private readonly isDead = (): boolean => this.dead;
  /** The host's stop (the shared terminate word), as opposed to an unassign's terminate of one processor. */
  private readonly isHostStopped = (): boolean => this.parent !== null && this.parent.requested;
  /** What an assign's transient retry waits on (a stop cuts it short). */
  private readonly assignWake: readonly Signal[];
  private assignmentEpoch = 0;
  private deviceEpoch = 0;
  private lastAdapter: Adapter | null = null;
  /** The adapter ladder's epoch this monitor last applied (several monitors, see syncAdapter). */
  private ladderEpoch = 0;
  /** Per frame: notices a stage change of the shared ladder without allocating. */
  private readonly frameDelivered: (nowMs: number) => void;

  constructor(options: MonitorContextOptions) {
    this.adapter = options.adapter;
    this.clock = options.clock;
    this.ring = options.ring;
    this.policy = options.policy ?? new RecoveryPolicy();
    this.pool = options.pool ?? new DevicePool(options.adapter);
    this.parent = options.terminate ?? null;
    this.counters = options.counters ?? createProcessorCounters();
    this.stash = options.stash === undefined ? new FrameStash() : options.stash;
    this.tuning = options.tuning ?? {};
    this.onCriticalError = options.onCriticalError ?? null;
    const shared = this.policy.shared;
    this.frameDelivered =
      shared === null
        ? this.policy.onFrameDelivered
        : (nowMs: number): void => {
            this.policy.onFrameDelivered(nowMs);
            // Applied off the processor's loop: setRenderAdapter unassigns this very processor.
            if (shared.ladder.epoch !== this.ladderEpoch) queueMicrotask(() => this.syncAdapter());
          };
    this.assignWake = this.parent !== null ? [this.parent.wake] : [];
  }

  /** True once the driver reported its critical error (its process is gone, as the OS sees it). */
  get criticallyStopped(): boolean {
    return this.dead;
  }

  /**
   * Several monitors on one adapter: applies the adapter's ladder stage to this monitor's handle
   * on the adapter, when another monitor's failure moved it. The software stage → setRenderAdapter
   * (idempotent: the adapter already in use changes nothing); the adapter stopped → the critical
   * error is carried out here too (the OS keeps the first code), so every monitor stops.
   */
  syncAdapter(): void {
    const shared = this.policy.shared;
    if (shared === null) return;
    const epoch = shared.ladder.epoch;
    if (epoch === this.ladderEpoch) return;
    this.ladderEpoch = epoch;
    const c = shared.ladder.criticalError;
    if (c !== null) {
      this.carryOut({ class: 'directx', action: 'critical-error', escalation: { action: 'critical-error', major: c.major, minor: c.minor } });
      return;
    }
    if (shared.ladder.stage === 1 && !this.stopped) this.carryOut({ class: 'directx', action: 'recreate-device', escalation: { action: 'software-fallback', luid: shared.ladder.softwareLuid } });
  }

  /** The processor running now, if any. */
  get processor(): SwapChainProcessor | null {
    return this.current?.processor ?? null;
  }

  /** The render adapter of the last swap-chain assigned (or offered). */
  get renderAdapter(): Adapter | null {
    return this.lastAdapter;
  }

  get epochs(): { assignment: number; device: number } {
    return { assignment: this.assignmentEpoch, device: this.deviceEpoch };
  }

  assignSwapChain(swapChain: SwapChain): Promise<number> {
    return this.serial(() => this.assign(swapChain));
  }

  unassignSwapChain(): Promise<void> {
    return this.serial(() => this.retire());
  }

  /** Shutdown: terminate + join the processor, then destroy every device. Idempotent. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.serial(async () => {
      await this.retire();
      this.pool.destroyAll();
    });
  }

  /**
   * A permanent issue of the driver's own (seed 004): report a critical error with a unique code;
   * the device stops and the running processor is terminated.
   */
  reportPermanentFailure(failure: string, hr: number = E_FAIL, code?: CriticalCode): void {
    const adapter = this.lastAdapter ?? this.adapter.renderAdapters()[0];
    if (adapter === undefined) return;
    this.carryOut(this.policy.reportPermanent(failure, hr, adapter, this.clock.now(), code));
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op);
    // The chain must survive a failed step; the caller still sees the failure through `next`.
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async assign(sc: SwapChain): Promise<number> {
    this.lastAdapter = sc.renderAdapter;
    this.syncAdapter();
    if (this.refusing()) {
      this.swapChains.refused++;
      return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    }
    // Join the old processor (normally gone already through unassign) before anything new starts.
    await this.retire();
    let device: RenderDevice | null = null;
    let fresh = false;
    let since = Number.NaN;
    while (device === null) {
      const co = this.pool.checkout(sc.renderAdapter);
      if (co.device !== null) {
        device = co.device;
        fresh = co.fresh;
        break;
      }
      // Creating (or first using) the device failed. The pool already destroyed a device it found in
      // error. Seed 004: DirectX error here → destroy the device, return ABANDON_SWAPCHAIN (the OS
      // retries, possibly on another adapter); a transient own failure is retried right here, after
      // the episode's backoff.
      const now = this.clock.now();
      if (Number.isNaN(since)) since = now;
      const d = this.policy.onFailure('assign', co.hr, sc.renderAdapter, this.adapter.renderAdapters(), now, { sinceMs: since });
      if (d.action === 'retry') {
        await waitAny(this.assignWake, d.retryAfterMs ?? 1, this.clock);
        if (this.refusing()) {
          this.swapChains.refused++;
          return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
        }
        continue;
      }
      this.carryOut(d);
      if (d.action === 'critical-error') {
        // Never seen by a real OS (the call did not return); see the file comment.
        this.swapChains.refused++;
        return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
      }
      this.swapChains.abandoned++;
      return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    }
    this.policy.onAssigned(sc.renderAdapter);
    this.assignmentEpoch++;
    if (fresh) this.deviceEpoch++;
    this.swapChains.assigned++;
    this.start(sc, device);
    return S_OK;
  }

  /** The driver is stopping (shutdown) or stopped (critical error): no swap-chain will be processed. */
  private refusing(): boolean {
    return this.stopped || this.dead || (this.parent !== null && this.parent.requested) || this.policy.criticalError !== null;
  }

  private start(sc: SwapChain, device: RenderDevice): void {
    let decided: RecoveryDecision | null = null;
    const processor = new SwapChainProcessor({
      swapChain: sc,
      device,
      clock: this.clock,
      ring: this.ring,
      terminate: TerminateFlag.local(this.parent),
      counters: this.counters,
      stash: this.stash,
      epochs: { assignment: this.assignmentEpoch, device: this.deviceEpoch },
      onAcquireError: (hr, sinceMs) => {
        // After a critical error the device stopped: leave, and decide nothing more.
        if (this.dead || this.policy.criticalError !== null) return -1;
        // Classify by asking the device, not by the HRESULT alone (failure-class.ts).
        const d = this.policy.onFailure('processing', hr, sc.renderAdapter, this.adapter.renderAdapters(), this.clock.now(), {
          deviceReason: device.destroyed ? DEVICE_GONE : device.removedReason(),
          sinceMs,
        });
        if (d.action === 'retry') return d.retryAfterMs ?? 1;
        decided = d;
        // The critical error is the last act: carry it out now, before the loop unwinds.
        if (d.action === 'critical-error') this.carryOut(d);
        return -1;
      },
      onFrameAcquired: this.policy.noteFrame,
      onFrameDelivered: this.frameDelivered,
      driverStopped: this.isDead,
      hostStopped: this.isHostStopped,
      // Called by the processor after it deleted the swap-chain: the device goes only now.
      releaseDevice: (dev, exit) => this.settle(sc, dev, exit, decided),
      tuning: this.tuning,
    });
    const running: Running = {
      processor,
      done: processor.run().then(() => {
        if (this.current === running) this.current = null;
      }),
    };
    this.current = running;
  }

  /** A processor ended: keep or destroy its device, and carry out the recovery decision. */
  private settle(sc: SwapChain, device: RenderDevice, exit: ProcessorExit, decided: RecoveryDecision | null): void {
    this.swapChains.deleted++;
    if (exit.reason === 'terminated') {
      // Unassigned or stopped: the device is healthy (the pool checks), reuse it for the next swap-chain.
      this.pool.giveBack(device);
      return;
    }
    if (this.dead || (decided === null && this.policy.criticalError !== null)) {
      // The device stopped (critical error): this exit is its consequence, not a new failure.
      this.pool.giveBack(device);
      return;
    }
    const d =
      decided ??
      this.policy.onFailure('processing', exit.hr, sc.renderAdapter, this.adapter.renderAdapters(), exit.atMs, {
        // Classify by asking the device (failure-class.ts): a flap's SetDevice give-up on a healthy
        // device is the OS's business; one that ended because the device was removed is DirectX's.
        deviceReason: device.destroyed ? DEVICE_GONE : device.removedReason(),
        sinceMs: exit.firstFailureAtMs,
        ...(exit.reason === 'bind-failed' ? { name: 'set-device-failed' } : exit.reason === 'exception' ? { name: 'processor-exception' } : {}),
      });
    if (d.class === 'os') {
      // The OS took the swap-chain (deleted by the processor; the OS assigns a new one). The device
      // is healthy: keep it, so the next swap-chain binds at once.
      this.pool.giveBack(device);
      return;
    }
    // Seed 004: a DirectX error while processing → leave the loop (done), delete the swap-chain
    // (done by the processor; the OS assigns a new one), destroy the device: once in error a device
    // never recovers, so the next assign creates a new one.
    this.pool.destroy(device);
    if (d.action !== 'critical-error' || decided === null) this.carryOut(d);
  }

  /** Executes a decision's escalation: move to the software adapter, or report a critical error. */
  private carryOut(d: RecoveryDecision): void {
    const e = d.escalation;
    if (e === null || this.dead) return;
    if (e.action === 'software-fallback') {
      // Hardware devices will not be used again by this monitor; free them now.
      this.pool.trimExcept(e.luid);
      this.adapter.setRenderAdapter(e.luid);
      return;
    }
    // IddCxReportCriticalError does not return: everything the driver still has to say is said
    // first (the host learns why the stream ended from the ring), and from the call on, the
    // driver is gone.
    this.dead = true;
    this.writeTerminalError(e.major, e.minor);
    this.current?.processor.requestStop();
    this.onCriticalError?.(e.major, e.minor);
    // The boundary takes 0..0xFF; the OS adds 0x100 and reports e.major (critical-codes.ts).
    const args = boundaryArgs(e.major, e.minor);
    this.adapter.reportCriticalError(args.major, args.minor);
  }

  /** Tells the host why the stream ended: terminal error + health Dead in the ring header. */
  private writeTerminalError(major: number, minor: number): void {
    try {
      const p = this.ring.open();
      if (p === null) return;
      p.setTerminalError(ErrorDomain.Critical, criticalTerminalCode(major, minor));
      p.setHealth(HealthState.Dead);
      p.detach();
    } catch {
      // Best effort: the critical error is reported to the OS next, whatever the ring did.
    }
  }

  /** Terminate + wake + join the running processor, if any. */
  private async retire(): Promise<void> {
    const cur = this.current;
    if (cur === null) return;
    cur.processor.requestStop();
    await cur.done;
  }
}

/** A device the driver already destroyed reads as removed (it can never bind or present again). */
const DEVICE_GONE = DXGI_ERROR_DEVICE_REMOVED;
