import type { Clock } from './clock.js';
import { setCoalescedTimeout } from './coalesced-timer.js';

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
  setCoalescableTimer(delayMs: number, fn: () => void): () => void {
    return setCoalescedTimeout(fn, delayMs);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  }
}
