/**
 * The Xvfb "OS"'s swap-chain assignment for one monitor: EvtIddCxMonitorAssignSwapChain and
 * UnassignSwapChain, in order.
 *
 *  - assignNew(): assign a swap-chain on the current render adapter at the current mode;
 *    ABANDON_SWAPCHAIN (or any failure) → count it, back off, assign another.
 *  - takeBack(hr, orderly): take the current swap-chain away (see there).
 *  - the driver deletes its swap-chain (after a DirectX error) → assign a new one.
 *  - the OS's compound actions (revoke at once, then the queued steps): moveToAdapter,
 *    stopForCriticalError, replaceAfter (a server loss: take back, recover, assign).
 *
 * Invariant: these OS actions run one at a time, in order, on one promise queue; at most one
 * swap-chain is current, and only the current one takes the accumulated damage.
 */
import type { Clock } from '../../display/clock.js';
import {
  DXGI_ERROR_ACCESS_LOST,
  E_FAIL,
  S_OK,
  STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED,
} from '../../display/result-codes.js';
import type { Monitor } from '../../display/types.js';
import type { XvfbSwapChain } from './swap-chain.js';

const UNASSIGN_TIMEOUT_MS = 5_000;
const BACKOFF_FIRST_MS = 10;
const BACKOFF_MAX_MS = 1000;

export interface AssignerHooks {
  /** May a swap-chain be assigned now (not stopping, no critical error, no RandR burst settling, a live connection)? */
  canAssign(): boolean;
  /** A new swap-chain on the current render adapter at the current mode. */
  createSwapChain(id: number): XvfbSwapChain;
  /** What went wrong last, for the display's stats. */
  recordError(message: string): void;
  /** True once the display is stopping: a deleted swap-chain is not replaced. */
  stopping(): boolean;
}

export class SwapChainAssigner {
  swapChainsAssigned = 0;
  swapChainsAbandoned = 0;
  swapChainsDeleted = 0;
  private monitorNow: Monitor | null = null;
  private currentNow: XvfbSwapChain | null = null;
  private queue: Promise<void> = Promise.resolve();
  private nextSwapChainId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: AssignerHooks,
  ) {}

  /**
   * setRenderAdapter: swap-chains are recreated on `luid`'s adapter. One being assigned right now
   * is simply the last on the old adapter: the assign loop builds the next one on the new adapter.
   */
  moveToAdapter(luid: () => number): void {
    const current = this.currentNow;
    if (current && current.renderAdapter.luid !== luid()) current.revoke(DXGI_ERROR_ACCESS_LOST);
    void this.enqueue(async () => {
      const sc = this.currentNow;
      if (sc && sc.renderAdapter.luid !== luid()) await this.takeBack(DXGI_ERROR_ACCESS_LOST, true);
      await this.assignNew();
    });
  }

  /** ReportCriticalError: the swap-chain is taken away for good (the display assigns nothing more). */
  stopForCriticalError(): void {
    this.currentNow?.revoke(STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED);
    void this.enqueue(() => this.takeBack(STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED));
  }

  /** The X server went away: revoke now; then take back, `recover` (false = give up), assign anew. */
  replaceAfter(hr: number, recover: () => Promise<boolean>): void {
    this.currentNow?.revoke(hr);
    void this.enqueue(async () => {
      await this.takeBack(hr);
      if (await recover()) await this.assignNew();
    });
  }

  get monitor(): Monitor | null {
    return this.monitorNow;
  }

  /** The swap-chain assigned now, if any. */
  get current(): XvfbSwapChain | null {
    return this.currentNow;
  }

  /** The first assignment (DisplaySystem.start). */
  start(monitor: Monitor): Promise<void> {
    this.monitorNow = monitor;
    return this.enqueue(() => this.assignNew());
  }

  /** Runs an OS action after the ones queued before it; its failure is recorded, never thrown. */
  enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task).catch((e: unknown) => {
      this.hooks.recordError(e instanceof Error ? e.message : String(e));
    });
    this.queue = next;
    return next;
  }

  /** The driver deleted `sc` (WdfObjectDelete): the OS assigns another, unless it is stopping. */
  onDeleted(sc: XvfbSwapChain): void {
    this.swapChainsDeleted++;
    if (sc !== this.currentNow) return;
    this.currentNow = null;
    if (!this.hooks.stopping()) void this.enqueue(() => this.assignNew());
  }

  /** Assigns swap-chains until one is accepted or assigning is no longer possible. Run it on the queue. */
  async assignNew(): Promise<void> {
    let backoff = BACKOFF_FIRST_MS;
    while (this.currentNow === null && this.monitorNow && this.hooks.canAssign()) {
      const monitor = this.monitorNow;
      const sc = this.hooks.createSwapChain(this.nextSwapChainId++);
      this.currentNow = sc;
      let hr: number;
      try {
        hr = await monitor.assignSwapChain(sc);
      } catch (e) {
        this.hooks.recordError(`assignSwapChain threw: ${(e as Error).message}`);
        hr = E_FAIL;
      }
      if (hr === S_OK && this.currentNow === sc) {
        this.swapChainsAssigned++;
        return;
      }
      if (hr !== S_OK) this.swapChainsAbandoned++;
      if (this.currentNow === sc) this.currentNow = null;
      sc.delete();
      await this.clock.sleep(backoff);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    }
  }

  /**
   * Takes the current swap-chain away. `orderly` is the OS's ordinary unassign (a stop, a new
   * render adapter): the driver is told first and its processor leaves at its loop top, so no
   * failure is reported; otherwise (the server died, the mode changed under it) acquire fails at
   * once with `hr`, as IddCx fails it for a swap-chain that is already gone. Run it on the queue.
   */
  async takeBack(hr: number, orderly = false): Promise<void> {
    const sc = this.currentNow;
    if (!sc) return;
    this.currentNow = null;
    if (!orderly) sc.revoke(hr);
    if (this.monitorNow && !sc.deleted) {
      let timer: (() => void) | null = null;
      await Promise.race([
        this.monitorNow.unassignSwapChain(),
        new Promise<void>((resolve) => {
          timer = this.clock.setTimer(UNASSIGN_TIMEOUT_MS, () => {
            this.hooks.recordError(`unassignSwapChain did not return within ${UNASSIGN_TIMEOUT_MS} ms`);
            resolve();
          });
        }),
      ]);
      (timer as (() => void) | null)?.();
    }
    if (orderly) sc.revoke(hr);
    sc.delete();
  }
}
