/**
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP (terminal closed, ssh dropped) for a command: the first one
 * stops what the command started (workers joined, Xvfb and children killed, an MP4 finished,
 * temp files removed) and lets the command print its summary; the command then exits 128 + the
 * signal's number (130, 143, 129), so a script can tell that the run was cut short. A second
 * signal exits at once with the same code (the process 'exit' guard still kills the children).
 *
 * The CLI owns its signals: the watch is installed before the display starts, so a signal during
 * start-up is a clean stop too, never node's default death by signal.
 */
import { constants } from 'node:os';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The shell's convention: a process ended by signal N exits 128 + N. */
export function signalExitCode(sig: StopSignal): number {
  return 128 + constants.signals[sig];
}

export class InterruptWatch {
  private received: StopSignal | null = null;
  private stop: (() => void) | null = null;
  private readonly handler = (sig: NodeJS.Signals): void => this.onSignal(sig as StopSignal);

  constructor(private readonly log: (line: string) => void = (l) => void process.stderr.write(l)) {
    for (const s of STOP_SIGNALS) process.on(s, this.handler);
  }

  /** The first stop signal received, or null. */
  get signal(): StopSignal | null {
    return this.received;
  }

  /** What a stop signal does; runs at once if one already arrived (during start-up, say). */
  onStop(stop: () => void): void {
    this.stop = stop;
    if (this.received !== null) stop();
  }

  /** The command's exit code: the signal's if one stopped it, else `normal`. */
  exitCode(normal: number): number {
    return this.received !== null ? signalExitCode(this.received) : normal;
  }

  /** Removes the handlers (node's default behaviour comes back). Idempotent. */
  release(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.handler);
  }

  private onSignal(sig: StopSignal): void {
    if (this.received !== null) {
      process.exit(signalExitCode(this.received));
    }
    this.received = sig;
    try {
      this.log(`\nvdpush: ${sig}: stopping (again to quit at once)...\n`);
    } catch {
      // stderr may be gone (SIGHUP: the terminal closed); stopping matters more than saying so.
    }
    this.stop?.();
  }
}

/** Starts watching for stop signals; call release() when the command is done. */
export function watchInterrupts(): InterruptWatch {
  return new InterruptWatch();
}
