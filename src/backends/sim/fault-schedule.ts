/**
 * The fault schedule language of the simulated display.
 *
 *   schedule := entry ( ',' entry )*            (empty or blank = no faults)
 *   entry    := KIND '@' TIME [ ':' ARG ] [ '*' COUNT '/' GAP ]
 *   TIME     := number ( 'ms' | 's' | 'm' | 'h' ) | '0'   (src/contract/duration.ts, as --duration)
 *
 * Examples: `device-removed@200ms*6/100ms` (six removals 100 ms apart from 200 ms),
 * `idle@1s:500ms` (no presents from 1 s to 1.5 s), `assign-fail@2s:3` (the next 3 assigns fail).
 * Whitespace around every token is ignored. Times are display-clock ms after start(). ARG is a
 * duration for flap, idle and host-stall, a count for assign-fail, and refused for every other
 * kind. Limits: times and durations 0..24 h, COUNT 1..10000, GAP > 0, at most 100000 faults after
 * expansion. Anything else is a FaultScheduleError that quotes the entry.
 */
import { FaultScheduleError, quoteInput } from '../../contract/errors.js';
import { MAX_DURATION_MS, parseDuration } from '../../contract/duration.js';

export const FAULT_KINDS = [
  'device-removed',
  'device-reset',
  'device-hung',
  'access-lost',
  'flap',
  'unassign',
  'hdr-flip',
  'idle',
  'host-stall',
  'host-recreate',
  'assign-fail',
  'driver-bug',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds whose ARG is a duration, with the duration used when the entry gives none. */
export const DEFAULT_FAULT_DURATION_MS: Readonly<Partial<Record<FaultKind, number>>> = {
  flap: 200,
  idle: 500,
  'host-stall': 200,
};
/** assign-fail's ARG is a count of assignSwapChain calls; this when the entry gives none. */
export const DEFAULT_ASSIGN_FAIL_COUNT = 1;

export const MAX_FAULT_TIME_MS = MAX_DURATION_MS;
export const MAX_FAULT_REPEAT = 10_000;
export const MAX_EXPANDED_FAULTS = 100_000;

/** One fault at one time (a repeated entry expands to one FaultEntry per repetition). */
export interface FaultEntry {
  kind: FaultKind;
  /** Display-clock ms after start(). */
  atMs: number;
  /** flap / idle / host-stall: how long; 0 for every other kind. */
  durationMs: number;
  /** assign-fail: how many assigns fail; 0 for every other kind. */
  count: number;
  /** The entry text this came from, trimmed. */
  source: string;
}

export function isFaultKind(s: string): s is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(s);
}

export function takesDuration(kind: FaultKind): boolean {
  return DEFAULT_FAULT_DURATION_MS[kind] !== undefined;
}

const ENTRY_RE = /^([^@]*)@([^:*]*)(?::([^*]*))?(?:\*([^/]*)\/(.*))?$/s;
const COUNT_RE = /^\d+$/;

/** Parses a time or duration (`0`, `250ms`, `1.5s`, `2m`) with the shared rules; ms or an error message. */
function parseTime(raw: string, what: string): number | string {
  const ms = parseDuration(raw);
  return typeof ms === 'string' ? `${what} ${ms}` : ms;
}

function parseCount(raw: string, what: string, max: number): number | string {
  const text = raw.trim();
  if (!COUNT_RE.test(text)) return `${what} "${text}" is not a whole number`;
  const n = Number(text);
  if (n < 1 || n > max) return `${what} ${text} is outside 1..${max}`;
  return n;
}

/** Parses one entry into its expansions (appended to `out`); throws FaultScheduleError naming it. */
function parseEntry(entry: string, position: number, out: FaultEntry[]): void {
  const source = entry.trim();
  const fail = (reason: string): never => {
    throw new FaultScheduleError(source, source === '' ? `entry ${position} is empty (a doubled or trailing comma?)` : reason);
  };
  if (source === '') fail('');
  const m = ENTRY_RE.exec(source);
  if (m === null) return fail('expected KIND@TIME, KIND@TIME:ARG or KIND@TIME*COUNT/GAP');
  const kind = m[1]!.trim();
  if (!isFaultKind(kind)) return fail(`unknown kind ${quoteInput(kind, 24)} (kinds: ${FAULT_KINDS.join(', ')})`);
  const at = parseTime(m[2]!, 'time');
  if (typeof at === 'string') return fail(at);
  let durationMs = 0;
  let count = 0;
  if (kind === 'assign-fail') {
    count = DEFAULT_ASSIGN_FAIL_COUNT;
    if (m[3] !== undefined) {
      const c = parseCount(m[3], 'assign-fail count', MAX_FAULT_REPEAT);
      if (typeof c === 'string') return fail(`${c} (assign-fail takes a count of assigns, e.g. assign-fail@1s:3)`);
      count = c;
    }
  } else if (takesDuration(kind)) {
    durationMs = DEFAULT_FAULT_DURATION_MS[kind]!;
    if (m[3] !== undefined) {
      const d = parseTime(m[3], 'duration');
      if (typeof d === 'string') return fail(d);
      durationMs = d;
    }
  } else if (m[3] !== undefined) {
    return fail(`${kind} takes no ":" argument (only flap, idle and host-stall take a duration, assign-fail a count)`);
  }
  let repeat = 1;
  let gap = 0;
  if (m[4] !== undefined) {
    const r = parseCount(m[4], 'repeat count', MAX_FAULT_REPEAT);
    if (typeof r === 'string') return fail(r);
    const g = parseTime(m[5]!, 'gap');
    if (typeof g === 'string') return fail(g);
    if (g <= 0) return fail(`gap "${m[5]!.trim()}" must be more than 0`);
    repeat = r;
    gap = g;
  }
  if (at + (repeat - 1) * gap > MAX_FAULT_TIME_MS) return fail('the last repetition falls after 24 h');
  if (out.length + repeat > MAX_EXPANDED_FAULTS) return fail(`the schedule expands to more than ${MAX_EXPANDED_FAULTS} faults`);
  for (let i = 0; i < repeat; i++) out.push({ kind, atMs: at + i * gap, durationMs, count, source });
}

/**
 * Parses a fault schedule into its faults, sorted by time (faults at one time keep the order of
 * the schedule). Throws FaultScheduleError naming the first bad entry.
 */
export function parseFaultSchedule(spec: string): FaultEntry[] {
  if (typeof spec !== 'string') throw new FaultScheduleError(String(spec), 'the schedule must be a string');
  if (spec.trim() === '') return [];
  const out: FaultEntry[] = [];
  spec.split(',').forEach((entry, i) => parseEntry(entry, i + 1, out));
  // Array.prototype.sort is stable, so equal times keep schedule order.
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** Writes one fault back in the schedule language (no repetition); parse(format(e)) gives e back. */
export function formatFaultEntry(e: Pick<FaultEntry, 'kind' | 'atMs' | 'durationMs' | 'count'>): string {
  const base = `${e.kind}@${e.atMs}ms`;
  if (e.kind === 'assign-fail') return `${base}:${e.count}`;
  if (takesDuration(e.kind)) return `${base}:${e.durationMs}ms`;
  return base;
}
