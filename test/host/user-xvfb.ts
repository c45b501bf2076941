/**
 * A "user's" Xvfb for attach-mode tests, started by the test itself (not by vdpush) on a display
 * number well above the ones Xvfb's -displayfd hands out (it probes from 0 up). A test that kills
 * the display and waits for vdpush to notice must own its number: on a machine where others start
 * Xvfbs, a freed low number is taken within a second, and vdpush would reattach to that stranger.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from './process-probe.js';

export interface UserXvfb {
  display: string;
  number: number;
  pid: number;
  /** SIGKILLs the server (as a crash would), leaving its number free. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** A display number nobody uses now, from a range -displayfd never reaches in practice. */
export function freeHighDisplayNumber(): number {
  for (let i = 0; i < 500; i++) {
    const n = 500 + ((process.pid + i * 7) % 500);
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  }
  throw new Error('no free X display number in 500..999');
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

function lockOwner(n: number): number | null {
  try {
    return Number.parseInt(readFileSync(`/tmp/.X${n}-lock`, 'latin1').trim(), 10);
  } catch {
    return null;
  }
}

/** Starts Xvfb :n (with -fbdir, so vdpush can attach) at width x height x 24, and waits for its socket. */
export function startUserXvfb(width: number, height: number, n = freeHighDisplayNumber()): Promise<UserXvfb> {
  return startUserXvfbScreens([{ width, height }], n);
}

/** Starts Xvfb :n with one screen (":n.S") per entry, each at its size x 24, and waits until all are up. */
export async function startUserXvfbScreens(screens: ReadonlyArray<{ width: number; height: number }>, n = freeHighDisplayNumber()): Promise<UserXvfb> {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-user-xvfb-'));
  const screenArgs = screens.flatMap((sc, i) => ['-screen', String(i), `${sc.width}x${sc.height}x24`]);
  const child: ChildProcess = spawn('Xvfb', [`:${n}`, '-fbdir', dir, '-noreset', '-nolisten', 'tcp', ...screenArgs], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Up once its own lock names it (a crashed server on this number leaves a stale lock and socket),
  // its socket is there and its framebuffer files are written: Xvfb takes the lock first and creates
  // a file empty before it sizes it, and vdpush refuses to attach to a file without its header.
  const written = (): boolean => screens.every((sc, i) => fileSize(join(dir, `Xvfb_screen${i}`)) >= sc.width * sc.height * 4);
  const up = await waitUntil(() => child.exitCode === null && lockOwner(n) === child.pid && existsSync(`/tmp/.X11-unix/X${n}`) && written(), 10_000);
  if (!up) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Xvfb :${n} did not start`);
  }
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    rmSync(dir, { recursive: true, force: true });
    // What a SIGKILL leaves behind, so nothing of the test's server outlives it.
    if (lockOwner(n) === child.pid) {
      rmSync(`/tmp/.X${n}-lock`, { force: true });
      rmSync(`/tmp/.X11-unix/X${n}`, { force: true });
    }
  };
  return { display: `:${n}`, number: n, pid: child.pid!, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
