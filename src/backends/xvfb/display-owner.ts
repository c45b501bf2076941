/**
 * Who serves an X display: the owner of its lock file, or, as an Xvfb started with -displayfd
 * writes none, the process holding its listening socket (found through /proc). Read-only: nothing
 * here signals or removes anything.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { lockPath, socketPath } from './display-name.js';

/** True while `pid` exists (EPERM: it exists and is someone else's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process's command line, or null when it cannot be read. */
export function readCmdline(pid: number): string[] | null {
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
export function listeningSocketInodes(n: number): Set<string> {
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
export function findServerPid(n: number): number | null {
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
