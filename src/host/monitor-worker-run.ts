/**
 * How long a monitor's worker runs, and how it stops: for the run's duration on the display's
 * clock, until the host asks it to stop, or until a critical error (or the OS's bugcheck, or a
 * display that cannot go on) ends it.
 *
 * On the virtual clock the worker runs in slices of VIRTUAL_SLICE_MS and waits, after each, for the
 * host to acknowledge it (the lockstep that keeps the host's view and the monitors' clocks
 * together); on the real clock it only waits for one of the ends.
 */
import { sleepWhileEqual } from '../ring/index.js';
import type { Driver } from '../driver/index.js';
import type { DisplaySystem } from '../display/types.js';
import type { DisplayInput } from '../display/input.js';
import { setCoalescedTimeout } from '../display/coalesced-timer.js';
import type { SimDisplay, VirtualClock } from '../backends/sim/index.js';
import { CONTROL_ACK, CONTROL_SLICE, CONTROL_TERMINATE, CONTROL_VNOW, VIRTUAL_SLICE_MS, type MonitorConfig } from './worker-messages.js';
import type { DisplayEventLog, InjectedEventLog } from './injected-events.js';
import type { DisplayResources } from './display-resources.js';
import { fatalOf } from './monitor-worker-display.js';

/** The backup check for a critical error (its recovery event ends the run at once). */
const CRITICAL_POLL_MS = 1000;
/** A host that does not acknowledge for this long (real time) is not keeping lockstep; run on. */
const ACK_PATIENCE_MS = 2000;

/** A monitor's worker while it runs: its display, its driver and what the host asked of it. */
export interface Running {
  config: MonitorConfig;
  display: DisplaySystem;
  sim: SimDisplay | null;
  driver: Driver;
  control: Int32Array;
  stopRequested: boolean;
  wakeStop: () => void;
  resources: () => DisplayResources;
  input: DisplayInput | null;
  /** Input events that arrived while the display takes none. */
  inputDropped: number;
  /** Markers for the injected faults that leave no driver event (null until the display started). */
  injected: InjectedEventLog | null;
  /** The display's own events (the Xvfb workload died, was restarted). */
  displayEvents: DisplayEventLog | null;
}

function virtual(r: Running): boolean {
  return r.sim !== null && r.config.clock === 'virtual';
}

/**
 * Waits for the run's end: its duration on the display's clock, a stop, or a critical error.
 * `onSlice` runs after each virtual slice, before the host is told of it.
 */
export async function runFor(r: Running, onSlice: () => void): Promise<void> {
  const clock = r.display.clock;
  // The run also ends when the (simulated) OS bugchecked: the machine is down.
  const critical = (): boolean => {
    const s = r.display.stats();
    return s.criticalError !== null || (s.bugcheck ?? null) !== null || fatalOf(r.display) !== null;
  };
  if (virtual(r)) {
    const vclock = clock as VirtualClock;
    const end = r.config.durationMs > 0 ? r.config.durationMs : Number.POSITIVE_INFINITY;
    let slice = 0;
    while (!r.stopRequested && !critical() && vclock.now() < end) {
      await vclock.runFor(Math.min(VIRTUAL_SLICE_MS, end - vclock.now()));
      onSlice();
      slice++;
      Atomics.store(r.control, CONTROL_VNOW, Math.floor(vclock.now()));
      Atomics.store(r.control, CONTROL_SLICE, slice);
      Atomics.notify(r.control, CONTROL_SLICE);
      await waitForAck(r, slice);
    }
    return;
  }
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const cancelTimer = r.config.durationMs > 0 ? clock.setTimer(r.config.durationMs, finish) : () => undefined;
  // A critical error comes with its recovery event (see the driver's handler); this slow poll
  // only backs that up, so an idle display does not pay a 50 Hz stats() for it, and it shares
  // the processor's idle wake-up (coalesced-timer.ts).
  let cancelPoll = (): void => undefined;
  const poll = (): void => {
    if (critical()) return finish();
    cancelPoll = setCoalescedTimeout(poll, CRITICAL_POLL_MS);
  };
  cancelPoll = setCoalescedTimeout(poll, CRITICAL_POLL_MS);
  r.wakeStop = finish;
  if (r.stopRequested) finish();
  // The host's stop also arrives as the shared terminate word, which needs no message turn.
  // (A pending waitAsync does not keep the worker alive.)
  const w = Atomics.waitAsync(r.control, CONTROL_TERMINATE, 0);
  if (w.async) void w.value.then(finish);
  else finish();
  await ended;
  cancelTimer();
  cancelPoll();
}

/** Waits (yielding to the event loop) until the host acknowledged `slice`, or stops, or gives up. */
async function waitForAck(r: Running, slice: number): Promise<void> {
  const deadline = performance.now() + ACK_PATIENCE_MS;
  while (!r.stopRequested && Atomics.load(r.control, CONTROL_TERMINATE) === 0) {
    const acked = Atomics.load(r.control, CONTROL_ACK);
    if (acked >= slice) return;
    const left = deadline - performance.now();
    if (left <= 0) return;
    await sleepWhileEqual(r.control, CONTROL_ACK, acked, Math.min(left, 100));
  }
}

/** Runs `work` (the driver's start or stop) to its end; on the virtual clock, driving the clock meanwhile. */
export async function onDisplayClock(r: Running, work: Promise<void>): Promise<void> {
  if (virtual(r)) await (r.display.clock as VirtualClock).drive(work);
  else await work;
}
