/**
 * Runs host-floor-main.ts in a process of its own (a fresh Node, as each served phase meets
 * serve early in its life) and returns what it measured: the host thread's CPU per frame for the
 * bare plumbing of one RFB update at the display's rate (a futex wake into Atomics.waitAsync, a
 * small socket write, the client's request read back), nothing taken, compared or encoded.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BackendError } from '../../src/contract/errors.js';

export interface HostFloor {
  /** The host thread's CPU per frame (ms). */
  msPerFrame: number;
  /** Times the host thread ran per frame (its wake-ups, and preemptions). */
  runsPerFrame: number;
}

export async function measureHostFloor(fps: number, warmupS: number, measureS: number): Promise<HostFloor> {
  const main = fileURLToPath(new URL('./host-floor-main.js', import.meta.url));
  const child = spawn(process.execPath, [main, '--fps', String(fps), '--warmup-s', String(warmupS), '--measure-s', String(measureS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-1000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), (warmupS + measureS + 20) * 1000);
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (c) => resolve(c));
    child.once('error', () => resolve(-1));
  });
  clearTimeout(timer);
  try {
    const r = JSON.parse(out.trim().split('\n').pop() ?? '') as HostFloor;
    if (code === 0 && Number.isFinite(r.msPerFrame)) return { msPerFrame: r.msPerFrame, runsPerFrame: r.runsPerFrame };
  } catch {
    // reported below
  }
  throw new BackendError(`the host-floor probe failed (exit ${code})${err ? `: ${err.trim().split('\n').slice(-2).join(' / ')}` : ''}`);
}
