/**
 * What an idle display costs: a real session (the monitor worker with the Xvfb display and the
 * processor, the host consuming), `vdpush run` in its own process as a user runs it, on a screen
 * nothing draws on, as % of one core for that process and for the X server; and what one idle
 * wake-up of each costs, measured alone on this thread
 * (at a short period, for enough samples): the processor's E_PENDING wait and the host's wait
 * for a frame. Their share of a core is then taken at the rates they run at when idle: the
 * processor's idle wait (DEFAULT_PROCESSOR_TUNING.idleWaitMs, after idleAfterMs without a frame)
 * and the host's backstop wake (monitor-link.ts IDLE_WAKE_MS; every other wake is an event).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BackendError } from '../../src/contract/errors.js';
import { startXvfb } from '../../src/backends/xvfb/xvfb-server.js';
import { HostRing } from '../../src/ring/index.js';
import { LocalSignal, waitAny } from '../../src/display/signal.js';
import { RealClock } from '../../src/display/real-clock.js';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';
import { DEFAULT_PROCESSOR_TUNING } from '../../src/driver/processor-tuning.js';
import { procCpuSecondsPrecise, selfCpuSeconds } from './proc-cpu.js';

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
/** The idle `vdpush run` is told to last this much longer than the measurement needs, then stopped. */
const CHILD_SLACK_S = 30;
const STOP_GRACE_MS = 5_000;
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

  // The default configuration (cursor tracking on, its pointer poll included) in a process of its
  // own. Inside this one the figure carried the benchmark's own heap: after the ring and capture
  // phases V8 compacted heaps of theirs inside the idle window (0.89% and 1.12% of a core in two
  // `bench all` runs, against 0.40% and 0.50% for the same idle `vdpush run` alone).
  const x = await startXvfb({ width: 1920, height: 1080, depth: 24 });
  const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  const runFor = `${Math.ceil(SETTLE_MS / 1000 + IDLE_SECONDS + CHILD_SLACK_S)}s`;
  const child = spawn(process.execPath, [cli, 'run', '--source', 'xvfb', '--display', x.display, '--workload', 'none', '--duration', runFor], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  try {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const cpu0 = procCpuSecondsPrecise(child.pid!);
    const x0 = procCpuSecondsPrecise(x.pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const wall = (performance.now() - t0) / 1000;
    const cpu = procCpuSecondsPrecise(child.pid!) - cpu0;
    if (gone() || !Number.isFinite(cpu)) throw new BackendError(`the idle \`vdpush run\` exited before it was measured: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return {
      seconds: wall,
      vdpushCorePercent: (cpu / wall) * 100,
      xvfbCorePercent: ((procCpuSecondsPrecise(x.pid) - x0) / wall) * 100,
      workerPassMicros: worker.micros,
      hostPollMicros: host.micros,
      workerWaitCorePercent: ((worker.micros / 1e6) * (1000 / WORKER_IDLE_WAIT_MS)) * 100,
      hostPollCorePercent: ((host.micros / 1e6) * (1000 / HOST_IDLE_WAKE_MS)) * 100,
      workerIdleWaitMs: WORKER_IDLE_WAIT_MS,
      hostIdleWakeMs: HOST_IDLE_WAKE_MS,
    };
  } finally {
    if (!gone()) {
      child.kill('SIGINT');
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(kill);
    }
    await x.stop();
  }
}
