/** The short chaos soak inside `npm test`: a few seeds, a few seconds of virtual time each. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from './soak.js';

for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
  test(`chaos_soak_seed_${seed}_keeps_every_invariant_and_the_ladders_prediction`, async () => {
    const r = await runSoak(seed, 3000);
    assert.deepEqual(r.problems, [], `faults: ${r.faults}\nreplay: ${r.replay}`);
  });
}
