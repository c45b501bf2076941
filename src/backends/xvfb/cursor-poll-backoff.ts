/**
 * How often the cursor tracker polls the pointer (cursor-tracker.ts). The poll exists because
 * nothing reports every pointer move to us: XI2 raw motion covers XTEST and device motion, XI2
 * motion on the root covers warps over the bare root, but a WarpPointer (xdotool mousemove) over a
 * window whose client selects motion reaches that client only. Each poll is a timer wake-up and a
 * round trip (~0.3 ms of CPU on these VMs), so 10 a second were a third of an idle display's cost.
 *
 * The rule: poll every `baseMs` while anything happened (the pointer moved, damage, a motion
 * event) within the last `quietPolls` polls; after that, double the period each poll, up to
 * `maxMs`. The first activity brings the period back to `baseMs` at the next poll; a motion event
 * or a capture queries the pointer at once meanwhile, so only an unreported warp over a still
 * screen waits for the longer period.
 *
 * Pure integer rule: no timers, no clock (tested exhaustively in cursor-poll-backoff.test.ts).
 */
export interface PollBackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Polls without activity before the period starts to grow. */
  quietPolls: number;
}

/** Once still for 2 s (at the default 100 ms), the poll slows to at most once a second. */
export const IDLE_POLL_FACTOR = 10;
export const QUIET_POLLS = 20;

export class PollBackoff {
  private quiet = 0;
  private period: number;

  constructor(private readonly opts: PollBackoffOptions) {
    if (!(opts.baseMs > 0) || !(opts.maxMs >= opts.baseMs) || !(opts.quietPolls >= 0)) {
      throw new RangeError(`poll backoff needs 0 < baseMs <= maxMs and quietPolls >= 0, got ${JSON.stringify(opts)}`);
    }
    this.period = opts.baseMs;
  }

  static forBase(baseMs: number): PollBackoff {
    return new PollBackoff({ baseMs, maxMs: baseMs * IDLE_POLL_FACTOR, quietPolls: QUIET_POLLS });
  }

  /** The delay before the next poll, given whether anything happened since the last one. */
  next(active: boolean): number {
    if (active) {
      this.quiet = 0;
      this.period = this.opts.baseMs;
    } else if (this.quiet < this.opts.quietPolls) this.quiet++;
    else this.period = Math.min(this.opts.maxMs, this.period * 2);
    return this.period;
  }
}
