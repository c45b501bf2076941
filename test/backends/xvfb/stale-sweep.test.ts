import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_FILE, sweepStaleXvfb, writeOwner, xSocketsOf } from '../../../src/backends/xvfb/stale-sweep.js';
import { alive, waitUntil } from '../../host/process-probe.js';

/** A private base folder, so the sweep only ever sees this test's folders. */
function base(): string {
  return mkdtempSync(join(tmpdir(), 'life-sweep-test-'));
}

test('a folder whose owner died is swept with the real Xvfb serving from it and its X socket', async () => {
  const root = base();
  const dir = mkdtempSync(join(root, 'vdpush-xvfb-'));
  // The owner: a short-lived process that is gone by the time the sweep runs.
  const owner = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => owner.on('exit', r));
  writeFileSync(join(dir, OWNER_FILE), `${owner.pid} 1\n`);
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-fbdir', dir, '-screen', '0', '64x64x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  xvfb.stdout.on('data', (d) => (out += d));
  assert.ok(await waitUntil(() => out.includes('\n')), 'Xvfb started');
  const pid = xvfb.pid!;
  const sockets = xSocketsOf(pid);
  assert.equal(sockets.length, 1, `Xvfb listens on ${sockets.join(',')}`);
  assert.deepEqual(sweepStaleXvfb([root]), [dir]);
  assert.ok(await waitUntil(() => !alive(pid)), 'the orphaned Xvfb was killed');
  assert.equal(existsSync(dir), false);
  // Its X socket is gone, unless another Xvfb (someone else's, on this shared machine) has already
  // taken the freed display number (-displayfd counts up from 0): then the lock names that server.
  const socket = sockets[0]!;
  const n = /X(\d+)$/.exec(socket)?.[1];
  const lockOwner = (): number => Number.parseInt(readFileSync(`/tmp/.X${n}-lock`, 'latin1').trim(), 10);
  const takenBy = existsSync(socket) && existsSync(`/tmp/.X${n}-lock`) ? lockOwner() : null;
  assert.ok(!existsSync(socket) || (takenBy !== null && takenBy !== pid && alive(takenBy)), `its X socket ${socket} is gone (or another live server's)`);
  rmSync(root, { recursive: true, force: true });
});

test('a folder of a live owner, a fresh unowned folder, and other names are left alone; an old unowned one goes', () => {
  const root = base();
  const mine = mkdtempSync(join(root, 'vdpush-xvfb-'));
  writeOwner(mine);
  const fresh = mkdtempSync(join(root, 'vdpush-xvfb-'));
  const old = mkdtempSync(join(root, 'vdpush-xvfb-'));
  const past = (Date.now() - 3600_000) / 1000;
  utimesSync(old, past, past);
  const other = mkdtempSync(join(root, 'someone-else-'));
  utimesSync(other, past, past);
  assert.deepEqual(sweepStaleXvfb([root]), [old]);
  for (const d of [mine, fresh, other]) assert.ok(existsSync(d), `${d} kept`);
  rmSync(root, { recursive: true, force: true });
});
