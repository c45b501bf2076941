/**
 * Publish-to-consume samples of one paced phase, each split at the moment the producer finished
 * its copy: `copy` (start → copied, on the producer's thread) and `wake` (copied → the frame in the
 * consumer's hands, across threads), both on the clock the two threads share (timeOrigin + now).
 * Preallocated, so recording allocates nothing while the phase runs. A sample whose split point
 * is unknown (the producer already published the next frame) counts in `total` only.
 */

export interface Percentiles {
  p50: number;
  p99: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export class LatencySamples {
  private readonly total: Float64Array;
  private readonly copy: Float64Array;
  private readonly wake: Float64Array;
  count = 0;
  private split = 0;

  constructor(capacity: number) {
    this.total = new Float64Array(capacity);
    this.copy = new Float64Array(capacity);
    this.wake = new Float64Array(capacity);
  }

  /** One frame: started and copied on the producer, `now` when the consumer holds it (ms); copiedMs NaN if unknown. */
  add(startedMs: number, copiedMs: number, nowMs: number): void {
    if (this.count >= this.total.length) return;
    this.total[this.count++] = (nowMs - startedMs) * 1000;
    if (Number.isNaN(copiedMs)) return;
    this.copy[this.split] = (copiedMs - startedMs) * 1000;
    this.wake[this.split++] = (nowMs - copiedMs) * 1000;
  }

  /** The sorted totals (the phase's latency, as the bench has always reported it). */
  sortedTotals(): Float64Array {
    return this.total.slice(0, this.count).sort();
  }

  percentiles(): { total: Percentiles; copyUs: Percentiles; wakeUs: Percentiles; splitSamples: number } {
    const p = (a: Float64Array): Percentiles => ({ p50: round1(percentile(a, 0.5)), p99: round1(percentile(a, 0.99)) });
    return {
      total: p(this.sortedTotals()),
      copyUs: p(this.copy.slice(0, this.split).sort()),
      wakeUs: p(this.wake.slice(0, this.split).sort()),
      splitSamples: this.split,
    };
  }
}
