/**
 * The server grab one capture holds (swap-chain.ts): GrabServer goes out with the capture's
 * request batch, the reply says it is in effect, and it ends right after the copy of the damaged
 * bytes (or at once when the frame will not be copied). Also the two timings the display reports:
 * from sending the grab to its reply (grabWaitMs) and from the reply to the ungrab (grabHeldMs,
 * the copy under the grab).
 *
 * The grab itself is counted on the connection (XConnection.grabServer): a release here lets go
 * of this capture's hold, never of a newer swap-chain's.
 *
 * Hot path: no allocation; a release without a hold is a no-op (every exit path may call it).
 */
import type { Clock } from '../../display/clock.js';
import type { CaptureCounters } from './swap-chain-host.js';
import type { XConnection } from './x-connection.js';

export class CaptureGrab {
  /** This capture holds the server grab (sent, not yet released). */
  held = false;
  private sentAt = 0;
  private replyAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly counters: CaptureCounters,
  ) {}

  /** The capture's batch starts: with `grab`, GrabServer leads it. */
  begin(conn: XConnection, grab: boolean): void {
    this.sentAt = this.clock.now();
    if (grab) {
      conn.grabServer();
      this.held = true;
    }
  }

  /** The capture's round trip came back: the grab (if any) is in effect from now. */
  replied(): void {
    const t = this.clock.now();
    this.replyAt = t;
    this.counters.grabWaitMs += t - this.sentAt;
  }

  /** Lets go of the grab (UngrabServer out at once if this was the connection's last hold). */
  release(conn: XConnection | null): void {
    if (!this.held) return;
    this.held = false;
    if (this.replyAt > 0) {
      this.counters.grabHeldMs += this.clock.now() - this.replyAt;
      this.replyAt = 0;
    }
    conn?.ungrabServer();
  }
}
