/**
 * `vdpush bench processor`: the swap-chain processor on real time.
 * - terminate latency during a continuous 1000 Hz burst (the seed's reason for checking terminate
 *   at the top of every pass), stop requested from the driver's thread;
 * - recovery latency through the whole stack (worker, ring, host): one device removal on the
 *   hardware adapter back to published frames, and the fall back to the software adapter.
 * Not a test: timings depend on the machine. Targets: terminate < 20 ms, recovery < 100 ms,
 * software fallback < 250 ms.
 */
import { createSimDisplay } from '../../src/backends/sim/index.js';
import { createDriver, NO_RING } from '../../src/driver/index.js';
import { openSession } from '../../src/host/session.js';

export interface ProcessorBenchResult {
  terminate: { runs: number; p50Ms: number; maxMs: number; burstHz: number };
  recovery: { runs: number; deviceRemovedMs: number[]; softwareFallbackMs: number[]; medianRecoveryMs: number; medianFallbackMs: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
}

async function terminateLatency(runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const display = createSimDisplay({ clock: 'real', mode: '320x180@1000', pattern: 'desktop', seed: i + 1 });
    const driver = createDriver({ display, ring: NO_RING, targetId: 1 });
    await driver.start();
    await new Promise((r) => setTimeout(r, 150));
    await driver.stop();
    out.push(driver.stats().terminate.maxLatencyMs);
  }
  return out;
}

async function recovery(faults: string, pick: (actions: string[]) => number, seed: number): Promise<number> {
  const s = await openSession({ mode: '1280x720@240', clock: 'real', durationMs: 1500, faults, seed });
  await s.drain();
  const summary = await s.close();
  const events = summary.recovery.events;
  const i = pick(events.map((e) => e.action));
  const ms = i >= 0 ? events[i]!.recoveryMs : null;
  return typeof ms === 'number' ? ms : Number.NaN;
}

export async function runProcessorBench(_opts: { json?: boolean } = {}): Promise<ProcessorBenchResult> {
  const term = await terminateLatency(10);
  const removed: number[] = [];
  const fallback: number[] = [];
  for (let i = 0; i < 3; i++) {
    removed.push(await recovery('device-removed@400ms', (a) => a.indexOf('recreate-device'), i + 1));
    fallback.push(await recovery('device-removed@300ms*5/40ms', (a) => a.indexOf('software-fallback'), i + 1));
  }
  return {
    terminate: { runs: term.length, p50Ms: median(term), maxMs: Math.max(...term), burstHz: 1000 },
    recovery: { runs: removed.length, deviceRemovedMs: removed, softwareFallbackMs: fallback, medianRecoveryMs: median(removed), medianFallbackMs: median(fallback) },
  };
}

export function formatProcessorBench(r: ProcessorBenchResult): string {
  const f = (n: number): string => n.toFixed(2);
  return [
    'swap-chain processor (real clock)',
    `  terminate latency during a ${r.terminate.burstHz} Hz burst: p50 ${f(r.terminate.p50Ms)} ms, max ${f(r.terminate.maxMs)} ms over ${r.terminate.runs} stops (target < 20 ms)`,
    `  device removed -> frames published again: median ${f(r.recovery.medianRecoveryMs)} ms (${r.recovery.deviceRemovedMs.map(f).join(', ')}) (target < 100 ms)`,
    `  software fallback -> frames published again: median ${f(r.recovery.medianFallbackMs)} ms (${r.recovery.softwareFallbackMs.map(f).join(', ')}) (target < 250 ms)`,
  ].join('\n');
}
