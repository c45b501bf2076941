import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../src/host/session.js';
import { ClosedError, InvalidArgumentError } from '../../src/contract/errors.js';

// Each call must throw synchronously: no promise is returned, so no worker or process can have started.
const CASES: Array<[string, Record<string, unknown>]> = [
  ['mode: null', { mode: null }],
  ['mode with refreshHz 0', { mode: { width: 640, height: 480, refreshHz: 0 } }],
  ['mode with string fields', { mode: { width: '640', height: 480, refreshHz: 60 } }],
  ['mode: 42', { mode: 42 }],
  ["workload: 'bogus'", { source: 'xvfb', workload: 'bogus' }],
  ['workload {exec: ""}', { source: 'xvfb', workload: { exec: '  ' } }],
  ["ringLen: '4'", { ringLen: '4' }],
  ['ringLen: 0', { ringLen: 0 }],
  ["arm: 'fast'", { arm: 'fast' }],
  ["verify: 'yes'", { verify: 'yes' }],
  ['handleSignals: 1', { handleSignals: 1 }],
  ["durationMs: '1s'", { durationMs: '1s' }],
  ['a 16384x16384 mode (a 6.4 GB ring)', { mode: '16384x16384@60' }],
  ['displayNumber on sim', { displayNumber: 600 }],
  ['displayNumber: -1', { source: 'xvfb', displayNumber: -1 }],
  ["displayNumber: '600'", { source: 'xvfb', displayNumber: '600' }],
  ['displayNumber with display', { source: 'xvfb', display: ':600', displayNumber: 600 }],
];

for (const [name, options] of CASES) {
  test(`openSession throws InvalidArgumentError synchronously for ${name}`, () => {
    assert.throws(() => openSession(options as never), InvalidArgumentError);
  });
}

test('injectFault of an unknown kind throws at once; on a closed session it throws ClosedError', async () => {
  const session = await openSession({ source: 'sim', mode: '64x36@60', clock: 'virtual', durationMs: 100 });
  assert.throws(() => session.injectFault('bogus'), InvalidArgumentError);
  assert.throws(() => session.injectFault('idle', Number.NaN), InvalidArgumentError);
  await session.drain();
  await session.close();
  assert.throws(() => session.injectFault('idle'), ClosedError);
});
