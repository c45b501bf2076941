/**
 * The X server behind the Xvfb backend: either an Xvfb vdpush starts (and always stops: stop(),
 * Ctrl-C, SIGTERM, a crash of its own — see exit-guard.ts) or an existing display it attaches to.
 *
 * A started Xvfb gets a free display number from Xvfb itself (`-displayfd`, which probes the lock
 * files and sockets race-free), its framebuffer on a fresh memory-backed dir (`-fbdir`, made by
 * framebuffer-dir.ts: in a huge-page tmpfs when there is one, else /dev/shm), `-noreset` (else the screen resets when the last client leaves) and
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
 * An existing display vdpush attaches to is attached-server.ts's (re-exported here); the names of
 * displays and screens are display-name.ts's, who serves a display display-owner.ts's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendError, InvalidArgumentError, MissingDependencyError } from '../../contract/errors.js';
import { lockPath, MAX_XVFB_SCREENS, socketPath } from './display-name.js';
import { listeningSocketInodes, pidAlive } from './display-owner.js';
import { guardExit } from './exit-guard.js';
import { makeFramebufferDir } from './framebuffer-dir.js';
import { describeServerProgress } from './server-progress.js';
import { sweepStaleXvfb, writeOwner } from './stale-sweep.js';
import type { XvfbScreenSpec, XvfbServer } from './xvfb-server-types.js';

export type { XvfbScreenSpec, XvfbServer } from './xvfb-server-types.js';
export { MAX_XVFB_SCREENS, parseDisplayNumber, screenDisplay, screenIndexOf } from './display-name.js';
export { attachXvfb } from './attached-server.js';

export const XVFB_BINARY = 'Xvfb';
/** The Debian package that provides Xvfb (and its DAMAGE, RANDR and XFIXES extensions). */
export const XVFB_PACKAGE = 'xvfb';
/**
 * How long a live Xvfb may take to report its display number (a dead one ends the wait at once).
 * Only a server that lives and never reports meets it. Measured here: 0.1-0.4 s on a quiet
 * machine, at most 2.7 s with 8 starts at once on a machine at load 9, 1.4 s beside two full test
 * suites (load 13-15); one CI run saw two starts pass 10 s (not reproduced), so the bound is 30 s
 * and its error says what the server was doing (server-progress.ts).
 */
const START_TIMEOUT_MS = 30_000;
/**
 * Starts whose socket file vanished right after the server made it (see startXvfb) before the
 * start gives up: each one is a server that died on that number within the same instant.
 */
const SOCKET_ATTEMPTS = 3;
const STOP_GRACE_MS = 2_000;
const STDERR_TAIL_BYTES = 4096;

export interface StartOptions {
  /**
   * Register the backend's exit guard (exit-guard.ts; default true). A caller on the main thread
   * whose own guard already covers the server (the session's resource-guard.ts) passes false: two
   * signal handlers would each see the other and neither re-raise the signal, so the process would
   * not die of it.
   */
  exitGuard?: boolean;
  /**
   * The folder to make the framebuffer's folder in (checked: framebuffer-dir.ts); absent:
   * $VDPUSH_FBDIR, else a huge-page tmpfs when there is one, else /dev/shm.
   */
  fbDir?: string;
  /** How `fbDir` was given, for its error messages (default "fbDir"). */
  fbDirOrigin?: string;
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

class StartedXvfb implements XvfbServer {
  readonly owned = true;
  readonly display: string;
  readonly framebufferPath: string;
  private stopping = false;
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private unexpected: ((code: number | null, signal: string | null) => void) | null = null;
  private releaseGuard: () => void;
  /** The inode of the socket file this server made (null if it made none we could see). */
  private readonly socketIno: number | null;

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
    this.socketIno = inodeOf(socketPath(displayNumber));
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
    removeStaleDisplayFiles(this.displayNumber, this.pid, this.socketIno);
    rmSync(this.fbDir, { recursive: true, force: true });
    this.releaseGuard();
  }
}

function inodeOf(path: string): number | null {
  try {
    return lstatSync(path).ino;
  } catch {
    return null;
  }
}

/**
 * An Xvfb killed by SIGKILL leaves its socket file (and, when started with an explicit display
 * number, its lock file) behind. Once our server is dead, remove the lock only when it names our
 * pid, and the socket only when the path still has the inode our server made and nothing listens
 * on it. Never another server's: one that exited on SIGTERM removed its own socket, and another
 * Xvfb may have bound a new socket file at the same path before it listens (display-resources.ts).
 */
export function removeStaleDisplayFiles(n: number, pid: number, socketIno: number | null): void {
  if (pidAlive(pid)) return;
  try {
    const owner = Number.parseInt(readFileSync(lockPath(n), 'latin1').trim(), 10);
    if (owner === pid) unlinkSync(lockPath(n));
  } catch {
    /* no lock file */
  }
  if (socketIno !== null && inodeOf(socketPath(n)) === socketIno && listeningSocketInodes(n).size === 0) {
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
 *
 * A started server whose socket file is gone by the time it reports is stopped and started again:
 * an Xvfb exiting on that number closes its abstract socket (which frees the number: -displayfd
 * takes it at once) before it unlinks /tmp/.X11-unix/XN by name, so when it is slow between the
 * two it deletes the new server's file. libxcb clients still reach that server (abstract socket
 * first), vdpush's own cannot: node-x11 connects by path, falls back to TCP, and is refused
 * (ECONNREFUSED 127.0.0.1:600N). Node 20 cannot reach an abstract socket itself (it pads the name).
 */
export async function startXvfb(
  specOrScreens: XvfbScreenSpec | readonly XvfbScreenSpec[],
  displayNumber?: number,
  options: StartOptions = {},
): Promise<XvfbServer> {
  const specs: readonly XvfbScreenSpec[] = Array.isArray(specOrScreens) ? specOrScreens : [specOrScreens as XvfbScreenSpec];
  if (specs.length < 1 || specs.length > MAX_XVFB_SCREENS) throw new InvalidArgumentError(`Xvfb with ${specs.length} screens: 1..${MAX_XVFB_SCREENS} screens`);
  for (const spec of specs) validateSpec(spec);
  for (let attempt = 1; ; attempt++) {
    const server = await launchXvfb(specs, displayNumber, options);
    if (inodeOf(socketPath(server.displayNumber)) !== null) return server;
    await server.stop();
    if (attempt === SOCKET_ATTEMPTS) {
      throw new BackendError(
        `could not start Xvfb: ${SOCKET_ATTEMPTS} times its socket ${socketPath(server.displayNumber)} was removed as soon as it was made ` +
          `(a server dying on that display number removes the file by name), so no client of vdpush could reach it`,
      );
    }
  }
}

/** One Xvfb started and waited for (its display number on -displayfd, its framebuffer files). */
async function launchXvfb(specs: readonly XvfbScreenSpec[], displayNumber: number | undefined, options: StartOptions): Promise<StartedXvfb> {
  // Whatever a vdpush that died hard left behind goes first (stale-sweep.ts); ours is marked as ours.
  const chosen = options.fbDir !== undefined ? { dir: options.fbDir, origin: options.fbDirOrigin ?? 'fbDir' } : undefined;
  const fbDir = makeFramebufferDir(specs, chosen, (base) => sweepStaleXvfb([base, '/dev/shm', tmpdir()])).dir;
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
    // Its own process group: a terminal's Ctrl-C (SIGINT to the foreground group) must reach only
    // vdpush, which stops the driver and then this server; killed by the signal itself, the server
    // died under a running driver (a device-removed recovery in the summary of a clean stop). A
    // vdpush killed outright is still cleaned up after: the exit guard and the watchdog kill it by pid.
    child = spawn(XVFB_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], detached: true });
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
    const timer = setTimeout(() => {
      reject(new Error(`no display number within ${START_TIMEOUT_MS} ms (${child.pid === undefined ? 'not running' : describeServerProgress(child.pid)})`));
    }, START_TIMEOUT_MS);
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

