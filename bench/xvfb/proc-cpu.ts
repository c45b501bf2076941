/**
 * CPU time of processes, for the Xvfb benchmark: this process through process.cpuUsage(), any
 * other (the X server, ffmpeg, the workload) through /proc/<pid>/stat's utime + stime.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel). */
const CLOCK_TICKS_PER_S = 100;

/**
 * The fields of /proc/<pid>/stat after the command name (field 3 on: state, ppid, ...; utime is
 * [11], stime [12], cutime [13], cstime [14]). The name may hold spaces; what follows its closing
 * paren is fixed.
 */
function statFields(path: string): string[] {
  const stat = readFileSync(path, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds a process has used so far, or NaN when it is gone. */
export function procCpuSeconds(pid: number): number {
  try {
    const f = statFields(`/proc/${pid}/stat`);
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_S;
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
  const f = statFields('/proc/self/stat');
  return (Number(f[13]) + Number(f[14])) / CLOCK_TICKS_PER_S;
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
