/**
 * The seeded chaos soak (issue 4): random faults of every kind on the simulated display, with the
 * driver and the ring, on the virtual clock. After the run the invariants must hold, and the
 * outcome must be what the ladder predicts for the fault history:
 * - the state agrees with the decisions: a software-fallback decision ⇔ the software adapter; a
 *   critical-error decision ⇔ the OS saw exactly that code;
 * - a schedule whose DirectX faults cannot add up to a stage's threshold stays on the hardware
 *   adapter with no critical error; a driver bug with time left to run ends in a critical error,
 *   also when the OS ignores the render-adapter preference (then the adapter stays hardware);
 * - the OS taking swap-chains (access-lost, topology-lost, flap, unassign, mode-change) counts
 *   nothing; transient out-of-memory ends in a critical error only if its windows add up to an
 *   episode longer than a transient issue lasts, or to ten episodes;
 * - the OS never bugchecks (the invariants say so);
 * - frames flow at the end unless the device stopped (or a fault is still in effect).
 * A failing seed prints the command that replays it.
 */
import { FAULT_KINDS, Prng, type FaultKind } from '../../src/backends/sim/index.js';
import { SimHarness } from './sim-harness.js';

export interface SoakResult {
  seed: number;
  durationMs: number;
  faults: string;
  problems: string[];
  adapter: string;
  criticalError: { major: number; minor: number } | null;
  decisions: number;
  acquired: number;
  consumed: number;
  replay: string;
}

/**
 * DirectX failures a fault can cause at most. assign-fail is a GPU-wide fault: it removes the live
 * devices (one processing failure at most) and fails `count` device creations.
 */
function directxBudget(kind: FaultKind, count: number): number {
  // access-lost and topology-lost take the swap-chain from a healthy device: not DirectX failures.
  if (kind === 'device-removed' || kind === 'device-reset' || kind === 'device-hung') return 1;
  if (kind === 'assign-fail') return count + 1;
  return 0;
}

/** Small modes for mode-change (the soak runs at 96x54@120), some with another refresh rate. */
const SOAK_MODES = ['96x54', '64x36@60', '128x72', '80x45@30', '96x54@120'] as const;

/** A transient episode longer than this is permanent (the policy's default transientEpisodeMaxMs). */
const EPISODE_MAX_MS = 1000;

/**
 * Whether the out-of-memory windows can add up to a permanent issue: a merged window (overlapping
 * or touching within a frame) longer than a transient episode may last, or ten of them.
 */
function transientRisk(entries: readonly SoakFault[]): boolean {
  const w = entries.filter((e) => e.kind === 'acquire-oom' || e.kind === 'create-oom').sort((a, b) => a.atMs - b.atMs);
  if (w.length >= 10) return true;
  let start = -1;
  let end = -1;
  for (const e of w) {
    if (e.atMs > end + 50) {
      start = e.atMs;
      end = e.endMs;
    } else end = Math.max(end, e.endMs);
    if (end - start > EPISODE_MAX_MS - 100) return true;
  }
  return false;
}

export interface SoakFault {
  kind: FaultKind;
  atMs: number;
  endMs: number;
  count: number;
}

/**
 * A random schedule: 3..10 faults of every kind but driver-bug (and plug/unplug), sometimes a burst of device faults
 * (which can exhaust a stage), sometimes a driver bug. The density does not grow with the duration,
 * so a long soak spends most of its time recovering, not stopped.
 */
export function soakSchedule(seed: number, durationMs: number): { text: string; entries: SoakFault[] } {
  const prng = new Prng(seed);
  // plug/unplug add and remove monitors of a session; this harness drives one monitor.
  const kinds = FAULT_KINDS.filter((k) => k !== 'driver-bug' && k !== 'plug' && k !== 'unplug');
  const deviceKinds: FaultKind[] = ['device-removed', 'device-reset', 'device-hung', 'access-lost'];
  const entries: SoakFault[] = [];
  const parts: string[] = [];
  const last = Math.max(100, durationMs - 400);
  const n = prng.intBetween(3, 10);
  for (let i = 0; i < n; i++) {
    const kind = prng.pick(kinds);
    const atMs = prng.intBetween(50, last);
    let arg = '';
    let endMs = atMs;
    let count = 0;
    if (kind === 'flap' || kind === 'host-stall') {
      const d = prng.intBetween(20, 300);
      arg = `:${d}ms`;
      endMs = atMs + d;
    } else if (kind === 'idle') {
      const d = prng.intBetween(50, 500);
      arg = `:${d}ms`;
      endMs = atMs + d;
    } else if (kind === 'assign-fail') {
      count = prng.intBetween(1, 7);
      arg = `:${count}`;
    } else if (kind === 'acquire-oom' || kind === 'create-oom') {
      const d = prng.intBetween(1, 300);
      arg = `:${d}ms`;
      endMs = atMs + d;
    } else if (kind === 'format-blip') {
      count = prng.intBetween(1, 3);
      arg = `:${count}`;
    } else if (kind === 'static-reencode') {
      count = prng.intBetween(1, 5);
      arg = `:${count}`;
    } else if (kind === 'mode-change') {
      arg = `:${prng.pick(SOAK_MODES)}`;
    }
    entries.push({ kind, atMs, endMs, count });
    parts.push(`${kind}@${atMs}ms${arg}`);
  }
  if (prng.intBetween(0, 2) === 0) {
    const kind = prng.pick(deviceKinds);
    const k = prng.intBetween(2, 7);
    const gap = prng.intBetween(50, 300);
    const atMs = prng.intBetween(50, Math.max(50, last - k * gap));
    for (let i = 0; i < k; i++) entries.push({ kind, atMs: atMs + i * gap, endMs: atMs + i * gap, count: 0 });
    parts.push(`${kind}@${atMs}ms*${k}/${gap}ms`);
  }
  if (prng.intBetween(0, 3) === 0) {
    const atMs = prng.intBetween(50, last);
    entries.push({ kind: 'driver-bug', atMs, endMs: atMs, count: 0 });
    parts.push(`driver-bug@${atMs}ms`);
  }
  entries.sort((a, b) => a.atMs - b.atMs);
  return { text: parts.join(','), entries };
}

export async function runSoak(seed: number, durationMs: number): Promise<SoakResult> {
  const schedule = soakSchedule(seed, durationMs);
  const h = new SimHarness({ faults: schedule.text, seed, mode: '96x54@120' });
  const problems: string[] = [];
  await h.start();
  await h.runFor(durationMs);
  const endMs = h.clock.now();
  problems.push(...(await h.stop()));
  const s = h.driver.stats();
  const ds = h.display.stats();

  // The state agrees with the decisions: a fallback moves the OS to the software adapter, unless
  // the OS was ignoring setRenderAdapter by then.
  const fallback = s.recovery.events.find((e) => e.action === 'software-fallback');
  const ignoreAt = schedule.entries.find((e) => e.kind === 'ignore-render-adapter')?.atMs ?? Number.POSITIVE_INFINITY;
  const expectSoftware = fallback !== undefined && fallback.atMs < ignoreAt;
  if (fallback !== undefined && Math.abs(fallback.atMs - ignoreAt) < 1) {
    // The two at the same millisecond: either order is right.
  } else if (expectSoftware !== (ds.renderAdapter.kind === 'software')) {
    problems.push(`adapter is ${ds.renderAdapter.kind} but the timeline ${fallback ? `has software-fallback at ${fallback.atMs} ms` : 'has no software-fallback'} (ignore-render-adapter at ${ignoreAt} ms)`);
  }
  if (ds.bugcheck !== null) problems.push(`the OS bugchecked: ${ds.bugcheck.reason}`);
  const criticalEvent = s.recovery.events.find((e) => e.action === 'critical-error');
  const expectedCritical = criticalEvent?.critical ?? null;
  if (JSON.stringify(s.recovery.criticalError) !== JSON.stringify(expectedCritical)) {
    problems.push(`criticalError ${JSON.stringify(s.recovery.criticalError)} does not match the timeline's ${JSON.stringify(expectedCritical)}`);
  }
  if (JSON.stringify(ds.criticalError) !== JSON.stringify(expectedCritical)) {
    problems.push(`the OS saw critical error ${JSON.stringify(ds.criticalError)}, the driver decided ${JSON.stringify(expectedCritical)}`);
  }

  // The ladder's prediction from the fault history.
  const bug = schedule.entries.find((e) => e.kind === 'driver-bug');
  const budget = schedule.entries.reduce((n, e) => n + directxBudget(e.kind, e.count), 0);
  if (bug !== undefined && endMs - bug.atMs >= 1500 && s.recovery.criticalError === null) {
    problems.push(`a driver bug at ${bug.atMs} ms should have ended in a critical error within ${endMs - bug.atMs} ms`);
  }
  const risk = transientRisk(schedule.entries);
  if (bug === undefined && budget < 5) {
    if (ds.renderAdapter.kind !== 'hardware') problems.push(`at most ${budget} DirectX failures cannot exhaust the hardware stage, yet the adapter is software`);
    if (s.recovery.criticalError !== null && !risk) problems.push(`at most ${budget} DirectX failures and short transient episodes cannot end in a critical error`);
  }
  if (!risk) {
    const t = s.recovery.events.find((e) => e.class === 'permanent-own');
    if (t !== undefined) problems.push(`short out-of-memory windows became a permanent issue at ${t.atMs} ms`);
  }
  const counted = s.recovery.events.filter((e) => e.class === 'os' && e.action !== 'release-swapchain');
  if (counted.length > 0) problems.push('a swap-chain the OS took was handled as a failure');

  // Frames flow at the end, unless the device stopped or a fault still holds.
  const quietFrom = Math.max(...schedule.entries.map((e) => e.endMs));
  if (s.recovery.criticalError === null && endMs - quietFrom > 700) {
    const late = h.consumedAt.filter((t) => t > endMs - 300).length;
    if (late === 0) problems.push(`no frame consumed in the last 300 ms although the last fault ended at ${quietFrom} ms`);
  }
  if (s.recovery.criticalError !== null && criticalEvent !== undefined) {
    const after = h.consumedAt.filter((t) => t > criticalEvent.atMs + 50).length;
    if (after > 0) problems.push(`${after} frame(s) consumed after the critical error`);
  }
  return {
    seed,
    durationMs,
    faults: schedule.text,
    problems,
    adapter: ds.renderAdapter.kind,
    criticalError: s.recovery.criticalError,
    decisions: s.recovery.events.length,
    acquired: s.acquired,
    consumed: h.consumed,
    replay: `npm run soak -- --seed ${seed} --duration ${durationMs / 1000}s`,
  };
}
