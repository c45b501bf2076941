/**
 * The simulated OS side of one indirect monitor, as one DisplaySystem: DXGI's adapters and devices
 * (sim-devices.ts), IddCx's swap-chain assignment (swap-chain-assigner.ts), DWM's compositor
 * (compositor.ts) and the fault schedule (fault-injector.ts), all on one clock. This file joins
 * them and says what each fault does to the OS's state (faultEffects).
 *
 * IddCx semantics beyond the assigner's:
 * - setRenderAdapter(luid) → the swap-chain is taken back (unassign) and a new one assigned on
 *   that adapter; the adapter already in use changes nothing; an unknown LUID is a programming
 *   error (InvalidArgumentError);
 * - reportCriticalError → the driver's process is terminated (the call does not return): its
 *   swap-chains and devices are reclaimed without a callback, nothing is assigned or composed
 *   again, and any later driver call is a bugcheck (os-guard.ts, with the other punishments).
 * - setRenderAdapter is a preference ("the OS will attempt to re-create swap-chains on it"): under
 *   ignore-render-adapter the OS keeps composing where it is, and counts the requests it ignored.
 */
import { InvalidArgumentError } from '../../contract/errors.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F, formatName } from '../../contract/pixel-format.js';
import type { Clock } from '../../display/clock.js';
import { DXGI_ERROR_DEVICE_REMOVED, E_OUTOFMEMORY, STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED, S_OK, hresultHex, resultName } from '../../display/result-codes.js';
import type { Adapter, DeviceCreation, DisplayMode, DisplaySystem, HostFaultRequest, IndirectDisplayAdapter, Monitor } from '../../display/types.js';
import { Compositor } from './compositor.js';
import { FaultInjector, type FaultEffects, type FaultRecord } from './fault-injector.js';
import { formatFaultMode, type FaultKind } from './fault-schedule.js';
import { makeMode } from './mode.js';
import type { PatternParams } from './pattern-workload.js';
import { Prng } from './prng.js';
import { DeviceRegistry, HARDWARE_ADAPTER, SIM_ADAPTERS, type SimRenderDevice } from './sim-devices.js';
import type { ResolvedSimOptions } from './sim-options.js';
import type { SimSwapChain } from './sim-swap-chain.js';
import { SwapChainAssigner } from './swap-chain-assigner.js';
import { checkSimInvariants, type InvariantOptions } from './sim-invariants.js';
import { OsGuard } from './os-guard.js';
import type { SimDisplayStats } from './sim-display-stats.js';

export type { SimDisplayStats };

export class SimDisplay<C extends Clock = Clock> implements DisplaySystem {
  readonly clock: C;
  readonly adapter: IndirectDisplayAdapter;
  private readonly opts: ResolvedSimOptions<C>;
  private displayMode: DisplayMode;
  private renderAdapter: Adapter = HARDWARE_ADAPTER;
  private readonly devices: DeviceRegistry;
  private readonly assigner: SwapChainAssigner;
  private readonly compositor: Compositor;
  private readonly injector: FaultInjector;
  private started = false;
  private stopping = false;
  private stopped = false;
  private stopPromise: Promise<void> | null = null;
  private readonly guard: OsGuard;
  private flapUntil = -Infinity;
  private acquireOomUntil = -Infinity;
  private createOomUntil = -Infinity;
  private ignoreRenderAdapter = false;
  private renderAdapterIgnored = 0;
  private readonly hostFaultListeners: Array<(req: HostFaultRequest) => void> = [];
  private readonly listenerErrors: string[] = [];

  constructor(opts: ResolvedSimOptions<C>) {
    this.opts = opts;
    this.clock = opts.clock;
    this.displayMode = opts.mode;
    this.guard = new OsGuard(
      () => this.clock.now(),
      () => this.machineDown(),
      () => this.driverTerminated(),
    );
    this.assigner = new SwapChainAssigner({
      clock: this.clock,
      mode: () => this.displayMode,
      renderAdapter: () => this.renderAdapter,
      flapping: () => this.clock.now() < this.flapUntil,
      deviceStopped: () => this.guard.halted,
      driverCall: (call) => this.guard.driverCall(call),
      crash: (reason) => this.guard.crash(reason),
      acquireFailure: () => (this.clock.now() < this.acquireOomUntil ? E_OUTOFMEMORY : S_OK),
      reassignDelayMs: opts.reassignDelayMs,
      maxConsecutiveAbandons: opts.maxConsecutiveAbandons,
    });
    const prng = new Prng(opts.seed);
    this.devices = new DeviceRegistry(
      () => this.clock.now(),
      prng.fork(1),
      () => (this.assigner.assignFailing ? DXGI_ERROR_DEVICE_REMOVED : this.clock.now() < this.createOomUntil ? E_OUTOFMEMORY : S_OK),
    );
    this.compositor = new Compositor(this.clock, opts.pattern, () => this.displayMode, () => this.assigner.current, () => this.guard.halted, opts.stallThresholdFrames);
    this.injector = new FaultInjector(this.clock, opts.faults, this.faultEffects());
    this.adapter = {
      renderAdapters: () => SIM_ADAPTERS,
      createDevice: (a: Adapter): DeviceCreation =>
        this.guard.driverCall('D3D11CreateDevice') ? this.devices.create(a) : { hr: STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED, device: null },
      setRenderAdapter: (luid: number) => this.setRenderAdapter(luid),
      reportCriticalError: (major: number, minor: number) => this.reportCriticalError(major, minor),
    };
  }

  mode(): DisplayMode {
    return this.displayMode;
  }

  /** The driver was terminated (critical error) or the machine bugchecked: no driver call takes effect. */
  get halted(): boolean {
    return this.guard.halted;
  }

  /** The render adapter the OS composes on now. */
  currentRenderAdapter(): Adapter {
    return this.renderAdapter;
  }

  /** The swap-chain the OS composes into now, or null. */
  currentSwapChain(): SimSwapChain | null {
    return this.assigner.current;
  }

  liveDevices(): SimRenderDevice[] {
    return this.devices.liveDevices();
  }

  patternParams(): PatternParams {
    return { ...this.opts.pattern };
  }

  faultLog(): readonly FaultRecord[] {
    return this.injector.faultLog();
  }

  /** Injects a fault now; `arg` is a duration or a count (a number), or the schedule's ARG text (mode-change). */
  injectFault(kind: FaultKind | string, arg?: number | string): FaultRecord {
    return this.injector.inject(kind, arg);
  }

  onHostFault(listener: (req: HostFaultRequest) => void): void {
    this.hostFaultListeners.push(listener);
  }

  start(monitor: Monitor): Promise<void> {
    if (this.started) throw new InvalidArgumentError('start() was already called on this display');
    if (this.stopping) throw new InvalidArgumentError('start() after stop(): create a new display');
    this.started = true;
    this.compositor.start();
    this.injector.start();
    return this.assigner.start(monitor);
  }

  stop(): Promise<void> {
    if (this.stopPromise !== null) return this.stopPromise;
    this.stopping = true;
    this.compositor.stop();
    this.injector.stop();
    this.stopPromise = this.assigner.stop().then(() => {
      this.stopped = true;
    });
    return this.stopPromise;
  }

  stats(): SimDisplayStats {
    const as = this.assigner;
    const c = as.counters;
    return {
      presented: c.presented,
      acquired: c.acquired,
      finished: c.finished,
      swapChainsAssigned: as.assigned,
      swapChainsAbandoned: as.abandoned,
      swapChainsDeleted: as.deleted,
      devicesCreated: this.devices.created,
      devicesDestroyed: this.devices.destroyed,
      stalls: this.compositor.stalls,
      renderAdapter: this.renderAdapter,
      criticalError: this.guard.criticalError === null ? null : { ...this.guard.criticalError },
      bugcheck: this.guard.bugcheck === null ? null : { ...this.guard.bugcheck },
      devicesLive: this.devices.liveCount,
      deviceCreateFailures: this.devices.createFailures,
      swapChainsLive: as.liveIds().length,
      unassigns: as.unassigns,
      swapChainsLost: as.lost,
      setDeviceFailures: c.setDeviceFailures,
      finishWithoutFrame: c.finishWithoutFrame,
      releasedUnfinished: c.releasedUnfinished,
      unfinishedAtDelete: c.unfinishedAtDelete,
      nonMonotonicFrames: c.nonMonotonicFrames,
      assignGaveUp: as.gaveUp,
      renderAdapterIgnored: this.renderAdapterIgnored,
      frameNumber: this.compositor.frameNumber,
      mode: { ...this.displayMode },
      monitorErrors: [...as.monitorErrors, ...this.listenerErrors],
    };
  }

  /** What went wrong so far: frames not finished exactly once, leaks after stop, stalls, monitor throws. Empty = healthy. */
  checkInvariants(options: InvariantOptions = {}): string[] {
    return checkSimInvariants(
      {
        stats: this.stats(),
        stopped: this.stopped,
        outstanding: this.assigner.current?.hasOutstandingFrame ?? false,
        leakedDevices: this.stopped ? this.devices.liveDevices().map((d) => `device ${d.id} on ${d.adapter.kind}`) : [],
        undeleted: this.assigner.undeletedIds(),
        liveSwapChains: this.assigner.liveIds(),
      },
      options,
    );
  }

  /**
   * A mode the host asks for (session.setMode): the OS commits it as it commits a mode-change, by
   * unassigning and assigning a swap-chain at the new mode; no fault is logged, nothing fails.
   */
  requestMode(m: { width: number; height: number; refreshHz: number }): Promise<void> {
    this.commitMode(m, `mode ${m.width}x${m.height}@${m.refreshHz}`);
    return Promise.resolve();
  }

  private commitMode(m: { width: number; height: number; refreshHz: number | null }, what: string): string {
    const as = this.assigner;
    const cur = this.displayMode;
    const next = makeMode(m.width, m.height, m.refreshHz ?? cur.refreshHz, cur.format, what);
    const id = as.current?.id;
    as.reassign(() => {
      this.displayMode = next;
      as.dropSurfaces();
    });
    return `mode ${cur.width}x${cur.height}@${cur.refreshHz} -> ${next.width}x${next.height}@${next.refreshHz}; swap-chain ${id ?? '-'} unassigned, a new one assigned`;
  }

  // ---- IndirectDisplayAdapter ----

  private setRenderAdapter(luid: number): void {
    if (!this.guard.driverCall('IddCxAdapterSetRenderAdapter')) return;
    const a = SIM_ADAPTERS.find((x) => x.luid === luid);
    if (a === undefined) throw new InvalidArgumentError(`setRenderAdapter: no render adapter has LUID 0x${(luid >>> 0).toString(16)}`);
    if (a === this.renderAdapter) return; // already composing there: IddCx changes nothing
    if (this.ignoreRenderAdapter) {
      this.renderAdapterIgnored++;
      return;
    }
    this.renderAdapter = a;
    this.assigner.reassign();
  }

  private reportCriticalError(major: number, minor: number): void {
    this.guard.reportCriticalError(major, minor);
  }

  /** The critical error terminated the driver: the OS reclaims its swap-chains and devices. */
  private driverTerminated(): void {
    this.assigner.deviceStopped();
    this.devices.reclaimAll();
  }

  /** A bugcheck: the machine is down; nothing composes, nothing is injected, nothing is assigned. */
  private machineDown(): void {
    this.compositor.stop();
    this.injector.stop();
    this.assigner.deviceStopped();
    this.devices.reclaimAll();
  }

  // ---- faults ----

  private faultEffects(): FaultEffects {
    const as = this.assigner;
    return {
      breakCurrentDevice: (hr) => {
        const d = as.current?.boundDevice ?? this.devices.newestLive();
        if (d === null) return 'no live device';
        return d.remove(hr) ? `device ${d.id} on ${d.adapter.kind}: ${resultName(hr)}` : `device ${d.id} was already removed (${hresultHex(d.removedReason())})`;
      },
      loseSwapChain: () => {
        const sc = as.loseCurrent();
        return sc === null ? 'no swap-chain' : `swap-chain ${sc.id}: DXGI_ERROR_ACCESS_LOST`;
      },
      flap: (ms) => {
        this.flapUntil = Math.max(this.flapUntil, this.clock.now() + ms);
        const id = as.current?.id;
        as.reassign();
        return `SetDevice fails for ${ms} ms; swap-chain ${id ?? '-'} unassigned, a new one assigned`;
      },
      unassign: () => {
        const id = as.current?.id;
        as.reassign();
        return `swap-chain ${id ?? '-'} unassigned, a new one assigned`;
      },
      hdrFlip: () => {
        const from = this.displayMode.format;
        const to = from === FORMAT_BGRA8 ? FORMAT_RGBA16F : FORMAT_BGRA8;
        as.reassign(() => {
          this.displayMode = { ...this.displayMode, format: to };
          as.dropSurfaces();
        });
        return `composition format ${formatName(from)} -> ${formatName(to)}; swap-chain recreated`;
      },
      idle: (ms) => {
        this.compositor.idleFor(ms);
        return `no presents for ${ms} ms`;
      },
      hostFault: (kind, ms) => {
        const req: HostFaultRequest = { kind, atMs: this.clock.now(), durationMs: ms };
        for (const l of this.hostFaultListeners) {
          try {
            l(req);
          } catch (e) {
            this.listenerErrors.push(`host fault listener threw: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        return `delivered to ${this.hostFaultListeners.length} host listener(s)`;
      },
      assignFail: (count) => {
        // A GPU-wide fault (a PnP stop, a TDR): the live devices are lost with the adapter, and
        // creating new ones fails until it comes back. Without the first half a driver that pools
        // its devices would never create one inside assign, and the failure would never be seen.
        let lost = 0;
        for (const d of this.liveDevices()) if (d.remove(DXGI_ERROR_DEVICE_REMOVED)) lost++;
        as.armAssignFail(count);
        return `${lost} live device(s) removed; device creation fails in the next ${count} assign(s)`;
      },
      driverBug: () => {
        this.devices.enableDriverBug();
        return 'every device now breaks after its first few frames';
      },
      ignoreRenderAdapter: () => {
        this.ignoreRenderAdapter = true;
        return `setRenderAdapter is ignored from now on; the OS keeps composing on ${this.renderAdapter.kind}`;
      },
      formatBlip: (frames) => {
        const sc = as.current;
        if (sc === null) return 'no swap-chain';
        const to = sc.mode.format === FORMAT_BGRA8 ? FORMAT_RGBA16F : FORMAT_BGRA8;
        sc.armFormatBlip(frames, to);
        return `the next ${frames} frame(s) on swap-chain ${sc.id} come in ${formatName(to)}, then ${formatName(sc.mode.format)} again`;
      },
      acquireOom: (ms) => {
        this.acquireOomUntil = Math.max(this.acquireOomUntil, this.clock.now() + ms);
        return `acquire fails with E_OUTOFMEMORY for ${ms} ms`;
      },
      createOom: (ms) => {
        this.createOomUntil = Math.max(this.createOomUntil, this.clock.now() + ms);
        return `device creation fails with E_OUTOFMEMORY for ${ms} ms`;
      },
      topologyLost: () => {
        const sc = as.current;
        if (sc === null) return 'no swap-chain';
        sc.armTopologyLost();
        return `the next acquire on swap-chain ${sc.id} fails with STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY; then unassign and assign`;
      },
      modeChange: (m) => this.commitMode(m, `mode-change:${formatFaultMode(m)}`),
      staticReencode: (frames) => {
        this.compositor.reencode(frames);
        return `the next ${frames} vsync(s) re-present the last frame (same frame number, no dirty rects)`;
      },
    };
  }
}
