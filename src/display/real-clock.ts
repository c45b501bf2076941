import type { Clock } from './clock.js';

/** Wall time through the event loop's timers. */
export class RealClock implements Clock {
  private readonly origin = performance.now();
  now(): number {
    return performance.now() - this.origin;
  }
  setTimer(delayMs: number, fn: () => void): () => void {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return () => clearTimeout(t);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  }
}
