/**
 * Last-resort cleanup when the host process dies before a session's close(): a worker thread torn
 * down with its process cannot run its own cleanup, so Xvfb and its workload would outlive us.
 * 'exit' handlers run on process.exit() and on an uncaught exception; only synchronous work is
 * possible there: SIGKILL by pid, remove the temp folders.
 */
import { rmSync } from 'node:fs';

export interface GuardedResources {
  pids: readonly number[];
  dirs: readonly string[];
}

const guarded = new Set<() => GuardedResources>();
let installed = false;

export function killNow(res: GuardedResources): void {
  for (const pid of res.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of res.dirs) rmSync(dir, { recursive: true, force: true });
}

/** Registers a source of resources to kill if the process exits; returns the unregister function. */
export function guardResources(current: () => GuardedResources): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const get of guarded) killNow(get());
    });
  }
  guarded.add(current);
  return () => guarded.delete(current);
}
