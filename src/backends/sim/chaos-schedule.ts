/**
 * Random fault schedules for chaos runs (the soak): one seed gives one schedule, written in the
 * schedule language so a failing run prints a `--faults` it can be replayed with.
 */
import { InvalidArgumentError } from '../../contract/errors.js';
import { FAULT_KINDS, FAULT_KIND_SPECS, formatFaultEntry, type FaultKind, type FaultMode } from './fault-schedule.js';
import { Prng } from './prng.js';

export interface ChaosOptions {
  /** Faults are placed in [0, durationMs). */
  durationMs: number;
  /** How many faults (default: one per 200 ms of duration, at least 1). */
  count?: number;
  /** Kinds to draw from (default: every kind except driver-bug, which ends a run in a critical error). */
  kinds?: readonly FaultKind[];
  /** Longest duration drawn for flap / idle / host-stall (default 400 ms). */
  maxDurationMs?: number;
  /** Largest count drawn for a kind that takes a count (assign-fail, format-blip, static-reencode; default 3). */
  maxAssignFails?: number;
  /** Modes mode-change draws from (default: a few small ones, some with a new refresh rate). */
  modes?: readonly FaultMode[];
}

/** Small modes, so a chaos run stays cheap; the refresh changes too in some. */
export const DEFAULT_CHAOS_MODES: readonly FaultMode[] = Object.freeze([
  { width: 64, height: 48, refreshHz: null },
  { width: 96, height: 54, refreshHz: 60 },
  { width: 128, height: 72, refreshHz: null },
  { width: 80, height: 80, refreshHz: 120 },
]);

/** A random schedule (sorted by time) for `seed`. */
export function chaosSchedule(seed: number, o: ChaosOptions): string {
  if (!Number.isFinite(o.durationMs) || o.durationMs <= 0) throw new InvalidArgumentError(`chaos duration ${o.durationMs} must be > 0 ms`);
  const kinds = o.kinds ?? FAULT_KINDS.filter((k) => k !== 'driver-bug');
  if (kinds.length === 0) throw new InvalidArgumentError('chaos needs at least one fault kind');
  const count = o.count ?? Math.max(1, Math.floor(o.durationMs / 200));
  if (!Number.isInteger(count) || count < 0 || count > 100_000) throw new InvalidArgumentError(`chaos count ${count} must be an integer in 0..100000`);
  const prng = new Prng(seed);
  const maxDuration = o.maxDurationMs ?? 400;
  const maxFails = o.maxAssignFails ?? 3;
  const modes = o.modes ?? DEFAULT_CHAOS_MODES;
  const entries = Array.from({ length: count }, () => {
    const kind = prng.pick(kinds);
    return {
      kind,
      atMs: prng.intBetween(0, Math.max(0, Math.floor(o.durationMs) - 1)),
      durationMs: prng.intBetween(1, maxDuration),
      count: prng.intBetween(1, maxFails),
      ...(FAULT_KIND_SPECS[kind].arg === 'mode' ? { mode: prng.pick(modes) } : {}),
    };
  });
  entries.sort((a, b) => a.atMs - b.atMs);
  return entries.map(formatFaultEntry).join(',');
}
