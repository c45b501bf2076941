/**
 * What an Xvfb that has not reported its display number yet is doing, for the start's error: its
 * scheduler state and CPU time, and its children's (xkbcomp compiles the keymap during the start).
 * A start that ran out of time on a starved machine reads "R, 30 ms of CPU"; a stuck one "S" with
 * its CPU spent, or a child it waits on. Read-only and best effort: /proc may be gone or not ours.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc's CPU times are in these ticks on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  comm: string;
  state: string;
  ppid: number;
  cpuMs: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const close = s.lastIndexOf(')');
    const rest = s.slice(close + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return { comm: s.slice(s.indexOf('(') + 1, close), state: rest[0]!, ppid: Number(rest[1]), cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** "pid 123 state R, 40 ms of CPU; children: xkbcomp (pid 124) state R, 10 ms", or why not. */
export function describeServerProgress(pid: number): string {
  const me = procStat(pid);
  if (me === null) return `pid ${pid} is gone`;
  const children: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    /* no /proc */
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const c = procStat(Number(e));
    if (c !== null && c.ppid === pid) children.push(`${c.comm} (pid ${e}) state ${c.state}, ${c.cpuMs} ms`);
  }
  return `pid ${pid} state ${me.state}, ${me.cpuMs} ms of CPU; ${children.length ? `children: ${children.join(', ')}` : 'no children'}`;
}
