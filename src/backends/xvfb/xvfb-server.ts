/**
 * The X server behind the Xvfb backend: either an Xvfb vdpush starts (and always stops: stop(),
 * Ctrl-C, SIGTERM, a crash of its own — see exit-guard.ts) or an existing display it attaches to.
 *
 * A started Xvfb gets a free display number from Xvfb itself (`-displayfd`, which probes the lock
 * files and sockets race-free), its framebuffer on a fresh memory-backed dir (`-fbdir`, under
 * /dev/shm), `-noreset` (else the screen resets when the last client leaves) and
 * `-extension SECURITY` (else XFIXES cannot read the cursor image). A restart after a crash asks
 * for the same display number first, so clients that remember $DISPLAY find it again.
 *
 * Several screens (issue 12): `startXvfb([spec0, spec1, ...])` starts ONE server with a `-screen S`
 * per spec; -fbdir then holds one `Xvfb_screenS` per screen, each screen has its own root window,
 * DAMAGE and RandR state, and a client addresses screen S as ":N.S" (screenDisplay()). Why one
 * server and not one per monitor: the monitors are one adapter's, and one server is one pointer
 * and one keyboard moving across its screens, one clipboard, one process to watch and stop; a
 * server per monitor would be N unrelated desktops. The price: screens cannot be added to a
 * running server, so a monitor plugged later needs a free screen (see src/host/shared-xvfb.ts).
 *
 * An attached display must be an Xvfb started with `-fbdir`: the owner is found from the display's
 * lock file (/tmp/.X<N>-lock), or, as an Xvfb started with -displayfd writes none, from the process
 * holding the display's listening socket; its -fbdir comes from /proc/<pid>/cmdline. vdpush never stops an
 * attached server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BackendError, InvalidArgumentError, MissingDependencyError } from '../../contract/errors.js';
import { guardExit } from './exit-guard.js';
import { sweepStaleXvfb, writeOwner } from './stale-sweep.js';

export const XVFB_BINARY = 'Xvfb';
/** The Debian package that provides Xvfb (and its DAMAGE, RANDR and XFIXES extensions). */
export const XVFB_PACKAGE = 'xvfb';
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 2_000;
const STDERR_TAIL_BYTES = 4096;

export interface XvfbScreenSpec {
  width: number;
  height: number;
  depth: 24 | 30;
}

export interface XvfbServer {
  /** ":N" */
  readonly display: string;
  readonly displayNumber: number;
  /** The live framebuffer file (XWD) of screen 0, DIR/Xvfb_screen0. */
  readonly framebufferPath: string;
  /** How many screens the server has (1 unless started with several). */
  readonly screens: number;
  /** The framebuffer file of screen `s`, DIR/Xvfb_screenS. */
  framebufferPathOf(s: number): string;
  /** The server's pid (ours or the attached one's owner). */
  readonly pid: number;
  /** True when vdpush started this server (and so may restart and must stop it). */
  readonly owned: boolean;
  /** True while the process runs (for an attached server: while its pid exists). */
  alive(): boolean;
  /** Calls `fn` once when a vdpush-started server exits without stop() having been called. */
  onUnexpectedExit(fn: (code: number | null, signal: string | null) => void): void;
  /** Stops a started server (SIGTERM, then SIGKILL) and removes its temp dir; no-op when attached. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Register the backend's exit guard (exit-guard.ts; default true). A caller on the main thread
   * whose own guard already covers the server (the session's resource-guard.ts) passes false: two
   * signal handlers would each see the other and neither re-raise the signal, so the process would
   * not die of it.
   */
  exitGuard?: boolean;
}

/** The most screens one Xvfb is started with (Xvfb's own limit, MAXSCREENS, is 16). */
export const MAX_XVFB_SCREENS = 16;

/** ":N.S", the X display string of screen `screen` of display ":N" (":N" itself for screen 0). */
export function screenDisplay(display: string, screen: number): string {
  const n = parseDisplayNumber(display);
  return screen === 0 ? `:${n}` : `:${n}.${screen}`;
}

/** The screen a display string names (":N.S" → S, ":N" → 0). */
export function screenIndexOf(display: string): number {
  const m = /\.(\d+)$/.exec(display.trim());
  return m ? Number.parseInt(m[1]!, 10) : 0;
}

function validateSpec(spec: XvfbScreenSpec): void {
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 16 && n <= 16384;
  if (!ok(spec.width) || !ok(spec.height)) {
    throw new InvalidArgumentError(`Xvfb screen ${spec.width}x${spec.height}: width and height must be integers in 16..16384`);
  }
  if (spec.depth !== 24 && spec.depth !== 30) {
    throw new InvalidArgumentError(`Xvfb depth ${String(spec.depth)}: must be 24 or 30`);
  }
}

/** A memory-backed directory for the framebuffer file: /dev/shm when writable, else the OS temp dir. */
function makeFbDir(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  try {
    return mkdtempSync(join(base, 'vdpush-xvfb-'));
  } catch {
    return mkdtempSync(join(tmpdir(), 'vdpush-xvfb-'));
  }
}

function lockPath(n: number): string {
  return `/tmp/.X${n}-lock`;
}

function socketPath(n: number): string {
  return `/tmp/.X11-unix/X${n}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

class StartedXvfb implements XvfbServer {
  readonly owned = true;
  readonly display: string;
  readonly framebufferPath: string;
  private stopping = false;
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private unexpected: ((code: number | null, signal: string | null) => void) | null = null;
  private releaseGuard: () => void;

  constructor(
    child: ChildProcess,
    readonly pid: number,
    readonly displayNumber: number,
    private readonly fbDir: string,
    readonly screens: number,
    exitGuard: boolean,
  ) {
    this.display = `:${displayNumber}`;
    this.framebufferPath = join(fbDir, 'Xvfb_screen0');
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        resolve();
        if (!this.stopping && this.unexpected) this.unexpected(code, signal);
      });
    });
    // If this process dies first, the server and its dir must not outlive it.
    this.releaseGuard = !exitGuard ? () => undefined : guardExit(() => {
      if (!this.exited) {
        try {
          process.kill(this.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
      rmSync(this.fbDir, { recursive: true, force: true });
    });
  }

  alive(): boolean {
    return !this.exited;
  }

  framebufferPathOf(s: number): string {
    return join(this.fbDir, `Xvfb_screen${s}`);
  }

  onUnexpectedExit(fn: (code: number | null, signal: string | null) => void): void {
    this.unexpected = fn;
  }

  async stop(): Promise<void> {
    if (this.stopping) return this.exitPromise.then(() => undefined);
    this.stopping = true;
    if (!this.exited) {
      try {
        process.kill(this.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(this.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, STOP_GRACE_MS);
      await this.exitPromise;
      clearTimeout(timer);
    }
    removeStaleDisplayFiles(this.displayNumber, this.pid);
    rmSync(this.fbDir, { recursive: true, force: true });
    this.releaseGuard();
  }
}

/**
 * An Xvfb killed by SIGKILL leaves its socket file (and, when started with an explicit display
 * number, its lock file) behind. Once our server is dead, remove the lock only when it names our
 * pid, and the socket only when nothing listens on it, never another server's.
 */
function removeStaleDisplayFiles(n: number, pid: number): void {
  if (pidAlive(pid)) return;
  try {
    const owner = Number.parseInt(readFileSync(lockPath(n), 'latin1').trim(), 10);
    if (owner === pid) unlinkSync(lockPath(n));
  } catch {
    /* no lock file */
  }
  if (existsSync(socketPath(n)) && listeningSocketInodes(n).size === 0) {
    try {
      unlinkSync(socketPath(n));
    } catch {
      /* already gone */
    }
  }
}

/**
 * Starts Xvfb with one screen per spec (one spec: one screen). With `displayNumber`, asks for
 * exactly that display (a restart); otherwise lets Xvfb pick the first free one through -displayfd.
 */
export async function startXvfb(
  specOrScreens: XvfbScreenSpec | readonly XvfbScreenSpec[],
  displayNumber?: number,
  options: StartOptions = {},
): Promise<XvfbServer> {
  const specs: readonly XvfbScreenSpec[] = Array.isArray(specOrScreens) ? specOrScreens : [specOrScreens as XvfbScreenSpec];
  if (specs.length < 1 || specs.length > MAX_XVFB_SCREENS) throw new InvalidArgumentError(`Xvfb with ${specs.length} screens: 1..${MAX_XVFB_SCREENS} screens`);
  for (const spec of specs) validateSpec(spec);
  // Whatever a vdpush that died hard left behind goes first (stale-sweep.ts); ours is marked as ours.
  sweepStaleXvfb();
  const fbDir = makeFbDir();
  writeOwner(fbDir);
  const args: string[] = [];
  if (displayNumber !== undefined) args.push(`:${displayNumber}`);
  args.push(
    '-displayfd', '3',
    '-fbdir', fbDir,
    '-noreset',
    '-extension', 'SECURITY',
    '-nolisten', 'tcp',
  );
  specs.forEach((spec, i) => args.push('-screen', String(i), `${spec.width}x${spec.height}x${spec.depth}`));
  let child: ChildProcess;
  try {
    child = spawn(XVFB_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  } catch (e) {
    rmSync(fbDir, { recursive: true, force: true });
    throw e;
  }
  let stderr = '';
  child.stderr!.setEncoding('latin1');
  child.stderr!.on('data', (s: string) => {
    stderr = (stderr + s).slice(-STDERR_TAIL_BYTES);
  });
  const fail = (why: string, cause?: unknown): never => {
    if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
    rmSync(fbDir, { recursive: true, force: true });
    const tail = stderr.trim().split('\n').slice(-5).join(' | ');
    throw new BackendError(`could not start Xvfb (${args.join(' ')}): ${why}${tail ? `; Xvfb said: ${tail}` : ''}`, { cause });
  };

  const number = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no display number within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const done = (): void => clearTimeout(timer);
    child.once('error', (e: NodeJS.ErrnoException) => {
      done();
      reject(e);
    });
    child.once('exit', (code, signal) => {
      done();
      reject(new Error(`Xvfb exited (code ${code}, signal ${signal}) before it was ready`));
    });
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.setEncoding('latin1');
    fd3.on('data', (s: string) => {
      text += s;
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        done();
        resolve(Number.parseInt(text.slice(0, nl), 10));
      }
    });
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') {
      rmSync(fbDir, { recursive: true, force: true });
      throw new MissingDependencyError('the Xvfb binary', XVFB_PACKAGE, `"${XVFB_BINARY}" not found on PATH`);
    }
    return fail(e.message, e);
  });
  (child.stdio[3] as NodeJS.ReadableStream & { destroy(): void }).destroy();
  child.stderr!.removeAllListeners('data');
  child.stderr!.resume();
  if (!Number.isInteger(number) || number < 0) return fail(`bad display number from -displayfd`);
  for (let i = 0; i < specs.length; i++) {
    const fb = join(fbDir, `Xvfb_screen${i}`);
    if (!existsSync(fb)) return fail(`the framebuffer file ${fb} was not created`);
  }
  return new StartedXvfb(child, child.pid!, number, fbDir, specs.length, options.exitGuard ?? true);
}

/** Parses ":N" / ":N.S" / "unix:N" into the display number. */
export function parseDisplayNumber(display: string): number {
  const m = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(display.trim());
  if (!m) throw new InvalidArgumentError(`display "${display}": expected ":N" (a local X display)`);
  return Number.parseInt(m[1]!, 10);
}

function readCmdline(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter((s) => s.length > 0);
  } catch {
    return null;
  }
}

/**
 * Inodes of the listening unix sockets bound to display N's path (/proc/net/unix lists the
 * filesystem socket and its abstract twin "@/tmp/.X11-unix/XN").
 */
function listeningSocketInodes(n: number): Set<string> {
  const inodes = new Set<string>();
  try {
    const want = socketPath(n);
    for (const line of readFileSync('/proc/net/unix', 'latin1').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // Num RefCount Protocol Flags Type St Inode Path; flag 0x10000 = listening.
      if (f.length < 8) continue;
      const path = f[7]!.replace(/^@/, '');
      if (path === want && (Number.parseInt(f[3]!, 16) & 0x10000) !== 0) inodes.add(f[6]!);
    }
  } catch {
    /* no /proc */
  }
  return inodes;
}

/**
 * Finds the pid serving display N: the lock file's pid when there is one (Xvfb started with -displayfd
 * writes none), else the process holding display N's listening socket.
 */
function findServerPid(n: number): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath(n), 'latin1').trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) return pid;
  } catch {
    /* no lock file */
  }
  const inodes = listeningSocketInodes(n);
  if (inodes.size === 0) return null;
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    for (const fd of readdirSafe(`/proc/${entry}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(entry);
      } catch {
        /* fd closed meanwhile */
      }
    }
  }
  return null;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

class AttachedXvfb implements XvfbServer {
  readonly owned = false;
  readonly display: string;
  readonly framebufferPath: string;
  constructor(
    readonly displayNumber: number,
    readonly pid: number,
    private readonly fbDir: string,
    readonly screens: number,
  ) {
    this.display = `:${displayNumber}`;
    this.framebufferPath = this.framebufferPathOf(0);
  }
  framebufferPathOf(s: number): string {
    return join(this.fbDir, `Xvfb_screen${s}`);
  }
  alive(): boolean {
    return pidAlive(this.pid);
  }
  onUnexpectedExit(): void {
    // An attached server is not ours to watch or restart; the X connection's end reports its loss.
  }
  async stop(): Promise<void> {
    // Never stop a server vdpush did not start.
  }
}

/** Attaches to an existing Xvfb on `display` (":N"); it must have been started with -fbdir. */
export function attachXvfb(display: string): XvfbServer {
  const n = parseDisplayNumber(display);
  const pid = findServerPid(n);
  if (pid === null) {
    throw new BackendError(`display :${n} not found: no live server owns /tmp/.X${n}-lock (start one, or omit --display to let vdpush start Xvfb)`);
  }
  const argv = readCmdline(pid);
  if (!argv) throw new BackendError(`display :${n}: cannot read /proc/${pid}/cmdline to find its framebuffer directory`);
  const exe = basename(argv[0]!);
  if (exe !== 'Xvfb') {
    throw new BackendError(`display :${n} is served by "${exe}" (pid ${pid}), not Xvfb: vdpush reads Xvfb's -fbdir framebuffer file`);
  }
  const at = argv.indexOf('-fbdir');
  if (at < 0 || at + 1 >= argv.length) {
    throw new BackendError(
      `display :${n}: its Xvfb (pid ${pid}) was not started with -fbdir, so there is no framebuffer file to read. ` +
        `Restart it as "Xvfb :${n} -fbdir /dev/shm/<dir> -noreset -extension SECURITY ..." or omit --display to let vdpush start one`,
    );
  }
  const fbDir = argv[at + 1]!;
  const fb = join(fbDir, 'Xvfb_screen0');
  if (!existsSync(fb)) throw new BackendError(`display :${n}: Xvfb (pid ${pid}) has -fbdir ${argv[at + 1]} but ${fb} does not exist`);
  let screens = 1;
  while (screens < MAX_XVFB_SCREENS && existsSync(join(fbDir, `Xvfb_screen${screens}`))) screens++;
  return new AttachedXvfb(n, pid, fbDir, screens);
}
