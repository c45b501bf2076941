/**
 * Options of the simulated display, validated up front: every mistake is an InvalidArgumentError
 * (or a FaultScheduleError for the schedule) that says which option and why, raised before
 * anything runs.
 */
import { InvalidArgumentError } from '../../contract/errors.js';
import { FORMAT_BGRA8, type PixelFormatName } from '../../contract/pixel-format.js';
import type { Clock } from '../../display/clock.js';
import { RealClock } from '../../display/real-clock.js';
import type { DisplayMode } from '../../display/types.js';
import { parseFaultSchedule, type FaultEntry } from './fault-schedule.js';
import { makeMode, parseMode } from './mode.js';
import { makePatternParams, type PatternParams, type PatternWorkload } from './pattern-workload.js';
import { VirtualClock } from './virtual-clock.js';
import { DEFAULT_STALL_THRESHOLD_FRAMES } from './compositor.js';

export const DEFAULT_SIM_MODE = '1280x720@60';
/** How long the OS waits before assigning again after an ABANDON_SWAPCHAIN or a delete. */
export const DEFAULT_REASSIGN_DELAY_MS = 10;
/** After this many ABANDON_SWAPCHAIN in a row the OS stops assigning (counted; the run goes on). */
export const DEFAULT_MAX_CONSECUTIVE_ABANDONS = 1000;

export interface SimDisplayOptions {
  /** Seeds the pattern and every random choice of the simulation (default 1). */
  seed?: number;
  /** 'virtual' (default): a VirtualClock; 'real': wall time; or a clock of your own. */
  clock?: 'virtual' | 'real' | Clock;
  /** `WIDTHxHEIGHT@HZ` or a DisplayMode (default 1280x720@60). */
  mode?: string | DisplayMode;
  /** Composition format when `mode` is a string (default bgra8). */
  format?: PixelFormatName | number;
  /** The damage workload (default 'moving'). */
  pattern?: PatternWorkload;
  /** The monitor's targetId, drawn into the pattern's tiles (default 1). */
  targetId?: number;
  /** Pattern tile size in pixels (default 16). */
  tileSize?: number;
  /** A fault schedule (see fault-schedule.ts) or parsed entries. */
  faults?: string | readonly FaultEntry[];
  /** Frame periods a blocked present waits before it counts as a stall (default 2). */
  stallThresholdFrames?: number;
  reassignDelayMs?: number;
  maxConsecutiveAbandons?: number;
}

export interface ResolvedSimOptions<C extends Clock> {
  seed: number;
  clock: C;
  mode: DisplayMode;
  pattern: PatternParams;
  faults: readonly FaultEntry[];
  stallThresholdFrames: number;
  reassignDelayMs: number;
  maxConsecutiveAbandons: number;
}

function checkNumber(value: number, name: string, min: number, max: number, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`${name} ${String(value)} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}`);
  }
  return value;
}

export function resolveSimOptions(o: SimDisplayOptions): ResolvedSimOptions<Clock> {
  const seed = checkNumber(o.seed ?? 1, 'seed', 0, 0xffffffff, true);
  let clock: Clock;
  if (o.clock === undefined || o.clock === 'virtual') clock = new VirtualClock();
  else if (o.clock === 'real') clock = new RealClock();
  else if (typeof o.clock === 'object' && o.clock !== null && typeof o.clock.now === 'function') clock = o.clock;
  else throw new InvalidArgumentError(`clock "${String(o.clock)}" is not virtual, real or a Clock`);
  let mode: DisplayMode;
  if (o.mode === undefined || typeof o.mode === 'string') mode = parseMode(o.mode ?? DEFAULT_SIM_MODE, o.format ?? FORMAT_BGRA8);
  else mode = makeMode(o.mode.width, o.mode.height, o.mode.refreshHz, o.mode.format);
  const pattern = makePatternParams({ workload: o.pattern ?? 'moving', seed, tileSize: o.tileSize ?? 16, targetId: o.targetId ?? 1 });
  const faults = typeof o.faults === 'string' || o.faults === undefined ? parseFaultSchedule(o.faults ?? '') : [...o.faults].sort((a, b) => a.atMs - b.atMs);
  return {
    seed,
    clock,
    mode,
    pattern,
    faults,
    stallThresholdFrames: checkNumber(o.stallThresholdFrames ?? DEFAULT_STALL_THRESHOLD_FRAMES, 'stallThresholdFrames', 1, 1000, false),
    reassignDelayMs: checkNumber(o.reassignDelayMs ?? DEFAULT_REASSIGN_DELAY_MS, 'reassignDelayMs', 0, 60_000, false),
    maxConsecutiveAbandons: checkNumber(o.maxConsecutiveAbandons ?? DEFAULT_MAX_CONSECUTIVE_ABANDONS, 'maxConsecutiveAbandons', 1, 1_000_000, true),
  };
}
