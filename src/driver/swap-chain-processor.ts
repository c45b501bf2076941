/**
 * SwapChainProcessor: drains one swap-chain and publishes every acquired frame into the host's
 * ring. A port of seed 000's processor (pf-vdisplay's `SwapChainProcessor::run_core`), in the same
 * order, with each of its reasons kept beside the code that honours it.
 *
 * Why a swap-chain must be drained: the OS presents the composed desktop through it and presents the
 * next frame only after the driver finished the previous one. A driver that stops acquiring and
 * finishing stalls the monitor. So draining never depends on a host: with no ring attached the
 * processor still acquires and finishes every frame.
 *
 * Threading: the processor runs on the monitor's worker (never the host's thread, so no host work
 * can delay the drain). Every wait is awaited, never a blocking Atomics.wait: the Xvfb backend's
 * events and the host's postMessages arrive on this same event loop.
 *
 * Invariants:
 * - terminate is checked at the top of every pass, before every SetDevice attempt and after every
 *   wait, so a stop is seen within one pass even during a continuous burst;
 * - an acquired frame is published before it is finished, and finished exactly once;
 * - on exit the swap-chain is deleted, then the device is released (the swap-chain references it);
 *   except after the driver's critical error: IddCxReportCriticalError does not return (the OS
 *   terminates the driver), so a processor still unwinding then makes no OS call and no ring write;
 * - SetDevice is retried only while it can succeed: never once terminate is set or the device is
 *   removed (the seed retries 60 x 50 ms for a flapping monitor; a removed device never binds, and
 *   retrying it would black the display out for 3 s);
 * - run() never rejects: an exception from a backend ends the run with reason 'exception'.
 *
 * The ring side (lazy attach, publish, drop a retired ring, let go) is ring-attachment.ts's.
 */
import type { Clock } from '../display/clock.js';
import { E_FAIL, E_PENDING, S_OK, succeeded } from '../display/result-codes.js';
import { waitAny, type Signal } from '../display/signal.js';
import type { RenderDevice, SwapChain } from '../display/types.js';
import type { FrameStash } from './frame-stash.js';
import { createProcessorCounters, type ProcessorCounters } from './processor-counters.js';
import type { RingPort } from './ring-port.js';
import type { TerminateFlag } from './terminate-signal.js';
import { DEFAULT_PROCESSOR_TUNING, validateTuning, type ProcessorTuning } from './processor-tuning.js';
import { RingAttachment } from './ring-attachment.js';

export type ProcessorExitReason = 'terminated' | 'bind-failed' | 'acquire-failed' | 'finish-failed' | 'exception';

/** How a run ended. `hr` is the HRESULT that ended it (S_OK when terminated), for the recovery policy. */
export interface ProcessorExit {
  reason: ProcessorExitReason;
  hr: number;
  /** Driver-clock time the loop ended. */
  atMs: number;
  /** Frames this run acquired. */
  frames: number;
  /** Request → loop exit, when the run was terminated and the request time is known. */
  terminateLatencyMs: number | null;
  /** The exception, for reason 'exception'. */
  error?: unknown;
  /** The first failed call of this run's ending failure (the outage's start); NaN when terminated. */
  firstFailureAtMs: number;
}

export interface SwapChainProcessorOptions {
  swapChain: SwapChain;
  /** Borrowed from the monitor's device pool; given back through releaseDevice after the delete. */
  device: RenderDevice;
  clock: Clock;
  ring: RingPort;
  /** This processor's stop request (a new flag per processor). */
  terminate: TerminateFlag;
  counters?: ProcessorCounters;
  stash?: FrameStash | null;
  /** Written into the ring at attach, so the host can tell swap-chains and devices apart. */
  epochs?: { assignment: number; device: number };
  /**
   * Consulted for an acquire failure other than E_PENDING, with the time of the first failure of
   * this run of failures: a delay >= 0 retries after that many ms (a transient issue of the
   * driver's own), -1 leaves the loop. Default: leave (seed 000).
   */
  onAcquireError?: ((hr: number, sinceMs: number) => number) | null;
  /** A frame was acquired (ends a run of transient failures). */
  onFrameAcquired?: (() => void) | null;
  /** A frame reached the ring (or was drained with no ring attached): frames flow. */
  onFrameDelivered?: ((nowMs: number) => void) | null;
  /** True once the driver reported its critical error: nothing more may reach the OS or the ring. */
  driverStopped?: (() => boolean) | null;
  /**
   * True once the host stopped the driver (the shared terminate word): the driver is going away,
   * not the swap-chain failing, so the loop leaves it for the OS to take back (its unassign)
   * rather than deleting it, which would have the OS assign another just to see it abandoned.
   */
  hostStopped?: (() => boolean) | null;
  /** Gives the device back; called after swapChain.delete() (or once the loop left the swap-chain to the OS), never before. */
  releaseDevice?: ((device: RenderDevice, exit: ProcessorExit) => void) | null;
  tuning?: Partial<ProcessorTuning>;
}

export type ProcessorState = 'created' | 'binding' | 'draining' | 'exited';

export class SwapChainProcessor {
  readonly swapChain: SwapChain;
  readonly device: RenderDevice;
  readonly counters: ProcessorCounters;
  private readonly clock: Clock;
  private readonly terminate: TerminateFlag;
  private readonly stash: FrameStash | null;
  private readonly ring: RingAttachment;
  private readonly onAcquireError: ((hr: number, sinceMs: number) => number) | null;
  private readonly onFrameAcquired: (() => void) | null;
  private readonly driverStopped: () => boolean;
  private readonly hostStopped: () => boolean;
  /** The first failed call since the last success (NaN: none). */
  private failingSince = Number.NaN;
  private readonly releaseDevice: ((device: RenderDevice, exit: ProcessorExit) => void) | null;
  private readonly tuning: ProcessorTuning;
  /** Preallocated wait sets: the hot path allocates no arrays. */
  private readonly pendingWaitSet: readonly Signal[];
  private readonly wakeOnly: readonly Signal[];
  /** The idle wait's set: pendingWaitSet + the attached ring's staleSignal (rebuilt per attach, not per pass). */
  private idleWaitSet: readonly Signal[];
  /** Display-clock time of the last acquired frame (or of the attach): the idle backoff counts from it. */
  private lastActivityMs = 0;
  private running: Promise<ProcessorExit> | null = null;
  private frames = 0;
  private _state: ProcessorState = 'created';

  constructor(options: SwapChainProcessorOptions) {
    this.swapChain = options.swapChain;
    this.device = options.device;
    this.clock = options.clock;
    this.terminate = options.terminate;
    this.counters = options.counters ?? createProcessorCounters();
    this.stash = options.stash ?? null;
    this.onAcquireError = options.onAcquireError ?? null;
    this.onFrameAcquired = options.onFrameAcquired ?? null;
    this.driverStopped = options.driverStopped ?? (() => false);
    this.hostStopped = options.hostStopped ?? (() => false);
    this.releaseDevice = options.releaseDevice ?? null;
    this.tuning = validateTuning({ ...DEFAULT_PROCESSOR_TUNING, ...options.tuning });
    this.ring = new RingAttachment({
      ring: options.ring,
      swapChain: this.swapChain,
      clock: this.clock,
      counters: this.counters,
      stash: this.stash,
      epochs: options.epochs ?? { assignment: 0, device: 0 },
      attachEveryPasses: this.tuning.attachEveryPasses,
      onFrameDelivered: options.onFrameDelivered ?? null,
    });
    this.pendingWaitSet = [this.swapChain.surfaceAvailable, this.terminate.wake];
    this.wakeOnly = [this.terminate.wake];
    this.idleWaitSet = this.pendingWaitSet;
  }

  get state(): ProcessorState {
    return this._state;
  }

  /** True while a ring is attached. */
  get attached(): boolean {
    return this.ring.attached;
  }

  /** Runs the processor (once; later calls return the same promise). Never rejects. */
  run(): Promise<ProcessorExit> {
    if (this.running === null) this.running = this.runOnce();
    return this.running;
  }

  /** Sets terminate and wakes the worker; resolves when run() has exited and cleaned up. */
  requestStop(): void {
    this.terminate.request(this.clock.now());
  }

  /** stop = terminate + wake + join. */
  stop(): Promise<ProcessorExit> {
    this.requestStop();
    return this.run();
  }

  private async runOnce(): Promise<ProcessorExit> {
    this.counters.processorsStarted++;
    this.stash?.beginSwapChain();
    let exit: ProcessorExit;
    try {
      exit = await this.bindAndDrain();
    } catch (error) {
      exit = this.exitWith('exception', E_FAIL);
      exit.error = error;
    }
    this._state = 'exited';
    // After the critical error the driver's process is gone as far as the OS and the host can see:
    // no farewell into the ring (it would overwrite the terminal error's Dead), no delete.
    const stopped = this.driverStopped();
    if (!stopped) this.ring.letGo(exit.reason !== 'terminated');
    // Seed: delete the swap-chain BEFORE the device goes: the swap-chain references our device.
    // Deleting also tells the OS to assign a new swap-chain (the IddSample's "kick the system").
    try {
      if (!stopped && !(exit.reason === 'terminated' && this.hostStopped())) this.swapChain.delete();
    } finally {
      // Give back what we borrowed: the device goes back to its pool (or is destroyed) only now.
      this.releaseDevice?.(this.device, exit);
      this.counters.processorsExited++;
    }
    return exit;
  }

  private async bindAndDrain(): Promise<ProcessorExit> {
    this._state = 'binding';
    const bound = await this.bindDevice();
    if (bound !== S_OK) {
      return bound === TERMINATED ? this.exitWith('terminated', S_OK) : this.exitWith('bind-failed', bound);
    }
    this._state = 'draining';
    return this.drain();
  }

  /**
   * IddCxSwapChainSetDevice, once per swap-chain. Returns S_OK, TERMINATED, or the last failure.
   *
   * Seed: SetDevice fails with DXGI_ERROR_ACCESS_LOST while the monitor briefly flaps inactive during
   * topology activation (the OS unassigns and re-assigns, and a fresh processor can lose the race to
   * the unassign). Retry briefly so a stable re-assign binds instead of giving up on the first
   * transient failure; terminate (set when the OS unassigns) breaks out promptly. The device is
   * borrowed across all attempts, never re-acquired per attempt (the seed's leak: a reference per
   * failed attempt pinned the device forever).
   */
  private async bindDevice(): Promise<number> {
    const t = this.tuning;
    let last = S_OK;
    for (let attempt = 0; attempt < t.setDeviceAttempts; attempt++) {
      if (this.terminate.requested) return TERMINATED;
      this.counters.setDeviceAttempts++;
      last = this.swapChain.setDevice(this.device);
      if (succeeded(last)) {
        this.failingSince = Number.NaN;
        return S_OK;
      }
      this.counters.setDeviceFailures++;
      if (Number.isNaN(this.failingSince)) this.failingSince = this.clock.now();
      // A removed device will never bind: stop now (a DirectX failure, decided by the caller).
      if (this.device.removedReason() !== S_OK) {
        this.counters.bindDeviceLost++;
        return last >>> 0 === S_OK ? E_FAIL : last;
      }
      // The wake cuts the 50 ms gap short, so a stop during a flap is seen at once.
      if (attempt + 1 < t.setDeviceAttempts) await waitAny(this.wakeOnly, t.setDeviceRetryMs, this.clock);
    }
    if (this.terminate.requested) return TERMINATED;
    // Give up cleanly: the caller deletes the swap-chain and the OS assigns a new one.
    this.counters.bindGiveUps++;
    return last === S_OK ? E_FAIL : last;
  }

  /** The drain loop. The most performance-critical code in vdpush: no allocation, no throw. */
  private async drain(): Promise<ProcessorExit> {
    const sc = this.swapChain;
    const c = this.counters;
    const t = this.tuning;
    let burst = 0;
    for (;;) {
      // Seed: check terminate at the TOP of every pass. The success branch does not re-check it, so
      // during a continuous burst a processor the OS unassigns would never see the flag and would
      // loop on, pinning its device (the seed's reconnect leak), and a join would block until the
      // burst ends.
      if (this.terminate.requested) return this.exitWith('terminated', S_OK);

      // Seed: a retired ring is dropped, and a ring attached lazily, at the loop TOP
      // (ring-attachment.ts), so it keeps trying while the display is idle (E_PENDING).
      const attachedNow = this.ring.maintain();
      if (attachedNow !== null) {
        // A new ring: the first passes after it are the seed's (a host that just opened may be waiting).
        this.lastActivityMs = this.clock.now();
        this.idleWaitSet = attachedNow.staleSignal !== undefined ? [sc.surfaceAvailable, this.terminate.wake, attachedNow.staleSignal] : this.pendingWaitSet;
      }

      const hr = sc.acquire();
      if (hr >>> 0 === E_PENDING) {
        // The swap-chain is fine; nothing new composed yet. Wait at most 16 ms on surface-available
        // (or the wake), then re-check terminate and retry. Unlike WaitForSingleObject this wait
        // cannot fail, so the seed's "wait cancelled → leave" branch has no counterpart.
        c.pendingWaits++;
        burst = 0;
        // vdpush: once idle for idleAfterMs with a ring attached, wait longer (see ProcessorTuning).
        // Detached, the seed's 16 ms passes go on: they pace the lazy attach. The idle wait's
        // timeout only bounds how late an unsignalled change is seen, so it may share a wake-up
        // with the thread's other idle timers (coalesced-timer.ts).
        if (this.ring.attached && this.clock.now() - this.lastActivityMs >= t.idleAfterMs) {
          c.idleWaits++;
          await waitAny(this.idleWaitSet, t.idleWaitMs, this.clock, true);
        } else {
          await waitAny(this.pendingWaitSet, t.pendingWaitMs, this.clock);
        }
        if (this.terminate.requested) return this.exitWith('terminated', S_OK);
        continue;
      }
      if (succeeded(hr)) {
        c.acquired++;
        this.lastActivityMs = this.clock.now();
        this.frames++;
        if (!Number.isNaN(this.failingSince)) this.failingSince = Number.NaN;
        this.onFrameAcquired?.();
        // Publish BEFORE finish: the surface is valid only until finish() / the next acquire.
        this.ring.publish(sc.frame);
        const fhr = sc.finish();
        if (!succeeded(fhr)) {
          c.finishFailures++;
          return this.exitWith('finish-failed', fhr);
        }
        c.finished++;
        // A burst that never waits would never let the worker's event loop turn (the host's
        // postMessages, X events); yield one macrotask now and then. Terminate is still checked
        // at the top of every pass, yield or not.
        if (t.burstYieldFrames > 0 && ++burst >= t.burstYieldFrames) {
          burst = 0;
          await this.clock.sleep(0);
        }
        continue;
      }
      // Any other result: the swap-chain or its device failed (ACCESS_LOST: the OS took it; a
      // device-loss code: the device is gone). Only a transient failure of our own is retried here,
      // after the delay the policy's backoff gives.
      if (Number.isNaN(this.failingSince)) this.failingSince = this.clock.now();
      const retryMs = this.onAcquireError === null ? -1 : this.onAcquireError(hr, this.failingSince);
      if (retryMs >= 0) {
        c.transientRetries++;
        burst = 0;
        await waitAny(this.wakeOnly, retryMs, this.clock);
        continue;
      }
      return this.exitWith('acquire-failed', hr);
    }
  }

  private exitWith(reason: ProcessorExitReason, hr: number): ProcessorExit {
    const atMs = this.clock.now();
    let latency: number | null = null;
    if (reason === 'terminated') {
      const requestedAt = this.terminate.requestedAtMs;
      if (!Number.isNaN(requestedAt)) {
        latency = Math.max(0, atMs - requestedAt);
        const term = this.counters.terminate;
        term.measured++;
        term.lastLatencyMs = latency;
        if (latency > term.maxLatencyMs) term.maxLatencyMs = latency;
      }
    }
    return { reason, hr: hr >>> 0, atMs, frames: this.frames, terminateLatencyMs: latency, firstFailureAtMs: reason === 'terminated' ? Number.NaN : Number.isNaN(this.failingSince) ? atMs : this.failingSince };
  }
}

/** bindDevice's "terminate was requested" result; not an HRESULT any DDI returns. */
const TERMINATED = -1;
