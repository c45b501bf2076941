/**
 * What an idle display costs: a real session (the monitor worker with the Xvfb display and the
 * processor, the host consuming with its 25 ms poll) on a screen nothing draws on, as % of one
 * core for this process and for the X server; and what one idle pass of each wake-up costs,
 * measured alone on this thread: the processor's 16 ms E_PENDING wait (the seed's) and the
 * host's 25 ms ring poll.
 */
import { openSession } from '../../src/host/session.js';
import { HostRing } from '../../src/ring/index.js';
import { LocalSignal, waitAny } from '../../src/display/signal.js';
import { RealClock } from '../../src/display/real-clock.js';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';
import { procCpuSeconds, selfCpuSeconds } from './proc-cpu.js';

const IDLE_SECONDS = 3;
const PASS_SECONDS = 1;
const WORKER_WAIT_MS = 16;
const HOST_POLL_MS = 25;

export interface IdleNumbers {
  seconds: number;
  /** The whole session (worker + host threads), % of one core. */
  vdpushCorePercent: number;
  xvfbCorePercent: number;
  /** CPU µs of one idle pass, measured alone: the processor's 16 ms wait, the host's 25 ms poll. */
  workerPassMicros: number;
  hostPollMicros: number;
  /** What those passes add up to at their rates, % of one core. */
  workerWaitCorePercent: number;
  hostPollCorePercent: number;
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
  const worker = await cpuPerPass(PASS_SECONDS, () => waitAny(signals, WORKER_WAIT_MS, clock));
  const ring = HostRing.create({ targetId: 1, width: 64, height: 64, format: FORMAT_BGRA8 });
  let host: { micros: number; passes: number };
  try {
    host = await cpuPerPass(PASS_SECONDS, () => ring.nextFrame({ timeoutMs: HOST_POLL_MS }));
  } finally {
    ring.close();
  }

  // The default configuration: cursor tracking on (its pointer poll included).
  const session = await openSession({ source: 'xvfb', mode: { width: 1920, height: 1080, refreshHz: 60 }, workload: 'none', verify: false, handleSignals: false });
  try {
    const drained = session.drain();
    await new Promise((r) => setTimeout(r, 800)); // the first (full) frame, the JIT
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
      workerWaitCorePercent: ((worker.micros / 1e6) * (1000 / WORKER_WAIT_MS)) * 100,
      hostPollCorePercent: ((host.micros / 1e6) * (1000 / HOST_POLL_MS)) * 100,
    };
    await session.close();
    await drained;
    return result;
  } finally {
    await session.close();
  }
}
