/**
 * On start, removes what an earlier vdpush left behind when it died so hard that neither its
 * handlers nor its watchdog could clean up (or died before its watchdog learned of its Xvfb):
 * framebuffer folders /dev/shm/vdpush-xvfb-* (or under the OS temp dir) whose owner is dead, the
 * Xvfb still serving from such a folder, and that Xvfb's X socket and lock file.
 *
 * Ownership: a started Xvfb's folder holds OWNER_FILE, "PID STARTTIME" of the vdpush process
 * that made it (writeOwner). The owner is dead when no process has that pid with that start time
 * (so a reused pid does not keep a dead owner's folder). A folder without the file (one made by
 * an older vdpush) is stale only when it is older than UNOWNED_GRACE_MS and no process names it in
 * its command line, so a folder another vdpush is setting up this instant is never taken.
 * Everything here is best effort: a sweep never fails a start.
 */
import { readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Marks `dir` as this process's. */
export function writeOwner(dir: string): void {
  const me = identity(process.pid);
  if (me !== null) writeFileSync(join(dir, OWNER_FILE), me + '\n');
}

function ownerAlive(dir: string): boolean | null {
  let text: string;
  try {
    text = readFileSync(join(dir, OWNER_FILE), 'utf8').trim();
  } catch {
    return null;
  }
  const pid = Number(text.split(' ')[0]);
  return Number.isInteger(pid) && pid > 0 && identity(pid) === text;
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

/** Sweeps the folders of dead owners under /dev/shm and the OS temp dir; returns the folders removed. */
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
          for (const sock of sockets) {
            rmSync(sock, { force: true });
            const n = sock.slice('/tmp/.X11-unix/X'.length);
            if (/^\d+$/.test(n) && existsSync(`/tmp/.X${n}-lock`)) rmSync(`/tmp/.X${n}-lock`, { force: true });
          }
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
