/**
 * An auto-reset signal, like a Win32 auto-reset event: `set()` latches it; one waiter consumes it.
 * Waits never block a thread: they are promises that yield to the event loop, so a backend whose
 * events arrive on the same loop (X's DamageNotify) can still deliver them while the processor waits.
 */
import type { Clock } from './clock.js';

export interface Signal {
  /** Consumes the latched signal; true if it was set. */
  tryConsume(): boolean;
  /**
   * Calls `onSet` (once) the next time the signal is set, without consuming it. Returns a function
   * that cancels the subscription. The subscriber then calls tryConsume().
   */
  subscribe(onSet: () => void): () => void;
}

/** A signal that lives on one thread (the simulation's surface-available event, a local wake). */
export class LocalSignal implements Signal {
  private latched = false;
  private subscribers: Array<() => void> = [];

  set(): void {
    this.latched = true;
    const subs = this.subscribers;
    if (subs.length === 0) return;
    this.subscribers = [];
    for (const s of subs) s();
  }

  reset(): void {
    this.latched = false;
  }

  isSet(): boolean {
    return this.latched;
  }

  tryConsume(): boolean {
    const was = this.latched;
    this.latched = false;
    return was;
  }

  subscribe(onSet: () => void): () => void {
    this.subscribers.push(onSet);
    return () => {
      const i = this.subscribers.indexOf(onSet);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }
}

export const WAIT_TIMEOUT = -1;

/**
 * Waits until one of `signals` is set (consuming it) or `timeoutMs` passes, like
 * WaitForMultipleObjects(bWaitAll = FALSE). Resolves to the index of the signal, or WAIT_TIMEOUT.
 * A signal already set is taken at once, lowest index first. `coalescable`: the timeout may share
 * a wake-up with the thread's other idle timers (Clock.setCoalescableTimer); the signals never wait.
 */
export function waitAny(signals: readonly Signal[], timeoutMs: number, clock: Clock, coalescable = false): Promise<number> {
  for (let i = 0; i < signals.length; i++) if (signals[i]!.tryConsume()) return Promise.resolve(i);
  return new Promise<number>((resolve) => {
    const cancels: Array<() => void> = [];
    let done = false;
    const finish = (result: number): void => {
      if (done) return;
      done = true;
      for (const c of cancels) c();
      resolve(result);
    };
    signals.forEach((s, i) => {
      cancels.push(
        s.subscribe(() => {
          // Another waiter may have consumed it first; only a consumed set ends this wait.
          if (s.tryConsume()) finish(i);
          else if (!done) cancels.push(s.subscribe(() => s.tryConsume() && finish(i)));
        }),
      );
    });
    const onTimeout = (): void => finish(WAIT_TIMEOUT);
    cancels.push(coalescable ? clock.setCoalescableTimer(timeoutMs, onTimeout) : clock.setTimer(timeoutMs, onTimeout));
  });
}
