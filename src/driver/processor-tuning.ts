/**
 * The processor's timing constants, from seed 000 unless marked, validated once at construction
 * (the hot path never re-checks them).
 */
export interface ProcessorTuning {
  /** SetDevice attempts per swap-chain (seed: 60). */
  setDeviceAttempts: number;
  /** Gap between SetDevice attempts (seed: 50 ms). */
  setDeviceRetryMs: number;
  /** Passes between ring attach attempts while detached (seed: 30). */
  attachEveryPasses: number;
  /** Longest wait on surface-available after E_PENDING (seed: 16 ms). */
  pendingWaitMs: number;
  /**
   * vdpush: how long the display may stay idle (no frame acquired, a ring attached) before the
   * E_PENDING wait lengthens to `idleWaitMs`. Every wake-up of a Node worker costs ~150 µs of CPU
   * on this project's VMs, so the seed's 62 passes a second alone cost 1% of a core; the wait
   * ends at once on everything the pass re-checks (surface-available, the stop's wake, the host
   * retiring the ring), so the timeout only bounds how late an unsignalled change is seen.
   */
  idleAfterMs: number;
  /** vdpush: the E_PENDING wait once idle (see idleAfterMs; equal to pendingWaitMs = never lengthen). */
  idleWaitMs: number;
  /** vdpush: consecutive frames without a wait after which the loop yields one macrotask (0 = never). */
  burstYieldFrames: number;
}

export const DEFAULT_PROCESSOR_TUNING: Readonly<ProcessorTuning> = Object.freeze({
  setDeviceAttempts: 60,
  setDeviceRetryMs: 50,
  attachEveryPasses: 30,
  pendingWaitMs: 16,
  idleAfterMs: 1000,
  idleWaitMs: 250,
  burstYieldFrames: 32,
});

export function validateTuning(t: ProcessorTuning): ProcessorTuning {
  for (const [k, v] of Object.entries(t)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`processor tuning ${k} must be a finite number >= 0, got ${String(v)}`);
    }
  }
  if (t.setDeviceAttempts < 1) throw new RangeError('processor tuning setDeviceAttempts must be at least 1');
  return t;
}
