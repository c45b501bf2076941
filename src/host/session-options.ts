/**
 * Turns what a user asks for (API options or CLI flags) into a validated MonitorConfig. Every
 * mistake is an InvalidArgumentError that names the option, raised before any thread or process
 * starts.
 */
import { InvalidArgumentError } from '../contract/errors.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010, formatCode, type PixelFormatName } from '../contract/pixel-format.js';
import { parseMode } from '../backends/sim/index.js';
import { parseFaultSchedule } from '../backends/sim/index.js';
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
  depth?: 24 | 30;
  workload?: 'animated' | 'none' | { exec: string };
  /** Check every consumed frame's pixels against the source's pattern (default true). */
  verify?: boolean;
  ringLen?: number;
  arm?: 'auto' | 'slot-state' | 'keyed-mutex';
  policy?: MonitorConfig['policy'];
}

export const DEFAULT_MODE = '1280x720@60';

export function resolveMonitorConfig(o: SessionOptions): MonitorConfig {
  const source = o.source ?? 'sim';
  if (source !== 'sim' && source !== 'xvfb') throw new InvalidArgumentError(`source "${String(source)}" is not sim or xvfb`);
  const mode = typeof o.mode === 'object' ? o.mode : parseMode(o.mode ?? DEFAULT_MODE);
  const formatName = o.format ?? 'bgra8';
  const format = formatCode(formatName);
  if (format !== FORMAT_BGRA8 && format !== FORMAT_RGBA16F) {
    throw new InvalidArgumentError(`format "${formatName}" is not bgra8 or rgba16f`);
  }
  const durationMs = o.durationMs ?? 0;
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new InvalidArgumentError(`duration ${durationMs} must be >= 0 ms`);
  const faults = o.faults ?? '';
  if (faults.trim() !== '' && source !== 'sim') {
    throw new InvalidArgumentError('fault schedules apply to the simulated display only (--source sim)');
  }
  parseFaultSchedule(faults); // refuse a malformed schedule before anything starts
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
  if (o.display !== undefined) config.display = o.display;
  if (o.depth !== undefined) config.depth = o.depth;
  if (o.workload !== undefined) config.workload = o.workload;
  if (o.policy !== undefined) config.policy = o.policy;
  return config;
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
