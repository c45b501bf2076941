import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runModel } from './model-driver.js';
import { seedsFor, withSeed } from './helpers.js';

// Several hundred thousand fine-grained steps in all, over ring lengths from 1 to 6.
const RUNS: Array<{ ringLen: number; steps: number }> = [
  { ringLen: 6, steps: 150_000 },
  { ringLen: 3, steps: 100_000 },
  { ringLen: 2, steps: 50_000 },
  { ringLen: 1, steps: 20_000 },
];

test('the slot-state arm never tears, reorders or relabels under a long random interleaving', () => {
  for (const seed of seedsFor([0x5eed01, 0x5eed02])) {
    for (const run of RUNS) {
      withSeed(seed + run.ringLen, (s) => {
        const stats = runModel({ arm: 'slot-state', seed: s, steps: run.steps, ringLen: run.ringLen });
        // The run exercised what it claims to: deliveries, overwrites, repeats and recreates.
        assert.ok(stats.delivered > run.steps / 50, `only ${stats.delivered} deliveries`);
        assert.ok(stats.published >= stats.delivered);
      });
    }
  }
});
