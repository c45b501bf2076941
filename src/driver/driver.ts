/**
 * The driver facade: everything the host's monitor worker needs to run one monitor's driver side.
 *
 *   const driver = createDriver({ display, ring, targetId, terminate: TerminateFlag.shared(words, 0) });
 *   await driver.start();      // plugs the monitor in: the display starts assigning swap-chains
 *   ...                        // stats(), onRecoveryEvent(), onCriticalError()
 *   await driver.stop();       // display unassigns; processor terminated + joined; devices destroyed
 *
 * The driver knows the display only through src/display's interfaces and the ring only through
 * RingPort; the worker (src/host) is the one place that joins a backend and the ring to it.
 */
import { InvalidArgumentError } from '../contract/errors.js';
import type { AdapterKind, DisplaySystem } from '../display/types.js';
import type { CriticalCode } from './critical-codes.js';
import { FrameStash } from './frame-stash.js';
import { MonitorContext, type SwapChainCounts } from './monitor-context.js';
import { createProcessorCounters, type DropCounters, type ProcessorCounters } from './processor-counters.js';
import { RecoveryPolicy, type RecoveryPolicyOptions } from './recovery-policy.js';
import type { AdapterLadder } from './adapter-ladder.js';
import { RecoveryTimeline, type RecoveryEvent } from './recovery-timeline.js';
import type { RingPort } from './ring-port.js';
import type { ProcessorTuning } from './processor-tuning.js';
import type { TerminateFlag } from './terminate-signal.js';

export interface DriverOptions {
  display: DisplaySystem;
  ring: RingPort;
  /** The monitor this driver serves (the ring's TARGET_ID). */
  targetId: number;
  policy?: RecoveryPolicyOptions;
  tuning?: Partial<ProcessorTuning>;
  /** A stop the host thread can set directly (TerminateFlag.shared over its control buffer). */
  terminate?: TerminateFlag | null;
  /** Keep a FrameStash to republish into a fresh ring (default true). */
  stash?: boolean;
  /** Most recovery events kept (default 1000). */
  maxEvents?: number;
  /**
   * The adapter's ladder, shared with the other monitors' drivers (adapter-ladder.ts). Absent: this
   * monitor is the adapter's only one and the ladder is the policy's own.
   */
  ladder?: AdapterLadder;
}

export interface DriverStats {
  targetId: number;
  acquired: number;
  finished: number;
  published: number;
  republished: number;
  dropped: DropCounters;
  terminate: { maxLatencyMs: number; measured: number };
  devices: { created: number; destroyed: number; live: number };
  swapChains: SwapChainCounts;
  /** The render adapter of the last swap-chain offered, or null before the first. */
  adapter: { kind: AdapterKind; luid: number } | null;
  epochs: { assignment: number; device: number };
  recovery: { events: RecoveryEvent[]; overflow: number; criticalError: { major: number; minor: number } | null };
  /** Every processor counter (waits, attaches, SetDevice attempts...). */
  processor: ProcessorCounters;
}

export interface Driver {
  readonly targetId: number;
  readonly monitor: MonitorContext;
  readonly timeline: RecoveryTimeline;
  /** Plugs the monitor in. */
  start(): Promise<void>;
  /** Unplugs it: the display stops, the processor is joined, every device destroyed. Idempotent. */
  stop(): Promise<void>;
  stats(): DriverStats;
  onRecoveryEvent(listener: (e: RecoveryEvent) => void): () => void;
  onCriticalError(listener: (major: number, minor: number) => void): () => void;
  /** A permanent issue of the driver's own: reportCriticalError (critical-codes.ts PermanentOwn unless `code`). */
  reportPermanentFailure(failure: string, hr?: number, code?: CriticalCode): void;
}

/**
 * The ladder watcher re-arms at least this often (real ms); a change wakes it at once (every
 * stage move notifies the epoch word). Long, because each expiry is two wake-ups of an idle
 * worker (V8's delayed task for the timed waitAsync, then its resolution): at 1 s they were a
 * fifth of an idle Xvfb session's worker wake-ups (strace). Nothing awaits the watcher: after
 * stop() it ends at its next wake.
 */
const LADDER_WATCH_MS = 10_000;

export function createDriver(options: DriverOptions): Driver {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('createDriver needs an options object');
  const { display, ring, targetId } = options;
  if (display === undefined || display === null || typeof display.start !== 'function') {
    throw new InvalidArgumentError('createDriver: `display` must be a DisplaySystem');
  }
  if (ring === undefined || ring === null || typeof ring.open !== 'function') {
    throw new InvalidArgumentError('createDriver: `ring` must be a RingPort (an object with open())');
  }
  if (!Number.isInteger(targetId) || targetId < 0 || targetId > 0xffffffff) {
    throw new InvalidArgumentError(`createDriver: targetId must be a u32, got ${String(targetId)}`);
  }
  const timeline = new RecoveryTimeline(options.maxEvents);
  const policy = new RecoveryPolicy(options.policy ?? {}, timeline, options.ladder ? { ladder: options.ladder, targetId } : null);
  const criticalListeners = new Set<(major: number, minor: number) => void>();
  const counters = createProcessorCounters();
  const monitor = new MonitorContext({
    adapter: display.adapter,
    clock: display.clock,
    ring,
    policy,
    terminate: options.terminate ?? null,
    counters,
    stash: options.stash === false ? null : new FrameStash(),
    tuning: options.tuning ?? {},
    onCriticalError: (major, minor) => {
      for (const l of criticalListeners) l(major, minor);
    },
  });
  let started: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;
  /**
   * Another monitor's failure may move the adapter's stage while this one is idle (no frame to
   * notice it on): wait on the ladder's epoch, off the thread (waitAsync), until stopped.
   */
  const watchLadder = async (ladder: AdapterLadder): Promise<void> => {
    while (stopping === null) {
      const seen = ladder.epoch;
      monitor.syncAdapter();
      await ladder.waitForChange(seen, LADDER_WATCH_MS);
    }
  };

  return {
    targetId,
    monitor,
    timeline,
    start() {
      if (stopping !== null) return Promise.reject(new InvalidArgumentError('createDriver: start() after stop()'));
      if (started === null) {
        started = display.start(monitor);
        if (options.ladder) void watchLadder(options.ladder);
      }
      return started;
    },
    stop() {
      if (stopping === null) {
        stopping = (async () => {
          // The display unassigns first (and stops composing), so no new swap-chain follows our
          // processor's exit; then the monitor joins whatever still runs and destroys every device.
          try {
            if (started !== null) await started.catch(() => undefined);
            await display.stop();
          } finally {
            await monitor.stop();
          }
        })();
      }
      return stopping;
    },
    stats(): DriverStats {
      const pool = monitor.pool;
      const a = monitor.renderAdapter;
      return {
        targetId,
        acquired: counters.acquired,
        finished: counters.finished,
        published: counters.published,
        republished: counters.republished,
        dropped: { ...counters.dropped },
        terminate: { maxLatencyMs: counters.terminate.maxLatencyMs, measured: counters.terminate.measured },
        devices: { created: pool.created, destroyed: pool.destroyed, live: pool.live },
        swapChains: { ...monitor.swapChains },
        adapter: a === null ? null : { kind: a.kind, luid: a.luid },
        epochs: monitor.epochs,
        recovery: { events: timeline.snapshot(), overflow: timeline.overflow, criticalError: policy.criticalError },
        processor: structuredClone(counters),
      };
    },
    onRecoveryEvent(listener) {
      return timeline.onEvent(listener);
    },
    reportPermanentFailure(failure, hr, code) {
      monitor.reportPermanentFailure(failure, hr, code);
    },
    onCriticalError(listener) {
      criticalListeners.add(listener);
      return () => criticalListeners.delete(listener);
    },
  };
}
