/** Maps the shared source flags of run/snapshot/record/serve onto SessionOptions. */
import { InvalidArgumentError } from '../contract/errors.js';
import type { SessionOptions } from '../host/session-options.js';
import { parseChoice, parseIntegerFlag } from './parse-values.js';
import { checkSessionFbDir, MAX_MONITORS } from '../host/session-options.js';

type Values = Record<string, string | boolean | string[] | undefined>;

function str(v: Values, k: string): string | undefined {
  const x = v[k];
  return typeof x === 'string' ? x : undefined;
}

/** `--monitors N` (N monitors at --mode) or repeated `--monitor WxH@HZ` (one each); absent: one monitor. */
function monitorsFromFlags(v: Values): SessionOptions['monitors'] {
  const count = str(v, 'monitors');
  const list = v.monitor;
  if (count !== undefined && list !== undefined) throw new InvalidArgumentError('--monitors and --monitor exclude each other (--monitor once per monitor, or --monitors N at --mode)');
  if (count !== undefined) return Array.from({ length: parseIntegerFlag(count, '--monitors', 1, MAX_MONITORS) }, () => ({}));
  if (list === undefined) return undefined;
  const modes = Array.isArray(list) ? list : [String(list)];
  if (modes.length > MAX_MONITORS) throw new InvalidArgumentError(`--monitor is given ${modes.length} times; a session drives at most ${MAX_MONITORS} monitors`);
  return modes.map((mode) => ({ mode }));
}

/** `--target N` (1..the session's monitors), or 'all' where allowed. */
export function targetFromFlags(v: Values, monitors: number, allowAll: boolean): number | 'all' {
  const t = str(v, 'target');
  if (t === undefined) return 1;
  if (allowAll && t === 'all') return 'all';
  return parseIntegerFlag(t, '--target', 1, monitors);
}

export function sessionOptionsFromFlags(v: Values): SessionOptions {
  // The CLI owns its signals (src/cli/interrupt.ts): a stop signal closes the session in order,
  // prints the summary and exits 128 + N; the session's own handler would race that shutdown.
  const o: SessionOptions = { handleSignals: false };
  const source = str(v, 'source');
  if (source !== undefined) o.source = parseChoice(source, '--source', ['sim', 'xvfb'] as const);
  const mode = str(v, 'mode');
  if (mode !== undefined) o.mode = mode;
  const monitors = monitorsFromFlags(v);
  if (monitors !== undefined) o.monitors = monitors;
  const format = str(v, 'format');
  if (format !== undefined) o.format = parseChoice(format, '--format', ['bgra8', 'rgba16f'] as const);
  const faults = str(v, 'faults');
  if (faults !== undefined) o.faults = faults;
  const seed = str(v, 'seed');
  if (seed !== undefined) o.seed = parseIntegerFlag(seed, '--seed', 0, 0xffffffff);
  const clock = str(v, 'clock');
  if (clock !== undefined) o.clock = parseChoice(clock, '--clock', ['virtual', 'real'] as const);
  const pattern = str(v, 'pattern');
  if (pattern !== undefined) o.pattern = parseChoice(pattern, '--pattern', ['moving', 'desktop', 'full'] as const);
  const display = str(v, 'display');
  if (display !== undefined) {
    if (!/^:\d+$/.test(display)) throw new InvalidArgumentError(`--display "${display}" is not a local X display like :99`);
    o.display = display;
  }
  const fbdir = str(v, 'fbdir');
  if (fbdir !== undefined) {
    // Checked here so the message names the flag; the session checks it again with the mode.
    checkSessionFbDir(fbdir, '--fbdir', o.source ?? 'sim', display);
    o.fbDir = fbdir;
  }
  const depth = str(v, 'depth');
  if (depth !== undefined) o.depth = parseChoice(depth, '--depth', ['24', '30'] as const) === '30' ? 30 : 24;
  const exec = str(v, 'exec');
  if (exec !== undefined && v['no-workload']) throw new InvalidArgumentError('--exec and --no-workload exclude each other');
  if (exec !== undefined && exec.trim() === '') throw new InvalidArgumentError('--exec needs a program to run (e.g. --exec xeyes)');
  const workload = str(v, 'workload');
  if (workload !== undefined && (exec !== undefined || v['no-workload'])) throw new InvalidArgumentError('--workload, --exec and --no-workload exclude each other');
  if (exec !== undefined) o.workload = { exec };
  else if (v['no-workload']) o.workload = 'none';
  else if (workload !== undefined) o.workload = parseChoice(workload, '--workload', ['builtin', 'none'] as const);
  const usesXvfbFlags = display !== undefined || depth !== undefined || exec !== undefined || v['no-workload'] || workload !== undefined;
  if (usesXvfbFlags && (o.source ?? 'sim') !== 'xvfb') {
    throw new InvalidArgumentError('--display, --depth, --exec, --workload and --no-workload need --source xvfb');
  }
  return o;
}
