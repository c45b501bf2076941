/**
 * A "user's" Xvfb for attach-mode tests, started by the test itself (not by vdpush) on a display
 * number well above the ones Xvfb's -displayfd hands out (it probes from 0 up). A test that kills
 * the display and waits for vdpush to notice must own its number: on a machine where others start
 * Xvfbs, a freed low number is taken within a second, and vdpush would reattach to that stranger.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from './process-probe.js';
import { parseXwdHeader, XWD_MAX_HEADER_BYTES } from '../../src/backends/xvfb/xwd-header.js';

export interface UserXvfb {
  display: string;
  number: number;
  pid: number;
  /** SIGKILLs the server (as a crash would), leaving its number free. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Display numbers some process is bound to now, through its socket file or its abstract twin. */
function boundDisplayNumbers(): Set<number> {
  const out = new Set<number>();
  try {
    for (const m of readFileSync('/proc/net/unix', 'latin1').matchAll(/ @?\/tmp\/\.X11-unix\/X(\d+)$/gm)) out.add(Number(m[1]));
  } catch {
    /* no /proc: the files alone decide */
  }
  return out;
}

/**
 * A display number nobody uses now, from a range -displayfd never reaches in practice; `after`
 * moves on from a number just lost. Free means no lock, no socket file and no socket bound to
 * its name: an exiting server removes its files before its abstract socket is gone, and an Xvfb
 * asked for a number whose abstract socket is held exits ("server already running").
 */
export function freeHighDisplayNumber(after = 0): number {
  const bound = boundDisplayNumbers();
  for (let i = after; i < after + 500; i++) {
    const n = 500 + ((process.pid + i * 7) % 500);
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`) && !bound.has(n)) return n;
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

/** The file's XWD header is whole: vdpush parses it (attach-probe.ts) before anything else. */
function headerWritten(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(XWD_MAX_HEADER_BYTES);
      const n = readSync(fd, head, 0, head.length, 0);
      parseXwdHeader(head.subarray(0, n), fstatSync(fd).size);
      return true;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
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
export function startUserXvfb(width: number, height: number, n?: number): Promise<UserXvfb> {
  return startUserXvfbScreens([{ width, height }], n);
}

/** How often a server that lost its free number to another process starts again on the next one. */
const NUMBER_ATTEMPTS = 5;

/**
 * Starts Xvfb :n with one screen (":n.S") per entry, each at its size x 24, and waits until all are
 * up. Without `n`, a number taken between the probe and the server's bind (someone else's Xvfb: the
 * server exits at once) costs one attempt, not the test.
 */
export async function startUserXvfbScreens(screens: ReadonlyArray<{ width: number; height: number }>, n?: number): Promise<UserXvfb> {
  for (let attempt = 0; ; attempt++) {
    const number = n ?? freeHighDisplayNumber(attempt);
    const started = await startOn(screens, number);
    if (typeof started !== 'string') return started;
    if (n !== undefined || attempt + 1 === NUMBER_ATTEMPTS) throw new Error(`Xvfb :${number} did not start: ${started}`);
  }
}

/** The server, or why it did not come up (it exited: its stderr's tail; or it never got ready). */
async function startOn(screens: ReadonlyArray<{ width: number; height: number }>, n: number): Promise<UserXvfb | string> {
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-user-xvfb-'));
  const screenArgs = screens.flatMap((sc, i) => ['-screen', String(i), `${sc.width}x${sc.height}x24`]);
  const child: ChildProcess = spawn('Xvfb', [`:${n}`, '-fbdir', dir, '-noreset', '-nolisten', 'tcp', ...screenArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('latin1');
  child.stderr!.on('data', (t: string) => (stderr = (stderr + t).slice(-2048)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Up once its own lock names it (a crashed server on this number leaves a stale lock and socket),
  // its socket is there and its framebuffer files are written: Xvfb takes the lock first and creates
  // a file empty before it sizes it, and vdpush refuses to attach to a file without its header.
  // Sized is not written: Xvfb sizes the file before it writes the XWD header into it, and a probe
  // in between read header_size 0 (display-event-order's "bad framebuffer header" flake).
  const written = (): boolean => screens.every((sc, i) => fileSize(join(dir, `Xvfb_screen${i}`)) >= sc.width * sc.height * 4 && headerWritten(join(dir, `Xvfb_screen${i}`)));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const up = await waitUntil(() => !running() || (lockOwner(n) === child.pid && existsSync(`/tmp/.X11-unix/X${n}`) && written()), 10_000);
  if (!up || !running()) {
    if (running()) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    return up ? `it exited: ${stderr.trim().split('\n').slice(-8).join(' | ')}` : 'not up within 10 s';
  }
  child.stderr!.removeAllListeners('data');
  child.stderr!.resume();
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (running()) child.kill(signal);
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
