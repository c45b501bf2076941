/**
 * setTimeout for any delay. Node fires a timer whose delay is past 2^31 - 1 ms (or Infinity)
 * after 1 ms, with a TimeoutOverflowWarning: a host's `nextFrame()` with no timeout (the default,
 * "no limit") re-armed such a timer every millisecond, ~900 wake-ups and 16% of a core a second
 * while it waited. A longer delay here re-arms at most every MAX_TIMER_DELAY_MS until it is due;
 * Infinity never fires, yet holds a timer, so the event loop stays alive for the wait.
 */

/** Node's (and the browsers') largest timer delay: a 32-bit signed millisecond count (~24.8 days). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** A running long timeout: its current Node timer (replaced at each re-arm). */
export interface LongTimeout {
  timer: ReturnType<typeof setTimeout> | null;
}

export function setLongTimeout(fn: () => void, delayMs: number): LongTimeout {
  const delay = Math.max(0, delayMs || 0);
  // A frame wait's delay (the common case) is one plain timer: no closure on that path.
  if (delay <= MAX_TIMER_DELAY_MS) return { timer: setTimeout(fn, delay) };
  const handle: LongTimeout = { timer: null };
  // Counted down by whole timer spans: a timer is never early, so neither is the sum.
  const arm = (left: number): void => {
    handle.timer = left <= MAX_TIMER_DELAY_MS ? setTimeout(fn, left) : setTimeout(() => arm(left - MAX_TIMER_DELAY_MS), MAX_TIMER_DELAY_MS);
  };
  arm(delay);
  return handle;
}

export function clearLongTimeout(handle: LongTimeout): void {
  if (handle.timer !== null) clearTimeout(handle.timer);
  handle.timer = null;
}
