/**
 * A keyed mutex over one 32-bit word in a SharedArrayBuffer, with DXGI's IDXGIKeyedMutex semantics
 * (word layout in contract/keyed-mutex-word.ts):
 *
 *   acquire(key, timeoutMs)  succeeds when the mutex is free AND carries `key`;
 *   release(key)             frees it and hands it the key the next holder must present.
 *
 * The producer acquires KEY_PRODUCER (0) and releases to KEY_CONSUMER (1); the consumer acquires 1
 * and releases to 0, so the two sides alternate without ever holding the slot together.
 *
 * Every change is a compare-and-swap on the whole word. A 0 ms acquire is a single try. A timed
 * acquire sleeps on the word: `acquire` with Atomics.wait (workers), `acquireAsync` with
 * Atomics.waitAsync (the main thread, never blocked).
 *
 * Abandonment: when a holder's thread dies while it holds the mutex, its peer marks the word
 * abandoned (`abandon`). The next acquire then succeeds whatever key it presents and reports
 * 'abandoned': the slot is the caller's, but its content is unknown.
 */
import {
  mutexAbandoned,
  mutexHeld,
  mutexKey,
  mutexOwner,
  mutexWord,
  MUTEX_ABANDONED,
  type MutexOwnerCode,
} from '../contract/index.js';
import { sleepWhileEqual } from './async-wait.js';

export type AcquireResult = 'acquired' | 'abandoned' | 'timeout';

export class KeyedMutex {
  private readonly words: Int32Array;
  private readonly index: number;
  readonly owner: MutexOwnerCode;

  /** `words` must be backed by a SharedArrayBuffer; `owner` is the side this handle acquires for. */
  constructor(words: Int32Array, index: number, owner: MutexOwnerCode) {
    if (!(words.buffer instanceof SharedArrayBuffer)) throw new TypeError('a KeyedMutex needs a SharedArrayBuffer');
    if (!Number.isInteger(index) || index < 0 || index >= words.length) {
      throw new RangeError(`mutex word index ${index} is outside 0..${words.length - 1}`);
    }
    this.words = words;
    this.index = index;
    this.owner = owner;
  }

  /** The raw word, for diagnostics and tests. */
  word(): number {
    return Atomics.load(this.words, this.index);
  }

  /** One attempt, never waits: 'timeout' means busy or holding another key. */
  tryAcquire(key: number): AcquireResult {
    for (;;) {
      const w = Atomics.load(this.words, this.index);
      let result: AcquireResult;
      if (mutexHeld(w)) {
        if (!mutexAbandoned(w)) return 'timeout';
        result = 'abandoned';
      } else if (mutexKey(w) === key) {
        result = 'acquired';
      } else {
        return 'timeout';
      }
      // A failed CAS means the word moved under us (a release, or a peer's acquire): look again.
      if (Atomics.compareExchange(this.words, this.index, w, mutexWord(key, true, this.owner)) === w) return result;
    }
  }

  /** Acquires `key`, blocking this thread up to `timeoutMs` (0 = try once). Workers only for > 0. */
  acquire(key: number, timeoutMs: number): AcquireResult {
    const first = this.tryAcquire(key);
    if (first !== 'timeout' || !(timeoutMs > 0)) return first;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const w = Atomics.load(this.words, this.index);
      const r = this.tryAcquire(key);
      if (r !== 'timeout') return r;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return 'timeout';
      Atomics.wait(this.words, this.index, w, remaining);
    }
  }

  /** Acquires `key` within `timeoutMs` without blocking the thread (main thread). */
  async acquireAsync(key: number, timeoutMs: number): Promise<AcquireResult> {
    const first = this.tryAcquire(key);
    if (first !== 'timeout' || !(timeoutMs > 0)) return first;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const w = Atomics.load(this.words, this.index);
      const r = this.tryAcquire(key);
      if (r !== 'timeout') return r;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return 'timeout';
      await sleepWhileEqual(this.words, this.index, w, remaining);
    }
  }

  /**
   * Releases the mutex to `key` (the key the next holder presents). Returns false, changing nothing,
   * when this side does not hold it: release never throws on the hot path.
   */
  release(key: number): boolean {
    for (;;) {
      const w = Atomics.load(this.words, this.index);
      if (!mutexHeld(w) || mutexOwner(w) !== this.owner) return false;
      if (Atomics.compareExchange(this.words, this.index, w, mutexWord(key, false, 0)) === w) {
        Atomics.notify(this.words, this.index);
        return true;
      }
    }
  }

  /** Does anyone hold the mutex now? */
  isHeld(): boolean {
    return mutexHeld(Atomics.load(this.words, this.index));
  }

  /** Does this side hold the mutex now? */
  heldByMe(): boolean {
    const w = Atomics.load(this.words, this.index);
    return mutexHeld(w) && mutexOwner(w) === this.owner;
  }

  /**
   * Marks the mutex abandoned if `deadOwner` holds it (its thread died). Returns true if it did.
   * Wakes waiters so a timed acquire takes it at once.
   */
  static abandon(words: Int32Array, index: number, deadOwner: MutexOwnerCode): boolean {
    for (;;) {
      const w = Atomics.load(words, index);
      if (!mutexHeld(w) || mutexOwner(w) !== deadOwner || mutexAbandoned(w)) return false;
      if (Atomics.compareExchange(words, index, w, w | MUTEX_ABANDONED) === w) {
        Atomics.notify(words, index);
        return true;
      }
    }
  }
}
