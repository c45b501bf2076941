/**
 * The run summary: the one JSON object `vdpush run --json` prints. Its keys are an interface
 * (issue 3); build it only here.
 */
import { formatName } from '../contract/pixel-format.js';
import type { RecoveryEventMessage, WorkerSnapshot } from './worker-messages.js';

export interface RunSummary {
  source: string;
  mode: { width: number; height: number; refreshHz: number; format: string };
  durationMs: number;
  frames: {
    presented: number;
    acquired: number;
    finished: number;
    published: number;
    consumed: number;
    /**
     * Frames not delivered, by reason. descMismatch, allSlotsBusy, stale and noPublisher were never
     * published; overwritten were published but never handed to the consumer (the producer wrote
     * a newer frame over them first, a host stall sat on them, or the run ended before they were
     * read). So published = consumed + overwritten, always.
     */
    dropped: { descMismatch: number; allSlotsBusy: number; stale: number; noPublisher: number; overwritten: number };
    integrityErrors: number;
  };
  swapChains: { assigned: number; abandoned: number; deleted: number };
  devices: { created: number; destroyed: number; live: number };
  adapter: { kind: string; luid: number };
  recovery: { events: RecoveryEventMessage[]; criticalError: null | { major: number; minor: number } };
  ring: { generations: number; health: string };
  stalls: number;
  terminate: { maxLatencyMs: number };
}

export interface HostCounters {
  source: string;
  mode: { width: number; height: number; refreshHz: number; format: number };
  durationMs: number;
  consumed: number;
  integrityErrors: number;
  generations: number;
  health: string;
  /** Frames published into the host's ring buffers (the ring's own live counters, every generation). */
  ringPublished: number;
}

export function buildRunSummary(host: HostCounters, w: WorkerSnapshot): RunSummary {
  const d = w.display;
  // The worker's count arrives with its snapshot (every 200 ms) while the ring's counters are live:
  // the larger is the truth so far, so a live line never shows more consumed than published. After
  // the run both are final and equal.
  const published = Math.max(w.driver.published, host.ringPublished);
  return {
    source: host.source,
    mode: { width: host.mode.width, height: host.mode.height, refreshHz: host.mode.refreshHz, format: formatName(host.mode.format) },
    durationMs: Math.round(host.durationMs),
    frames: {
      presented: d.presented,
      acquired: d.acquired,
      finished: d.finished,
      published,
      consumed: host.consumed,
      dropped: {
        descMismatch: w.driver.dropped.descMismatch,
        allSlotsBusy: w.driver.dropped.allSlotsBusy,
        stale: w.driver.dropped.stale,
        noPublisher: w.driver.dropped.noPublisher,
        overwritten: Math.max(0, published - host.consumed),
      },
      integrityErrors: host.integrityErrors,
    },
    swapChains: { assigned: d.swapChainsAssigned, abandoned: d.swapChainsAbandoned, deleted: d.swapChainsDeleted },
    devices: { ...w.driver.devices },
    adapter: { kind: d.renderAdapter.kind, luid: d.renderAdapter.luid },
    recovery: { events: w.events.map((e) => ({ ...e })), criticalError: w.criticalError },
    ring: { generations: host.generations, health: host.health },
    stalls: d.stalls,
    terminate: { maxLatencyMs: round3(w.driver.terminateMaxLatencyMs) },
  };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** The human-readable end-of-run report. */
export function formatRunSummary(s: RunSummary): string {
  const f = s.frames;
  const drops = Object.entries(f.dropped)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const lines = [
    `vdpush run: ${s.source} ${s.mode.width}x${s.mode.height}@${s.mode.refreshHz} ${s.mode.format}, ${(s.durationMs / 1000).toFixed(2)} s`,
    `  frames     presented ${f.presented}, acquired ${f.acquired}, finished ${f.finished}, published ${f.published}, consumed ${f.consumed}`,
    `  drops      ${drops || 'none'}`,
    `  integrity  ${f.integrityErrors === 0 ? 'every consumed frame verified' : `${f.integrityErrors} INTEGRITY ERRORS`}`,
    `  swapchains assigned ${s.swapChains.assigned}, abandoned ${s.swapChains.abandoned}, deleted ${s.swapChains.deleted}`,
    `  devices    created ${s.devices.created}, destroyed ${s.devices.destroyed}, live ${s.devices.live}`,
    `  adapter    ${s.adapter.kind} (luid 0x${s.adapter.luid.toString(16)})`,
    `  ring       ${s.ring.generations} generation(s), health ${s.ring.health}; display stalls ${s.stalls}; terminate latency max ${s.terminate.maxLatencyMs} ms`,
  ];
  if (s.recovery.events.length > 0) {
    lines.push(`  recovery   ${s.recovery.events.length} event(s):`);
    for (const e of s.recovery.events.slice(0, 20)) {
      if (e.class === 'injected') {
        const dur = typeof e.durationMs === 'number' && e.durationMs > 0 ? ` for ${e.durationMs} ms` : '';
        lines.push(`    ${e.atMs.toFixed(1).padStart(9)} ms  injected ${e.failure}${dur}${typeof e.detail === 'string' && e.detail ? ` (${e.detail})` : ''}`);
        continue;
      }
      const rec = e.recoveryMs == null ? '' : `, frames back in ${e.recoveryMs.toFixed(1)} ms`;
      lines.push(`    ${e.atMs.toFixed(1).padStart(9)} ms  ${e.failure} (${e.hresult}, ${e.class}) -> ${e.action} on ${e.adapter}${rec}`);
    }
    if (s.recovery.events.length > 20) lines.push(`    ... ${s.recovery.events.length - 20} more`);
  }
  if (s.recovery.criticalError) {
    const c = s.recovery.criticalError;
    lines.push(`  CRITICAL ERROR major 0x${c.major.toString(16)} minor 0x${c.minor.toString(16)}: the device stopped`);
  }
  return lines.join('\n');
}
