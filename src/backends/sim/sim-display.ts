/**
 * The simulated OS side of one indirect monitor: IddCx's swap-chain assignment, DXGI's adapters and
 * devices, DWM's compositor, and the fault schedule, on one clock.
 *
 * IddCx semantics (DESIGN.md "The map"):
 * - start(monitor) assigns the first swap-chain; ABANDON_SWAPCHAIN (or any failure, or a throw)
 *   from assignSwapChain → the OS destroys that swap-chain and assigns again after
 *   reassignDelayMs, giving up after maxConsecutiveAbandons in a row (counted, not thrown);
 * - swapChain.delete() of the current swap-chain → the OS assigns a new one after reassignDelayMs;
 * - unassign, flap, hdr-flip, setRenderAdapter, a critical error and stop() take the swap-chain
 *   back: monitor.unassignSwapChain() is awaited, then the swap-chain is dead (ACCESS_LOST);
 * - every call into the monitor goes through one queue, so assign and unassign never overlap, as
 *   IddCx serializes its callbacks;
 * - reportCriticalError stops the device: acquire returns DEVICE_STOPPED, the swap-chain is taken
 *   back and no swap-chain is assigned again.
 *
 * Invariant: at most one swap-chain is current (the one the compositor presents into).
 */
import { InvalidArgumentError } from '../../contract/errors.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F, bytesPerPixel, formatName } from '../../contract/pixel-format.js';
import type { Clock } from '../../display/clock.js';
import { DXGI_ERROR_DEVICE_REMOVED, E_FAIL, S_OK, hresultHex, resultName, succeeded } from '../../display/result-codes.js';
import type { Adapter, DeviceCreation, DisplayMode, DisplayStats, DisplaySystem, HostFaultRequest, IndirectDisplayAdapter, Monitor } from '../../display/types.js';
import { Compositor } from './compositor.js';
import { FaultInjector, type FaultEffects, type FaultRecord } from './fault-injector.js';
import type { FaultKind } from './fault-schedule.js';
import type { PatternParams } from './pattern-workload.js';
import { Prng } from './prng.js';
import { DeviceRegistry, HARDWARE_ADAPTER, SIM_ADAPTERS, type SimRenderDevice } from './sim-devices.js';
import type { ResolvedSimOptions } from './sim-options.js';
import { SimSwapChain, newFrameCounters, type FrameCounters, type SwapChainOwner } from './sim-swap-chain.js';
import { checkSimInvariants, type InvariantOptions } from './sim-invariants.js';

/** The display's counters: DisplayStats plus what the simulation alone can know. */
export interface SimDisplayStats extends DisplayStats {
  devicesLive: number;
  deviceCreateFailures: number;
  swapChainsLive: number;
  /** Swap-chains the OS took back with an unassign (unassign, flap, hdr-flip, adapter change, stop). */
  unassigns: number;
  /** Swap-chains the OS abandoned with access lost. */
  swapChainsLost: number;
  setDeviceFailures: number;
  finishWithoutFrame: number;
  releasedUnfinished: number;
  unfinishedAtDelete: number;
  nonMonotonicFrames: number;
  /** The OS gave up assigning after too many ABANDON_SWAPCHAIN in a row. */
  assignGaveUp: boolean;
  frameNumber: number;
  mode: DisplayMode;
  monitorErrors: string[];
}

export class SimDisplay<C extends Clock = Clock> implements DisplaySystem, SwapChainOwner {
  readonly clock: C;
  readonly adapter: IndirectDisplayAdapter;
  readonly counters: FrameCounters = newFrameCounters();
  private readonly opts: ResolvedSimOptions<C>;
  private displayMode: DisplayMode;
  private renderAdapter: Adapter = HARDWARE_ADAPTER;
  private readonly devices: DeviceRegistry;
  private readonly compositor: Compositor;
  private readonly injector: FaultInjector;
  private monitor: Monitor | null = null;
  private current: SimSwapChain | null = null;
  private readonly live = new Set<SimSwapChain>();
  /** Swap-chains abandoned with access lost that the driver has not deleted yet. */
  private readonly awaitingDelete = new Set<SimSwapChain>();
  private nextSwapChainId = 1;
  private queue: Promise<void> = Promise.resolve();
  private cancelAssign: (() => void) | null = null;
  private stopping = false;
  private stopped = false;
  private stopPromise: Promise<void> | null = null;
  private critical: { major: number; minor: number } | null = null;
  private flapUntil = -Infinity;
  private assignFailLeft = 0;
  private assignFailing = false;
  private consecutiveAbandons = 0;
  private assignGaveUp = false;
  private readonly freeSurfaces: Uint8Array[] = [];
  private readonly hostFaultListeners: Array<(req: HostFaultRequest) => void> = [];
  private readonly monitorErrors: string[] = [];
  private swapChainsAssigned = 0;
  private swapChainsAbandoned = 0;
  private swapChainsDeleted = 0;
  private swapChainsLost = 0;
  private unassigns = 0;

  constructor(opts: ResolvedSimOptions<C>) {
    this.opts = opts;
    this.clock = opts.clock;
    this.displayMode = opts.mode;
    const prng = new Prng(opts.seed);
    this.devices = new DeviceRegistry(
      () => this.clock.now(),
      prng.fork(1),
      () => (this.assignFailing ? DXGI_ERROR_DEVICE_REMOVED : S_OK),
    );
    this.compositor = new Compositor(this.clock, opts.pattern, () => this.displayMode, () => this.current, () => this.critical !== null, opts.stallThresholdFrames);
    this.injector = new FaultInjector(this.clock, opts.faults, this.faultEffects());
    this.adapter = {
      renderAdapters: () => SIM_ADAPTERS,
      createDevice: (a: Adapter): DeviceCreation => this.devices.create(a),
      setRenderAdapter: (luid: number) => this.setRenderAdapter(luid),
      reportCriticalError: (major: number, minor: number) => this.reportCriticalError(major, minor),
    };
  }

  mode(): DisplayMode {
    return this.displayMode;
  }

  /** The render adapter the OS composes on now. */
  currentRenderAdapter(): Adapter {
    return this.renderAdapter;
  }

  /** The swap-chain the OS composes into now, or null. */
  currentSwapChain(): SimSwapChain | null {
    return this.current;
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

  /** Injects a fault now; `arg` is a duration (flap, idle, host-stall) or a count (assign-fail). */
  injectFault(kind: FaultKind | string, arg?: number): FaultRecord {
    return this.injector.inject(kind, arg);
  }

  onHostFault(listener: (req: HostFaultRequest) => void): void {
    this.hostFaultListeners.push(listener);
  }

  start(monitor: Monitor): Promise<void> {
    if (this.monitor !== null) throw new InvalidArgumentError('start() was already called on this display');
    if (this.stopping) throw new InvalidArgumentError('start() after stop(): create a new display');
    this.monitor = monitor;
    this.compositor.start();
    this.injector.start();
    return this.enqueue(() => this.assign());
  }

  stop(): Promise<void> {
    if (this.stopPromise !== null) return this.stopPromise;
    this.stopping = true;
    this.compositor.stop();
    this.injector.stop();
    this.cancelAssign?.();
    this.cancelAssign = null;
    this.stopPromise = this.enqueue(() => this.takeBack()).then(() => {
      this.stopped = true;
    });
    return this.stopPromise;
  }

  stats(): SimDisplayStats {
    const c = this.counters;
    return {
      presented: c.presented,
      acquired: c.acquired,
      finished: c.finished,
      swapChainsAssigned: this.swapChainsAssigned,
      swapChainsAbandoned: this.swapChainsAbandoned,
      swapChainsDeleted: this.swapChainsDeleted,
      devicesCreated: this.devices.created,
      devicesDestroyed: this.devices.destroyed,
      stalls: this.compositor.stalls,
      renderAdapter: this.renderAdapter,
      criticalError: this.critical === null ? null : { ...this.critical },
      devicesLive: this.devices.liveCount,
      deviceCreateFailures: this.devices.createFailures,
      swapChainsLive: this.live.size,
      unassigns: this.unassigns,
      swapChainsLost: this.swapChainsLost,
      setDeviceFailures: c.setDeviceFailures,
      finishWithoutFrame: c.finishWithoutFrame,
      releasedUnfinished: c.releasedUnfinished,
      unfinishedAtDelete: c.unfinishedAtDelete,
      nonMonotonicFrames: c.nonMonotonicFrames,
      assignGaveUp: this.assignGaveUp,
      frameNumber: this.compositor.frameNumber,
      mode: { ...this.displayMode },
      monitorErrors: [...this.monitorErrors],
    };
  }

  /** What went wrong so far: frames not finished exactly once, leaks after stop, stalls, monitor throws. Empty = healthy. */
  checkInvariants(options: InvariantOptions = {}): string[] {
    return checkSimInvariants(
      {
        stats: this.stats(),
        stopped: this.stopped,
        outstanding: this.current?.hasOutstandingFrame ?? false,
        leakedDevices: this.stopped ? this.devices.liveDevices().map((d) => `device ${d.id} on ${d.adapter.kind}`) : [],
        undeleted: [...this.awaitingDelete].map((s) => s.id),
        liveSwapChains: [...this.live].map((s) => s.id),
      },
      options,
    );
  }

  // ---- SwapChainOwner ----

  isFlapping(): boolean {
    return this.clock.now() < this.flapUntil;
  }

  isStopped(): boolean {
    return this.critical !== null;
  }

  swapChainDeleted(sc: SimSwapChain): void {
    this.swapChainsDeleted++;
    this.awaitingDelete.delete(sc);
    this.release(sc);
    if (this.current === sc) {
      this.current = null;
      this.requestAssign(this.opts.reassignDelayMs);
    }
  }

  // ---- IndirectDisplayAdapter ----

  private setRenderAdapter(luid: number): void {
    const a = SIM_ADAPTERS.find((x) => x.luid === luid);
    if (a === undefined) throw new InvalidArgumentError(`setRenderAdapter: no render adapter has LUID 0x${(luid >>> 0).toString(16)}`);
    if (a === this.renderAdapter) return; // already composing there: IddCx changes nothing
    this.renderAdapter = a;
    void this.enqueue(() => this.reassign());
  }

  private reportCriticalError(major: number, minor: number): void {
    if (this.critical !== null) return; // the device already stopped; the first code stands
    this.critical = { major: major >>> 0, minor: minor >>> 0 };
    this.cancelAssign?.();
    this.cancelAssign = null;
    // The device stopped: the swap-chain stops being current now (the driver deleting it must not
    // count as a request for another), and IddCx tears the monitor's swap-chain down.
    const sc = this.current;
    this.current = null;
    sc?.surfaceAvailable.set(); // a waiting driver sees DEVICE_STOPPED at once
    if (sc !== null) void this.enqueue(() => this.unassign(sc));
  }

  // ---- the OS's swap-chain management (always on the queue) ----

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(op).catch((e: unknown) => {
      this.monitorErrors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    });
    this.queue = run;
    return run;
  }

  private requestAssign(delayMs: number): void {
    if (this.stopping || this.critical !== null || this.current !== null || this.cancelAssign !== null || this.monitor === null) return;
    this.cancelAssign = this.clock.setTimer(delayMs, () => {
      this.cancelAssign = null;
      void this.enqueue(() => this.assign());
    });
  }

  /** EvtIddCxMonitorAssignSwapChain with a new swap-chain on the current render adapter. */
  private async assign(): Promise<void> {
    if (this.stopping || this.critical !== null || this.current !== null || this.monitor === null || this.assignGaveUp) return;
    const mode = this.displayMode;
    const sc = new SimSwapChain(this.nextSwapChainId++, this.renderAdapter, mode, this.takeSurface(mode), this);
    this.current = sc;
    this.live.add(sc);
    this.swapChainsAssigned++;
    this.assignFailing = this.assignFailLeft > 0;
    if (this.assignFailing) this.assignFailLeft--;
    let hr: number;
    try {
      hr = await this.monitor.assignSwapChain(sc);
    } catch (e) {
      this.monitorErrors.push(`assignSwapChain threw: ${e instanceof Error ? e.message : String(e)}`);
      hr = E_FAIL;
    } finally {
      this.assignFailing = false;
    }
    if (succeeded(hr)) {
      this.consecutiveAbandons = 0;
      return;
    }
    // ABANDON_SWAPCHAIN (or a failure the OS treats alike): destroy it and assign again soon.
    this.swapChainsAbandoned++;
    if (this.current === sc) this.current = null;
    this.awaitingDelete.delete(sc);
    sc.lose();
    this.release(sc);
    if (++this.consecutiveAbandons >= this.opts.maxConsecutiveAbandons) {
      this.assignGaveUp = true;
      return;
    }
    this.requestAssign(this.opts.reassignDelayMs);
  }

  /** EvtIddCxMonitorUnassignSwapChain for the current swap-chain, then it is dead. */
  private async takeBack(): Promise<void> {
    const sc = this.current;
    if (sc === null) return;
    this.current = null;
    await this.unassign(sc);
  }

  /** Calls the monitor's unassign for `sc` (no longer current) and reclaims it. */
  private async unassign(sc: SimSwapChain): Promise<void> {
    if (this.monitor === null) return;
    this.unassigns++;
    try {
      await this.monitor.unassignSwapChain();
    } catch (e) {
      this.monitorErrors.push(`unassignSwapChain threw: ${e instanceof Error ? e.message : String(e)}`);
    }
    // A swap-chain lost to access-lost stays in awaitingDelete: the driver should have deleted it.
    if (!sc.deleted) {
      sc.lose();
      this.release(sc);
    }
  }

  /** Takes the swap-chain back and assigns a new one at once (unassign, flap, hdr-flip, adapter change). */
  private async reassign(between?: () => void): Promise<void> {
    await this.takeBack();
    between?.();
    this.cancelAssign?.();
    this.cancelAssign = null;
    await this.assign();
  }

  private takeSurface(mode: DisplayMode): Uint8Array {
    const bytes = mode.width * mode.height * bytesPerPixel(mode.format);
    const s = this.freeSurfaces.pop();
    return s !== undefined && s.byteLength === bytes ? s : new Uint8Array(bytes);
  }

  /** The swap-chain is gone (deleted, or destroyed by the OS): its surface can serve the next one. */
  private release(sc: SimSwapChain): void {
    if (!this.live.delete(sc)) return;
    if (this.freeSurfaces.length < 2) this.freeSurfaces.push(sc.surface);
  }

  // ---- faults ----

  private faultEffects(): FaultEffects {
    return {
      breakCurrentDevice: (hr) => {
        const d = this.current?.boundDevice ?? this.devices.newestLive();
        if (d === null) return 'no live device';
        return d.remove(hr) ? `device ${d.id} on ${d.adapter.kind}: ${resultName(hr)}` : `device ${d.id} was already removed (${hresultHex(d.removedReason())})`;
      },
      loseSwapChain: () => {
        const sc = this.current;
        if (sc === null || sc.state === 'lost') return 'no swap-chain';
        sc.lose();
        this.swapChainsLost++;
        this.awaitingDelete.add(sc);
        return `swap-chain ${sc.id}: DXGI_ERROR_ACCESS_LOST`;
      },
      flap: (ms) => {
        this.flapUntil = Math.max(this.flapUntil, this.clock.now() + ms);
        void this.enqueue(() => this.reassign());
        return `SetDevice fails for ${ms} ms; swap-chain ${this.current?.id ?? '-'} unassigned and reassigned`;
      },
      unassign: () => {
        void this.enqueue(() => this.reassign());
        return `swap-chain ${this.current?.id ?? '-'} unassigned`;
      },
      hdrFlip: () => {
        void this.enqueue(() =>
          this.reassign(() => {
            const next = this.displayMode.format === FORMAT_BGRA8 ? FORMAT_RGBA16F : FORMAT_BGRA8;
            this.displayMode = { ...this.displayMode, format: next };
            this.freeSurfaces.length = 0;
          }),
        );
        return `composition format leaves ${formatName(this.displayMode.format)}; swap-chain recreated`;
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
            this.monitorErrors.push(`host fault listener threw: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        return `delivered to ${this.hostFaultListeners.length} host listener(s)`;
      },
      assignFail: (count) => {
        this.assignFailLeft += count;
        if (this.current !== null) void this.enqueue(() => this.reassign());
        return `device creation fails in the next ${count} assign(s)`;
      },
      driverBug: () => {
        this.devices.enableDriverBug();
        return 'every device now breaks after its first few frames';
      },
    };
  }
}
