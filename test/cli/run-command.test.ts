import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './cli-helpers.js';

const SUMMARY_KEYS = ['source', 'mode', 'durationMs', 'frames', 'swapChains', 'devices', 'adapter', 'recovery', 'ring', 'stalls', 'terminate', 'monitors', 'ending', 'bugcheck'];
const MONITOR_KEYS = ['targetId', 'mode', 'frames', 'swapChains', 'ring', 'stalls'];

test('run --json prints exactly one JSON object with the documented keys and exits 0', async () => {
  const r = await runCli(['run', '--mode', '320x180@240', '--clock', 'virtual', '--duration', '1s', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one line of JSON');
  const s = JSON.parse(lines[0]!);
  assert.deepEqual(Object.keys(s), SUMMARY_KEYS);
  assert.deepEqual(Object.keys(s.frames), ['presented', 'acquired', 'discarded', 'finished', 'published', 'consumed', 'dropped', 'integrityErrors']);
  assert.equal(s.frames.discarded, 0, 'the sim takes no presented frame back');
  assert.deepEqual(Object.keys(s.frames.dropped), ['descMismatch', 'allSlotsBusy', 'stale', 'noPublisher', 'overwritten']);
  assert.deepEqual(s.mode, { width: 320, height: 180, refreshHz: 240, format: 'bgra8' });
  assert.ok(Math.abs(s.frames.presented - 240) <= 1, `about 240 presents in 1 s at 240 Hz, got ${s.frames.presented}`);
  assert.equal(s.frames.acquired, s.frames.finished);
  assert.equal(s.frames.integrityErrors, 0);
  assert.equal(s.devices.live, 0);
  assert.deepEqual(s.recovery, { events: [], criticalError: null });
  assert.deepEqual([s.ending, s.bugcheck], ['completed', null]);
  assert.equal(typeof s.terminate.maxLatencyMs, 'number');
  // One monitor: the monitors array has one element that repeats the top level's counts.
  assert.equal(s.monitors.length, 1);
  const m = s.monitors[0];
  assert.deepEqual(Object.keys(m), MONITOR_KEYS);
  assert.equal(m.targetId, 1);
  assert.deepEqual(m.mode, s.mode);
  assert.deepEqual(m.frames, s.frames);
  assert.deepEqual(m.swapChains, s.swapChains);
  assert.deepEqual(m.ring, s.ring);
  assert.equal(m.stalls, s.stalls);
});

test('the same seed and schedule on the virtual clock give the same display-side counters', async () => {
  const args = ['run', '--mode', '320x180@240', '--clock', 'virtual', '--duration', '1s', '--seed', '42', '--faults', 'flap@200ms,unassign@500ms,device-reset@700ms', '--json'];
  const [a, b] = await Promise.all([runCli(args), runCli(args)]);
  assert.equal(a.code, 0, a.stderr);
  const sa = JSON.parse(a.stdout);
  const sb = JSON.parse(b.stdout);
  for (const k of ['presented', 'acquired', 'finished', 'published']) assert.equal(sa.frames[k], sb.frames[k], k);
  assert.deepEqual(sa.swapChains, sb.swapChains);
  assert.deepEqual(
    sa.recovery.events.map((e: { atMs: number; action: string }) => [e.atMs, e.action]),
    sb.recovery.events.map((e: { atMs: number; action: string }) => [e.atMs, e.action]),
  );
});

test('a driver bug ends in software fallback, then a critical error and exit code 3', async () => {
  const r = await runCli(['run', '--mode', '320x180@240', '--clock', 'virtual', '--duration', '3s', '--faults', 'driver-bug@100ms', '--json']);
  assert.equal(r.code, 3, r.stderr);
  const s = JSON.parse(r.stdout);
  const actions = s.recovery.events.map((e: { action: string }) => e.action);
  assert.ok(actions.indexOf('software-fallback') >= 0, 'falls back to software first');
  assert.equal(actions.at(-1), 'critical-error');
  assert.ok(actions.indexOf('software-fallback') < actions.indexOf('critical-error'));
  assert.ok(s.recovery.criticalError.major >= 0x100, 'the code as the OS reports it (major + 0x100)');
  assert.deepEqual([s.ending, s.bugcheck], ['critical-error', null], 'the driver passed 0..0xFF and called nothing after');
  assert.equal(s.ring.health, 'dead', 'the terminal error reached the host');
  assert.equal(s.adapter.kind, 'software');
  assert.equal(s.devices.live, 0);
});

test('repeated device removals move rendering to the software adapter and frames resume there', async () => {
  const r = await runCli(['run', '--mode', '320x180@240', '--clock', 'virtual', '--duration', '2s', '--faults', 'device-removed@200ms*6/100ms', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.adapter.kind, 'software');
  assert.equal(s.recovery.criticalError, null);
  assert.ok(s.recovery.events.some((e: { action: string }) => e.action === 'software-fallback'));
  const last = s.recovery.events.at(-1);
  assert.equal(typeof last.recoveryMs, 'number', 'frames were published after the last recovery');
  assert.equal(s.frames.integrityErrors, 0);
});

test('bad arguments exit 2 with one clear line and no stack trace', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['run', '--mode', '1280x'], /mode/],
    [['run', '--duration', '3'], /duration/],
    [['run', '--faults', 'device-removed@200ms*x'], /device-removed@200ms\*x/],
    [['run', '--bogus'], /bogus/],
    [['run', '--source', 'vnc'], /source/],
    [['frobnicate'], /unknown command/],
    [['bench', 'nothing'], /bench target/],
    [['snapshot'], /exactly one argument/],
    [['snapshot', 'out.jpg'], /\.png/],
    [['record', 'out.avi', '--duration', '1s'], /avi|extension|y4m|mp4/i],
    [['serve', '--host', '0.0.0.0', '--port', '0'], /token/],
    [['run', '--source', 'xvfb', '--format', 'rgba16f'], /--format applies to the simulated display/],
    [['run', '--exec', 'xeyes'], /need --source xvfb/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `vdpush ${args.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('--help works on every command', async () => {
  for (const cmd of [[], ['run'], ['snapshot'], ['record'], ['serve'], ['bench']]) {
    const r = await runCli([...cmd, '--help']);
    assert.equal(r.code, 0, cmd.join(' '));
    assert.match(r.stdout, /usage: vdpush/);
  }
});
