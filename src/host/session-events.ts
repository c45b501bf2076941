/**
 * What a session tells its listeners (the viewer, the RFB server, the CLI's timeline): every
 * monitor's recovery events, kept in arrival order for late readers, and monitors arriving and
 * departing. A listener is called synchronously, where the change happens, so an RFB server's
 * removeTarget runs before the departed monitor's frames end.
 */
import type { RecoveryEventMessage } from './worker-messages.js';

export type MonitorChange = 'arrived' | 'departed';

export class SessionEvents {
  /** Every monitor's recovery events, as they arrived, each with its targetId. */
  readonly recovery: RecoveryEventMessage[] = [];
  private readonly recoveryListeners = new Set<(e: RecoveryEventMessage) => void>();
  private readonly monitorListeners = new Set<(targetId: number, change: MonitorChange) => void>();

  recoveryEvent(e: RecoveryEventMessage): void {
    this.recovery.push(e);
    for (const l of this.recoveryListeners) l(e);
  }

  monitorChanged(targetId: number, change: MonitorChange): void {
    for (const l of this.monitorListeners) l(targetId, change);
  }

  /** Returns the unsubscribe. */
  onRecoveryEvent(listener: (e: RecoveryEventMessage) => void): () => void {
    this.recoveryListeners.add(listener);
    return () => this.recoveryListeners.delete(listener);
  }

  /** Returns the unsubscribe. */
  onMonitorChange(cb: (targetId: number, change: MonitorChange) => void): () => void {
    this.monitorListeners.add(cb);
    return () => this.monitorListeners.delete(cb);
  }
}
