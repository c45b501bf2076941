/**
 * A small virtual clock for the driver's unit tests (same surface as the sim's VirtualClock that the
 * integration tests use: advance, runFor, drive). Time moves only when a runner fires the earliest
 * timer after letting pending promise work settle, so awaited waits resolve in a total order.
 */
import type { Clock } from '../../../src/display/clock.js';

interface Entry {
  at: number;
  seq: number;
  fn: (() => void) | null;
}

export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Entry[] = [];

  now(): number {
    return this.t;
  }

  /** How many timers were set as coalescable (the rest of a test sees them as exact). */
  coalescableTimers = 0;

  /** Exact: virtual time has no wake-ups to share. */
  setCoalescableTimer(delayMs: number, fn: () => void): () => void {
    this.coalescableTimers++;
    return this.setTimer(delayMs, fn);
  }
  setTimer(delayMs: number, fn: () => void): () => void {
    const e: Entry = { at: this.t + Math.max(0, delayMs), seq: this.seq++, fn };
    this.timers.push(e);
    return () => {
      e.fn = null;
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  pendingTimers(): number {
    return this.timers.filter((e) => e.fn !== null).length;
  }

  /** Synchronously fires the timers due within `ms`, then moves now forward by `ms`. */
  advance(ms: number): void {
    const limit = this.t + ms;
    for (let e = this.next(); e !== null && e.at <= limit; e = this.next()) this.fire(e);
    this.t = limit;
  }

  async runFor(ms: number): Promise<void> {
    const limit = this.t + ms;
    for (;;) {
      await settle();
      const e = this.next();
      if (e === null || e.at > limit) break;
      this.fire(e);
    }
    this.t = Math.max(this.t, limit);
    await settle();
  }

  /** Runs the clock until `p` settles. */
  async drive<T>(p: Promise<T>, maxMs = 600_000): Promise<T> {
    let done = false;
    const watched = p.finally(() => {
      done = true;
    });
    watched.catch(() => undefined);
    const limit = this.t + maxMs;
    for (;;) {
      await settle();
      if (done) break;
      const e = this.next();
      if (e === null) throw new Error('drive: promise pending and no timer left');
      if (e.at > limit) throw new Error(`drive: not settled within ${maxMs} ms`);
      this.fire(e);
    }
    return watched;
  }

  private next(): Entry | null {
    this.timers = this.timers.filter((e) => e.fn !== null);
    let best: Entry | null = null;
    for (const e of this.timers) if (best === null || e.at < best.at || (e.at === best.at && e.seq < best.seq)) best = e;
    return best;
  }

  private fire(e: Entry): void {
    const fn = e.fn!;
    e.fn = null;
    if (e.at > this.t) this.t = e.at;
    fn();
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
