/**
 * Which framebuffer folder a display hands its last-resort cleanups (the watchdog removes it
 * recursively): the one vdpush made for a server it started, wherever its base is (a huge-page
 * tmpfs as well as /dev/shm), and never a folder vdpush did not make for this process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { xvfbResources } from '../../src/host/display-resources.js';
import { FBDIR_PREFIX, OWNER_FILE, writeOwner } from '../../src/backends/xvfb/stale-sweep.js';

function resourcesFor(dir: string, serverOwned = true): string[] {
  return xvfbResources({ serverPid: 0, serverOwned, displayNumber: -1, workloadPid: null, framebufferPath: join(dir, 'Xvfb_screen0') }).dirs;
}

test('a started server\'s framebuffer folder is handed to the cleanups in any base, /dev/shm or another tmpfs', () => {
  // Another base than /dev/shm or the OS temp dir, as a huge-page tmpfs mount is.
  const base = mkdtempSync('/dev/shm/fbres-test-');
  const other = join(base, 'mnt');
  mkdirSync(other);
  try {
    const dir = mkdtempSync(join(other, FBDIR_PREFIX));
    writeOwner(dir);
    assert.deepEqual(resourcesFor(dir), [dir]);
    assert.deepEqual(resourcesFor(dir, false), [], 'an attached server\'s folder is the user\'s');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a folder without this process\'s owner mark, or not named as vdpush names its folders, is never handed over', () => {
  const base = mkdtempSync('/dev/shm/fbres-test-');
  try {
    const unmarked = mkdtempSync(join(base, FBDIR_PREFIX));
    assert.deepEqual(resourcesFor(unmarked), []);
    const foreign = mkdtempSync(join(base, FBDIR_PREFIX));
    writeFileSync(join(foreign, OWNER_FILE), '1 1\n');
    assert.deepEqual(resourcesFor(foreign), []);
    const misnamed = join(base, 'data');
    mkdirSync(misnamed);
    writeOwner(misnamed);
    assert.deepEqual(resourcesFor(misnamed), []);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
