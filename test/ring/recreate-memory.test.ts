import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Issue 9: RSS grew with every ring recreate (73 MiB to 939 MiB in 300 s) because retired
// SharedArrayBuffers lingered until both threads' garbage collectors ran. A memory bound, not a
// timing: after 120 recreates of a 5.5 MB ring, RSS may exceed the warmed-up figure by at most a
// few rings (today's code keeps nearly every retired ring: about 120 of them, 660 MB).
test('120 ring recreates while a worker publishes keep RSS within a few ring sizes of the warmed-up figure', () => {
  const script = fileURLToPath(new URL('./fixtures/recreate-memory-host.js', import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', script, '120'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `the child ran to the end: ${r.stderr}`);
  const m = JSON.parse(r.stdout.trim()) as { ringBytes: number; warm: number; end: number; recreates: number };
  const growth = m.end - m.warm;
  assert.ok(growth < 6 * m.ringBytes, `RSS grew ${(growth / 2 ** 20).toFixed(0)} MiB over ${m.recreates - 10} recreates; a ring is ${(m.ringBytes / 2 ** 20).toFixed(1)} MiB`);
});
