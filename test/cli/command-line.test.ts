import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { CLI, runCli } from './cli-helpers.js';

function oneUsageLine(r: { code: number | null; stderr: string }, what: string): void {
  assert.equal(r.code, 2, `${what} → ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${what}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |parseArgs|ambiguous|Did you forget/, what);
}

test('an unknown flag or a negative value gets vdpush\'s own line pointing to the command\'s help, exit 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['run', '--bogus'], /^vdpush: run: unknown flag "--bogus" \(see vdpush run --help\)$/],
    [['record', 'x.y4m', '-q'], /unknown flag "-q" \(see vdpush record --help\)/],
    [['run', '--duration', '-1s'], /^vdpush: --duration "-1s" is negative \(see vdpush run --help\)$/],
    [['run', '--duration'], /--duration needs a value \(see vdpush run --help\)/],
    [['run', '--json=yes'], /--json takes no value/],
    [['serve', '--port', '-5'], /--port -5 is out of range/],
    [['--bogus'], /unknown flag "--bogus" before the command \(see vdpush --help\)/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(args);
    oneUsageLine(r, args.join(' '));
    assert.match(r.stderr.trim(), pattern, args.join(' '));
  }
});

test('--version prints the package version; vdpush help CMD shows that command; vdpush alone prints usage and exits 2', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  const v = await runCli(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), `vdpush ${pkg.version}`);
  const h = await runCli(['help', 'record']);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /^usage: vdpush record /);
  assert.equal(h.stdout, (await runCli(['record', '--help'])).stdout);
  oneUsageLine(await runCli(['help', 'nope']), 'help nope');
  const bare = await runCli([]);
  assert.equal(bare.code, 2);
  assert.equal(bare.stdout, '');
  assert.match(bare.stderr, /usage: vdpush <command>/);
});

test('--duration and fault times share units: minutes in both, bare numbers refused in both', async () => {
  const ok = await runCli(['run', '--mode', '160x90@60', '--clock', 'virtual', '--duration', '0.01m', '--faults', 'idle@0.001m:0.1s', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).durationMs, 600);
  const bareDuration = await runCli(['run', '--duration', '3']);
  oneUsageLine(bareDuration, '--duration 3');
  assert.match(bareDuration.stderr, /"3" has no unit: write 3ms or 3s/);
  const bareFault = await runCli(['run', '--faults', 'idle@1s:5']);
  oneUsageLine(bareFault, '--faults idle@1s:5');
  assert.match(bareFault.stderr, /"5" has no unit: write 5ms or 5s/);
});

test('a malformed fault entry is quoted once, cut to a sensible length', async () => {
  const r = await runCli(['run', '--faults', `teleport@1s${'x'.repeat(3000)}`]);
  oneUsageLine(r, 'long fault');
  // The message lists every fault kind (21 with plug/unplug); the quoted entry stays short.
  assert.ok(r.stderr.length < 500, `${r.stderr.length} chars`);
  assert.equal(r.stderr.split('teleport@1s').length, 2, r.stderr);
});

test('record refuses a mode it cannot write before the display starts, naming --mode', async () => {
  const r = await runCli(['record', 'never.mp4', '--mode', '320x180@2000', '--duration', '1s']);
  oneUsageLine(r, 'record @2000');
  assert.match(r.stderr, /--mode "320x180@2000" cannot be recorded: .*1000/);
});

test('--exec "" is a usage error (exit 2)', async () => {
  const r = await runCli(['run', '--source', 'xvfb', '--exec', '', '--duration', '1s']);
  oneUsageLine(r, '--exec ""');
  assert.match(r.stderr, /--exec needs a program/);
});

test('a snapshot that ends on a critical error exits 3', async () => {
  const r = await runCli(['snapshot', 'never.png', '--mode', '160x90@60', '--clock', 'virtual', '--faults', 'assign-fail@0:100']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /critical error.*VDP_ERR_CRITICAL/);
});

test('run in a terminal that reports 0 columns draws its progress and prints the summary', async () => {
  // script(1) gives the child a pty whose size is 0x0, as some CI runners and serial consoles do.
  const child = spawn('script', ['-qfec', `${process.execPath} ${CLI} run --mode 160x90@60 --duration 1s`, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, out);
  assert.doesNotMatch(out, /RangeError|internal error/);
  assert.match(out, /vdpush run: sim 160x90@60/);
});
