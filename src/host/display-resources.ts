/**
 * What an Xvfb display started and so must not outlive vdpush: the server (only one vdpush
 * started: an attached display is the user's and is never touched), the workload process, the
 * framebuffer folder, and the server's X socket and lock file (a SIGKILLed Xvfb cannot remove
 * them itself). The session hands this to its last-resort cleanups (resource-guard.ts,
 * child-watchdog.ts).
 */
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';

export interface DisplayResources {
  pids: number[];
  dirs: string[];
  files?: string[];
}

export interface ResourceSource {
  readonly serverPid: number;
  readonly serverOwned: boolean;
  readonly displayNumber: number;
  readonly workloadPid: number | null;
  readonly framebufferPath: string;
}

export function xvfbResources(d: ResourceSource): DisplayResources {
  const pids: number[] = [];
  const files: string[] = [];
  if (d.serverOwned && d.serverPid > 0) {
    pids.push(d.serverPid);
    if (Number.isInteger(d.displayNumber) && d.displayNumber >= 0) files.push(`/tmp/.X11-unix/X${d.displayNumber}`, `/tmp/.X${d.displayNumber}-lock`);
  }
  if (typeof d.workloadPid === 'number' && d.workloadPid > 0) pids.push(d.workloadPid);
  const dir = d.serverOwned && d.framebufferPath ? dirname(d.framebufferPath) : '';
  const ours = dir.startsWith('/dev/shm/vdpush-') || dir.startsWith(`${tmpdir()}/vdpush-`);
  return { pids, dirs: ours ? [dir] : [], files };
}

/** The union of several displays' pids and dirs, each once (what a session's cleanups are handed). */
export function mergeResources(all: ReadonlyArray<{ pids: readonly number[]; dirs: readonly string[] }>): { pids: number[]; dirs: string[] } {
  const pids = new Set<number>();
  const dirs = new Set<string>();
  for (const r of all) {
    for (const p of r.pids) pids.add(p);
    for (const d of r.dirs) dirs.add(d);
  }
  return { pids: [...pids], dirs: [...dirs] };
}
