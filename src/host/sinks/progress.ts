/**
 * A one-line progress bar for `vdpush record`. It draws only on a terminal: when the stream is not
 * a TTY (piped, redirected, CI logs) every call is a no-op, so nothing leaks into captured output.
 * It redraws only when the visible text changes, so calling update() per frame is cheap.
 */

/** The part of a tty.WriteStream the bar uses. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}


const CLEAR_TO_EOL = '\x1b[K';

export class ProgressBar {
  private readonly enabled: boolean;
  private last = '';
  private finished = false;

  /**
   * @param total the value at 100% (e.g. the duration in ms); a bar with total <= 0 draws nothing
   * @param label text before the bar
   */
  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
    private readonly label = '',
  ) {
    this.enabled = stream.isTTY === true && total > 0;
  }

  /** Draws `done` out of `total`, with `detail` after the percentage (e.g. "142 frames"). */
  update(done: number, detail = ''): void {
    if (!this.enabled || this.finished) return;
    const line = this.render(done, detail);
    if (line === this.last) return;
    this.last = line;
    this.stream.write(`\r${line}${CLEAR_TO_EOL}`);
  }

  /** Draws the final state and ends the line. Idempotent. */
  done(done = this.total, detail = ''): void {
    if (!this.enabled || this.finished) return;
    this.update(done, detail);
    this.finished = true;
    this.stream.write('\n');
  }

  /** The bar's text for a state (no control characters). */
  render(done: number, detail: string): string {
    const frac = Math.max(0, Math.min(1, done / this.total));
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const label = this.label ? `${this.label} ` : '';
    const tail = detail ? ` ${detail}` : '';
    const columns = this.stream.columns && this.stream.columns > 0 ? this.stream.columns : 80;
    // Leave the last column free: writing into it makes some terminals wrap.
    const barWidth = Math.max(10, Math.min(40, columns - 1 - label.length - pct.length - tail.length - 3));
    const filled = Math.round(frac * barWidth);
    return `${label}[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${pct}${tail}`.slice(0, columns - 1);
  }
}
