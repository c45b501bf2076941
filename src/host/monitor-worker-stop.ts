/**
 * Stopping a monitor's worker from the host thread: the terminate word (a processor sees it inside
 * its loop, between frames) and 'stop' (the worker's message loop), then waiting for the worker's
 * end and joining its thread. A worker that ends in order ('done') stopped its display's children
 * itself, so the watchdog is simply closed; one that had to be terminated may have left children,
 * and the watchdog is handed them to clean up now. monitor-worker-start.ts starts the worker.
 */
import type { Worker } from 'node:worker_threads';
import type { ChildWatchdog } from './child-watchdog.js';
import { STOP_GRACE_MS } from './link-options.js';
import { joinWorker } from './monitor-worker-start.js';
import { CONTROL_TERMINATE, type HostToWorker } from './worker-messages.js';

/** Tells the worker to stop (both ways it can hear it); what it does next it reports. */
export function askWorkerToStop(control: Int32Array, post: (m: HostToWorker) => void): void {
  Atomics.store(control, CONTROL_TERMINATE, 1);
  Atomics.notify(control, CONTROL_TERMINATE);
  post({ type: 'stop' });
}

export interface StoppingWorker {
  worker: Worker;
  control: Int32Array;
  post(m: HostToWorker): void;
  /** Resolves once the link saw the worker's end ('done', 'error', a crash or its exit). */
  ended: Promise<void>;
  /** Whether the end was seen already (then nothing is asked of the worker). */
  finished(): boolean;
  /** Whether the run failed on this monitor (a failing worker is still stopping its display: more grace). */
  failed(): boolean;
  /** Whether 'done' arrived: the worker stopped its display and its children in order. */
  stoppedInOrder(): boolean;
  watchdog: ChildWatchdog | null;
}

/** Stops the worker unless it ended already, terminates it after STOP_GRACE_MS, joins it and settles its watchdog. */
export async function stopAndJoinWorker(w: StoppingWorker): Promise<void> {
  if (!w.finished()) {
    askWorkerToStop(w.control, w.post);
    const timer = setTimeout(() => void w.worker.terminate(), STOP_GRACE_MS);
    await w.ended;
    clearTimeout(timer);
  }
  await joinWorker(w.worker, w.failed() ? STOP_GRACE_MS : 2000);
  if (w.stoppedInOrder()) w.watchdog?.close();
  else w.watchdog?.handOver();
}
