/**
 * What an Xvfb swap-chain (swap-chain.ts) needs from the display that assigned it, and the
 * capture counters the display sums into its stats (shared by all its swap-chains).
 */
import type { Clock } from '../../display/clock.js';
import type { CursorTracker } from './cursor-tracker.js';
import type { DirtyRegion } from './dirty-region.js';
import type { XConnection } from './x-connection.js';
import type { SwapChain } from '../../display/types.js';

/** Counters the display sums into its stats (shared by all its swap-chains). */
export interface CaptureCounters {
  presented: number;
  acquired: number;
  /** Presented frames dropped unacquired (a RandR burst, or the swap-chain deleted while READY). */
  discarded: number;
  finished: number;
  pending: number;
  captures: number;
  stalls: number;
  /** Sum of ms between sending GrabServer and its round trip's reply. */
  grabWaitMs: number;
  /** Sum of ms the server stayed grabbed while we read. */
  grabHeldMs: number;
  readFailures: number;
  /** Bytes read from the framebuffer file. */
  bytesRead: number;
  /** Sum of ms spent inside framebuffer reads (the copy itself, grabbed or not). */
  copyMs: number;
}

/** What the swap-chain needs from the display that assigned it. */
export interface SwapChainHost {
  readonly clock: Clock;
  /** Damage accumulated since the last capture (only the current swap-chain takes from it). */
  readonly region: DirtyRegion;
  /**
   * A DamageNotify came since the last damage fetch's reply: the server holds damage to take
   * (DAMAGE's NonEmpty level sends one event, its area the whole screen, so the rectangles come
   * from the fetch; damage-fetch.ts). The swap-chain clears it when a fetch's reply arrives.
   */
  damagePending: boolean;
  readonly cursor: CursorTracker | null;
  readonly counters: CaptureCounters;
  /** The live X connection (a device bound to an older one is stale). */
  currentConnection(): XConnection | null;
  /** Whether captures hold a server grab (the default) or read unsynchronised (for measuring). */
  readonly grab: boolean;
  /** Read the whole screen every frame, whatever the damage (the benchmark's full-copy baseline). */
  readonly fullFrameReads: boolean;
  /** The driver deleted the swap-chain (WdfObjectDelete): the OS assigns a new one. */
  onDeleted(sc: SwapChain): void;
  /**
   * An injected idle (xvfb-faults.ts), or nobody watching (capture-watch.ts): the OS presents
   * nothing, damage accumulates meanwhile.
   */
  readonly presentsPaused: boolean;
  /** A capture ended: its frame was finished, or it had nothing to deliver (capture-watch.ts). */
  captureEnded(sc: SwapChain): void;
  /** An injected flap (xvfb-faults.ts): SetDevice fails with ACCESS_LOST while the monitor flaps. */
  setDeviceRefused(): boolean;
}
