/**
 * The `vdpush` commands and their flags, declared once: the parser, `--help` and the README's
 * command table all come from here.
 */
import type { ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  options: Options;
  /** One line per flag for --help, in order. */
  flagHelp: ReadonlyArray<readonly [string, string]>;
  positionals: 'none' | 'one' | 'optional';
  /** String flags whose value may be left out (`--vnc` alone means `--vnc 5900`): flag → default. */
  optionalValues?: Readonly<Record<string, string>>;
}

const sourceOptions: Options = {
  source: { type: 'string' },
  mode: { type: 'string' },
  monitors: { type: 'string' },
  monitor: { type: 'string', multiple: true },
  format: { type: 'string' },
  faults: { type: 'string' },
  seed: { type: 'string' },
  clock: { type: 'string' },
  pattern: { type: 'string' },
  display: { type: 'string' },
  depth: { type: 'string' },
  fbdir: { type: 'string' },
  exec: { type: 'string' },
  'no-workload': { type: 'boolean' },
  workload: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const sourceHelp: ReadonlyArray<readonly [string, string]> = [
  ['--source sim|xvfb', 'the display: the simulated IddCx display (default) or a real Xvfb'],
  ['--mode WxH@HZ', 'display mode, e.g. 1280x720@240 (default 1280x720@60)'],
  ['--monitors N', 'N monitors on the one adapter, each at --mode (targetIds 1..N; default 1)'],
  ['--monitor WxH@HZ', 'one monitor at this mode; repeat it for several (monitor i has targetId i)'],
  ['--format bgra8|rgba16f', 'composition format (sim; default bgra8)'],
  ['--faults SPEC', 'fault schedule, e.g. device-removed@200ms*6/100ms,idle@1s:500ms (xvfb: the kinds a real X server can produce)'],
  ['--seed N', 'seed of the simulation (default 1)'],
  ['--clock virtual|real', 'sim clock: deterministic virtual time, or real time (default real)'],
  ['--pattern moving|desktop|full', 'sim damage workload (default moving)'],
  ['--display :N', 'xvfb: attach to a running Xvfb started with -fbdir instead of starting one'],
  ['--depth 24|30', 'xvfb: colour depth of a started Xvfb (default 24)'],
  ['--fbdir DIR', 'xvfb: a tmpfs folder for a started Xvfb\'s framebuffer (default: $VDPUSH_FBDIR, else a huge-page tmpfs if mounted, else /dev/shm)'],
  ['--exec CMD', 'xvfb: run this X program instead of the built-in animated workload'],
  ['--no-workload', 'xvfb: run no workload'],
  ['--workload builtin|none', 'xvfb: the built-in animated workload (the default on a display vdpush starts; on --display only when asked) or none'],
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'run',
    usage: 'vdpush run [--source sim|xvfb] [--mode WxH@HZ] [--duration 3s] [--faults SPEC] [--json] ...',
    summary: 'drain a display into the ring, verify every frame, print a summary',
    options: { ...sourceOptions, duration: { type: 'string' }, json: { type: 'boolean' }, scenario: { type: 'string' } },
    flagHelp: [
      ...sourceHelp,
      ['--duration T', 'how long to run, e.g. 3s or 500ms (default 3s)'],
      ['--json', 'print exactly one JSON summary object on stdout'],
      ['--scenario NAME', 'run a field scenario (vdpush scenarios lists them) and check its outcome'],
    ],
    positionals: 'none',
  },
  {
    name: 'snapshot',
    usage: 'vdpush snapshot OUT.png [--source sim|xvfb] [--mode WxH@HZ] ...',
    summary: 'write the first complete frame as a PNG (8-bit sRGB)',
    options: { ...sourceOptions, target: { type: 'string' } },
    flagHelp: [...sourceHelp, ['--target N|all', 'the monitor to snapshot (default 1); all writes OUT-N.png for every monitor N']],
    positionals: 'one',
  },
  {
    name: 'record',
    usage: 'vdpush record OUT.y4m|OUT.mp4|OUT.mkv|- [--duration 10s] [--vfr] [--source sim|xvfb] ...',
    summary: 'record the display: Y4M directly (- for stdout), MP4 or MKV (H.264) through ffmpeg',
    options: { ...sourceOptions, duration: { type: 'string' }, vfr: { type: 'boolean' }, target: { type: 'string' } },
    flagHelp: [
      ...sourceHelp,
      ['--target N', 'the monitor to record (default 1); the others are drained and verified'],
      ['--duration T', 'how long to record (default 10s); the video lasts exactly this long'],
      ['--vfr', 'MP4/MKV: write each frame with its own present time instead of a constant rate'],
    ],
    positionals: 'one',
  },
  {
    name: 'serve',
    usage: 'vdpush serve [--port 8080] [--host 127.0.0.1] [--token-file F] [--source sim|xvfb] ...',
    summary: 'serve a live viewer of the display in the browser',
    options: { ...sourceOptions, port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' }, 'token-file': { type: 'string' }, vnc: { type: 'string' }, 'vnc-password-file': { type: 'string' }, 'view-only': { type: 'boolean' } },
    optionalValues: { vnc: '5900' },
    flagHelp: [
      ['--port N', 'TCP port (default 8080; 0 picks a free one)'],
      ['--host ADDR', 'address to listen on (default 127.0.0.1); any other needs --token'],
      ['--token T', 'every request must carry this token (?token=T or Authorization: Bearer T); visible to local users in ps'],
      ['--token-file F', 'read the token from the first line of F (or set VDPUSH_TOKEN), kept out of argv'],
      ['--vnc [PORT]', 'also serve RFB (VNC) over TCP on --host (default port 5900); beyond loopback needs a password'],
      ['--vnc-password-file F', 'VNC Authentication password from this file (or set VDPUSH_VNC_PASSWORD)'],
      ['--view-only', 'remote clients (VNC, the viewer page) see the display; their keys, pointer and clipboard are ignored'],
      ...sourceHelp,
    ],
    positionals: 'none',
  },
  {
    name: 'scenarios',
    usage: 'vdpush scenarios [--json]',
    summary: 'list the field scenarios: public bug reports as fault schedules with the outcome that must hold',
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    flagHelp: [['--json', 'print the catalogue as one JSON array']],
    positionals: 'none',
  },
  {
    name: 'bench',
    usage: 'vdpush bench ring|xvfb|processor|vnc|page|record|all [--json]',
    summary: 'measure against the ceiling in the same run (memcpy, ffmpeg x11grab, x11vnc)',
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    flagHelp: [['--json', 'print one JSON object']],
    positionals: 'one',
  },
];

export const BENCH_TARGETS = ['ring', 'xvfb', 'processor', 'vnc', 'page', 'record', 'all'] as const;

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function commandHelp(spec: CommandSpec): string {
  const width = Math.max(...spec.flagHelp.map(([f]) => f.length));
  const lines = [`usage: ${spec.usage}`, '', spec.summary, ''];
  for (const [flag, text] of spec.flagHelp) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  lines.push(`  ${'-h, --help'.padEnd(width)}  show this help`);
  return lines.join('\n');
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'vdpush — a virtual-display frame engine: drain a display, push every frame through a shared-memory ring, survive faults',
    '',
    'usage: vdpush <command> [flags]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'vdpush help <command> (or vdpush <command> --help) shows the flags of a command; vdpush --version its version.',
    'durations: a number and a unit, ms, s, m or h (500ms, 3s, 2m); the same in --duration and --faults.',
    'exit codes: 0 ok, 1 failure, 2 bad arguments, 3 critical error, 4 bugcheck (simulated OS), 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM',
  ].join('\n');
}
