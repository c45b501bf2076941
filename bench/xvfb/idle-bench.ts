/**
 * What an idle display costs: a real session (the monitor worker with the Xvfb display and the
 * processor, the host consuming) on a screen nothing draws on, as % of one core for this process
 * and for the X server; and what one idle wake-up of each costs, measured alone on this thread
 * (at a short period, for enough samples): the processor's E_PENDING wait and the host's wait
 * for a frame. Their share of a core is then taken at the rates they run at when idle: the
 * processor's idle wait (DEFAULT_PROCESSOR_TUNING.idleWaitMs, after idleAfterMs without a frame)
 * and the host's backstop wake (monitor-link.ts IDLE_WAKE_MS; every other wake is an event).
 */
import { openSession } from '../../src/host/session.js';
import { HostRing } from '../../src/ring/index.js';
import { LocalSignal, waitAny } from '../../src/display/signal.js';
import { RealClock } from '../../src/display/real-clock.js';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';
import { DEFAULT_PROCESSOR_TUNING } from '../../src/driver/processor-tuning.js';
import { procCpuSeconds, selfCpuSeconds } from './proc-cpu.js';

const IDLE_SECONDS = 10;
/**
 * How long the session sits idle before the measurement starts: the first (full) frame and the JIT,
 * then the backoffs reach their idle periods (the processor's wait after idleAfterMs, the cursor
 * poll after ~3.4 s: cursor-poll-backoff.ts), and V8's one-off work after a start is done (its
 * memory reducer compacts each isolate's heap two or three times ~8-9 s after the process goes
 * quiet, `--trace-gc`; the optimising compiler finishes the start's functions), so the figure is a
 * display left alone, not one just left. Measured per thread on a slow day (2026-12-01, memcpy
 * ~17 GB/s): the same idle session cost 1.1-1.4% of a core from 4 to 14 s after its start and
 * 0.42-0.48% from 12 to 22 s, the same code.
 */
const SETTLE_MS = 12_000;
const PASS_SECONDS = 1;
/** The sampling period of the alone measurements (a wake-up costs the same whatever its period). */
const SAMPLE_WAIT_MS = 16;
const WORKER_IDLE_WAIT_MS = DEFAULT_PROCESSOR_TUNING.idleWaitMs;
/** monitor-link.ts IDLE_WAKE_MS. */
const HOST_IDLE_WAKE_MS = 1000;

export interface IdleNumbers {
  seconds: number;
  /** The whole session (worker + host threads), % of one core. */
  vdpushCorePercent: number;
  xvfbCorePercent: number;
  /** CPU µs of one idle wake-up, measured alone: the processor's E_PENDING wait, the host's frame wait. */
  workerPassMicros: number;
  hostPollMicros: number;
  /** What those wake-ups add up to at their idle rates, % of one core. */
  workerWaitCorePercent: number;
  hostPollCorePercent: number;
  /** Those rates: the processor's idle wait and the host's backstop wake, ms between wake-ups. */
  workerIdleWaitMs: number;
  hostIdleWakeMs: number;
}

async function cpuPerPass(seconds: number, pass: () => Promise<unknown>): Promise<{ micros: number; passes: number }> {
  const c0 = selfCpuSeconds();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) {
    await pass();
    n++;
  }
  return { micros: ((selfCpuSeconds() - c0) / n) * 1e6, passes: n };
}

export async function measureIdle(): Promise<IdleNumbers> {
  // One idle pass of each, alone.
  const clock = new RealClock();
  const signals = [new LocalSignal(), new LocalSignal()];
  const worker = await cpuPerPass(PASS_SECONDS, () => waitAny(signals, SAMPLE_WAIT_MS, clock));
  const ring = HostRing.create({ targetId: 1, width: 64, height: 64, format: FORMAT_BGRA8 });
  let host: { micros: number; passes: number };
  try {
    host = await cpuPerPass(PASS_SECONDS, () => ring.nextFrame({ timeoutMs: SAMPLE_WAIT_MS, returnOnWake: true }));
  } finally {
    ring.close();
  }

  // The default configuration: cursor tracking on (its pointer poll included).
  const session = await openSession({ source: 'xvfb', mode: { width: 1920, height: 1080, refreshHz: 60 }, workload: 'none', verify: false, handleSignals: false });
  try {
    const drained = session.drain();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const serverPid = session.resources().pids[0] ?? 0;
    const cpu0 = selfCpuSeconds();
    const x0 = procCpuSeconds(serverPid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const wall = (performance.now() - t0) / 1000;
    const result: IdleNumbers = {
      seconds: wall,
      vdpushCorePercent: ((selfCpuSeconds() - cpu0) / wall) * 100,
      xvfbCorePercent: ((procCpuSeconds(serverPid) - x0) / wall) * 100,
      workerPassMicros: worker.micros,
      hostPollMicros: host.micros,
      workerWaitCorePercent: ((worker.micros / 1e6) * (1000 / WORKER_IDLE_WAIT_MS)) * 100,
      hostPollCorePercent: ((host.micros / 1e6) * (1000 / HOST_IDLE_WAKE_MS)) * 100,
      workerIdleWaitMs: WORKER_IDLE_WAIT_MS,
      hostIdleWakeMs: HOST_IDLE_WAKE_MS,
    };
    await session.close();
    await drained;
    return result;
  } finally {
    await session.close();
  }
}
