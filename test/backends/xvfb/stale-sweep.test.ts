import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_FILE, removeXFilesOf, sweepStaleXvfb, writeOwner, xSocketsOf } from '../../../src/backends/xvfb/stale-sweep.js';
import { connectXClient } from '../../../src/backends/xvfb/x-connect.js';
import { startUserXvfb } from '../../host/user-xvfb.js';
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
  const exited = new Promise<void>((r) => xvfb.once('exit', () => r()));
  // A failed assertion still leaves no server and no folder behind (one did, on a CI run's failure).
  try {
    let out = '';
    xvfb.stdout.on('data', (d) => (out += d));
    assert.ok(await waitUntil(() => out.includes('\n')), 'Xvfb started');
    const pid = xvfb.pid!;
    const sockets = xSocketsOf(pid);
    assert.equal(sockets.length, 1, `Xvfb listens on ${sockets.join(',')}`);
    assert.deepEqual(sweepStaleXvfb([root]), [dir]);
    assert.ok(await waitUntil(() => !alive(pid)), 'the orphaned Xvfb was killed');
    assert.equal(existsSync(dir), false);
    // Its X socket is gone, unless another Xvfb (someone else's, or a concurrent test file's, on this
    // shared machine) has already taken the freed display number (-displayfd counts up from 0): then
    // the lock names that server, or (a -displayfd server takes no lock) a live socket is bound there.
    const socket = sockets[0]!;
    const n = /X(\d+)$/.exec(socket)?.[1];
    const lockOwner = (): number => Number.parseInt(readFileSync(`/tmp/.X${n}-lock`, 'latin1').trim(), 10);
    const takenBy = existsSync(socket) && existsSync(`/tmp/.X${n}-lock`) ? lockOwner() : null;
    const rebound = (): boolean => readFileSync('/proc/net/unix', 'latin1').split('\n').some((l) => l.endsWith(` ${socket}`));
    assert.ok(!existsSync(socket) || (takenBy !== null && takenBy !== pid && alive(takenBy)) || rebound(), `its X socket ${socket} is gone (or another live server's)`);
  } finally {
    if (xvfb.exitCode === null && xvfb.signalCode === null) {
      xvfb.kill('SIGKILL');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  }
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
  try {
    assert.deepEqual(sweepStaleXvfb([root]), [old]);
    for (const d of [mine, fresh, other]) assert.ok(existsSync(d), `${d} kept`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a swept server\'s socket and lock are left to the newer server that already took its display number', async () => {
  // The race the sweep lost (the xvfb-lifecycle flake): the sweep SIGKILLs a stale server on :N,
  // another Xvfb takes the freed :N at once, and the sweep then removed "the killed server's"
  // socket, which was the new server's by then: its clients fell back to TCP and were refused.
  // The freed number can be taken by another test's server before the newer one binds it (a
  // concurrent file's startUserXvfb probes the same range): then the pair is tried again.
  let old!: Awaited<ReturnType<typeof startUserXvfb>>;
  let newer: Awaited<ReturnType<typeof startUserXvfb>> | null = null;
  let sockets: string[] = [];
  for (let attempt = 0; newer === null; attempt++) {
    old = await startUserXvfb(64, 64);
    sockets = xSocketsOf(old.pid);
    assert.deepEqual(sockets, [`/tmp/.X11-unix/X${old.number}`]);
    await old.kill();
    try {
      newer = await startUserXvfb(64, 64, old.number);
    } catch (e) {
      if (attempt === 2) throw e;
    }
  }
  try {
    removeXFilesOf(old.pid, sockets);
    assert.ok(existsSync(sockets[0]!), 'the newer server keeps its socket');
    assert.ok(existsSync(`/tmp/.X${old.number}-lock`), 'and its lock');
    const { client } = await connectXClient(newer.display, { purpose: 'in the sweep test', onError: () => undefined });
    client.terminate();
  } finally {
    await newer.stop();
  }
  // A dead server's files whose lock still names it are removed.
  const dead = await startUserXvfb(64, 64);
  const its = xSocketsOf(dead.pid);
  await dead.kill();
  removeXFilesOf(dead.pid, its);
  assert.equal(existsSync(its[0]!), false, 'the dead server\'s socket is gone');
  assert.equal(existsSync(`/tmp/.X${dead.number}-lock`), false, 'and its lock');
});

test('a folder whose owner file is still being written is its live owner\'s: kept, with the Xvfb serving from it', async () => {
  // The race a loaded machine lost (xvfb-frames "the framebuffer file ... was not created"): one
  // start made its folder and was writing its owner file, another start's sweep read the file empty
  // (between the writer's open and its write), took the owner for dead, SIGKILLed the new Xvfb and
  // removed its folder, framebuffer file and all.
  const root = base();
  const dir = mkdtempSync(join(root, 'vdpush-xvfb-'));
  writeFileSync(join(dir, OWNER_FILE), '');
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-fbdir', dir, '-screen', '0', '64x64x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<void>((r) => xvfb.once('exit', () => r()));
  try {
    let out = '';
    xvfb.stdout.on('data', (d) => (out += d));
    assert.ok(await waitUntil(() => out.includes('\n')), 'Xvfb started');
    assert.deepEqual(sweepStaleXvfb([root]), [], 'nothing swept');
    assert.ok(existsSync(join(dir, 'Xvfb_screen0')), 'the framebuffer file is still there');
    assert.ok(alive(xvfb.pid!), 'the Xvfb still runs');
    // The owner file is written whole or not at all, so a reader never sees it half written.
    writeOwner(dir);
    assert.match(readFileSync(join(dir, OWNER_FILE), 'utf8'), /^\d+ \d+\n$/);
    assert.deepEqual(readdirSync(dir).sort(), [OWNER_FILE, 'Xvfb_screen0'].sort(), 'no temporary file left beside it');
  } finally {
    xvfb.kill('SIGTERM');
    await exited;
    rmSync(root, { recursive: true, force: true });
  }
});
