/**
 * Turns what a user asks for (API options or CLI flags) into a validated MonitorConfig. Every
 * mistake is an InvalidArgumentError that names the option, raised before any thread or process
 * starts.
 */
import { InvalidArgumentError } from '../contract/errors.js';
import { MAX_RING_LEN } from '../contract/header-layout.js';
import { probeAttachedDisplay } from '../backends/xvfb/attach-probe.js';
import { checkFbDir, FBDIR_ENV } from '../backends/xvfb/framebuffer-dir.js';
import { attachedScreenConfigs } from './attach-screens.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010, formatCode, type PixelFormatName } from '../contract/pixel-format.js';
import { makeMode, parseMode } from '../backends/sim/index.js';
import { checkSchedule } from './fault-injection.js';
import type { ClockKind, MonitorConfig, SimPattern, SourceKind } from './worker-messages.js';

export interface SessionOptions {
  source?: SourceKind;
  /** "1280x720@60" or an object. */
  mode?: string | { width: number; height: number; refreshHz: number };
  format?: PixelFormatName;
  /** Display-clock ms; 0 or absent = until close(). */
  durationMs?: number;
  faults?: string;
  seed?: number;
  clock?: ClockKind;
  pattern?: SimPattern;
  display?: string;
  /**
   * xvfb: start the X server on exactly this display number (":N"; restarted there after a crash)
   * instead of the first free one. Not with `display`.
   */
  displayNumber?: number;
  /**
   * xvfb: the folder (a tmpfs directory) a started X server's framebuffer goes in, e.g. a tmpfs
   * mounted with huge=always; refused with a FramebufferDirError when it cannot hold it.
   * Absent: $VDPUSH_FBDIR, else a huge-page tmpfs when the system has one, else /dev/shm.
   */
  fbDir?: string;
  depth?: 24 | 30;
  workload?: 'animated' | 'builtin' | 'none' | { exec: string };
  /** Check every consumed frame's pixels against the source's pattern (default true). */
  verify?: boolean;
  ringLen?: number;
  arm?: 'auto' | 'slot-state' | 'keyed-mutex';
  policy?: MonitorConfig['policy'];
  /**
   * Clean up the session's children (Xvfb, its workload, temp folders) on SIGINT, SIGTERM and
   * SIGHUP on this (the main) thread, then let the signal take its default course (default true).
   * Pass false when your program handles those signals itself and calls close(): the vdpush CLI
   * does. A watchdog process cleans up after any death, SIGKILL included, either way.
   */
  handleSignals?: boolean;
  /**
   * Several monitors on the one adapter: monitor i (from 1) has targetId i. Each element's mode
   * and format default to the session's `mode` and `format`. Absent: one monitor.
   */
  monitors?: readonly MonitorOptions[];
}

/** One monitor of a session (openSession({ monitors }) and session.addMonitor). */
export interface MonitorOptions {
  mode?: string | { width: number; height: number; refreshHz: number };
  format?: PixelFormatName;
}

/** The most monitors one session drives (targetIds 1..MAX_MONITORS; the `#N` limit is the same). */
export const MAX_MONITORS = 16;
/** The largest targetId a session hands out (monitors plugged over its life; never reused). */
export const MAX_TARGET_ID = 65_535;

export const DEFAULT_MODE = '1280x720@60';

/**
 * The session's monitors: one MonitorConfig per monitor, targetIds 1..N, each with its own mode.
 * The fault schedule is left whole here; the session splits it among the monitors.
 */
export function resolveMonitorConfigs(o: SessionOptions): MonitorConfig[] {
  const base = resolveMonitorConfig(o);
  if (o.monitors === undefined) return [base];
  if (!Array.isArray(o.monitors) || o.monitors.length < 1 || o.monitors.length > MAX_MONITORS) {
    throw new InvalidArgumentError(`monitors must be a list of 1..${MAX_MONITORS} monitors`);
  }
  // Attached with several monitors: one per screen of the user's server (attach-screens.ts).
  if (base.display !== undefined && o.monitors.length > 1) {
    return attachedScreenConfigs(base as MonitorConfig & { display: string }, o.monitors, (m, t) => monitorConfigFor(base, m, t));
  }
  return o.monitors.map((m, i) => monitorConfigFor(base, m, i + 1));
}

/** `base` at the mode and format of one monitor, as targetId `targetId`. */
export function monitorConfigFor(base: MonitorConfig, m: MonitorOptions, targetId: number): MonitorConfig {
  if (m === null || typeof m !== 'object') throw new InvalidArgumentError(`monitor ${targetId} must be an object like { mode: '1280x720@60' }`);
  const mode = m.mode === undefined ? base : resolveModeOption(m.mode);
  let format = base.format;
  if (m.format !== undefined) {
    format = formatCode(m.format);
    if (format !== FORMAT_BGRA8 && format !== FORMAT_RGBA16F) throw new InvalidArgumentError(`monitor ${targetId}: format "${m.format}" is not bgra8 or rgba16f`);
    if (base.source === 'xvfb' && format !== FORMAT_BGRA8) throw new InvalidArgumentError(`monitor ${targetId}: the Xvfb display composes bgra8 (--depth 30 for 10-bit)`);
  }
  for (const [k, v] of [['width', mode.width], ['height', mode.height], ['refreshHz', mode.refreshHz]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`monitor ${targetId}: ${k} ${String(v)} must be a positive number`);
  }
  return { ...base, targetId, width: mode.width, height: mode.height, refreshHz: mode.refreshHz, format };
}

export function resolveMonitorConfig(o: SessionOptions): MonitorConfig {
  const source = o.source ?? 'sim';
  if (source !== 'sim' && source !== 'xvfb') throw new InvalidArgumentError(`source "${String(source)}" is not sim or xvfb`);
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError('session options must be an object');
  const mode = resolveModeOption(o.mode);
  const formatName = o.format ?? 'bgra8';
  const format = formatCode(formatName);
  if (format !== FORMAT_BGRA8 && format !== FORMAT_RGBA16F) {
    throw new InvalidArgumentError(`format "${formatName}" is not bgra8 or rgba16f`);
  }
  const durationMs = o.durationMs ?? 0;
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new InvalidArgumentError(`duration ${durationMs} must be >= 0 ms`);
  const faults = o.faults ?? '';
  if (typeof faults !== 'string') throw new InvalidArgumentError('faults takes a schedule string, e.g. "device-removed@1s"');
  // A malformed schedule, or a kind the display cannot inject, is refused before anything starts.
  checkSchedule(source, faults);
  const seed = o.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidArgumentError(`seed ${seed} is not an integer in 0..4294967295`);
  const clock = o.clock ?? 'real';
  if (clock !== 'real' && clock !== 'virtual') throw new InvalidArgumentError(`clock "${String(clock)}" is not virtual or real`);
  if (clock === 'virtual' && source !== 'sim') throw new InvalidArgumentError('the virtual clock drives the simulated display only (--source sim)');
  const pattern = o.pattern ?? 'moving';
  if (!['moving', 'desktop', 'full'].includes(pattern)) throw new InvalidArgumentError(`pattern "${pattern}" is not moving, desktop or full`);
  if (o.depth !== undefined && o.depth !== 24 && o.depth !== 30) throw new InvalidArgumentError(`depth ${String(o.depth)} is not 24 or 30`);
  if (source === 'xvfb' && o.format !== undefined && o.format !== 'bgra8') {
    throw new InvalidArgumentError('the Xvfb display composes bgra8 at depth 24 (or 10-bit at --depth 30): --format applies to the simulated display');
  }
  const config: MonitorConfig = {
    source,
    targetId: 1,
    width: mode.width,
    height: mode.height,
    refreshHz: mode.refreshHz,
    // The ring starts in the format the display will compose, so the first frame is not a mismatch.
    format: source === 'xvfb' && o.depth === 30 ? FORMAT_XRGB2101010 : format,
    durationMs,
    faults,
    seed,
    clock,
    pattern,
  };
  // Before attachTo: giving both is a mistake, whether or not the display exists.
  if (o.displayNumber !== undefined) config.displayNumber = checkDisplayNumber(o, source);
  if (o.fbDir !== undefined) config.fbDir = checkSessionFbDir(o.fbDir, 'fbDir', source, o.display, config);
  else if (source === 'xvfb' && o.display === undefined && process.env[FBDIR_ENV]) checkFbDir(process.env[FBDIR_ENV]!, FBDIR_ENV, [config]);
  if (o.display !== undefined) attachTo(config, o);
  if (o.depth !== undefined) config.depth = o.depth;
  if (o.workload !== undefined) config.workload = resolveWorkload(o.workload);
  checkRingOptions(o);
  if (o.policy !== undefined) config.policy = o.policy;
  return config;
}

/**
 * SessionOptions.fbDir (the CLI's --fbdir, `origin`): checked before anything starts, so a typo
 * fails at once (FramebufferDirError); the server's start checks it again with all its screens.
 */
export function checkSessionFbDir(
  dir: unknown,
  origin: string,
  source: SourceKind,
  display: string | undefined,
  screen: { width: number; height: number } = { width: 16, height: 16 },
): string {
  if (typeof dir !== 'string') throw new InvalidArgumentError(`${origin} ${JSON.stringify(dir)}: must be a directory path`);
  if (source !== 'xvfb') throw new InvalidArgumentError(`${origin} places the framebuffer of an Xvfb vdpush starts: it needs source xvfb`);
  if (display !== undefined) throw new InvalidArgumentError(`${origin} places the framebuffer of an Xvfb vdpush starts; display ${display} has its own -fbdir: give one of them`);
  return checkFbDir(dir, origin, [screen]).base;
}

/** SessionOptions.displayNumber: an integer display number for an Xvfb vdpush starts. */
function checkDisplayNumber(o: SessionOptions, source: SourceKind): number {
  const n = o.displayNumber;
  if (source !== 'xvfb') throw new InvalidArgumentError('displayNumber is the number of an Xvfb vdpush starts: it needs source xvfb');
  if (o.display !== undefined) throw new InvalidArgumentError('displayNumber starts an Xvfb; display attaches to one: give one of them');
  if (!(typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535)) throw new InvalidArgumentError(`displayNumber ${String(n)}: must be an integer in 0..65535`);
  return n;
}

/**
 * Every format the display may hand over frame by frame, so the ring's slots are sized for all of
 * them and a per-frame format change (IddCx allows one on any frame) is carried, never dropped.
 * The simulated OS composes bgra8 and rgba16f (hdr-flip, format-blip): slots of 8 bytes per pixel,
 * twice a bgra8 ring's memory (6 slots at 1080p: 100 MB instead of 50 MB). Xvfb composes one
 * format of 4 bytes per pixel for its whole life, so its ring costs nothing extra.
 */
export function frameFormatsFor(config: Pick<MonitorConfig, 'source' | 'format'>): number[] {
  return config.source === 'sim' ? [FORMAT_BGRA8, FORMAT_RGBA16F] : [config.format];
}

function resolveModeOption(mode: unknown): { width: number; height: number; refreshHz: number } {
  if (mode === undefined) return parseMode(DEFAULT_MODE);
  if (typeof mode === 'string') return parseMode(mode);
  if (mode === null || typeof mode !== 'object') {
    throw new InvalidArgumentError(`mode ${String(mode)} is neither "WIDTHxHEIGHT@HZ" nor {width, height, refreshHz}`);
  }
  const m = mode as { width?: unknown; height?: unknown; refreshHz?: unknown };
  const { width, height, refreshHz } = makeMode(Number(m.width ?? NaN), Number(m.height ?? NaN), Number(m.refreshHz ?? NaN), FORMAT_BGRA8);
  // Number() above only formats the message; anything but a real number is refused here.
  if (typeof m.width !== 'number' || typeof m.height !== 'number' || typeof m.refreshHz !== 'number') {
    throw new InvalidArgumentError('mode {width, height, refreshHz} takes numbers');
  }
  return { width, height, refreshHz };
}

function resolveWorkload(w: unknown): NonNullable<MonitorConfig['workload']> {
  if (w === 'animated' || w === 'builtin') return 'animated';
  if (w === 'none') return 'none';
  if (w !== null && typeof w === 'object' && typeof (w as { exec?: unknown }).exec === 'string') {
    const exec = (w as { exec: string }).exec;
    if (exec.trim() === '') throw new InvalidArgumentError('workload {exec} needs a command line');
    return { exec };
  }
  throw new InvalidArgumentError(`workload ${JSON.stringify(w) ?? String(w)} is not 'animated' (or 'builtin'), 'none' or {exec: "COMMAND"}`);
}

/** The ring's and the session's own options, checked here so a mistake throws before anything starts. */
function checkRingOptions(o: SessionOptions): void {
  if (o.ringLen !== undefined && (typeof o.ringLen !== 'number' || !Number.isInteger(o.ringLen) || o.ringLen < 1 || o.ringLen > MAX_RING_LEN)) {
    throw new InvalidArgumentError(`ringLen ${JSON.stringify(o.ringLen)} is not an integer in 1..${MAX_RING_LEN}`);
  }
  if (o.arm !== undefined && o.arm !== 'auto' && o.arm !== 'slot-state' && o.arm !== 'keyed-mutex') {
    throw new InvalidArgumentError(`arm ${JSON.stringify(o.arm)} is not 'auto', 'slot-state' or 'keyed-mutex'`);
  }
  if (o.verify !== undefined && typeof o.verify !== 'boolean') throw new InvalidArgumentError(`verify ${JSON.stringify(o.verify)} is not a boolean`);
  if (o.handleSignals !== undefined && typeof o.handleSignals !== 'boolean') {
    throw new InvalidArgumentError(`handleSignals ${JSON.stringify(o.handleSignals)} is not a boolean`);
  }
  if (o.durationMs !== undefined && typeof o.durationMs !== 'number') throw new InvalidArgumentError(`durationMs ${JSON.stringify(o.durationMs)} is not a number`);
  if (o.faults !== undefined && typeof o.faults !== 'string') throw new InvalidArgumentError('faults takes a schedule string, e.g. "device-removed@1s"');
}

/**
 * Attach mode (`display: ':N'`): the display is the user's. The ring starts at its own size and
 * format (read from its framebuffer file), so the first frame is no mismatch. A `mode` of another
 * size is what the user asked for: the worker sets it through RandR before the first swap-chain
 * (randr-mode.ts, adding the mode when the server lacks it), so the ring starts at that size; a
 * mode of the same size only sets the refresh rate. Without a `mode` the display's size is never
 * touched. Nothing draws on it unless a workload is asked for (the default is 'none').
 */
function attachTo(config: MonitorConfig, o: SessionOptions): void {
  if (config.source !== 'xvfb') throw new InvalidArgumentError('display (--display :N) needs source xvfb');
  if (typeof o.display !== 'string' || !/^:\d+$/.test(o.display)) throw new InvalidArgumentError(`display ${JSON.stringify(o.display)} is not a local X display like ":99"`);
  if (o.depth !== undefined) throw new InvalidArgumentError(`depth applies to an Xvfb vdpush starts; display ${o.display} has its own depth`);
  const screen = probeAttachedDisplay(o.display);
  config.display = o.display;
  if (o.mode !== undefined && (config.width !== screen.width || config.height !== screen.height)) config.setModeOnAttach = true;
  else {
    config.width = screen.width;
    config.height = screen.height;
  }
  config.format = screen.format;
  config.workload ??= 'none';
}
