/**
 * The test's own servers (user-xvfb.ts) pick numbers nobody holds: an exiting Xvfb removes its lock
 * and socket files before its abstract socket "@/tmp/.X11-unix/XN" is gone, and a server asked for
 * a number whose abstract socket is held exits at once ("server already running").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { freeHighDisplayNumber, startUserXvfb } from './user-xvfb.js';

test('a number held only by its abstract socket is not free, and a server asked for it says so at once', async () => {
  const holder = await startUserXvfb(64, 64);
  try {
    // The holder's files go, as an exiting server's do before its abstract socket closes.
    rmSync(`/tmp/.X${holder.number}-lock`);
    rmSync(`/tmp/.X11-unix/X${holder.number}`);
    assert.notEqual(freeHighDisplayNumber(), holder.number);
    await assert.rejects(startUserXvfb(64, 64, holder.number), /server already running/);
    const other = await startUserXvfb(64, 64);
    try {
      assert.notEqual(other.number, holder.number);
    } finally {
      await other.stop();
    }
  } finally {
    await holder.stop();
  }
});
