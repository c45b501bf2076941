/**
 * A monitor worker's life seen from the host thread: starting it (the 'init' handshake up to its
 * 'ready') and joining it at the end. MonitorLink (monitor-link.ts) owns what happens in between.
 *
 * Start: the child watchdog comes first (xvfb), so it exists before any child of the display does;
 * every 'snapshot' before 'ready' reports the children started so far (guarded at once). A start
 * that fails (an 'error', a crash, an exit) leaves nothing behind: the ring is closed, the worker
 * terminated, its children killed, the watchdog told, the ring channel closed.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { VdpushError } from '../contract/errors.js';
import type { HostRing } from '../ring/index.js';
import { ChildWatchdog } from './child-watchdog.js';
import { killNow } from './resource-guard.js';
import type { HostToWorker, MonitorConfig, SharedAdapterInit, WorkerSnapshot, WorkerToHost } from './worker-messages.js';

export type ReadyMessage = Extract<WorkerToHost, { type: 'ready' }>;

export interface StartedWorker {
  worker: Worker;
  ready: ReadyMessage;
  /** The last snapshot before 'ready' (the children the display started), or null. */
  early: WorkerSnapshot | null;
  watchdog: ChildWatchdog | null;
  /** The host's end of the channel that carries every later ring buffer. */
  ringPort: MessagePort;
}

/** Starts the worker for `config` over `ring` and `control`; resolves at its 'ready'. */
export async function startMonitorWorker(
  config: MonitorConfig,
  ring: HostRing,
  control: SharedArrayBuffer,
  adapter: SharedAdapterInit,
  onEarlyResources?: (r: { pids: number[]; dirs: string[] }) => void,
): Promise<StartedWorker> {
  const ringChannel = new MessageChannel();
  // Started before the worker, so it exists before any child does (xvfb only: sim starts none).
  const watchdog = config.source === 'xvfb' ? ChildWatchdog.start() : null;
  const worker = new Worker(new URL('./monitor-worker.js', import.meta.url));
  let early: WorkerSnapshot | null = null;
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const onMessage = (m: WorkerToHost): void => {
      if (m.type === 'snapshot') {
        early = m.snapshot;
        watchdog?.update(m.snapshot.resources);
        onEarlyResources?.(m.snapshot.resources);
      } else if (m.type === 'ready') {
        cleanup();
        resolve(m);
      } else if (m.type === 'error') {
        cleanup();
        reject(new VdpushError(m.code, m.message));
      }
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(new VdpushError('VDP_ERR_WORKER', `monitor worker failed to start: ${e.message}`));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new VdpushError('VDP_ERR_WORKER', `monitor worker exited during start (code ${code})`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ type: 'init', config, control, ring: ring.buffer, adapter, ringPort: ringChannel.port2 } satisfies HostToWorker, [ringChannel.port2]);
  }).catch(async (e: unknown) => {
    ring.close();
    await worker.terminate();
    if (early !== null) killNow((early as WorkerSnapshot).resources);
    // What SIGTERM left running, the watchdog SIGKILLs once it sees the pipe close.
    watchdog?.close();
    ringChannel.port1.close();
    throw e;
  });
  return { worker, ready, early, watchdog, ringPort: ringChannel.port1 };
}

/**
 * Waits for the worker's thread to exit; it exits by itself after 'done' (after a host-side
 * failure it is still stopping its display, so it gets `graceMs`), else it is terminated.
 */
export function joinWorker(worker: Worker, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (worker.threadId === -1) resolve();
    else {
      worker.once('exit', () => resolve());
      setTimeout(() => void worker.terminate(), graceMs).unref();
    }
  });
}
