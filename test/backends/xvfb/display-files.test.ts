/**
 * What a stopped Xvfb leaves at its display number: a server killed by SIGKILL cannot remove its
 * socket file, so stop() does; but only the file that server made (the same inode). Another Xvfb
 * may have taken the number since and made its own socket file there, which must stay: removing
 * it by name sent that server's clients to TCP, refused (ECONNREFUSED 127.0.0.1:600N).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { startXvfb } from '../../../src/backends/xvfb/xvfb-server.js';
import { freeHighDisplayNumber } from '../../host/user-xvfb.js';
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
