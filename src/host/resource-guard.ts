/**
 * Last-resort cleanup on the main thread, for a host process that goes down before a session's
 * close(): a worker thread never receives signals, and one torn down with its process cannot run
 * its own cleanup, so Xvfb and its workload would outlive us.
 *
 * - 'exit' (process.exit(), an uncaught exception): only synchronous work is possible there, so
 *   the children get SIGTERM (Xvfb then removes its own socket and lock) and the temp folders go.
 * - SIGINT, SIGTERM, SIGHUP, for the sessions that asked (handleSignals, the default): the same
 *   cleanup; then, when vdpush's handler is the only listener, the signal is raised again with its
 *   default action, so the process still dies of it (exit status 128+n) as the sender asked. When
 *   the program listens too, the decision to exit stays the program's.
 *
 * A child that ignores SIGTERM, and any death no handler sees (SIGKILL, the OOM killer), is the
 * watchdog's (child-watchdog.ts): it SIGKILLs what is left once this process is gone.
 *
 * Invariant: the signal handlers exist only while a session that handles signals is guarded.
 */
import { rmSync } from 'node:fs';

export interface GuardedResources {
  pids: readonly number[];
  dirs: readonly string[];
}

interface Guarded {
  current: () => GuardedResources;
  signals: boolean;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const guarded = new Set<Guarded>();
let exitInstalled = false;
let signalsInstalled = false;

export function killNow(res: GuardedResources, signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const pid of res.pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
  for (const dir of res.dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort: the watchdog retries.
    }
  }
}

function cleanAll(onlySignalled: boolean): void {
  for (const g of guarded) {
    if (onlySignalled && !g.signals) continue;
    try {
      killNow(g.current());
    } catch {
      // One failing source must not keep the others from being cleaned.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  const alone = process.listenerCount(signal) === 1;
  cleanAll(true);
  if (alone) {
    uninstallSignals();
    process.kill(process.pid, signal);
  }
}

const signalHandlers = new Map<NodeJS.Signals, () => void>(SIGNALS.map((s) => [s, () => onSignal(s)]));

function syncSignalHandlers(): void {
  const want = [...guarded].some((g) => g.signals);
  if (want && !signalsInstalled) {
    signalsInstalled = true;
    for (const [s, h] of signalHandlers) process.on(s, h);
  } else if (!want) {
    uninstallSignals();
  }
}

function uninstallSignals(): void {
  if (!signalsInstalled) return;
  signalsInstalled = false;
  for (const [s, h] of signalHandlers) process.removeListener(s, h);
}

/**
 * Registers a source of resources to clean up if the process dies (and, with `signals`, on
 * SIGINT/SIGTERM/SIGHUP); returns the unregister function.
 */
export function guardResources(current: () => GuardedResources, options: { signals?: boolean } = {}): () => void {
  if (!exitInstalled) {
    exitInstalled = true;
    process.on('exit', () => cleanAll(false));
  }
  const g: Guarded = { current, signals: options.signals ?? false };
  guarded.add(g);
  syncSignalHandlers();
  return () => {
    guarded.delete(g);
    syncSignalHandlers();
  };
}
