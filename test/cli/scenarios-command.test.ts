import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './cli-helpers.js';
import { FIELD_SCENARIOS } from '../../src/host/scenarios/index.js';

test('vdpush scenarios lists every scenario with its public source and exits 0', async () => {
  const r = await runCli(['scenarios']);
  assert.equal(r.code, 0, r.stderr);
  for (const s of FIELD_SCENARIOS) {
    assert.ok(r.stdout.includes(`${s.name}\n`), s.name);
    assert.ok(r.stdout.includes(`source:  ${s.source}`), `${s.name}'s source`);
  }
  const j = await runCli(['scenarios', '--json']);
  assert.equal(j.code, 0, j.stderr);
  const list = JSON.parse(j.stdout) as Array<{ name: string; source: string; run: { faults: string }; outcome: string[] }>;
  assert.deepEqual(list.map((s) => s.name), FIELD_SCENARIOS.map((s) => s.name));
  assert.ok(list.every((s) => s.outcome.length > 1 && s.run.faults.length > 0));
});

test('run --scenario runs the scenario on the virtual clock, checks its outcome and exits as run does', async () => {
  const r = await runCli(['run', '--scenario', 'hdr-toggle-storm', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(s.scenario, { name: 'hdr-toggle-storm', outcomeHolds: true, violations: [] });
  assert.equal(s.durationMs, 1500, 'the scenario sets the duration (virtual clock: exactly)');
  assert.equal(s.ring.generations, 1);
  const text = await runCli(['run', '--scenario', 'repeated-device-removal']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /scenario repeated-device-removal: the outcome holds/);
});

test('an unknown scenario, or a flag the scenario sets itself, is a usage error (exit 2) with one clear line', async () => {
  const unknown = await runCli(['run', '--scenario', 'no-such-scenario']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^vdpush: unknown scenario "no-such-scenario"; the scenarios are: reconnect-leak, /);
  assert.equal(unknown.stderr.trim().split('\n').length, 1);
  const clash = await runCli(['run', '--scenario', 'reconnect-leak', '--faults', 'idle@1s']);
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /drop --faults/);
  const extra = await runCli(['scenarios', 'reconnect-leak']);
  assert.equal(extra.code, 2);
});
