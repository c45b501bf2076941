/**
 * Time, as the display side sees it. Two implementations: the real clock (timers) and the
 * simulation's virtual clock (backends/sim), which runs timers in order without waiting, so a
 * test of seconds of display time runs in milliseconds and repeats exactly.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; monotonic. */
  now(): number;
  /** Runs `fn` after `delayMs`; returns a function that cancels it (safe to call late or twice). */
  setTimer(delayMs: number, fn: () => void): () => void;
  /**
   * setTimer for a timeout that may fire up to half of COALESCE_GRID_MS early or late, so that it
   * shares a wake-up with the thread's other idle timers (coalesced-timer.ts). A virtual clock
   * runs it exactly.
   */
  setCoalescableTimer(delayMs: number, fn: () => void): () => void;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
}
