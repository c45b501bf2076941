/**
 * The adapter's recovery ladder, shared by all its monitors (DESIGN.md "Recovery": "The ladder
 * belongs to the adapter, shared by all its monitors"; issue 12).
 *
 * Why a SharedArrayBuffer block and not one deciding thread: every monitor's processor runs on a
 * worker of its own (so no monitor can stall another's drain), and a processor must decide at
 * once what a failure means, inside its own loop (leave it? abandon the swap-chain?). A round trip
 * to a deciding thread would put another thread's event loop on every failure's path, and that
 * thread (the host's) is exactly the one that may be busy encoding. So each monitor's
 * RecoveryPolicy decides locally, but against counters that live here, updated under a lock held
 * for a few loads and stores (no allocation, no await): DirectX failures count per adapter
 * wherever they happen, one failure ends a stage once, and the critical error is reported once.
 * The stage is the driver's own state (the OS may ignore setRenderAdapter); every monitor's
 * driver watches EPOCH and applies a stage change to its own handle on the adapter.
 *
 * Layout: Int32 words at the named indices below, then LADDER_TIMES_CAPACITY Float64 failure
 * times from byte LADDER_TIMES_BYTE. A test pins every offset.
 *
 * Times are on a timeline common to the monitors: each driver adds its `timeBaseMs` (where its
 * clock's 0 falls on the session's timeline) to its clock's now before storing or comparing.
 */
import { InvalidArgumentError } from '../contract/errors.js';

export const LADDER_MAGIC = 0;
/** 0 free, 1 held. */
export const LADDER_LOCK = 1;
/** Bumped on every stage change (and the critical error): the word the watchers wait on. */
export const LADDER_EPOCH = 2;
/** LadderStage. */
export const LADDER_STAGE = 3;
/** The software adapter's LUID, once the hardware stage ended. */
export const LADDER_SOFTWARE_LUID = 4;
export const LADDER_CONSECUTIVE_ASSIGN = 5;
/** Failure times stored (<= capacity) and the index of the oldest. */
export const LADDER_TIMES_COUNT = 6;
export const LADDER_TIMES_HEAD = 7;
export const LADDER_CRITICAL_MAJOR = 8;
export const LADDER_CRITICAL_MINOR = 9;
/** DirectX failures counted on the adapter over the run, every stage. */
export const LADDER_FAILURES_TOTAL = 10;
/** The targetId whose failure last moved the stage. */
export const LADDER_MOVED_BY = 11;
export const LADDER_INT_WORDS = 16;
export const LADDER_TIMES_BYTE = LADDER_INT_WORDS * 4;
/** The most processing failures one window can hold: the largest `processingFailures` allowed with a shared ladder. */
export const LADDER_TIMES_CAPACITY = 64;
export const LADDER_BYTES = LADDER_TIMES_BYTE + LADDER_TIMES_CAPACITY * 8;
/** 'VDLA'. */
export const LADDER_MAGIC_VALUE = 0x56444c41;

export const LadderStage = { Hardware: 0, Software: 1, Stopped: 2 } as const;
export type LadderStageCode = (typeof LadderStage)[keyof typeof LadderStage];

/** A fresh block (what the host creates once per session and hands every monitor's worker). */
export function createAdapterLadderBuffer(): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(LADDER_BYTES);
  Atomics.store(new Int32Array(sab, 0, LADDER_INT_WORDS), LADDER_MAGIC, LADDER_MAGIC_VALUE);
  return sab;
}

/** What counting one DirectX failure did. */
export type CountOutcome =
  /** Counted; the stage goes on. */
  | 'counted'
  /** This failure ended the hardware stage: this monitor records the fallback. */
  | 'hardware-exhausted'
  /** This failure ended the software stage: this monitor reports the critical error. */
  | 'software-exhausted'
  /** The adapter stopped already; nothing more is decided. */
  | 'stopped';

export class AdapterLadder {
  private readonly words: Int32Array;
  private readonly times: Float64Array;

  constructor(buffer: SharedArrayBuffer, readonly timeBaseMs = 0) {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < LADDER_BYTES) {
      throw new InvalidArgumentError(`the adapter ladder needs a SharedArrayBuffer of ${LADDER_BYTES} bytes`);
    }
    this.words = new Int32Array(buffer, 0, LADDER_INT_WORDS);
    if (Atomics.load(this.words, LADDER_MAGIC) !== LADDER_MAGIC_VALUE) throw new InvalidArgumentError('the adapter ladder block has no magic (createAdapterLadderBuffer makes one)');
    this.times = new Float64Array(buffer, LADDER_TIMES_BYTE, LADDER_TIMES_CAPACITY);
  }

  get epoch(): number {
    return Atomics.load(this.words, LADDER_EPOCH);
  }
  get stage(): LadderStageCode {
    return Atomics.load(this.words, LADDER_STAGE) as LadderStageCode;
  }
  get softwareLuid(): number {
    return Atomics.load(this.words, LADDER_SOFTWARE_LUID) >>> 0;
  }
  get failuresTotal(): number {
    return Atomics.load(this.words, LADDER_FAILURES_TOTAL);
  }
  get movedBy(): number {
    return Atomics.load(this.words, LADDER_MOVED_BY);
  }
  get criticalError(): { major: number; minor: number } | null {
    if (this.stage !== LadderStage.Stopped) return null;
    return { major: Atomics.load(this.words, LADDER_CRITICAL_MAJOR) >>> 0, minor: Atomics.load(this.words, LADDER_CRITICAL_MINOR) >>> 0 };
  }
  /** The counters of the current stage (tests, the viewer). */
  counts(nowMs: number, windowMs: number): { consecutiveAssign: number; processingInWindow: number } {
    return this.locked(() => ({ consecutiveAssign: this.words[LADDER_CONSECUTIVE_ASSIGN]!, processingInWindow: this.inWindow(nowMs + this.timeBaseMs, windowMs) }));
  }

  /** An assign succeeded somewhere on the adapter: the run of assign failures is broken. */
  assignSucceeded(): void {
    Atomics.store(this.words, LADDER_CONSECUTIVE_ASSIGN, 0);
  }

  /**
   * Counts one DirectX failure (`where`) at the reporter's `nowMs`, and if it reaches the limit
   * ends the stage, all under the lock: of several monitors failing at once exactly one sees
   * 'hardware-exhausted' (then 'software-exhausted'), and the next stage starts with clean counts.
   */
  countFailure(where: 'assign' | 'processing', nowMs: number, limit: number, windowMs: number, targetId: number, softwareLuid: number | null): CountOutcome {
    return this.locked(() => {
      const w = this.words;
      if (w[LADDER_STAGE] === LadderStage.Stopped) return 'stopped';
      w[LADDER_FAILURES_TOTAL]!++;
      let exhausted: boolean;
      if (where === 'assign') exhausted = ++w[LADDER_CONSECUTIVE_ASSIGN]! >= limit;
      else {
        this.push(nowMs + this.timeBaseMs);
        exhausted = this.inWindow(nowMs + this.timeBaseMs, windowMs) >= limit;
      }
      if (!exhausted) return 'counted';
      w[LADDER_MOVED_BY] = targetId;
      this.clearCounts();
      if (w[LADDER_STAGE] === LadderStage.Hardware) {
        // Without a software adapter the caller reports the critical error (stop() moves the stage).
        if (softwareLuid !== null) {
          w[LADDER_STAGE] = LadderStage.Software;
          w[LADDER_SOFTWARE_LUID] = softwareLuid | 0;
          this.bump();
        }
        return 'hardware-exhausted';
      }
      return 'software-exhausted';
    });
  }

  /** Records the adapter's critical error; true for the first (the one reported), false after. */
  stop(major: number, minor: number, targetId: number): boolean {
    return this.locked(() => {
      const w = this.words;
      if (w[LADDER_STAGE] === LadderStage.Stopped) return false;
      w[LADDER_CRITICAL_MAJOR] = major | 0;
      w[LADDER_CRITICAL_MINOR] = minor | 0;
      w[LADDER_MOVED_BY] = targetId;
      w[LADDER_STAGE] = LadderStage.Stopped;
      this.bump();
      return true;
    });
  }

  /** Resolves when EPOCH moves past `seen` (or after `timeoutMs`); never blocks the thread. */
  async waitForChange(seen: number, timeoutMs: number): Promise<void> {
    const r = Atomics.waitAsync(this.words, LADDER_EPOCH, seen, timeoutMs);
    if (r.async) await r.value;
  }

  private bump(): void {
    Atomics.add(this.words, LADDER_EPOCH, 1);
    Atomics.notify(this.words, LADDER_EPOCH);
  }

  private clearCounts(): void {
    this.words[LADDER_CONSECUTIVE_ASSIGN] = 0;
    this.words[LADDER_TIMES_COUNT] = 0;
    this.words[LADDER_TIMES_HEAD] = 0;
  }

  /** Appends a failure time to the window ring (dropping the oldest when full). Lock held. */
  private push(t: number): void {
    const w = this.words;
    const n = w[LADDER_TIMES_COUNT]!;
    const head = w[LADDER_TIMES_HEAD]!;
    if (n < LADDER_TIMES_CAPACITY) {
      this.times[(head + n) % LADDER_TIMES_CAPACITY] = t;
      w[LADDER_TIMES_COUNT] = n + 1;
    } else {
      this.times[head] = t;
      w[LADDER_TIMES_HEAD] = (head + 1) % LADDER_TIMES_CAPACITY;
    }
  }

  /** Failures within the window ending at `t` (monitors' clocks may interleave, so each time is checked). Lock held. */
  private inWindow(t: number, windowMs: number): number {
    const n = this.words[LADDER_TIMES_COUNT]!;
    const head = this.words[LADDER_TIMES_HEAD]!;
    let k = 0;
    for (let i = 0; i < n; i++) if (t - this.times[(head + i) % LADDER_TIMES_CAPACITY]! < windowMs) k++;
    return k;
  }

  /**
   * Runs `fn` holding the lock. The section is a few loads and stores, so a contended lock is
   * spun for briefly, then waited on in 1 ms steps (a worker may block; the section never awaits).
   */
  private locked<T>(fn: () => T): T {
    const w = this.words;
    let spins = 0;
    while (Atomics.compareExchange(w, LADDER_LOCK, 0, 1) !== 0) {
      if (++spins > 100) Atomics.wait(w, LADDER_LOCK, 1, 1);
    }
    try {
      return fn();
    } finally {
      Atomics.store(w, LADDER_LOCK, 0);
      Atomics.notify(w, LADDER_LOCK, 1);
    }
  }
}
