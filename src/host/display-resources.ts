/**
 * What an Xvfb display started and so must not outlive vdpush: the server (only one vdpush
 * started: an attached display is the user's and is never touched), the workload process, the
 * framebuffer folder, and the server's X socket and lock file (a SIGKILLed Xvfb cannot remove
 * them itself). The session hands this to its last-resort cleanups (resource-guard.ts,
 * child-watchdog.ts).
 *
 * A file is named with the inode it has now, while its server runs: a cleanup removes it only if
 * the path still holds that inode. A display number is free the moment its server dies, and
 * another Xvfb (-displayfd counts up from 0, so numbers are reused within milliseconds) then
 * replaces the socket file with its own; removing the path by name deleted that new server's
 * socket, whose clients fell back to TCP and were refused (ECONNREFUSED 127.0.0.1:600N).
 *
 * The framebuffer folder is handed over (the watchdog removes it recursively) only when it is one
 * this process made and marked (stale-sweep.ts `madeByThisProcess`), wherever its base is: /dev/shm,
 * the OS temp dir or a huge-page tmpfs (framebuffer-dir.ts). A prefix check on /dev/shm kept a
 * folder on another base from every cleanup.
 */
import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { madeByThisProcess } from '../backends/xvfb/stale-sweep.js';

/** A file to remove, and the inode it must still have for the removal to be ours. */
export interface FileId {
  path: string;
  ino: number;
}

export interface DisplayResources {
  pids: number[];
  dirs: string[];
  files?: FileId[];
}

/** `path` with its inode now, or null when there is no such file. */
export function fileId(path: string): FileId | null {
  try {
    return { path, ino: lstatSync(path).ino };
  } catch {
    return null;
  }
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
  const files: FileId[] = [];
  if (d.serverOwned && d.serverPid > 0) {
    pids.push(d.serverPid);
    // Only a live server's files are its own: once it is gone the number may be another's.
    if (Number.isInteger(d.displayNumber) && d.displayNumber >= 0 && fileId(`/proc/${d.serverPid}`) !== null) {
      for (const path of [`/tmp/.X11-unix/X${d.displayNumber}`, `/tmp/.X${d.displayNumber}-lock`]) {
        const id = fileId(path);
        if (id !== null) files.push(id);
      }
    }
  }
  if (typeof d.workloadPid === 'number' && d.workloadPid > 0) pids.push(d.workloadPid);
  const dir = d.serverOwned && d.framebufferPath ? dirname(d.framebufferPath) : '';
  return { pids, dirs: dir !== '' && madeByThisProcess(dir) ? [dir] : [], files };
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
