/**
 * The stop request for a swap-chain processor: a terminate flag plus a wake signal.
 *
 * Seed 000 stops a processor with `terminate.store(true)` + `join`. vdpush adds a wake: the processor
 * waits on [surface-available, wake], so a stop reaches an idle worker at once instead of after its
 * current wait runs out. stop = request() (set terminate, then wake) + await the run's promise.
 *
 * Two kinds of flag:
 * - local: lives on the driver's thread (unassign, MonitorContext.stop). A local flag may have a
 *   parent; it reads as requested when either is, so one host-wide stop reaches every processor.
 * - shared: one Int32 word of a SharedArrayBuffer the host thread also holds. The host sets it with
 *   Atomics.store + Atomics.notify (`requestSharedTerminate`). The processor reads it with
 *   Atomics.load at the top of every pass, which works even while a continuous frame burst keeps
 *   the worker's event loop from turning (a postMessage would never be seen then). Its wake is
 *   level-triggered on "word != 0" and subscribes through Atomics.waitAsync, so an idle worker
 *   wakes the moment the host notifies.
 *
 * Invariant: once requested, a flag stays requested (a stop is never withdrawn; a new processor gets
 * a new flag).
 */
import { LocalSignal, type Signal } from '../display/signal.js';

export abstract class TerminateFlag {
  /** True once a stop was requested (this flag or its parent). Read at the top of every pass. */
  abstract get requested(): boolean;
  /** Sets the flag and wakes a waiting processor. `atMs` (driver clock) times the stop; idempotent. */
  abstract request(atMs?: number): void;
  /** Set when a stop is requested; the processor includes it in every wait. */
  abstract readonly wake: Signal;
  /** Driver-clock time of the first request, or NaN when unknown (a request from another thread). */
  abstract get requestedAtMs(): number;

  /** A flag on this thread; with a parent, it also reads as requested when the parent is. */
  static local(parent: TerminateFlag | null = null): TerminateFlag {
    return new LocalTerminateFlag(parent);
  }

  /** A flag over `words[index]` of a SharedArrayBuffer another thread can set. */
  static shared(words: Int32Array, index: number): TerminateFlag {
    if (!(words.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError('TerminateFlag.shared needs an Int32Array over a SharedArrayBuffer');
    }
    if (!Number.isInteger(index) || index < 0 || index >= words.length) {
      throw new RangeError(`terminate word index ${index} is outside 0..${words.length - 1}`);
    }
    return new SharedTerminateFlag(words, index);
  }
}

/** What another thread (the host) calls to stop the driver behind a shared flag. */
export function requestSharedTerminate(words: Int32Array, index: number): void {
  Atomics.store(words, index, 1);
  Atomics.notify(words, index);
}

class LocalTerminateFlag extends TerminateFlag {
  private set = false;
  private atMs = Number.NaN;
  private readonly own = new LocalSignal();
  readonly wake: Signal;

  constructor(private readonly parent: TerminateFlag | null) {
    super();
    this.wake = parent === null ? this.own : new EitherSignal(this.own, parent.wake);
  }

  get requested(): boolean {
    return this.set || (this.parent !== null && this.parent.requested);
  }

  get requestedAtMs(): number {
    if (this.set) return this.atMs;
    return this.parent !== null ? this.parent.requestedAtMs : Number.NaN;
  }

  request(atMs = Number.NaN): void {
    if (!this.set) {
      this.set = true;
      this.atMs = atMs;
    }
    this.own.set();
  }
}

class SharedTerminateFlag extends TerminateFlag {
  readonly wake: Signal;
  private atMs = Number.NaN;

  constructor(
    private readonly words: Int32Array,
    private readonly index: number,
  ) {
    super();
    this.wake = new NonZeroWordSignal(words, index);
  }

  get requested(): boolean {
    return Atomics.load(this.words, this.index) !== 0;
  }

  get requestedAtMs(): number {
    return this.atMs;
  }

  request(atMs = Number.NaN): void {
    if (!this.requested) this.atMs = atMs;
    requestSharedTerminate(this.words, this.index);
  }
}

/**
 * "The word is non-zero", as a Signal. Level-triggered (tryConsume does not clear it) because a
 * terminate is never withdrawn. At most one Atomics.waitAsync is outstanding however many waits
 * subscribe, so an idle processor's repeated 16 ms waits do not pile up waiters on the word.
 */
class NonZeroWordSignal implements Signal {
  private subscribers: Array<() => void> = [];
  private armed = false;

  constructor(
    private readonly words: Int32Array,
    private readonly index: number,
  ) {}

  tryConsume(): boolean {
    return Atomics.load(this.words, this.index) !== 0;
  }

  subscribe(onSet: () => void): () => void {
    this.subscribers.push(onSet);
    this.arm();
    return () => {
      const i = this.subscribers.indexOf(onSet);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    const r = Atomics.waitAsync(this.words, this.index, 0);
    if (r.async) {
      void r.value.then(() => this.fire());
    } else {
      // 'not-equal': already set. Deliver asynchronously, as a set seen by a waiter would be.
      queueMicrotask(() => this.fire());
    }
  }

  private fire(): void {
    this.armed = false;
    if (Atomics.load(this.words, this.index) === 0) {
      // Notified without a store (or a timeout that never comes): keep waiting for whoever still waits.
      if (this.subscribers.length > 0) this.arm();
      return;
    }
    const subs = this.subscribers;
    this.subscribers = [];
    for (const s of subs) s();
  }
}

/** Set when either of two signals is; consumes whichever is set. */
class EitherSignal implements Signal {
  constructor(
    private readonly a: Signal,
    private readonly b: Signal,
  ) {}

  tryConsume(): boolean {
    return this.a.tryConsume() || this.b.tryConsume();
  }

  subscribe(onSet: () => void): () => void {
    let fired = false;
    let cancelA: (() => void) | null = null;
    let cancelB: (() => void) | null = null;
    const cancel = (): void => {
      cancelA?.();
      cancelB?.();
    };
    const once = (): void => {
      if (fired) return;
      fired = true;
      cancel();
      onSet();
    };
    cancelA = this.a.subscribe(once);
    cancelB = this.b.subscribe(once);
    return cancel;
  }
}
