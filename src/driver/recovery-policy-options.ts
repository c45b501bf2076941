/**
 * The recovery policy's options, their defaults (seed 004's example for the ladder, "well under a
 * second" for a transient episode) and their validation, done once at construction.
 */
import { InvalidArgumentError } from '../contract/errors.js';
import { DEFAULT_TRANSIENT_CODES } from './failure-class.js';

export interface RecoveryPolicyOptions {
  /** DirectX failures in a row inside assignSwapChain that end a stage (default 5). */
  consecutiveAssignFailures?: number;
  /** DirectX failures while processing, within processingWindowMs, that end a stage (default 5). */
  processingFailures?: number;
  processingWindowMs?: number;
  /** Transient episodes within transientWindowMs that promote them to permanent (default 10 in 10 s). */
  transientEpisodes?: number;
  transientWindowMs?: number;
  /** An episode lasting longer than this is not transient: permanent (default 1000 ms). */
  transientEpisodeMaxMs?: number;
  /** First retry delay of an episode; each retry doubles it (default 1 ms). */
  transientRetryBaseMs?: number;
  /** The longest retry delay (default 16 ms). */
  transientRetryMaxMs?: number;
  /** HRESULTs treated as transient issues of our own (default [E_OUTOFMEMORY]). */
  transientCodes?: readonly number[];
}

export interface ResolvedPolicyOptions {
  consecutiveAssignFailures: number;
  processingFailures: number;
  processingWindowMs: number;
  transientEpisodes: number;
  transientWindowMs: number;
  transientEpisodeMaxMs: number;
  transientRetryBaseMs: number;
  transientRetryMaxMs: number;
  transientCodes: readonly number[];
}

export const DEFAULT_POLICY: Readonly<ResolvedPolicyOptions> = Object.freeze({
  consecutiveAssignFailures: 5,
  processingFailures: 5,
  processingWindowMs: 60_000,
  transientEpisodes: 10,
  transientWindowMs: 10_000,
  transientEpisodeMaxMs: 1000,
  transientRetryBaseMs: 1,
  transientRetryMaxMs: 16,
  transientCodes: DEFAULT_TRANSIENT_CODES,
});

export function resolvePolicyOptions(o: RecoveryPolicyOptions): ResolvedPolicyOptions {
  const r: ResolvedPolicyOptions = { ...DEFAULT_POLICY };
  const counts = ['consecutiveAssignFailures', 'processingFailures', 'transientEpisodes'] as const;
  const windows = ['processingWindowMs', 'transientWindowMs', 'transientEpisodeMaxMs', 'transientRetryBaseMs', 'transientRetryMaxMs'] as const;
  for (const k of counts) {
    const v = o[k];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`recovery policy ${k} must be an integer >= 1, got ${String(v)}`);
    r[k] = v;
  }
  for (const k of windows) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new InvalidArgumentError(`recovery policy ${k} must be a positive number of milliseconds, got ${String(v)}`);
    }
    r[k] = v;
  }
  if (o.transientCodes !== undefined) {
    if (!Array.isArray(o.transientCodes) || o.transientCodes.some((c) => !Number.isInteger(c))) {
      throw new InvalidArgumentError('recovery policy transientCodes must be an array of HRESULT integers');
    }
    r.transientCodes = o.transientCodes.map((c) => c >>> 0);
  }
  return r;
}

/** Drops the timestamps older than the window (they are in time order). */
export function trimWindow(times: number[], nowMs: number, windowMs: number): void {
  let drop = 0;
  while (drop < times.length && nowMs - times[drop]! >= windowMs) drop++;
  if (drop > 0) times.splice(0, drop);
}

