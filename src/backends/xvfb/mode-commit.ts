/**
 * The screen's mode and how the Xvfb "OS" commits a new one, as IddCx does: while a RandR burst
 * settles the swap-chain presents nothing (acquire pends); at its last event the swap-chain is
 * unassigned in order (the driver is told first and stops at its loop top, so nothing fails) and a
 * new one is assigned at the new size. A mode change is not an error on the recovery ladder:
 * revoking with ACCESS_LOST made every resize count as a DirectX failure, so a few resizes within a
 * minute moved the display to the GetImage path for good (issue 10).
 *
 * A mode the host asks for (requestMode) goes through RandR (randr-mode.ts) on this display's
 * screen only; its RandR events then find the mode already current.
 *
 * Invariant: `current` is the size every new swap-chain is made at; it changes only here.
 */
import { FORMAT_UNKNOWN } from '../../contract/pixel-format.js';
import { DXGI_ERROR_ACCESS_LOST } from '../../display/result-codes.js';
import type { DisplayMode } from '../../display/types.js';
import { setScreenMode } from './randr-mode.js';
import type { SwapChainAssigner } from './swap-chain-assigner.js';

export interface ModeCommitHost {
  readonly assigner: SwapChainAssigner;
  stopping(): boolean;
  /** The X display of this screen (":N.S"), for xrandr. */
  screenDisplay(): string;
  /** The screen took a new size: resize what follows it (damage region, cursor bounds). */
  resized(width: number, height: number): void;
}

export class ModeCommit {
  current: DisplayMode;
  changes = 0;

  constructor(
    private readonly host: ModeCommitHost,
    refreshHz: number,
  ) {
    this.current = { width: 0, height: 0, refreshHz, format: FORMAT_UNKNOWN };
  }

  /** A (new) connection reported the screen: its size and format are current from now on. */
  connected(width: number, height: number, format: number): void {
    this.current = { width, height, refreshHz: this.current.refreshHz, format };
    this.host.resized(width, height);
  }

  /**
   * A mode the host asks for, set through RandR, adding it when the server lacks it. As IddCx
   * commits a mode: an ordinary unassign first (the driver lets go cleanly, nothing fails), then
   * the new mode, then a swap-chain at it. A mode RandR refuses leaves the old one, and a
   * swap-chain is assigned at that: a refused mode must not leave the monitor without one (it
   * did: the taken-back swap-chain's delete assigns nothing, and no RandR burst follows).
   */
  async request(mode: { width: number; height: number; refreshHz: number }): Promise<void> {
    const a = this.host.assigner;
    let failure: unknown = null;
    await a.enqueue(async () => {
      await a.takeBack(DXGI_ERROR_ACCESS_LOST, true);
      try {
        await setScreenMode(this.host.screenDisplay(), mode.width, mode.height, mode.refreshHz);
        // The new size is taken at once, so the RandR burst that follows finds the mode already current.
        this.take(mode.width, mode.height, mode.refreshHz);
      } catch (e) {
        failure = e;
      }
      // While a burst settles, assignNew waits for it (settled() assigns); otherwise it assigns now.
      await a.assignNew();
    });
    if (failure !== null) throw failure;
  }

  /** Every event of a RandR burst: the screen already has the new size. */
  changing(width: number, height: number): void {
    // A frame at the old size would show stale pixels outside it, so the current swap-chain
    // presents nothing until the burst settles.
    const sc = this.host.assigner.current;
    if (sc && (sc.mode.width !== width || sc.mode.height !== height)) sc.holdBack();
  }

  /** The last event of a RandR burst: commit its size. */
  settled(width: number, height: number): void {
    if (this.host.stopping()) return;
    const a = this.host.assigner;
    const sameMode = width === this.current.width && height === this.current.height;
    const sc = a.current;
    if (sameMode && sc !== null && sc.mode.width === width && sc.mode.height === height) {
      // A burst that ended where it started: the swap-chain carries on, the whole screen first.
      sc.resume();
      return;
    }
    if (!sameMode) this.take(width, height, this.current.refreshHz);
    // The mode commit: an orderly unassign (nothing counted by the driver), then an assign at the new size.
    void a.enqueue(async () => {
      const now = a.current;
      if (now !== null && now.mode.width === this.current.width && now.mode.height === this.current.height) {
        now.resume();
        return;
      }
      await a.takeBack(DXGI_ERROR_ACCESS_LOST, true);
      await a.assignNew();
    });
  }

  private take(width: number, height: number, refreshHz: number): void {
    if (width !== this.current.width || height !== this.current.height) {
      this.changes++;
      this.host.resized(width, height);
    }
    this.current = { ...this.current, width, height, refreshHz };
  }
}
