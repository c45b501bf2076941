/**
 * Host-requested modes in flight (IddCxMonitorUpdateModes + commit, asked of one monitor's
 * worker): each request gets an id; the worker's 'mode-set' answer settles it; the monitor's end
 * rejects whatever is still pending with ClosedError.
 */
import { ClosedError, VdpushError } from '../contract/errors.js';

export class ModeRequests {
  private readonly waiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private next = 1;

  /** A new request id and the promise its answer settles. */
  open(): { id: number; done: Promise<void> } {
    const id = this.next++;
    const done = new Promise<void>((resolve, reject) => this.waiters.set(id, { resolve, reject }));
    return { id, done };
  }

  /** The worker's answer to request `id`. */
  settle(id: number, error: { code: string; message: string } | null): void {
    const w = this.waiters.get(id);
    this.waiters.delete(id);
    if (w === undefined) return;
    if (error === null) w.resolve();
    else w.reject(new VdpushError(error.code, error.message));
  }

  /** The monitor ended: every pending request fails. */
  closeAll(what: string): void {
    for (const w of this.waiters.values()) w.reject(new ClosedError(what));
    this.waiters.clear();
  }
}
