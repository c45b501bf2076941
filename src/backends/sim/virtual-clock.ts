/**
 * A deterministic clock for the simulation: time is a number that moves only when the test (or the
 * CLI's virtual run) says so, and timers fire in a total order.
 *
 * Invariants:
 * - timers fire in (time, insertion order) order; two timers due at the same instant fire in the
 *   order they were set;
 * - `now()` never goes backwards and only changes inside advance()/runUntil()/drive();
 * - the async runners let all pending promise work settle (one or more macrotask turns) before each
 *   timer fires, so code that awaits between timers sees exactly the order it would see on real
 *   time with zero-cost work. Identical inputs therefore give identical timelines.
 *
 * Time advances only when nothing else can run: the runner settles, then jumps to the earliest
 * timer. A test drives it with `await clock.runFor(500)`; a promise that needs virtual time to
 * resolve (a stop that joins a worker waiting 16 ms) is driven with `await clock.drive(p)`.
 */
import { SimulationError, InvalidArgumentError } from '../../contract/errors.js';
import type { Clock } from '../../display/clock.js';

interface TimerEntry {
  at: number;
  seq: number;
  fn: (() => void) | null;
}

/** A run that fires this many timers without time moving is a livelock (a 0 ms timer loop). */
const MAX_FIRES_PER_INSTANT = 1_000_000;

export interface VirtualClockOptions {
  /** Start time in ms (default 0). */
  startMs?: number;
  /**
   * Macrotask turns the async runners yield before each timer (default 1). One turn settles every
   * promise chain; raise it when the code under test hops through other macrotasks.
   */
  settleTurns?: number;
}

export class VirtualClock implements Clock {
  private nowMs: number;
  private seq = 0;
  /** Binary min-heap on (at, seq). Cancelled entries stay until popped (fn = null). */
  private heap: TimerEntry[] = [];
  private live = 0;
  private running = false;
  private readonly settleTurns: number;
  private firesAtInstant = 0;
  private lastFireAt = Number.NaN;

  constructor(options: VirtualClockOptions = {}) {
    const start = options.startMs ?? 0;
    if (!Number.isFinite(start) || start < 0) throw new InvalidArgumentError(`startMs ${start} must be a finite number >= 0`);
    const turns = options.settleTurns ?? 1;
    if (!Number.isInteger(turns) || turns < 1 || turns > 100) throw new InvalidArgumentError(`settleTurns ${turns} must be an integer in 1..100`);
    this.nowMs = start;
    this.settleTurns = turns;
  }

  now(): number {
    return this.nowMs;
  }

  /** Exact: virtual time has no wake-ups to share. */
  setCoalescableTimer(delayMs: number, fn: () => void): () => void {
    return this.setTimer(delayMs, fn);
  }
  setTimer(delayMs: number, fn: () => void): () => void {
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    const entry: TimerEntry = { at: this.nowMs + delay, seq: this.seq++, fn };
    this.push(entry);
    this.live++;
    return () => {
      if (entry.fn !== null) {
        entry.fn = null;
        this.live--;
      }
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Timers set and not yet fired or cancelled. */
  pendingTimers(): number {
    return this.live;
  }

  /** When the earliest pending timer is due, or null when none is. */
  nextTimerAt(): number | null {
    const top = this.peekLive();
    return top === null ? null : top.at;
  }

  /**
   * Synchronously fires every timer due within `ms`, in order, then sets now to now + ms. Promise
   * continuations do NOT run between timers; use runFor() for code that awaits.
   */
  advance(ms: number): void {
    this.checkDuration(ms, 'advance');
    this.enter('advance');
    try {
      const limit = this.nowMs + ms;
      for (let top = this.peekLive(); top !== null && top.at <= limit; top = this.peekLive()) this.fire();
      this.nowMs = limit;
    } finally {
      this.running = false;
    }
  }

  /** Runs until virtual time `limitMs`: settle, fire the earliest due timer, repeat; then now = limitMs. */
  async runUntil(limitMs: number): Promise<void> {
    if (!Number.isFinite(limitMs)) throw new InvalidArgumentError(`runUntil(${limitMs}): the limit must be a finite time in ms`);
    this.enter('runUntil');
    try {
      for (;;) {
        await this.settle();
        const top = this.peekLive();
        if (top === null || top.at > limitMs) break;
        this.fire();
      }
      if (this.nowMs < limitMs) this.nowMs = limitMs;
    } finally {
      this.running = false;
    }
    await this.settle();
  }

  /** Runs for `ms` of virtual time from now. */
  runFor(ms: number): Promise<void> {
    this.checkDuration(ms, 'runFor');
    return this.runUntil(this.nowMs + ms);
  }

  /**
   * Runs the clock until `promise` settles and returns its result. Fails with a SimulationError when
   * no timer is left that could settle it, or after `maxMs` of virtual time.
   */
  async drive<T>(promise: Promise<T>, maxMs = 600_000): Promise<T> {
    this.checkDuration(maxMs, 'drive');
    let settled = false;
    const watched = promise.then(
      (v) => {
        settled = true;
        return v;
      },
      (e: unknown) => {
        settled = true;
        throw e;
      },
    );
    // The watcher is awaited below; this keeps an early rejection from being reported as unhandled.
    watched.catch(() => undefined);
    const limit = this.nowMs + maxMs;
    this.enter('drive');
    try {
      for (;;) {
        await this.settle();
        if (settled) break;
        const top = this.peekLive();
        if (top === null) throw new SimulationError('drive(): the promise is still pending and no timer is left that could settle it');
        if (top.at > limit) throw new SimulationError(`drive(): the promise did not settle within ${maxMs} ms of virtual time`);
        this.fire();
      }
    } finally {
      this.running = false;
    }
    return watched;
  }

  private enter(what: string): void {
    if (this.running) throw new SimulationError(`${what}() called while the virtual clock is already running; await the first run`);
    this.running = true;
  }

  private checkDuration(ms: number, what: string): void {
    if (!Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError(`${what}(${ms}): the duration must be a finite number of ms >= 0`);
  }

  private async settle(): Promise<void> {
    for (let i = 0; i < this.settleTurns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Pops the earliest live timer, moves time to it and runs it. */
  private fire(): void {
    const entry = this.pop();
    const fn = entry.fn!;
    entry.fn = null;
    this.live--;
    if (entry.at > this.nowMs) this.nowMs = entry.at;
    if (this.nowMs === this.lastFireAt) {
      if (++this.firesAtInstant > MAX_FIRES_PER_INSTANT) {
        throw new SimulationError(`more than ${MAX_FIRES_PER_INSTANT} timers fired at ${this.nowMs} ms without time moving: a 0 ms timer loop`);
      }
    } else {
      this.lastFireAt = this.nowMs;
      this.firesAtInstant = 1;
    }
    fn();
  }

  /** The earliest live timer (dropping cancelled ones from the top), or null. */
  private peekLive(): TimerEntry | null {
    while (this.heap.length > 0 && this.heap[0]!.fn === null) this.pop();
    return this.heap.length > 0 ? this.heap[0]! : null;
  }

  private push(e: TimerEntry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): TimerEntry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
