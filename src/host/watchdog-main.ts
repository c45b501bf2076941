/**
 * The watchdog process: the one thing that outlives a vdpush killed by SIGKILL or the OOM killer,
 * long enough to clean up after it. vdpush spawns it detached (its own session, so a Ctrl-C or a
 * closed terminal that kills vdpush's process group does not kill it first) with a pipe on its
 * stdin. vdpush writes one JSON line whenever the set of things to clean up changes:
 *
 *   {"pids":[123,456],"dirs":["/dev/shm/vdpush-xvfb-ab12"],"files":[{"path":"/tmp/.X11-unix/X5","ino":4242}]}
 *
 * When the pipe closes (vdpush exited, however it died; the kernel closes the pipe), the watchdog
 * SIGTERMs the last set's processes (Xvfb then removes its own socket and lock), SIGKILLs any
 * still running after a grace period, removes the files and folders, and exits. A file is removed
 * only while its path still has the inode vdpush named: a server that exited on the SIGTERM
 * removed its own socket, and another Xvfb may already serve that display number with a socket
 * file of its own, which must stay (display-resources.ts). An orderly
 * close() sends an empty set first, so nothing is touched. A pid is only signalled while it is
 * the same process it was when vdpush named it (same start time in /proc/PID/stat), so a pid the
 * kernel reused for someone else's process is never hit.
 *
 * No vdpush imports: it starts in a few milliseconds and depends on nothing that could fail.
 */
import { lstatSync, readFileSync, rmSync } from 'node:fs';

interface Target {
  pid: number;
  start: string;
  /** The pid leads its own process group (an --exec workload): signal the group too. */
  group: boolean;
}

const GRACE_MS = 2000;
const POLL_MS = 25;

let targets: Target[] = [];
let dirs: string[] = [];
let files: Array<{ path: string; ino: number }> = [];
let pending = '';

/** Field 22 (start time) and field 5 (process group) of /proc/PID/stat, or null when it is gone or a zombie. */
function stat(pid: number): { start: string; pgrp: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z') return null;
    return { start: rest[19]!, pgrp: Number(rest[2]) };
  } catch {
    return null;
  }
}

function same(t: Target): boolean {
  return stat(t.pid)?.start === t.start;
}

function signal(t: Target, sig: NodeJS.Signals): void {
  if (!same(t)) return;
  for (const pid of t.group ? [-t.pid, t.pid] : [t.pid]) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone meanwhile
    }
  }
}

function update(line: string): void {
  let msg: { pids?: unknown; dirs?: unknown; files?: unknown };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch {
    return;
  }
  const pids = Array.isArray(msg.pids) ? msg.pids.filter((p): p is number => Number.isInteger(p) && (p as number) > 1 && p !== process.pid) : [];
  const next: Target[] = [];
  for (const pid of pids) {
    const known = targets.find((t) => t.pid === pid);
    if (known) next.push(known);
    else {
      const s = stat(pid);
      if (s) next.push({ pid, start: s.start, group: s.pgrp === pid });
    }
  }
  targets = next;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.startsWith('/')) : []);
  dirs = strings(msg.dirs);
  files = Array.isArray(msg.files)
    ? msg.files.filter((f): f is { path: string; ino: number } => typeof f === 'object' && f !== null && typeof (f as { path?: unknown }).path === 'string' && (f as { path: string }).path.startsWith('/') && Number.isInteger((f as { ino?: unknown }).ino))
    : [];
}

/** Removes `f` if its path still has the inode it was named with (the window left is one lstat to one unlink). */
function removeIfSame(f: { path: string; ino: number }): void {
  try {
    if (lstatSync(f.path).ino === f.ino) rmSync(f.path, { force: true });
  } catch {
    // gone already
  }
}

async function cleanUp(): Promise<void> {
  for (const t of targets) signal(t, 'SIGTERM');
  const until = Date.now() + GRACE_MS;
  while (targets.some(same) && Date.now() < until) await new Promise((r) => setTimeout(r, POLL_MS));
  for (const t of targets) signal(t, 'SIGKILL');
  const killedUntil = Date.now() + GRACE_MS;
  while (targets.some(same) && Date.now() < killedUntil) await new Promise((r) => setTimeout(r, POLL_MS));
  for (const f of files) removeIfSame(f);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

// The terminal's Ctrl-C and hang-up are vdpush's business; the watchdog must outlive them.
for (const s of ['SIGINT', 'SIGHUP', 'SIGPIPE'] as const) process.on(s, () => undefined);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  let nl: number;
  while ((nl = pending.indexOf('\n')) >= 0) {
    update(pending.slice(0, nl));
    pending = pending.slice(nl + 1);
  }
});
process.stdin.on('error', () => undefined);
process.stdin.on('close', () => {
  void cleanUp().finally(() => process.exit(0));
});
