/**
 * What the Xvfb display system is configured with and what it reports: the options of
 * createXvfbDisplay (validated up front, with messages that say what is wrong), the render
 * adapters' LUIDs, and the stats beyond DisplayStats.
 */
import { InvalidArgumentError } from '../../contract/errors.js';
import type { Clock } from '../../display/clock.js';
import type { DisplayStats } from '../../display/types.js';
import type { WorkloadSpec } from './workload-process.js';
import type { ServerLifeOptions } from './server-life.js';

export const XVFB_HARDWARE_LUID = 0x5856_0001;
export const XVFB_SOFTWARE_LUID = 0x5856_0002;

export interface XvfbDisplayOptions {
  /** The screen to start Xvfb with (default 1280x720 @ 60). Ignored when attaching. */
  mode?: { width: number; height: number; refreshHz: number };
  depth?: 24 | 30;
  /** Attach to this existing Xvfb (":N", or ":N.S" for its screen S; started with -fbdir) instead of starting one. */
  display?: string;
  /**
   * Start our Xvfb on exactly this display number instead of the first free one (and restart it
   * there after a crash). A number others' Xvfbs never get from -displayfd (which counts up from
   * 0) stays ours while the server is down; a freed low number is taken by the next Xvfb started.
   */
  displayNumber?: number;
  /**
   * The folder a started Xvfb's framebuffer folder is made in: a tmpfs directory (refused with a
   * FramebufferDirError otherwise; framebuffer-dir.ts). Absent: $VDPUSH_FBDIR, else a tmpfs that
   * gives huge pages when there is one, else /dev/shm. Not with `display`.
   */
  fbDir?: string;
  /**
   * `display` is a screen of a server the host started for several monitors (src/host/shared-xvfb.ts):
   * attached to (never stopped or restarted here), but the built-in workload is ours and restarts
   * when the server comes back.
   */
  sharedServer?: boolean;
  /** The monitor's targetId, which the built-in workload stamps into its squares (default 1). */
  targetId?: number;
  /** What draws on the screen (default 'animated'). */
  workload?: WorkloadSpec;
  /** The built-in workload's rate (default: the mode's refresh rate). */
  workloadFps?: number | 'max';
  /** 'grab' (default): reads hold a server grab; 'none': unsynchronised (only to measure the cost). */
  consistency?: 'grab' | 'none';
  /** Track the cursor through XFIXES (default true), polling its position every cursorPollMs (default 100; 0 = only at captures). */
  cursor?: boolean;
  cursorPollMs?: number;
  /** Restart a vdpush-started Xvfb that died (default true). */
  restartOnCrash?: boolean;
  clock?: Clock;
  /** A fault schedule (the `--faults` language) of the kinds Xvfb injects (injectable-faults.ts); times from start(). */
  faults?: string;
}

/** What the Xvfb backend counts beyond DisplayStats. */
export interface XvfbStats extends DisplayStats {
  display: string;
  serverPid: number;
  damageEvents: number;
  captures: number;
  pendingAcquires: number;
  modeChanges: number;
  serverLosses: number;
  serverRestarts: number;
  /** Mean ms from sending GrabServer to its reply, and from then to the ungrab (the read under grab). */
  grabWaitMsMean: number;
  grabHeldMsMean: number;
  readFailures: number;
  lastError: string | null;
}

export function validateXvfbOptions(opts: XvfbDisplayOptions): void {
  const m = opts.mode;
  if (m !== undefined) {
    if (!(m.refreshHz > 0 && m.refreshHz <= 1000)) throw new InvalidArgumentError(`mode refreshHz ${m.refreshHz}: must be in (0, 1000]`);
  }
  if (opts.depth !== undefined && opts.depth !== 24 && opts.depth !== 30) {
    throw new InvalidArgumentError(`depth ${String(opts.depth)}: must be 24 or 30`);
  }
  if (opts.consistency !== undefined && opts.consistency !== 'grab' && opts.consistency !== 'none') {
    throw new InvalidArgumentError(`consistency ${String(opts.consistency)}: must be 'grab' or 'none'`);
  }
  const n = opts.displayNumber;
  if (n !== undefined) {
    if (!(Number.isInteger(n) && n >= 0 && n <= 65535)) throw new InvalidArgumentError(`displayNumber ${String(n)}: must be an integer in 0..65535`);
    if (opts.display !== undefined) throw new InvalidArgumentError('displayNumber starts an Xvfb; display attaches to one: give one of them');
  }
  if (opts.fbDir !== undefined && opts.display !== undefined) {
    throw new InvalidArgumentError('fbDir places the framebuffer of an Xvfb vdpush starts; display attaches to one (its -fbdir is its own): give one of them');
  }
  const fps = opts.workloadFps;
  if (fps !== undefined && fps !== 'max' && !(typeof fps === 'number' && fps > 0 && fps <= 10_000)) {
    throw new InvalidArgumentError(`workloadFps ${String(fps)}: must be a positive number or 'max'`);
  }
}

/** What the server's life (server-life.ts) is started with, from the display's options. */
export function serverLifeConfig(
  opts: XvfbDisplayOptions,
  mode: { width: number; height: number; refreshHz: number },
  workload: WorkloadSpec,
): ServerLifeOptions {
  return {
    spec: { width: mode.width, height: mode.height, depth: opts.depth ?? 24 },
    restartOnCrash: opts.restartOnCrash ?? true,
    workload,
    workloadFps: opts.workloadFps ?? mode.refreshHz,
    targetId: opts.targetId ?? 1,
    shared: opts.sharedServer ?? false,
    ...(opts.displayNumber !== undefined ? { displayNumber: opts.displayNumber } : {}),
    ...(opts.fbDir !== undefined ? { fbDir: opts.fbDir } : {}),
  };
}
