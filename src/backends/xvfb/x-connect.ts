/**
 * Opening an X client with a bounded wait, defined once for every connection the Xvfb backend
 * makes (the capture connection, the input connection): a server that accepts the socket but
 * never answers the setup must not hang the worker, and an error event after setup must never
 * throw (an EventEmitter 'error' without a listener does).
 */
import x11 from 'x11';
import type { XClient, XDisplay } from 'x11';
import { BackendError } from '../../contract/errors.js';

export const X_CONNECT_TIMEOUT_MS = 5_000;

export interface XConnectOptions {
  /** node-x11's request batching (the capture connection flushes explicitly). */
  bufferRequests?: boolean;
  /** What the connection is for, in the failure message ("for input"). */
  purpose?: string;
  /** X errors after setup (of fire-and-forget requests, say). */
  onError: () => void;
}

export function connectXClient(display: string, opts: XConnectOptions): Promise<{ client: XClient; xdisplay: XDisplay }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      try {
        c.terminate();
      } catch {
        /* not connected */
      }
      reject(new BackendError(`X display ${display} did not answer within ${X_CONNECT_TIMEOUT_MS} ms`));
    }, X_CONNECT_TIMEOUT_MS);
    const c = x11.createClient({ display, shm: false, ...(opts.bufferRequests ? { bufferRequests: true } : {}) }, (err, d) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const purpose = opts.purpose ? ` ${opts.purpose}` : '';
      if (err) reject(new BackendError(`cannot connect to X display ${display}${purpose}: ${err.message}`, { cause: err }));
      else resolve({ client: c, xdisplay: d });
    });
    c.on('error', opts.onError);
  });
}
