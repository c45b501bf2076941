/**
 * The fault schedule language of the simulated display.
 *
 *   schedule := entry ( ',' entry )*            (empty or blank = no faults)
 *   entry    := KIND '@' TIME [ ':' ARG ] [ '*' COUNT '/' GAP ] [ '#' N ]
 *   TIME     := number ( 'ms' | 's' | 'm' | 'h' ) | '0'   (src/contract/duration.ts, as --duration)
 *   N        := the targetId of the monitor the entry is aimed at (1..); see fault-targets in
 *               src/host for what an entry without one hits when a session has several monitors
 *
 * Examples: `device-removed@200ms*6/100ms` (six removals 100 ms apart from 200 ms),
 * `idle@1s:500ms` (no presents from 1 s to 1.5 s), `assign-fail@2s:3` (the next 3 assigns fail),
 * `mode-change@1s:1920x1080@60` (the OS commits a new mode).
 * Whitespace around every token is ignored. Times are display-clock ms after start(). What ARG is
 * (a duration, a count, a mode, or nothing), whether it may be left out and its default, is the
 * kind's row in FAULT_KIND_SPECS, the one table the parser, the injector and formatFaultEntry read.
 * Limits: times and durations 0..24 h, COUNT 1..10000, GAP > 0, at most 100000 faults after
 * expansion. Anything else is a FaultScheduleError that quotes the entry.
 */
import { FaultScheduleError, quoteInput } from '../../contract/errors.js';
import { MAX_DURATION_MS, parseDuration } from '../../contract/duration.js';
import { MAX_MODE_DIMENSION, MAX_REFRESH_HZ } from './mode.js';

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
  'ignore-render-adapter',
  'format-blip',
  'acquire-oom',
  'create-oom',
  'topology-lost',
  'mode-change',
  'static-reencode',
  'plug',
  'unplug',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What a kind's ARG is. */
export type FaultArgKind = 'none' | 'duration' | 'count' | 'mode';

export interface FaultKindSpec {
  readonly arg: FaultArgKind;
  /** The value used when the entry gives no ARG; undefined = the ARG is required (or there is none). */
  readonly default?: number;
  /** How the ARG reads in an error message ("a count of assigns, e.g. assign-fail@1s:3"). */
  readonly argHelp?: string;
}

/**
 * Every kind's ARG, in one table (a new kind is one row here plus its effect in the injector).
 * The names and arguments are an interface (issue 10): scripts and scenarios are written in them.
 */
export const FAULT_KIND_SPECS: Readonly<Record<FaultKind, FaultKindSpec>> = Object.freeze({
  'device-removed': { arg: 'none' },
  'device-reset': { arg: 'none' },
  'device-hung': { arg: 'none' },
  'access-lost': { arg: 'none' },
  flap: { arg: 'duration', default: 200 },
  unassign: { arg: 'none' },
  'hdr-flip': { arg: 'none' },
  idle: { arg: 'duration', default: 500 },
  'host-stall': { arg: 'duration', default: 200 },
  'host-recreate': { arg: 'none' },
  'assign-fail': { arg: 'count', default: 1, argHelp: 'a count of assigns, e.g. assign-fail@1s:3' },
  'driver-bug': { arg: 'none' },
  'ignore-render-adapter': { arg: 'none' },
  'format-blip': { arg: 'count', default: 1, argHelp: 'a count of frames, e.g. format-blip@1s:2' },
  'acquire-oom': { arg: 'duration', argHelp: 'a duration, e.g. acquire-oom@1s:10ms' },
  'create-oom': { arg: 'duration', argHelp: 'a duration, e.g. create-oom@1s:10ms' },
  'topology-lost': { arg: 'none' },
  'mode-change': { arg: 'mode', argHelp: 'a mode WxH or WxH@HZ, e.g. mode-change@1s:1920x1080@60' },
  'static-reencode': { arg: 'count', argHelp: 'a count of re-presents, e.g. static-reencode@1s:5' },
  // Monitor arrival and departure (issue 12): the session performs them (src/host/fault-targets.ts).
  plug: { arg: 'mode', argHelp: 'the new monitor\'s mode WxH or WxH@HZ, e.g. plug@1s:1280x720@60' },
  unplug: { arg: 'none' },
});

/** Kinds whose ARG is a duration, with the duration used when the entry gives none. */
export const DEFAULT_FAULT_DURATION_MS: Readonly<Partial<Record<FaultKind, number>>> = Object.freeze(
  Object.fromEntries(FAULT_KINDS.filter((k) => FAULT_KIND_SPECS[k].arg === 'duration' && FAULT_KIND_SPECS[k].default !== undefined).map((k) => [k, FAULT_KIND_SPECS[k].default!])),
);
/** assign-fail's ARG is a count of assignSwapChain calls; this when the entry gives none. */
export const DEFAULT_ASSIGN_FAIL_COUNT = 1;

/** mode-change's ARG: the new size, and the refresh rate (null = keep the current one). */
export interface FaultMode {
  width: number;
  height: number;
  refreshHz: number | null;
}

export const MAX_FAULT_TIME_MS = MAX_DURATION_MS;
export const MAX_FAULT_REPEAT = 10_000;
export const MAX_EXPANDED_FAULTS = 100_000;

/** One fault at one time (a repeated entry expands to one FaultEntry per repetition). */
export interface FaultEntry {
  kind: FaultKind;
  /** Display-clock ms after start(). */
  atMs: number;
  /** Kinds whose ARG is a duration (flap, idle, host-stall, acquire-oom, create-oom): how long; 0 otherwise. */
  durationMs: number;
  /** Kinds whose ARG is a count (assign-fail, format-blip, static-reencode): how many; 0 otherwise. */
  count: number;
  /** mode-change: the mode committed. */
  mode?: FaultMode;
  /** The entry text this came from, trimmed. */
  source: string;
  /** `#N`: the monitor (targetId) the entry is aimed at; 0 when the entry names none. */
  target: number;
}

/** The largest `#N` an entry may name. */
export const MAX_FAULT_TARGET = 255;

export function isFaultKind(s: string): s is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(s);
}

export function takesDuration(kind: FaultKind): boolean {
  return FAULT_KIND_SPECS[kind].arg === 'duration';
}

export function takesCount(kind: FaultKind): boolean {
  return FAULT_KIND_SPECS[kind].arg === 'count';
}

const ENTRY_RE = /^([^@]*)@([^:*#]*)(?::([^*#]*))?(?:\*([^/#]*)\/([^#]*))?(?:#(.*))?$/s;
const COUNT_RE = /^\d+$/;
const MODE_ARG_RE = /^(\d+)\s*[xX]\s*(\d+)(?:\s*@\s*(\d+(?:\.\d+)?)\s*(?:[hH][zZ])?)?$/;

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

/** Parses mode-change's `WxH[@HZ]`; returns the mode or an error message. */
function parseModeArg(raw: string): FaultMode | string {
  const text = raw.trim();
  const m = MODE_ARG_RE.exec(text);
  if (m === null) return `mode "${text}" is not WxH or WxH@HZ (for example 1920x1080@60)`;
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 1 || width > MAX_MODE_DIMENSION || height < 1 || height > MAX_MODE_DIMENSION) {
    return `mode "${text}": width and height must be in 1..${MAX_MODE_DIMENSION}`;
  }
  let refreshHz: number | null = null;
  if (m[3] !== undefined) {
    refreshHz = Number(m[3]);
    if (!(refreshHz >= 1 && refreshHz <= MAX_REFRESH_HZ)) return `mode "${text}": refresh must be in 1..${MAX_REFRESH_HZ} Hz`;
  }
  return { width, height, refreshHz };
}

/** A kind's parsed ARG. */
export interface FaultArg {
  durationMs: number;
  count: number;
  mode?: FaultMode;
}

/**
 * Reads `kind`'s ARG text (undefined = the entry gave none) by the kind's row in FAULT_KIND_SPECS;
 * returns the values, or an error message.
 */
export function parseFaultArg(kind: FaultKind, raw: string | undefined): FaultArg | string {
  const spec = FAULT_KIND_SPECS[kind];
  const help = spec.argHelp !== undefined ? ` (${kind} takes ${spec.argHelp})` : '';
  if (spec.arg === 'none') {
    if (raw === undefined) return { durationMs: 0, count: 0 };
    const takers = FAULT_KINDS.filter((k) => FAULT_KIND_SPECS[k].arg !== 'none').join(', ');
    return `${kind} takes no ":" argument (only ${takers} do)`;
  }
  if (raw === undefined) {
    if (spec.default === undefined) return `${kind} needs a ":" argument${help}`;
    return spec.arg === 'duration' ? { durationMs: spec.default, count: 0 } : { durationMs: 0, count: spec.default };
  }
  if (spec.arg === 'duration') {
    const d = parseTime(raw, 'duration');
    return typeof d === 'string' ? `${d}${help}` : { durationMs: d, count: 0 };
  }
  if (spec.arg === 'count') {
    const c = parseCount(raw, `${kind} count`, MAX_FAULT_REPEAT);
    return typeof c === 'string' ? `${c}${help}` : { durationMs: 0, count: c };
  }
  const mode = parseModeArg(raw);
  return typeof mode === 'string' ? mode : { durationMs: 0, count: 0, mode };
}

/** Parses one entry into its expansions (appended to `out`); throws FaultScheduleError naming it. */
function parseEntry(entry: string, position: number, out: FaultEntry[]): void {
  const source = entry.trim();
  const fail = (reason: string): never => {
    throw new FaultScheduleError(source, source === '' ? `entry ${position} is empty (a doubled or trailing comma?)` : reason);
  };
  if (source === '') fail('');
  const m = ENTRY_RE.exec(source);
  if (m === null) return fail('expected KIND@TIME, KIND@TIME:ARG or KIND@TIME*COUNT/GAP, optionally followed by #N');
  const kind = m[1]!.trim();
  if (!isFaultKind(kind)) return fail(`unknown kind ${quoteInput(kind, 24)} (kinds: ${FAULT_KINDS.join(', ')})`);
  const at = parseTime(m[2]!, 'time');
  if (typeof at === 'string') return fail(at);
  const arg = parseFaultArg(kind, m[3]);
  if (typeof arg === 'string') return fail(arg);
  const { durationMs, count, mode } = arg;
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
  let target = 0;
  if (m[6] !== undefined) {
    const t = parseCount(m[6], 'target monitor', MAX_FAULT_TARGET);
    if (typeof t === 'string') return fail(`${t} (#N names a monitor by its targetId, 1..${MAX_FAULT_TARGET})`);
    target = t;
  }
  if (at + (repeat - 1) * gap > MAX_FAULT_TIME_MS) return fail('the last repetition falls after 24 h');
  if (out.length + repeat > MAX_EXPANDED_FAULTS) return fail(`the schedule expands to more than ${MAX_EXPANDED_FAULTS} faults`);
  for (let i = 0; i < repeat; i++) {
    const e: FaultEntry = { kind, atMs: at + i * gap, durationMs, count, source, target };
    if (mode !== undefined) e.mode = { ...mode };
    out.push(e);
  }
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
export function formatFaultEntry(e: Pick<FaultEntry, 'kind' | 'atMs' | 'durationMs' | 'count' | 'mode'> & { target?: number }): string {
  const at = e.target ? `#${e.target}` : '';
  const base = `${e.kind}@${e.atMs}ms`;
  const arg = FAULT_KIND_SPECS[e.kind].arg;
  if (arg === 'count') return `${base}:${e.count}${at}`;
  if (arg === 'duration') return `${base}:${e.durationMs}ms${at}`;
  if (arg === 'mode' && e.mode !== undefined) return `${base}:${formatFaultMode(e.mode)}${at}`;
  return base + at;
}

/** `1920x1080` or `1920x1080@60`. */
export function formatFaultMode(m: FaultMode): string {
  return m.refreshHz === null ? `${m.width}x${m.height}` : `${m.width}x${m.height}@${m.refreshHz}`;
}
