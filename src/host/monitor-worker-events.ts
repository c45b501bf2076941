/**
 * How the host reacts to what a monitor's worker posts, and to the worker's end. WorkerReports
 * (worker-reports.ts) keeps what each message reports; the reactions are the link's: the
 * watchdog follows the display's children, recovery events go to the session, cursor listeners
 * and the clipboard are told, the ring is woken for a host fault (housekeeping performs it), a
 * 'mode-set' settles its request, 'caught-up' answers a watch (frame-demand.ts), and 'done', 'error', a crash or the thread's exit end the link.
 */
import type { Worker } from 'node:worker_threads';
import { VdpushError } from '../contract/errors.js';
import type { WatchedResources } from './child-watchdog.js';
import type { WorkerReports } from './worker-reports.js';
import type { RecoveryEventMessage, WorkerToHost } from './worker-messages.js';

export interface WorkerReactions {
  reports: WorkerReports;
  resources(r: WatchedResources): void;
  recovery(e: RecoveryEventMessage): void;
  cursorChanged(): void;
  clipboard(text: string): void;
  hostFault(): void;
  modeSet(m: Extract<WorkerToHost, { type: 'mode-set' }>): void;
  /** 'caught-up': the display answered a watch (frame-demand.ts). */
  caughtUp(seq: number): void;
  /** 'done': the worker stopped its display in order. */
  done(): void;
  /** The worker reported an error, or its thread crashed. */
  failed(e: VdpushError): void;
  /** The thread is gone (after any of the above, or without a word). */
  exited(): void;
}

export function reactToWorker(worker: Worker, targetId: number, r: WorkerReactions): void {
  worker.on('message', (m: WorkerToHost) => {
    const recovery = r.reports.receive(m);
    switch (m.type) {
      case 'snapshot':
        r.resources(m.snapshot.resources);
        break;
      case 'recovery':
        r.recovery(recovery!);
        break;
      case 'cursor':
        r.cursorChanged();
        break;
      case 'clipboard':
        r.clipboard(m.text);
        break;
      case 'host-fault':
        r.hostFault();
        break;
      case 'done':
        r.done();
        break;
      case 'error':
        r.failed(new VdpushError(m.code, m.message));
        break;
      case 'mode-set':
        r.modeSet(m);
        break;
      case 'caught-up':
        r.caughtUp(m.seq);
        break;
      default:
        break;
    }
  });
  worker.on('error', (e) => r.failed(new VdpushError('VDP_ERR_WORKER', `monitor ${targetId} worker crashed: ${e.message}`)));
  worker.on('exit', () => r.exited());
}
