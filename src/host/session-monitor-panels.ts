/**
 * The viewer's panel per monitor for a session (issue 12): each monitor's own counters out of the
 * run summary's `monitors` array (which keeps departed monitors with their final counters), the
 * live ring generation, render adapter and input of the monitors still plugged in, the frames/s
 * each one's display publishes, and why a monitor is dead.
 *
 * Rates are measured over at least MIN_RATE_WINDOW_MS between two reads, so a page that connects
 * (and reads the stats at once) does not turn a rate into noise. Only the MAX_DEPARTED most recent
 * departed monitors are given (the page keeps fewer): a session after 200 plug/unplug cycles does
 * not send 200 dead panels twice a second.
 */
import type { RecoveryEventMessage } from './worker-messages.js';
import type { Session } from './session.js';
import type { ViewerMonitorStats } from './viewer/viewer-source.js';

const MIN_RATE_WINDOW_MS = 400;
const MAX_DEPARTED = 8;

const hex = (n: number): string => `0x${n.toString(16).toUpperCase()}`;

interface RateSample {
  atMs: number;
  published: number;
  fps: number;
}

/** Why the adapter's monitors are dead after a critical error: the code and the failure that led to it. */
export function criticalReason(code: { major: number; minor: number }, events: readonly RecoveryEventMessage[]): string {
  let last: RecoveryEventMessage | undefined;
  for (let i = events.length - 1; i >= 0 && last === undefined; i--) if (events[i]!.action === 'critical-error') last = events[i];
  const why = last ? ` after ${last.failure}${last.hresult ? ` (${last.hresult})` : ''}` : '';
  return `critical error ${hex(code.major)}/${hex(code.minor)}${why}`;
}

export class SessionMonitorPanels {
  private readonly rates = new Map<number, RateSample>();

  constructor(private readonly session: Session) {}

  /** One panel per monitor the session drives or drove, in targetId order. */
  read(): ViewerMonitorStats[] {
    const s = this.session;
    const summary = s.stats();
    const live = new Set(s.targets());
    const critical = summary.recovery.criticalError;
    const now = performance.now();
    const departed = summary.monitors.filter((m) => !live.has(m.targetId)).map((m) => m.targetId);
    const shown = new Set(departed.slice(-MAX_DEPARTED));
    return summary.monitors.filter((m) => live.has(m.targetId) || shown.has(m.targetId)).map((m) => {
      const present = live.has(m.targetId);
      const panel: ViewerMonitorStats = {
        targetId: m.targetId,
        present,
        mode: m.mode,
        fps: present ? this.rate(m.targetId, m.frames.published, now) : 0,
        frames: { presented: m.frames.presented, published: m.frames.published, consumed: m.frames.consumed, integrityErrors: m.frames.integrityErrors },
        drops: { ...m.frames.dropped },
        ring: { health: m.ring.health, generation: present ? s.ringHealth(m.targetId).generation : 0 },
      };
      if (!present) {
        this.rates.delete(m.targetId);
        panel.dead = null;
        return panel;
      }
      panel.adapter = s.renderAdapter(m.targetId);
      const input = s.inputCounters(m.targetId);
      panel.input = input === null ? null : { ...input };
      panel.dead = critical ? criticalReason(critical, s.recoveryEvents()) : this.endReason(m.targetId, m.ring.health);
      return panel;
    });
  }

  private endReason(targetId: number, health: string): string | null {
    const end = this.session.monitorEnd(targetId);
    if (end !== null) return end.error ? `the display is gone: ${end.error.message}` : 'the display ended';
    if (health === 'dead') return 'the ring reports the display dead';
    return null;
  }

  private rate(targetId: number, published: number, now: number): number {
    const prev = this.rates.get(targetId);
    if (prev === undefined) {
      this.rates.set(targetId, { atMs: now, published, fps: 0 });
      return 0;
    }
    const span = now - prev.atMs;
    if (span >= MIN_RATE_WINDOW_MS) {
      prev.fps = Math.round(((published - prev.published) * 10000) / span) / 10;
      prev.atMs = now;
      prev.published = published;
    }
    return prev.fps;
  }
}
