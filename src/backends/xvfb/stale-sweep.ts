/**
 * On start, removes what an earlier vdpush left behind when it died so hard that neither its
 * handlers nor its watchdog could clean up (or died before its watchdog learned of its Xvfb):
 * framebuffer folders vdpush-xvfb-* (in /dev/shm, the OS temp dir, or the base framebuffer-dir.ts
 * picked for this start, a huge-page tmpfs say) whose owner is dead, the
 * Xvfb still serving from such a folder, and that Xvfb's X socket and lock file.
 *
 * Ownership: a started Xvfb's folder holds OWNER_FILE, "PID STARTTIME" of the vdpush process
 * that made it (writeOwner). The owner is dead when no process has that pid with that start time
 * (so a reused pid does not keep a dead owner's folder). A folder without the file (one made by
 * an older vdpush) is stale only when it is older than UNOWNED_GRACE_MS and no process names it in
 * its command line, so a folder another vdpush is setting up this instant is never taken.
 * Everything here is best effort: a sweep never fails a start.
 *
 * The killed server's socket and lock are removed only once it is gone, and only while nobody
 * listens on that socket path and no other process's pid is in the lock: a display number is free
 * the moment its server dies (a -displayfd server takes no lock file; the abstract socket, gone
 * with its server, is its lock), and another Xvfb (this machine's other users start them all the
 * time, -displayfd counting up from 0) may already serve it, having replaced the socket file with
 * its own. Removing "the killed server's" socket then deleted the new server's, whose clients fell
 * back to TCP and were refused (the xvfb-lifecycle flake: ECONNREFUSED 127.0.0.1:6001).
 */
import { readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const OWNER_FILE = 'vdpush-owner';
export const FBDIR_PREFIX = 'vdpush-xvfb-';
const UNOWNED_GRACE_MS = 60_000;

/** "PID STARTTIME" of a running process, or null when it is gone (or a zombie). */
function identity(pid: number): string | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return rest[0] === 'Z' ? null : `${pid} ${rest[19]}`;
  } catch {
    return null;
  }
}

/**
 * Marks `dir` as this process's. The file appears whole (written aside, then renamed into place):
 * another start's sweep that read it between a plain write's open and its write saw it empty, took
 * the owner for dead and killed the Xvfb just started from the folder (a flake under load).
 */
export function writeOwner(dir: string): void {
  const me = identity(process.pid);
  if (me === null) return;
  const aside = join(dir, `.${OWNER_FILE}.${process.pid}`);
  writeFileSync(aside, me + '\n');
  renameSync(aside, join(dir, OWNER_FILE));
}

/** True when `dir` is a framebuffer folder (FBDIR_PREFIX) this very process made and marked. */
export function madeByThisProcess(dir: string): boolean {
  if (!basename(dir).startsWith(FBDIR_PREFIX)) return false;
  try {
    return readFileSync(join(dir, OWNER_FILE), 'utf8').trim() === identity(process.pid);
  } catch {
    return false;
  }
}

/** Whether the folder's owner lives; null when it names none ("PID STARTTIME" missing or unreadable). */
function ownerAlive(dir: string): boolean | null {
  let text: string;
  try {
    text = readFileSync(join(dir, OWNER_FILE), 'utf8').trim();
  } catch {
    return null;
  }
  // Not a whole "PID STARTTIME" (an older vdpush's file being written when it died, say): judged
  // like a folder without the file, by its age, never as a dead owner's.
  if (!/^\d+ \d+$/.test(text)) return null;
  const pid = Number(text.split(' ')[0]);
  return pid > 0 && identity(pid) === text;
}

/** Pids of the processes whose command line names `dir` (the Xvfb serving from it, with -fbdir DIR). */
function processesUsing(dir: string): number[] {
  const out: number[] = [];
  for (const name of safeList('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (args.includes(dir)) out.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

/** The filesystem X sockets /tmp/.X11-unix/XN a process listens on. */
export function xSocketsOf(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of safeList(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  if (inodes.size === 0) return [];
  const paths = new Set<string>();
  let table = '';
  try {
    table = readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return [];
  }
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length >= 8 && inodes.has(cols[6]!) && cols[7]!.startsWith('/tmp/.X11-unix/X')) paths.add(cols[7]!);
  }
  return [...paths];
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function stale(dir: string, nowMs: number): boolean {
  const alive = ownerAlive(dir);
  if (alive !== null) return !alive;
  try {
    if (nowMs - statSync(dir).mtimeMs < UNOWNED_GRACE_MS) return false;
  } catch {
    return false;
  }
  return processesUsing(dir).length === 0;
}

/** How long a sweep waits for a SIGKILLed server to be gone before it leaves its files be. */
const KILL_WAIT_MS = 1000;
const killWait = new Int32Array(new SharedArrayBuffer(4));

/** Waits (bounded; a start's one-off) until `pid` is no longer a live process. */
function waitGone(pid: number): boolean {
  const end = Date.now() + KILL_WAIT_MS;
  while (identity(pid) !== null) {
    if (Date.now() >= end) return false;
    Atomics.wait(killWait, 0, 0, 5);
  }
  return true;
}

/** The pid an X lock file names, or null (no such file, not a number). */
function lockHolder(n: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(`/tmp/.X${n}-lock`, 'latin1').trim(), 10);
    return Number.isInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** The socket paths some live process is bound to now (/proc/net/unix). */
function boundSocketPaths(): Set<string> {
  const paths = new Set<string>();
  try {
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length >= 8) paths.add(cols[7]!);
    }
  } catch {
    // no /proc: nothing can be shown to be unused, so nothing is removed
    paths.add('*');
  }
  return paths;
}

/**
 * Removes the X sockets and lock files of `pid`, a server that is gone, but only those no newer
 * server on that display number uses: a socket path nobody is bound to, a lock that names `pid`
 * (or no lock at all).
 */
export function removeXFilesOf(pid: number, sockets: readonly string[]): void {
  const bound = boundSocketPaths();
  for (const sock of sockets) {
    const n = sock.slice('/tmp/.X11-unix/X'.length);
    if (!/^\d+$/.test(n) || bound.has(sock) || bound.has('*')) continue;
    const holder = lockHolder(n);
    if (holder !== null && holder !== pid) continue;
    rmSync(sock, { force: true });
    if (holder === pid) rmSync(`/tmp/.X${n}-lock`, { force: true });
  }
}

/** Sweeps the folders of dead owners under `bases` (default /dev/shm and the OS temp dir); returns the folders removed. */
export function sweepStaleXvfb(bases: readonly string[] = ['/dev/shm', tmpdir()]): string[] {
  const removed: string[] = [];
  const now = Date.now();
  for (const base of new Set(bases)) {
    for (const name of safeList(base)) {
      if (!name.startsWith(FBDIR_PREFIX)) continue;
      const dir = join(base, name);
      try {
        if (!stale(dir, now)) continue;
        for (const pid of processesUsing(dir)) {
          const sockets = xSocketsOf(pid);
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            continue;
          }
          if (waitGone(pid)) removeXFilesOf(pid, sockets);
        }
        rmSync(dir, { recursive: true, force: true });
        removed.push(dir);
      } catch {
        // Best effort: the next start tries again.
      }
    }
  }
  return removed;
}
