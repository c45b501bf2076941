/**
 * Every field scenario runs here, on the virtual clock, and its outcome is asserted on the run
 * summary (the same check `vdpush run --scenario` makes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../src/host/session.js';
import { FIELD_SCENARIOS, checkOutcome, describeOutcome, findScenario, scenarioSessionOptions } from '../../src/host/scenarios/index.js';
import { InvalidArgumentError } from '../../src/contract/errors.js';
import { parseFaultSchedule } from '../../src/backends/sim/index.js';

for (const s of FIELD_SCENARIOS) {
  test(`field scenario ${s.name}: ${describeOutcome(s.outcome).join('; ')}`, async () => {
    const session = await openSession(scenarioSessionOptions(s));
    await session.drain();
    const summary = await session.close();
    assert.deepEqual(checkOutcome(summary, s.outcome), [], `${s.name} (${s.source})`);
    assert.deepEqual(session.invariantViolations(), []);
    assert.equal(summary.devices.live, 0, 'no device outlives the run');
  });
}

test('every scenario cites one public report as owner/repo#N in one line, and has a valid schedule', () => {
  const names = new Set<string>();
  for (const s of FIELD_SCENARIOS) {
    assert.match(s.source, /^[\w.-]+\/[\w.-]+#\d+: \S/, s.name);
    assert.ok(!s.source.includes('\n'), s.name);
    assert.match(s.name, /^[a-z0-9-]+$/);
    assert.ok(!names.has(s.name), `${s.name} is unique`);
    names.add(s.name);
    assert.ok(parseFaultSchedule(s.run.faults).length > 0, s.name);
  }
});

test('an outcome check names what does not hold', () => {
  const s = findScenario('repeated-device-removal');
  const fake = { frames: { integrityErrors: 2, dropped: { descMismatch: 0, allSlotsBusy: 0, stale: 0, noPublisher: 0 }, consumed: 1 }, recovery: { events: [], criticalError: { major: 0x101, minor: 3 } }, adapter: { kind: 'hardware' }, devices: { created: 40 }, ring: { generations: 1 }, swapChains: { assigned: 1 }, stalls: 0, mode: { width: 1, height: 1 } };
  const bad = checkOutcome(fake as never, s.outcome);
  assert.deepEqual(bad, ['2 frames failed verification', 'the run ended on critical error 0x101/3', 'ended on the hardware adapter, not software', '40 devices created (at most 7)']);
});

test('an unknown scenario name is an InvalidArgumentError that lists the known ones', () => {
  assert.throws(() => findScenario('no-such-thing'), (e: unknown) => e instanceof InvalidArgumentError && /reconnect-leak/.test(e.message));
});

test('the catalogue covers the field bugs issue 10 names', () => {
  const names = FIELD_SCENARIOS.map((s) => s.name);
  for (const n of ['reconnect-leak', 'flap-during-activation', 'stall-after-reconnect', 'repeated-device-removal', 'gpu-reset-during-assign', 'hdr-toggle-storm', 'render-adapter-ignored', 'transient-out-of-memory']) {
    assert.ok(names.includes(n), n);
  }
});
