/**
 * Monitor arrival and departure from the fault schedule (issue 12): `plug:WxH@HZ` plugs in a new
 * monitor (IddCxMonitorArrival), `unplug` unplugs one (IddCxMonitorDeparture): `#N` names it,
 * without it the newest plugged monitor goes (never the adapter's last). The session performs
 * them, not a display: a departure ends a whole worker.
 *
 * Timing: entries fire on the session's timeline (session.timelineNowMs): on the virtual clock
 * when a slice is acknowledged, on the real clock from a timer. They run one after another (a
 * plug is awaited before the next entry), so a burst of cycles never overlaps itself. An entry
 * that cannot be performed (the monitor is gone, the session ended) is logged, not thrown.
 */
import { InvalidArgumentError } from '../contract/errors.js';
import type { FaultEntry } from '../backends/sim/index.js';

/** How often the real clock looks for due entries. */
const REAL_TICK_MS = 5;

export interface ArrivalRecord {
  atMs: number;
  kind: 'plug' | 'unplug';
  /** The monitor that arrived or left, or 0 when the entry could not be performed. */
  targetId: number;
  detail: string;
}

export interface ArrivalHost {
  nowMs(): number;
  virtual(): boolean;
  plug(mode: { width: number; height: number; refreshHz: number }): Promise<number>;
  unplug(targetId: number): Promise<void>;
  /** The newest monitor that may leave (never the last one), or null. */
  newest(): number | null;
  /** The session's mode (a plug without a refresh rate takes its rate). */
  mode(): { width: number; height: number; refreshHz: number };
}

export class MonitorArrivals {
  readonly log: ArrivalRecord[] = [];
  private entries: readonly FaultEntry[] = [];
  private next = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(private readonly host: ArrivalHost) {}

  start(entries: readonly FaultEntry[]): void {
    this.entries = entries;
    if (entries.length > 0 && !this.host.virtual()) {
      this.timer = setInterval(() => this.tick(), REAL_TICK_MS);
      this.timer.unref();
    }
    this.tick();
  }

  /** Queues every entry now due. */
  tick(): void {
    if (this.stopped) return;
    const now = this.host.nowMs();
    while (this.next < this.entries.length && this.entries[this.next]!.atMs <= now) {
      const e = this.entries[this.next++]!;
      this.chain = this.chain.then(() => this.perform(e.kind as 'plug' | 'unplug', e.mode, e.target, e.atMs));
    }
    if (this.next >= this.entries.length && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** session.injectFault('plug' | 'unplug'): performs it now, after any queued entry. */
  inject(kind: 'plug' | 'unplug', modeText: string | undefined, targetId: number): Promise<void> {
    let mode: FaultEntry['mode'];
    if (kind === 'plug' && modeText !== undefined) {
      const m = /^\s*(\d+)\s*[xX]\s*(\d+)\s*(?:@\s*(\d+(?:\.\d+)?))?\s*$/.exec(modeText);
      if (m === null) return Promise.reject(new InvalidArgumentError(`plug: mode "${modeText}" is not WxH or WxH@HZ`));
      mode = { width: Number(m[1]), height: Number(m[2]), refreshHz: m[3] === undefined ? null : Number(m[3]) };
    }
    const done = this.chain.then(() => this.perform(kind, mode, kind === 'unplug' && targetId !== 1 ? targetId : 0, this.host.nowMs(), true));
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Stops firing entries and waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.chain.catch(() => undefined);
  }

  private async perform(kind: 'plug' | 'unplug', mode: FaultEntry['mode'], target: number, atMs: number, rethrow = false): Promise<void> {
    if (this.stopped && !rethrow) return;
    try {
      if (kind === 'plug') {
        const base = this.host.mode();
        const m = mode === undefined ? base : { width: mode.width, height: mode.height, refreshHz: mode.refreshHz ?? base.refreshHz };
        const t = await this.host.plug(m);
        this.log.push({ atMs, kind, targetId: t, detail: `monitor ${t} plugged in at ${m.width}x${m.height}@${m.refreshHz}` });
        return;
      }
      const t = target !== 0 ? target : this.host.newest();
      if (t === null) {
        this.log.push({ atMs, kind, targetId: 0, detail: 'no monitor to unplug but the last' });
        return;
      }
      await this.host.unplug(t);
      this.log.push({ atMs, kind, targetId: t, detail: `monitor ${t} unplugged` });
    } catch (e) {
      this.log.push({ atMs, kind, targetId: 0, detail: e instanceof Error ? e.message : String(e) });
      if (rethrow) throw e;
    }
  }
}
