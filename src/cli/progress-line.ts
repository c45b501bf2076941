/**
 * The live status line of a run on a terminal: frames/s, drops, adapter, last recovery event.
 * Redrawn in place a few times a second; nothing is drawn when stderr is not a terminal.
 */
import type { RunSummary } from '../host/run-summary.js';

export class ProgressLine {
  private lastConsumed = 0;
  private lastAt = performance.now();
  private fps = 0;
  private drawn = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(s: RunSummary): void {
    if (!this.enabled) return;
    const now = performance.now();
    const dt = (now - this.lastAt) / 1000;
    if (dt >= 0.25) {
      this.fps = (s.frames.consumed - this.lastConsumed) / dt;
      this.lastConsumed = s.frames.consumed;
      this.lastAt = now;
    }
    const d = s.frames.dropped;
    const drops = d.descMismatch + d.allSlotsBusy + d.stale + d.noPublisher + d.overwritten;
    const last = s.recovery.events.at(-1);
    const ev = last ? `  last: ${last.failure} -> ${last.action}` : '';
    const text = `  ${this.fps.toFixed(0).padStart(5)} fps  published ${s.frames.published}  consumed ${s.frames.consumed}  drops ${drops}  adapter ${s.adapter.kind}${ev}`;
    const cols = this.columns();
    this.stream.write(`\r${text.slice(0, cols - 1).padEnd(cols - 1)}`);
    this.drawn = true;
  }

  /** The terminal's width; a terminal that reports 0 (or nothing, under `script`) counts as 100. */
  private columns(): number {
    const c = this.stream.columns;
    return typeof c === 'number' && c >= 2 ? c : 100;
  }

  clear(): void {
    if (this.drawn) this.stream.write(`\r${' '.repeat(this.columns() - 1)}\r`);
    this.drawn = false;
  }
}
