/**
 * The monitors of a session: the ones plugged in now (by targetId), the ones leaving (removed,
 * their worker still being joined) and the departed ones' final records, kept for the summary.
 *
 * A monitor is departed from the moment it is removed: it leaves targets() at once and stays in
 * records() throughout (its live record while it leaves, then its final one), so the summary and
 * the viewer's panels never lose it on the way (a page that saw no panel for it kept its view
 * served and reconnected to a target the RFB server had dropped). A departed targetId is never
 * reused: its counters stay in the summary under it.
 */
import { InvalidArgumentError } from '../contract/errors.js';
import type { MonitorLink } from './monitor-link.js';
import type { MonitorRecord } from './run-summary.js';

export class MonitorRoster {
  private readonly live = new Map<number, MonitorLink>();
  private readonly leaving = new Set<MonitorLink>();
  private readonly departed: MonitorRecord[] = [];
  /** The targetId the next monitor plugged in gets. */
  nextTarget = 1;

  get size(): number {
    return this.live.size;
  }

  /** The monitors plugged in now. */
  links(): IterableIterator<MonitorLink> {
    return this.live.values();
  }

  get(targetId: number): MonitorLink | undefined {
    return this.live.get(targetId);
  }

  /** The monitor plugged in as `targetId`, or the typed error naming the ones there are. */
  require(targetId: number): MonitorLink {
    const l = this.live.get(targetId);
    if (l === undefined) throw new InvalidArgumentError(`no monitor has targetId ${String(targetId)} (monitors: ${this.targets().join(', ') || 'none'})`);
    return l;
  }

  /** The monitors plugged in now, by targetId. */
  targets(): number[] {
    return [...this.live.keys()].sort((a, b) => a - b);
  }

  add(link: MonitorLink): void {
    this.live.set(link.targetId, link);
    this.nextTarget = Math.max(this.nextTarget, link.targetId + 1);
  }

  /** `link` is removed: out of the live monitors now, leaving until depart() has its final record. */
  leave(link: MonitorLink): void {
    this.live.delete(link.targetId);
    this.leaving.add(link);
  }

  /** Closes a leaving monitor (`close`) and keeps its final record. */
  async depart(link: MonitorLink, close: () => Promise<MonitorRecord>): Promise<void> {
    try {
      this.departed.push(await close());
    } finally {
      this.leaving.delete(link);
    }
  }

  /** True when every live monitor has ended (vacuously with none). */
  allEnded(): boolean {
    for (const l of this.live.values()) if (!l.isEnded) return false;
    return true;
  }

  /** Every monitor's record, live, leaving and departed, by targetId. */
  records(): MonitorRecord[] {
    return [...this.departed, ...[...this.leaving, ...this.live.values()].map((l) => l.record())].sort((a, b) => a.host.targetId - b.host.targetId);
  }
}
