/**
 * Test helpers that look at real processes: is a pid running, which X sockets does it listen on,
 * and bounded waits for things to go away.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Running, as opposed to gone or a zombie waiting for its new parent to reap it. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The filesystem X sockets (/tmp/.X11-unix/XN) the process listens on. */
export function xSocketsOf(pid: number): string[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const paths: string[] = [];
  for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length >= 8 && inodes.has(cols[6]!) && cols[7]!.startsWith('/tmp/.X11-unix/X')) paths.push(cols[7]!);
  }
  return [...new Set(paths)];
}

/** Waits (polling, bounded) until `done()` holds; returns whether it did. */
export async function waitUntil(done: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** Live (not zombie) children of this process, optionally only those whose command is `comm`. */
export function liveChildren(comm?: string): number[] {
  const mine: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z' && (comm === undefined || name === comm)) mine.push(Number(e));
    } catch {
      /* exited meanwhile */
    }
  }
  return mine;
}
