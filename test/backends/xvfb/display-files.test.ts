/**
 * What a stopped Xvfb leaves at its display number: a server killed by SIGKILL cannot remove its
 * socket file, so stop() does; but only the file that server made (the same inode). Another Xvfb
 * may have taken the number since and made its own socket file there, which must stay: removing
 * it by name sent that server's clients to TCP, refused (ECONNREFUSED 127.0.0.1:600N). Xvfb
 * itself removes by name as it exits, after it let the number go: a start whose server lost its
 * socket file that way starts again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, renameSync, rmSync, unlinkSync, watch, writeFileSync } from 'node:fs';
import { connectXClient } from '../../../src/backends/xvfb/x-connect.js';
import { startXvfb } from '../../../src/backends/xvfb/xvfb-server.js';
import { BackendError } from '../../../src/contract/errors.js';
import { freeHighDisplayNumber, startUserXvfb } from '../../host/user-xvfb.js';
import { liveChildren } from '../../host/process-probe.js';
import { until } from './fake-monitor.js';

const SPEC = { width: 64, height: 64, depth: 24 } as const;

function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

test('stop() of a SIGKILLed Xvfb removes the socket file it left', async () => {
  const n = freeHighDisplayNumber();
  const server = await startXvfb(SPEC, n);
  const socket = `/tmp/.X11-unix/X${n}`;
  assert.ok(lstatSync(socket).isSocket());
  process.kill(server.pid, 'SIGKILL');
  assert.ok(await until(() => gone(server.pid), 10_000), 'the killed server is gone');
  assert.ok(existsSync(socket), 'SIGKILL leaves the socket file');
  await server.stop();
  assert.equal(existsSync(socket), false);
});

test('stop() of a SIGKILLed Xvfb leaves a socket file another server made at its number since', async () => {
  const n = freeHighDisplayNumber();
  const server = await startXvfb(SPEC, n);
  const socket = `/tmp/.X11-unix/X${n}`;
  try {
    process.kill(server.pid, 'SIGKILL');
    assert.ok(await until(() => gone(server.pid), 10_000), 'the killed server is gone');
    // The next server's file at that path (a new inode), before it listens: what the old rule
    // ("nothing listens on it") took for the dead server's.
    writeFileSync(`${socket}.next`, 'the next server');
    renameSync(`${socket}.next`, socket);
    await server.stop();
    assert.equal(readFileSync(socket, 'utf8'), 'the next server');
  } finally {
    rmSync(socket, { force: true });
    rmSync(`${socket}.next`, { force: true });
  }
});

test('a server whose socket file is removed as soon as it is made is started again, and vdpush reaches the new one', async () => {
  // What an Xvfb exiting on this number does when it is slow between its two steps: it closes its
  // abstract socket (the number is free: the new server takes it), then unlinks /tmp/.X11-unix/XN
  // by name, the new server's file by then. Here the test is that dying server: it removes the
  // file the moment it appears, once (inotify reports the bind long before the new server, still
  // loading its keymap and fonts, reports its number).
  const n = freeHighDisplayNumber();
  const socket = `/tmp/.X11-unix/X${n}`;
  let removed = 0;
  const watcher = watch('/tmp/.X11-unix', (_event, name) => {
    if (removed > 0 || name !== `X${n}`) return;
    try {
      if (!lstatSync(socket).isSocket()) return;
      unlinkSync(socket);
      removed++;
    } catch {
      /* not there (yet) */
    }
  });
  try {
    const server = await startXvfb(SPEC, n);
    try {
      assert.equal(removed, 1, 'the first server\'s socket file was removed');
      assert.ok(lstatSync(socket).isSocket(), 'the server returned has its socket file');
      const { client } = await connectXClient(server.display, { purpose: 'in the display-files test', onError: () => undefined });
      client.terminate();
      assert.deepEqual(liveChildren('Xvfb'), [server.pid], 'the server that lost its file was stopped');
    } finally {
      await server.stop();
    }
  } finally {
    watcher.close();
  }
});

test('a start on a display number another server holds fails at once with a typed error that says so', async () => {
  const holder = await startUserXvfb(64, 64);
  try {
    await assert.rejects(startXvfb(SPEC, holder.number), (e: unknown) => {
      assert.ok(e instanceof BackendError, String(e));
      assert.equal(e.code, 'VDP_ERR_BACKEND');
      assert.match(e.message, new RegExp(`could not start Xvfb \\(:${holder.number} .*exited .*already (running|active)`, 'i'));
      return true;
    });
    assert.deepEqual(liveChildren('Xvfb'), [holder.pid], 'nothing of the failed start is left running');
  } finally {
    await holder.stop();
  }
});
