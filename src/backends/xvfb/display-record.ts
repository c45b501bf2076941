/**
 * What an Xvfb display has to tell about itself besides frames: the display-side events of the
 * recovery timeline (server-life.ts: the workload died or was restarted, a fault failed), the
 * last error, the one fatal error that ends the run, and the counts its stats report. Every part
 * of the display records here through the same few methods, so the display's stats and the host's
 * timeline read one place, and a listener hears each event as it is recorded (the host posts it at
 * once instead of at its next snapshot, 1 s on an idle display).
 */
import type { BackendError } from '../../contract/errors.js';
import type { DisplayEvent } from './server-life.js';

export class DisplayRecord {
  readonly events: DisplayEvent[] = [];
  lastError: string | null = null;
  /** The first fatal error (an attached display that went away and did not come back). */
  fatal: BackendError | null = null;
  damageEvents = 0;
  serverLosses = 0;
  private readonly listeners: Array<() => void> = [];

  readonly recordError = (message: string): void => {
    this.lastError = message;
  };

  readonly recordEvent = (e: DisplayEvent): void => {
    this.events.push(e);
    for (const fn of this.listeners) fn();
  };

  /** A fault the schedule asked for could not be applied: an error and a timeline event. */
  recordFaultFailure(atMs: number, kind: string, message: string): void {
    this.lastError = `${kind}: ${message}`;
    this.events.push({ atMs, failure: kind, action: 'fault-failed', detail: message });
  }

  readonly fail = (e: BackendError): void => {
    this.fatal ??= e;
  };

  onEvent(fn: () => void): void {
    this.listeners.push(fn);
  }
}
