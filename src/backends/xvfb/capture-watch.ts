/**
 * Whether anyone looks at this display's frames (DisplaySystem.setWatched; serve says not while no
 * client and no page looks). Unwatched, the swap-chain starts no capture (it reads this through
 * SwapChainHost.presentsPaused): no DamageSubtract, so DAMAGE at its NonEmpty level sends no more
 * events after the first, and no grab and no read. A display nobody looks at then costs what an
 * idle one does, where it used to capture every frame for nobody (`bench vnc`'s no-client figure:
 * 11% of a core on a 60 Hz 1080p animation, 3.7% on a 1% desktop).
 *
 * Nothing is lost: the damage stays in the X server (and in the display's region) until watched
 * again, when the first capture fetches all of it. `caughtUp` is called once a capture started
 * after the watch ended (its frame was finished, so published, or it had nothing to deliver), or
 * at once if nothing had changed; the host takes its newest frame only then (frame-demand.ts), so
 * a client arriving after minutes unwatched is shown the screen as it is.
 *
 * Invariant: at most one caughtUp waits; a newer watch or unwatch calls the older one at once (the
 * host ignores an answer to a watch it no longer waits for).
 */
import type { XvfbSwapChain } from './swap-chain.js';

export class CaptureWatch {
  /** Nobody looks: start no capture. */
  unwatched = false;
  private pending: (() => void) | null = null;
  /** A capture started after the watch began: its end is the catch-up. */
  private armed = false;

  set(watched: boolean, caughtUp: () => void, sc: XvfbSwapChain | null): void {
    this.settle();
    this.unwatched = !watched;
    if (!watched) return;
    this.pending = caughtUp;
    this.armed = false;
    sc?.maybeCapture();
    if (sc === null || sc.idle) this.settle(); // nothing changed meanwhile: the newest frame is the screen
    else if (sc.capturing) this.armed = true;
    // else a frame from before is ready or held: its finish decides (captureEnded)
  }

  /** The swap-chain's capture ended (SwapChainHost.captureEnded). */
  captureEnded(sc: XvfbSwapChain): void {
    if (this.pending === null) return;
    if (this.armed || sc.idle) this.settle();
    else if (sc.capturing) this.armed = true; // the frame from before was finished; this one counts
  }

  private settle(): void {
    const p = this.pending;
    this.pending = null;
    this.armed = false;
    p?.();
  }
}
