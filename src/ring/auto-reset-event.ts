/**
 * An auto-reset event over one 32-bit futex word in a SharedArrayBuffer, like a Win32 auto-reset
 * event shared between processes: `set()` latches it (word = 1) and wakes waiters; one waiter
 * consumes it (word back to 0). Any non-zero value counts as set, so a corrupt word can only cause
 * a spurious wake, never a hang.
 *
 * Two kinds of wait, for the two kinds of thread:
 * - `waitSync` blocks with Atomics.wait: for a worker that has nothing else to do;
 * - `waitAsync` and `subscribe` use Atomics.waitAsync: for the main thread (and any loop that must
 *   keep receiving events), which is never blocked.
 *
 * Timed async waits hold a timer too: a pending waitAsync alone does not keep Node's event loop
 * alive. The shared waiter has no timeout of its own (see armSubscription): an owner that gives up
 * the word sets the event, which ends it.
 *
 * Structurally this is a display `Signal` (tryConsume + subscribe), without importing display: the
 * ring depends on the contract only.
 */

import { clearLongTimeout, setLongTimeout } from './long-timeout.js';

export type WaitResult = 'signaled' | 'timeout';


export class AutoResetEvent {
  private readonly words: Int32Array;
  private readonly index: number;
  private subscribers: Array<() => void> = [];
  private subscriptionArmed = false;

  /** `words` must be backed by a SharedArrayBuffer; `index` is the word index (byte offset / 4). */
  constructor(words: Int32Array, index: number) {
    if (!(words.buffer instanceof SharedArrayBuffer)) throw new TypeError('an AutoResetEvent needs a SharedArrayBuffer');
    if (!Number.isInteger(index) || index < 0 || index >= words.length) {
      throw new RangeError(`event word index ${index} is outside 0..${words.length - 1}`);
    }
    this.words = words;
    this.index = index;
  }

  static at(buffer: SharedArrayBuffer, byteOffset: number): AutoResetEvent {
    if (byteOffset % 4 !== 0) throw new RangeError(`event word offset ${byteOffset} is not 4-byte aligned`);
    return new AutoResetEvent(new Int32Array(buffer, 0, buffer.byteLength >>> 2), byteOffset >>> 2);
  }

  /** Latches the event and wakes waiters. Waking is skipped when it was already set: nobody waits on 1. */
  set(): void {
    if (Atomics.exchange(this.words, this.index, 1) === 0) Atomics.notify(this.words, this.index);
  }

  reset(): void {
    Atomics.store(this.words, this.index, 0);
  }

  /** Peeks without consuming. */
  isSet(): boolean {
    return Atomics.load(this.words, this.index) !== 0;
  }

  /** Consumes the latched event; true if it was set. */
  tryConsume(): boolean {
    return Atomics.exchange(this.words, this.index, 0) !== 0;
  }

  /** Blocks this thread until set (consuming it) or `timeoutMs` passes. Workers only. */
  waitSync(timeoutMs: number): WaitResult {
    if (this.tryConsume()) return 'signaled';
    const deadline = performance.now() + Math.max(0, timeoutMs);
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return 'timeout';
      Atomics.wait(this.words, this.index, 0, remaining);
      if (this.tryConsume()) return 'signaled';
    }
  }

  /**
   * Waits without blocking the thread until set (consuming it) or `timeoutMs` passes. Every waiter
   * shares the one pending Atomics.waitAsync of `subscribe`, and only a timer of its own bounds it:
   * a waitAsync per wait with its own timeout costs a second wake-up of the thread when that
   * timeout fires later, even after a notify ended the wait (seen: 74 wakes/s for a 40 Hz poll).
   */
  waitAsync(timeoutMs: number): Promise<WaitResult> {
    if (this.tryConsume()) return Promise.resolve('signaled');
    return new Promise<WaitResult>((resolve) => {
      let cancel: () => void = () => undefined;
      let done = false;
      const end = (r: WaitResult): void => {
        if (done) return;
        done = true;
        clearLongTimeout(timer);
        cancel();
        resolve(r);
      };
      const onSet = (): void => {
        if (done) return;
        // Another waiter may have consumed it first: then keep waiting.
        if (this.tryConsume()) end('signaled');
        else cancel = this.subscribe(onSet);
      };
      // The timer also keeps the event loop alive: a pending waitAsync alone does not.
      const timer = setLongTimeout(() => end(this.tryConsume() ? 'signaled' : 'timeout'), timeoutMs);
      cancel = this.subscribe(onSet);
    });
  }

  /**
   * Calls `onSet` once, the next time the event is set (at once if it is set now), without
   * consuming it; returns a cancel function. All subscribers share one pending waiter.
   */
  subscribe(onSet: () => void): () => void {
    this.subscribers.push(onSet);
    this.armSubscription();
    return () => {
      const i = this.subscribers.indexOf(onSet);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  private armSubscription(): void {
    if (this.subscriptionArmed) return;
    this.subscriptionArmed = true;
    // No timeout: V8 bounds a timed waitAsync with a delayed task that wakes this thread when it
    // fires even after a notify ended the wait, so a 10 s bound re-armed per frame woke the host
    // ~60 more times a second at 60 Hz, each 10 s late (serve: 2.2 vs 1.4 runs of the host thread
    // per frame). A waiter left without subscribers stays armed for the next wait (an idle host's
    // 1 s backstop re-arms nothing) until the word is set: whoever abandons the word sets it
    // (HostRing does at recreate and close), so none stays pending on a buffer given up.
    const r = Atomics.waitAsync(this.words, this.index, 0);
    if (r.async) void r.value.then(() => this.dispatchSubscribers());
    else queueMicrotask(() => this.dispatchSubscribers());
  }

  private dispatchSubscribers(): void {
    this.subscriptionArmed = false;
    if (this.subscribers.length === 0) return;
    if (!this.isSet()) {
      // Timed out (or a spurious wake): keep waiting for the subscribers still registered.
      this.armSubscription();
      return;
    }
    const subs = this.subscribers;
    this.subscribers = [];
    for (const s of subs) s();
  }
}
