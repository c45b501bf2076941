/**
 * A chosen framebuffer folder (--fbdir, VDPUSH_FBDIR, the fbDir option) is checked strictly: each
 * way it cannot hold the framebuffer is a FramebufferDirError that says what to do. Real folders
 * where the system can show the fault, a probe where it cannot (root may write anywhere).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FramebufferDirError } from '../../../src/contract/errors.js';
import { checkFbDir, resolveFbBase, systemProbe, type FbDirProbe } from '../../../src/backends/xvfb/framebuffer-dir.js';
import { TMPFS_MAGIC } from '../../../src/backends/xvfb/fbdir-choice.js';

const SCREEN = [{ width: 1920, height: 1080 }];

function refused(fn: () => unknown, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FramebufferDirError, String(e));
    assert.equal(e.code, 'VDP_ERR_FRAMEBUFFER_DIR');
    assert.match(e.message, reason);
    // Every refusal says how to fix it.
    assert.match(e.message, /tmpfs .*leave it out/);
    return true;
  });
}

test('a folder that does not exist, or is a file, is refused naming where it came from', () => {
  const shm = mkdtempSync('/dev/shm/vdpush-fbdir-test-');
  try {
    refused(() => checkFbDir(join(shm, 'nope'), '--fbdir', SCREEN), /^--fbdir ".*nope": no such directory/);
    writeFileSync(join(shm, 'file'), 'x');
    refused(() => checkFbDir(join(shm, 'file'), 'VDPUSH_FBDIR', SCREEN), /^VDPUSH_FBDIR ".*file": is not a directory/);
    refused(() => checkFbDir('', '--fbdir', SCREEN), /is empty/);
  } finally {
    rmSync(shm, { recursive: true, force: true });
  }
});

test('a folder on a disk is refused, naming its file system and mount point', () => {
  const disk = mkdtempSync(join(tmpdir(), 'vdpush-fbdir-test-'));
  try {
    // The OS temp dir is on the disk here; the check reads statfs, whatever the path says.
    assert.notEqual(systemProbe.fsType(disk), TMPFS_MAGIC, 'this test needs the OS temp dir off tmpfs');
    refused(() => checkFbDir(disk, '--fbdir', SCREEN), /is on \S+ \(mounted at \/.*\), not a tmpfs/);
  } finally {
    rmSync(disk, { recursive: true, force: true });
  }
});

test('a tmpfs folder is taken as its real path, with whether it gives huge pages', () => {
  const shm = mkdtempSync('/dev/shm/vdpush-fbdir-test-');
  try {
    const c = checkFbDir(`${shm}/./`, '--fbdir', SCREEN);
    assert.equal(c.base, shm);
    // /dev/shm gives huge pages only when mounted with huge= or under shmem_enabled force.
    const mount = systemProbe.mounts().find((m) => m.mountPoint === '/dev/shm')!;
    const huge = systemProbe.shmem() === 'force' || (systemProbe.shmem() !== 'deny' && mount.options.includes('huge=always'));
    assert.equal(c.hugePages, huge);
  } finally {
    rmSync(shm, { recursive: true, force: true });
  }
});

/** The real probe, with what root cannot be shown (an unwritable or full tmpfs) put in. */
function probe(over: Partial<FbDirProbe>): FbDirProbe {
  return { ...systemProbe, kind: () => 'dir', fsType: () => TMPFS_MAGIC, realpath: (d) => d, ...over };
}

test('an unwritable or too small tmpfs folder is refused with what it lacks', () => {
  refused(() => checkFbDir('/mnt/fb', '--fbdir', SCREEN, probe({ writable: () => false })), /is not writable by this user/);
  refused(
    () => checkFbDir('/mnt/fb', '--fbdir', SCREEN, probe({ writable: () => true, freeBytes: () => 5 * 1024 * 1024 })),
    /has 5 MiB free, the framebuffer needs 8 MiB/,
  );
  assert.equal(checkFbDir('/mnt/fb', '--fbdir', SCREEN, probe({ writable: () => true, freeBytes: () => -1 })).base, '/mnt/fb');
});

test('the option comes before VDPUSH_FBDIR, an empty VDPUSH_FBDIR is unset, and a bad one is refused', () => {
  const shm = mkdtempSync('/dev/shm/vdpush-fbdir-test-');
  try {
    assert.equal(resolveFbBase(SCREEN, { dir: shm, origin: 'fbDir' }, systemProbe, { VDPUSH_FBDIR: '/nope' }).base, shm);
    assert.equal(resolveFbBase(SCREEN, undefined, systemProbe, { VDPUSH_FBDIR: shm }).base, shm);
    refused(() => resolveFbBase(SCREEN, undefined, systemProbe, { VDPUSH_FBDIR: join(shm, 'nope') }), /^VDPUSH_FBDIR /);
    assert.deepEqual(resolveFbBase(SCREEN, undefined, systemProbe, { VDPUSH_FBDIR: '' }), resolveFbBase(SCREEN, undefined, systemProbe, {}));
  } finally {
    rmSync(shm, { recursive: true, force: true });
  }
});
