/**
 * Last-resort cleanup of what the Xvfb backend started (the X server, workload processes, temp
 * dirs) when this process goes down without calling stop(): Ctrl-C (SIGINT), SIGTERM, SIGHUP, an
 * uncaught exception, or a plain process.exit().
 *
 * Invariant: the process-level handlers exist only while at least one cleanup is registered; the
 * last `release()` removes them, so a stopped backend leaves no listener behind. Cleanups run
 * synchronously (no event loop is left to run anything else) and at most once each.
 *
 * Signals: when vdpush's handler is the only listener, it cleans up and re-raises the signal with
 * the default action, so the process still dies of it (exit status 128+n) as the user asked. When
 * someone else also listens (the CLI's graceful Ctrl-C), it only cleans up and leaves the decision
 * to them. Uncaught exceptions are observed through 'uncaughtExceptionMonitor', which does not
 * change Node's crash behaviour.
 */

type Cleanup = () => void;

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const cleanups = new Set<Cleanup>();
let installed = false;

function runAll(): void {
  const all = [...cleanups];
  cleanups.clear();
  for (const c of all) {
    try {
      c();
    } catch {
      // Best effort: one failing cleanup must not keep the others from running.
    }
  }
  uninstall();
}

function onSignal(signal: NodeJS.Signals): void {
  const alone = process.listenerCount(signal) === 1;
  runAll();
  if (alone) process.kill(process.pid, signal);
}

const signalHandlers = new Map<NodeJS.Signals, () => void>(SIGNALS.map((s) => [s, () => onSignal(s)]));
const onCrash = (): void => runAll();
const onExit = (): void => runAll();

function install(): void {
  if (installed) return;
  installed = true;
  for (const [s, h] of signalHandlers) process.on(s, h);
  process.on('uncaughtExceptionMonitor', onCrash);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const [s, h] of signalHandlers) process.removeListener(s, h);
  process.removeListener('uncaughtExceptionMonitor', onCrash);
  process.removeListener('exit', onExit);
}

/**
 * Registers a synchronous cleanup to run if the process dies first. Returns `release`, which
 * unregisters it without running it (call it once the resource was cleaned up normally).
 */
export function guardExit(cleanup: Cleanup): () => void {
  let once = false;
  const wrapped: Cleanup = () => {
    if (once) return;
    once = true;
    cleanup();
  };
  cleanups.add(wrapped);
  install();
  return () => {
    cleanups.delete(wrapped);
    if (cleanups.size === 0) uninstall();
  };
}

/** How many cleanups are registered (tests check that a stopped backend left none). */
export function pendingExitGuards(): number {
  return cleanups.size;
}
