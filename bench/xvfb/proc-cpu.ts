/**
 * CPU time of processes, for the Xvfb benchmark: this process through process.cpuUsage(), any
 * other (the X server, ffmpeg, the workload) through /proc/<pid>/stat's utime + stime.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel). */
const CLOCK_TICKS_PER_S = 100;

/** CPU seconds a process has used so far, or NaN when it is gone. */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces; the fields after its closing paren are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return (utime + stime) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds the threads of a process have used so far, to the nanosecond
 * (/proc/<pid>/task/<tid>/schedstat: time on CPU), or NaN when it is gone: for spans too short for
 * the 10 ms ticks of /proc/<pid>/stat (one X round trip costs the server ~0.05 ms).
 */
export function procCpuSecondsPrecise(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    return ns / 1e9;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds of this process's children that have exited and been waited for (/proc/self/stat's
 * cutime + cstime): a child's whole tree once it is gone, its own children included when it
 * waited for them, so a process that spawns helpers (vdpush's ffmpeg) is counted with them.
 */
export function reapedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[13]) + Number(rest[14])) / CLOCK_TICKS_PER_S;
}

/** CPU seconds this process has used so far. */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Samples a process's CPU time until stopped, keeping the last value (it may exit any time). */
export class CpuSampler {
  private last: number;
  private readonly timer: ReturnType<typeof setInterval>;
  constructor(private readonly pid: number, periodMs = 50) {
    this.last = procCpuSeconds(pid);
    this.timer = setInterval(() => {
      const v = procCpuSeconds(this.pid);
      if (!Number.isNaN(v)) this.last = v;
    }, periodMs);
  }
  stop(): number {
    clearInterval(this.timer);
    const v = procCpuSeconds(this.pid);
    if (!Number.isNaN(v)) this.last = v;
    return this.last;
  }
}
