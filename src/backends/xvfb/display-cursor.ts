/**
 * The display's pointer: one CursorTracker per X connection (a restarted server is a new
 * connection, so a new tracker), started polling when the connection comes and stopped when it
 * goes, and the listeners that hear every change of it (position, visibility, shape). The
 * swap-chain reads `tracker` per capture; null when the display runs without a cursor or has no
 * connection yet.
 */
import { CursorTracker } from './cursor-tracker.js';
import type { ConnectedScreen } from './server-life.js';
import type { XConnection } from './x-connection.js';

export class DisplayCursor {
  tracker: CursorTracker | null = null;
  private readonly listeners: Array<() => void> = [];

  /** `changed` runs first on every change (the display's capture), then every listener. */
  constructor(
    private readonly enabled: boolean,
    private readonly pollMs: number,
    private readonly changed: () => void,
  ) {}

  connected(conn: XConnection, screen: ConnectedScreen): void {
    if (!this.enabled) {
      this.tracker = null;
      return;
    }
    this.tracker = new CursorTracker(conn, screen, () => {
      this.changed();
      for (const fn of this.listeners) fn();
    });
    this.tracker.startPolling(this.pollMs);
  }

  stop(): void {
    this.tracker?.stopPolling();
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }
}
