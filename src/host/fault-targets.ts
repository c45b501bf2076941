/**
 * Which monitor a fault-schedule entry hits when a session has several (issue 12). The sim's
 * schedule language carries an optional `#N` (fault-schedule.ts); a session splits the schedule
 * into one schedule per monitor worker here, before any worker starts.
 *
 * - `#N` aims the entry at monitor N (a targetId no monitor has is refused up front);
 * - without it, a device fault hits the adapter's devices, so every monitor using them (each
 *   monitor's worker gets the entry); every other fault (swap-chain, compositor, host side) hits
 *   monitor 1, which is also what it always did with one monitor;
 * - plug / unplug are the session's own (monitor arrival and departure), never a worker's.
 */
import { InvalidArgumentError } from '../contract/errors.js';
import { formatFaultEntry, parseFaultSchedule, type FaultEntry } from '../backends/sim/index.js';

/** Faults that act on the adapter's render devices (the GPU), not on one monitor's swap-chain. */
export const ADAPTER_DEVICE_FAULTS: ReadonlySet<string> = new Set(['device-removed', 'device-reset', 'device-hung', 'assign-fail', 'driver-bug', 'create-oom', 'ignore-render-adapter']);
/** Faults the session performs itself (monitor arrival and departure). */
export const SESSION_FAULTS: ReadonlySet<string> = new Set(['plug', 'unplug']);

export interface SplitSchedule {
  /** targetId → that monitor's schedule, in the schedule language (no `#N` left). */
  perMonitor: Map<number, string>;
  /** plug / unplug entries, in time order. */
  session: FaultEntry[];
}

/** Splits `spec` among the monitors `targets` (targetIds); throws on a `#N` no monitor has. */
export function splitFaultSchedule(spec: string, targets: readonly number[]): SplitSchedule {
  const entries = parseFaultSchedule(spec);
  const lists = new Map<number, string[]>(targets.map((t) => [t, []]));
  const session: FaultEntry[] = [];
  const first = targets[0] ?? 1;
  for (const e of entries) {
    if (SESSION_FAULTS.has(e.kind)) {
      session.push(e);
      continue;
    }
    const text = formatFaultEntry({ ...e, target: 0 });
    if (e.target !== 0) {
      const list = lists.get(e.target);
      if (list === undefined) {
        throw new InvalidArgumentError(`fault "${e.source}" is aimed at monitor ${e.target}, but the session's monitors are ${targets.join(', ')}`);
      }
      list.push(text);
    } else if (ADAPTER_DEVICE_FAULTS.has(e.kind)) {
      for (const list of lists.values()) list.push(text);
    } else {
      lists.get(first)?.push(text);
    }
  }
  const perMonitor = new Map<number, string>();
  for (const [t, list] of lists) perMonitor.set(t, list.join(','));
  return { perMonitor, session };
}
