/**
 * A client that stops reading (its socket stays above LOW_WATER) or stops answering the server's
 * fences for `timeoutMs` is disconnected with that reason: the server never buffers more for a
 * client that is not taking it, and never waits for one (rfb-session.ts).
 *
 * Invariant: at most one timer per client; progress (a drained socket, an answered fence) clears
 * it only once the client is no longer behind on both counts.
 */
/** What the watch reads: the socket's backlog (RfbTransport) and the fences (UpdateFlow). */
export interface StallSocket {
  readonly bufferedBytes: number;
}
export interface StallFences {
  readonly blockedOnFences: boolean;
  readonly unansweredFences: number;
}

export class StallWatch {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: StallSocket,
    private readonly fences: StallFences,
    private readonly lowWater: number,
    private readonly timeoutMs: number,
    private readonly close: (reason: string) => void,
  ) {}

  /** The client is behind: disconnect it unless it makes progress in time. */
  arm(): void {
    this.timer ??= setTimeout(
      () =>
        this.close(
          this.fences.blockedOnFences
            ? `the client stopped answering fences (${this.fences.unansweredFences} unanswered)`
            : `the client stopped reading (${this.socket.bufferedBytes} bytes unread)`,
        ),
      this.timeoutMs,
    );
  }

  /** The client is reading (its socket drained, or it answered a fence): no stall. */
  progress(): void {
    if (this.socket.bufferedBytes > this.lowWater || this.fences.blockedOnFences) return;
    this.stop();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
