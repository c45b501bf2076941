/**
 * What the simulated display counts. Its own file because both the display (which fills it) and
 * the invariant check (which reads it) need it, and neither should import the other for it.
 */
import type { DisplayMode, DisplayStats } from '../../display/types.js';

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
  /** setRenderAdapter calls the OS ignored (ignore-render-adapter). */
  renderAdapterIgnored: number;
  bugcheck: { reason: string; atMs: number } | null;
  frameNumber: number;
  mode: DisplayMode;
  monitorErrors: string[];
}
