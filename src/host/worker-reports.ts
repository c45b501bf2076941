/**
 * What one monitor's worker has reported to the host: its last snapshot (counters, children,
 * input), its recovery events, the cursor, its invariant violations at the end, and the host-side
 * faults it scheduled (host-recreate, host-stall) that the host still has to perform.
 */
import type { CursorState, HostFaultRequest } from '../display/types.js';
import { emptyWorkerSnapshot, type RecoveryEventMessage, type WorkerSnapshot, type WorkerToHost } from './worker-messages.js';

export class WorkerReports {
  snapshot: WorkerSnapshot | null = null;
  readonly events: RecoveryEventMessage[] = [];
  cursor: CursorState | null = null;
  invariants: string[] = [];
  /** Host faults to perform, oldest first. */
  readonly hostFaults: HostFaultRequest[] = [];
  /** Host faults the worker posted (the lockstep waits until it has them all). */
  hostFaultsReceived = 0;

  constructor(private readonly targetId: number) {}

  /**
   * Keeps what a worker message reports (snapshots, recovery events, the cursor, host faults, the
   * final counters); the link reacts to the rest. Returns the recovery event as the session sees
   * it, for a 'recovery' message, else null.
   */
  receive(m: WorkerToHost): RecoveryEventMessage | null {
    switch (m.type) {
      case 'snapshot':
        this.snapshot = m.snapshot;
        return null;
      case 'recovery':
        return this.addRecovery(m);
      case 'cursor':
        this.setCursor(m.cursor);
        return null;
      case 'host-fault':
        this.addHostFault(m.request);
        return null;
      case 'done':
        this.snapshot = m.snapshot;
        this.invariants = m.invariants;
        return null;
      default:
        return null;
    }
  }

  /** A recovery event as the session sees it (the worker's targetId, else this monitor's). */
  addRecovery(m: Extract<WorkerToHost, { type: 'recovery' }>): RecoveryEventMessage {
    const e = { ...m.event, targetId: m.event.targetId ?? this.targetId };
    this.events.push(e);
    return e;
  }

  setCursor(c: CursorState): void {
    // The worker sends the image only when the shape changed; keep the last one.
    const prev = this.cursor;
    const shape = c.shape.byteLength === 0 && prev !== null ? prev.shape : c.shape;
    this.cursor = { ...c, shape };
  }

  addHostFault(request: HostFaultRequest): void {
    this.hostFaults.push(request);
    this.hostFaultsReceived++;
  }

  resources(): WorkerSnapshot['resources'] {
    return this.snapshot?.resources ?? { pids: [], dirs: [] };
  }

  /** The render adapter the display composes this monitor on, as last reported. */
  renderAdapter(): { kind: string; luid: number } {
    const a = (this.snapshot ?? emptyWorkerSnapshot()).display.renderAdapter;
    return { kind: a.kind, luid: a.luid };
  }

  current(): WorkerSnapshot {
    return this.snapshot ?? emptyWorkerSnapshot();
  }
}
