/**
 * The OS's side of EvtIddCxMonitorAssignSwapChain / UnassignSwapChain for one monitor: which
 * swap-chain is current, when the monitor is called, and what happens to a swap-chain afterwards.
 *
 * Invariants:
 * - every call into the monitor goes through one queue, so assign and unassign never overlap (IddCx
 *   serializes its callbacks) and a fault that arrives mid-assign waits for it;
 * - at most one swap-chain is current; only the current one receives presents;
 * - ABANDON_SWAPCHAIN (or a throw) from assignSwapChain → that swap-chain is dead and the OS assigns
 *   again after reassignDelayMs, giving up after maxConsecutiveAbandons in a row; any other failure
 *   code is a bugcheck (IddCx 1.4 and later);
 * - after the critical error the driver's process is gone: its swap-chains are reclaimed without a
 *   callback, a result it still returns is discarded, and nothing is assigned again;
 * - the driver deleting the current swap-chain → a new one is assigned after reassignDelayMs;
 * - a swap-chain taken back (unassign) is dead once the monitor's unassign resolved;
 * - every swap-chain ever assigned is live until deleted by the driver or destroyed by the OS.
 */
import { bytesPerPixel } from '../../contract/pixel-format.js';
import type { Clock } from '../../display/clock.js';
import { E_FAIL, STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN, hresultHex, resultName, succeeded } from '../../display/result-codes.js';
import type { Adapter, DisplayMode, Monitor } from '../../display/types.js';
import { SimSwapChain, newFrameCounters, type FrameCounters, type SwapChainOwner } from './sim-swap-chain.js';

/** What the assigner reads from the rest of the simulated OS. */
export interface AssignerContext {
  readonly clock: Clock;
  mode(): DisplayMode;
  renderAdapter(): Adapter;
  /** SetDevice fails (a monitor flap). */
  flapping(): boolean;
  /** The driver's process was terminated (critical error) or the OS bugchecked: nothing is assigned any more. */
  deviceStopped(): boolean;
  /** Every driver call into the OS goes through here (os-guard.ts). */
  driverCall(call: string): boolean;
  crash(reason: string): void;
  /** S_OK, or what every acquire fails with right now (acquire-oom). */
  acquireFailure(): number;
  readonly reassignDelayMs: number;
  readonly maxConsecutiveAbandons: number;
}

export class SwapChainAssigner implements SwapChainOwner {
  readonly counters: FrameCounters = newFrameCounters();
  assigned = 0;
  abandoned = 0;
  deleted = 0;
  lost = 0;
  unassigns = 0;
  gaveUp = false;
  readonly monitorErrors: string[] = [];
  private monitor: Monitor | null = null;
  private cur: SimSwapChain | null = null;
  private readonly live = new Set<SimSwapChain>();
  /** Swap-chains abandoned with access lost that the driver has not deleted yet. */
  private readonly awaitingDelete = new Set<SimSwapChain>();
  private nextId = 1;
  private queue: Promise<void> = Promise.resolve();
  private cancelAssign: (() => void) | null = null;
  private stopping = false;
  private consecutiveAbandons = 0;
  private assignFailLeft = 0;
  private failing = false;
  private readonly freeSurfaces: Uint8Array[] = [];

  constructor(private readonly ctx: AssignerContext) {}

  get current(): SimSwapChain | null {
    return this.cur;
  }

  /** Inside an assignSwapChain call that the assign-fail fault makes fail. */
  get assignFailing(): boolean {
    return this.failing;
  }

  liveIds(): number[] {
    return [...this.live].map((s) => s.id);
  }

  undeletedIds(): number[] {
    return [...this.awaitingDelete].map((s) => s.id);
  }

  /** Plugs the monitor in and assigns the first swap-chain. */
  start(monitor: Monitor): Promise<void> {
    this.monitor = monitor;
    return this.enqueue(() => this.assign());
  }

  /** No more assigns; takes the current swap-chain back. */
  stop(): Promise<void> {
    this.stopping = true;
    this.cancelPendingAssign();
    return this.enqueue(() => this.takeBack());
  }

  /** Takes the current swap-chain back and assigns a new one at once; `between` runs in the gap. */
  reassign(between?: () => void): void {
    void this.enqueue(async () => {
      await this.takeBack();
      between?.();
      this.cancelPendingAssign();
      await this.assign();
    });
  }

  /**
   * The driver's process was terminated (critical error) or the machine went down: every swap-chain
   * is reclaimed now, without calling the dead driver; none follows. The callback queue starts over,
   * so an assign call that never returns cannot hold up stop().
   */
  deviceStopped(): void {
    this.cancelPendingAssign();
    this.cur = null;
    for (const sc of [...this.live]) {
      sc.reclaim();
      this.release(sc);
    }
    this.awaitingDelete.clear();
    this.queue = Promise.resolve();
  }

  /** access-lost: the OS abandons the current swap-chain; the driver is expected to delete it. */
  loseCurrent(): SimSwapChain | null {
    const sc = this.cur;
    if (sc === null || sc.state === 'lost') return null;
    if (sc.state === 'assigned') {
      // Not bound yet (the assign is still running, or SetDevice has not succeeded): the driver has
      // no acquire to see ACCESS_LOST on, only SetDevice, which fails the same way while a monitor
      // flaps. The OS takes such a swap-chain back the ordinary way: unassign, then assign again.
      this.reassign();
      return sc;
    }
    sc.lose();
    this.lost++;
    this.awaitingDelete.add(sc);
    return sc;
  }

  /** assign-fail: device creation fails inside the next `count` assigns; forces one if a swap-chain is current. */
  armAssignFail(count: number): void {
    this.assignFailLeft += count;
    if (this.cur !== null) this.reassign();
  }

  /** The mode changed: surfaces kept for reuse no longer fit. */
  dropSurfaces(): void {
    this.freeSurfaces.length = 0;
  }

  // ---- SwapChainOwner ----

  isFlapping(): boolean {
    return this.ctx.flapping();
  }

  driverCall(call: string): boolean {
    return this.ctx.driverCall(call);
  }

  crash(reason: string): void {
    this.ctx.crash(reason);
  }

  acquireFailure(): number {
    return this.ctx.acquireFailure();
  }

  topologyLost(sc: SimSwapChain): void {
    // The topology rebuild: the OS unassigns the swap-chain (if still current) and assigns again.
    if (this.cur === sc) this.reassign();
  }

  swapChainDeleted(sc: SimSwapChain): void {
    this.deleted++;
    this.awaitingDelete.delete(sc);
    this.release(sc);
    if (this.cur === sc) {
      this.cur = null;
      this.requestAssign(this.ctx.reassignDelayMs);
    }
  }

  // ---- on the queue ----

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(op).catch((e: unknown) => {
      this.monitorErrors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    });
    this.queue = run;
    return run;
  }

  private cancelPendingAssign(): void {
    this.cancelAssign?.();
    this.cancelAssign = null;
  }

  private requestAssign(delayMs: number): void {
    if (this.stopping || this.ctx.deviceStopped() || this.cur !== null || this.cancelAssign !== null || this.monitor === null) return;
    this.cancelAssign = this.ctx.clock.setTimer(delayMs, () => {
      this.cancelAssign = null;
      void this.enqueue(() => this.assign());
    });
  }

  /** EvtIddCxMonitorAssignSwapChain with a new swap-chain on the current render adapter and mode. */
  private async assign(): Promise<void> {
    const monitor = this.monitor;
    if (this.stopping || this.ctx.deviceStopped() || this.cur !== null || monitor === null || this.gaveUp) return;
    const mode = this.ctx.mode();
    const sc = new SimSwapChain(this.nextId++, this.ctx.renderAdapter(), mode, this.takeSurface(mode), this);
    this.cur = sc;
    this.live.add(sc);
    this.assigned++;
    this.failing = this.assignFailLeft > 0;
    if (this.failing) this.assignFailLeft--;
    let hr: number;
    let threw = false;
    try {
      hr = await monitor.assignSwapChain(sc);
    } catch (e) {
      this.monitorErrors.push(`assignSwapChain threw: ${e instanceof Error ? e.message : String(e)}`);
      hr = E_FAIL;
      threw = true;
    } finally {
      this.failing = false;
    }
    // The driver reported its critical error inside the call: that call never returned.
    if (this.ctx.deviceStopped()) return;
    if (!succeeded(hr) && !threw && hr >>> 0 !== STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN) {
      this.ctx.crash(
        `assignSwapChain returned ${resultName(hr)} (${hresultHex(hr)}): since IddCx 1.4 (Windows 10 1903) any failure other than STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN bugchecks`,
      );
      return;
    }
    if (succeeded(hr)) {
      this.consecutiveAbandons = 0;
      return;
    }
    // ABANDON_SWAPCHAIN (or a failure the OS treats alike): destroy it and assign again soon.
    this.abandoned++;
    if (this.cur === sc) this.cur = null;
    this.awaitingDelete.delete(sc);
    sc.lose();
    this.release(sc);
    if (++this.consecutiveAbandons >= this.ctx.maxConsecutiveAbandons) {
      this.gaveUp = true;
      return;
    }
    this.requestAssign(this.ctx.reassignDelayMs);
  }

  /** EvtIddCxMonitorUnassignSwapChain for the current swap-chain. */
  private async takeBack(): Promise<void> {
    const sc = this.cur;
    if (sc === null) return;
    this.cur = null;
    await this.unassign(sc);
  }

  /** Calls the monitor's unassign for `sc` (no longer current); then the swap-chain is dead. */
  private async unassign(sc: SimSwapChain): Promise<void> {
    if (this.monitor === null) return;
    this.unassigns++;
    try {
      await this.monitor.unassignSwapChain();
    } catch (e) {
      this.monitorErrors.push(`unassignSwapChain threw: ${e instanceof Error ? e.message : String(e)}`);
    }
    // One lost to access-lost stays in awaitingDelete: the driver should have deleted it.
    if (!sc.deleted) {
      sc.lose();
      this.release(sc);
    }
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
}
