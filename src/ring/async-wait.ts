/**
 * The one non-blocking futex wait the ring uses on the main thread.
 *
 * Atomics.waitAsync alone is not enough in Node: a pending waitAsync does not keep the event loop
 * alive, so a process whose only pending work is such a wait exits under it. The wait therefore
 * also holds a timer, and that timer (not the waitAsync timeout) ends the wait.
 */

import { clearLongTimeout, setLongTimeout } from './long-timeout.js';

/** Resolves when words[index] is no longer `value` (or is notified), or after `ms`. */
export function sleepWhileEqual(words: Int32Array, index: number, value: number, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearLongTimeout(timer);
      resolve();
    };
    const timer = setLongTimeout(finish, ms);
    const r = Atomics.waitAsync(words, index, value, ms);
    if (r.async) void r.value.then(finish);
    else finish();
  });
}
