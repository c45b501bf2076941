/**
 * The run summary: the one JSON object `vdpush run --json` prints. Its keys are an interface
 * (issues 3 and 12); build it only here.
 *
 * One adapter, one or more monitors. The top level keeps the one-monitor shape it always had:
 * `frames`, `swapChains` and `stalls` are sums over the monitors, `ring.generations` too with
 * `ring.health` the worst monitor's; `mode` is monitor 1's (the first still plugged);
 * `adapter`, `devices` and `recovery` are the adapter's (devices summed over the monitors' pools,
 * every monitor's recovery events in time order, each with the `targetId` it concerned).
 * `monitors` is always present, one element per monitor, in targetId order.
 */
import { formatName } from '../contract/pixel-format.js';
import type { RecoveryEventMessage, WorkerSnapshot } from './worker-messages.js';

export interface FrameCounts {
  presented: number;
  acquired: number;
  /** Presented frames the display took back before they were acquired (DisplayStats.discarded). */
  discarded: number;
  finished: number;
  published: number;
  consumed: number;
  /**
   * Frames not delivered, by reason. descMismatch, allSlotsBusy, stale and noPublisher were never
   * published; overwritten were published but never handed to the consumer (the producer wrote
   * a newer frame over them first, a host stall sat on them, or the run ended before they were
   * read). So published = consumed + overwritten, always (per monitor, and so in the sums).
   */
  dropped: { descMismatch: number; allSlotsBusy: number; stale: number; noPublisher: number; overwritten: number };
  integrityErrors: number;
}

export interface ModeSummary {
  width: number;
  height: number;
  refreshHz: number;
  format: string;
}

export interface MonitorSummary {
  targetId: number;
  mode: ModeSummary;
  frames: FrameCounts;
  swapChains: { assigned: number; abandoned: number; deleted: number };
  ring: { generations: number; health: string };
  stalls: number;
}

export interface RunSummary {
  source: string;
  mode: ModeSummary;
  durationMs: number;
  frames: FrameCounts;
  swapChains: { assigned: number; abandoned: number; deleted: number };
  devices: { created: number; destroyed: number; live: number };
  adapter: { kind: string; luid: number };
  recovery: { events: RecoveryEventMessage[]; criticalError: null | { major: number; minor: number } };
  ring: { generations: number; health: string };
  stalls: number;
  terminate: { maxLatencyMs: number };
  monitors: MonitorSummary[];
  /**
   * How the run ended: 'completed' (its duration, or a stop), 'critical-error' (the driver called
   * reportCriticalError), or 'bugcheck' (the simulated OS punished a call a real IddCx punishes;
   * `bugcheck` says which, and when).
   */
  ending: RunEnding;
  bugcheck: null | { reason: string; atMs: number };
}

export type RunEnding = 'completed' | 'critical-error' | 'bugcheck';

/** What the host counted for one monitor. */
export interface HostCounters {
  targetId: number;
  mode: { width: number; height: number; refreshHz: number; format: number };
  consumed: number;
  integrityErrors: number;
  generations: number;
  health: string;
  /** Frames published into the host's ring buffers (the ring's own live counters, every generation). */
  ringPublished: number;
}

/** One monitor's host counters and its worker's last snapshot. */
export interface MonitorRecord {
  host: HostCounters;
  worker: WorkerSnapshot;
}

/** Worst first: the top-level health is the first of these any monitor has. */
const HEALTH_ORDER = ['dead', 'rebuilding', 'initializing', 'active'];

function modeSummary(m: HostCounters['mode']): ModeSummary {
  return { width: m.width, height: m.height, refreshHz: m.refreshHz, format: formatName(m.format) };
}

function monitorSummary(r: MonitorRecord): MonitorSummary {
  const d = r.worker.display;
  const w = r.worker.driver;
  // The worker's count arrives with its snapshot (every 200 ms) while the ring's counters are live:
  // the larger is the truth so far, so a live line never shows more consumed than published. After
  // the run both are final and equal.
  const published = Math.max(w.published, r.host.ringPublished);
  return {
    targetId: r.host.targetId,
    mode: modeSummary(r.host.mode),
    frames: {
      presented: d.presented,
      acquired: d.acquired,
      discarded: d.discarded ?? 0,
      finished: d.finished,
      published,
      consumed: r.host.consumed,
      dropped: {
        descMismatch: w.dropped.descMismatch,
        allSlotsBusy: w.dropped.allSlotsBusy,
        stale: w.dropped.stale,
        noPublisher: w.dropped.noPublisher,
        overwritten: Math.max(0, published - r.host.consumed),
      },
      integrityErrors: r.host.integrityErrors,
    },
    swapChains: { assigned: d.swapChainsAssigned, abandoned: d.swapChainsAbandoned, deleted: d.swapChainsDeleted },
    ring: { generations: r.host.generations, health: r.host.health },
    stalls: d.stalls,
  };
}

function sumFrames(ms: readonly MonitorSummary[]): FrameCounts {
  const t: FrameCounts = {
    presented: 0,
    acquired: 0,
    discarded: 0,
    finished: 0,
    published: 0,
    consumed: 0,
    dropped: { descMismatch: 0, allSlotsBusy: 0, stale: 0, noPublisher: 0, overwritten: 0 },
    integrityErrors: 0,
  };
  for (const m of ms) {
    const f = m.frames;
    t.presented += f.presented;
    t.acquired += f.acquired;
    t.discarded += f.discarded;
    t.finished += f.finished;
    t.published += f.published;
    t.consumed += f.consumed;
    t.integrityErrors += f.integrityErrors;
    t.dropped.descMismatch += f.dropped.descMismatch;
    t.dropped.allSlotsBusy += f.dropped.allSlotsBusy;
    t.dropped.stale += f.dropped.stale;
    t.dropped.noPublisher += f.dropped.noPublisher;
    t.dropped.overwritten += f.dropped.overwritten;
  }
  return t;
}

/**
 * Builds the summary of a run: `records` are the monitors in targetId order (at least one; a
 * session with none reports zeros at its last mode).
 */
export function buildRunSummary(run: { source: string; durationMs: number; fallbackMode: HostCounters['mode'] }, records: readonly MonitorRecord[]): RunSummary {
  const monitors = records.map(monitorSummary);
  const first = records[0];
  const swapChains = { assigned: 0, abandoned: 0, deleted: 0 };
  const devices = { created: 0, destroyed: 0, live: 0 };
  let stalls = 0;
  let generations = 0;
  let maxLatency = 0;
  let criticalError: RunSummary['recovery']['criticalError'] = null;
  let bugcheck: RunSummary['bugcheck'] = null;
  const events: RecoveryEventMessage[] = [];
  for (const m of monitors) {
    swapChains.assigned += m.swapChains.assigned;
    swapChains.abandoned += m.swapChains.abandoned;
    swapChains.deleted += m.swapChains.deleted;
    stalls += m.stalls;
    generations += m.ring.generations;
  }
  for (const r of records) {
    devices.created += r.worker.driver.devices.created;
    devices.destroyed += r.worker.driver.devices.destroyed;
    devices.live += r.worker.driver.devices.live;
    maxLatency = Math.max(maxLatency, r.worker.driver.terminateMaxLatencyMs);
    criticalError ??= r.worker.criticalError;
    const b = r.worker.display.bugcheck;
    if (bugcheck === null && b) bugcheck = { reason: b.reason, atMs: b.atMs };
    // A one-monitor run's events read as they always did, plus the monitor they concerned.
    for (const e of r.worker.events) events.push({ ...e, targetId: e.targetId ?? r.host.targetId });
  }
  // Stable: events of one instant keep targetId order.
  events.sort((a, b) => a.atMs - b.atMs);
  const health = HEALTH_ORDER.find((h) => monitors.some((m) => m.ring.health === h)) ?? (monitors[0]?.ring.health ?? 'dead');
  const adapter = first?.worker.display.renderAdapter ?? { kind: 'hardware', luid: 0 };
  return {
    source: run.source,
    mode: modeSummary(first?.host.mode ?? run.fallbackMode),
    durationMs: Math.round(run.durationMs),
    frames: sumFrames(monitors),
    swapChains,
    devices,
    adapter: { kind: adapter.kind, luid: adapter.luid },
    recovery: { events, criticalError },
    ring: { generations, health },
    stalls,
    terminate: { maxLatencyMs: round3(maxLatency) },
    monitors,
    ending: bugcheck !== null ? 'bugcheck' : criticalError !== null ? 'critical-error' : 'completed',
    bugcheck,
  };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function modeText(m: ModeSummary): string {
  return `${m.width}x${m.height}@${m.refreshHz} ${m.format}`;
}

function frameLines(f: FrameCounts, indent: string): string[] {
  const drops = Object.entries(f.dropped)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `${indent}frames     presented ${f.presented}, acquired ${f.acquired}, finished ${f.finished}, published ${f.published}, consumed ${f.consumed}`,
    `${indent}drops      ${drops || 'none'}`,
    `${indent}integrity  ${f.integrityErrors === 0 ? 'every consumed frame verified' : `${f.integrityErrors} INTEGRITY ERRORS`}`,
  ];
}

/** The human-readable end-of-run report: the adapter's totals, then one block per monitor. */
export function formatRunSummary(s: RunSummary): string {
  const lines = [
    `vdpush run: ${s.source} ${modeText(s.mode)}, ${(s.durationMs / 1000).toFixed(2)} s, ${s.monitors.length} monitor(s)`,
    ...frameLines(s.frames, '  '),
    `  swapchains assigned ${s.swapChains.assigned}, abandoned ${s.swapChains.abandoned}, deleted ${s.swapChains.deleted}`,
    `  devices    created ${s.devices.created}, destroyed ${s.devices.destroyed}, live ${s.devices.live}`,
    `  adapter    ${s.adapter.kind} (luid 0x${s.adapter.luid.toString(16)})`,
    `  ring       ${s.ring.generations} generation(s), health ${s.ring.health}; display stalls ${s.stalls}; terminate latency max ${s.terminate.maxLatencyMs} ms`,
  ];
  for (const m of s.monitors) {
    lines.push(`  monitor ${m.targetId}: ${modeText(m.mode)}`);
    lines.push(...frameLines(m.frames, '    '));
    lines.push(`    swapchains assigned ${m.swapChains.assigned}, abandoned ${m.swapChains.abandoned}, deleted ${m.swapChains.deleted}`);
    lines.push(`    ring       ${m.ring.generations} generation(s), health ${m.ring.health}; display stalls ${m.stalls}`);
  }
  if (s.recovery.events.length > 0) {
    lines.push(`  recovery   ${s.recovery.events.length} event(s):`);
    for (const e of s.recovery.events.slice(0, 20)) {
      const who = e.targetId == null ? '' : `monitor ${e.targetId}: `;
      if (e.class === 'display') {
        lines.push(`    ${e.atMs.toFixed(1).padStart(9)} ms  ${e.action}: ${typeof e.detail === 'string' ? e.detail : e.failure}`);
        continue;
      }
      if (e.class === 'injected') {
        const dur = typeof e.durationMs === 'number' && e.durationMs > 0 ? ` for ${e.durationMs} ms` : '';
        lines.push(`    ${e.atMs.toFixed(1).padStart(9)} ms  ${who}injected ${e.failure}${dur}${typeof e.detail === 'string' && e.detail ? ` (${e.detail})` : ''}`);
        continue;
      }
      const rec = e.recoveryMs == null ? '' : `, frames back in ${e.recoveryMs.toFixed(1)} ms`;
      lines.push(`    ${e.atMs.toFixed(1).padStart(9)} ms  ${who}${e.failure} (${e.hresult}, ${e.class}) -> ${e.action} on ${e.adapter}${rec}`);
    }
    if (s.recovery.events.length > 20) lines.push(`    ... ${s.recovery.events.length - 20} more`);
  }
  if (s.bugcheck) lines.push(`  BUGCHECK at ${s.bugcheck.atMs.toFixed(1)} ms: ${s.bugcheck.reason}`);
  if (s.recovery.criticalError) {
    const c = s.recovery.criticalError;
    lines.push(`  CRITICAL ERROR major 0x${c.major.toString(16)} minor 0x${c.minor.toString(16)}: the device stopped`);
  }
  return lines.join('\n');
}
