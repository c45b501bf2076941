/**
 * Where a started Xvfb's framebuffer goes when nobody chose: the rules of fbdir-choice.ts on
 * /proc/mounts lines as this machine and others print them, without touching the system.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseFbBase,
  framebufferBytes,
  mountGivesHugePages,
  mountOf,
  parseMounts,
  parseShmemEnabled,
  type FbBaseInput,
  type MountEntry,
} from '../../../src/backends/xvfb/fbdir-choice.js';

const SHM = 'tmpfs /dev/shm tmpfs rw,relatime,size=24683584k 0 0';
const HUGE = 'tmpfs /tmp/hugefs tmpfs rw,relatime,size=1048576k,huge=always 0 0';
const WITHIN = 'tmpfs /run/vdpush tmpfs rw,nosuid,nodev,size=524288k,huge=within_size 0 0';
const ADVISE = 'tmpfs /mnt/adv tmpfs rw,relatime,huge=advise 0 0';
const RO_HUGE = 'tmpfs /mnt/ro tmpfs ro,relatime,huge=always 0 0';
const ROOT = '/dev/vda1 / ext4 rw,relatime 0 0';
const CGROUP = 'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0';
const MB = 1024 * 1024;
const NEED_1080P = framebufferBytes([{ width: 1920, height: 1080 }]);

function input(lines: string[], over: Partial<FbBaseInput> = {}): FbBaseInput {
  return {
    mounts: parseMounts(lines.join('\n') + '\n'),
    shmem: 'never',
    needBytes: NEED_1080P,
    writable: () => true,
    freeBytes: () => 1024 * MB,
    shmExists: true,
    tmpDir: '/tmp',
    ...over,
  };
}

test('a line of /proc/mounts is its source, mount point, type and options, with octal escapes decoded', () => {
  const [m] = parseMounts('tmpfs /mnt/my\\040fb tmpfs rw,huge=always 0 0\n\ngarbage\n');
  assert.deepEqual(m, { source: 'tmpfs', mountPoint: '/mnt/my fb', fsType: 'tmpfs', options: ['rw', 'huge=always'] });
  assert.equal(parseMounts('garbage\n\n').length, 0);
});

test('shmem_enabled is the bracketed word, and null when the file says nothing known', () => {
  assert.equal(parseShmemEnabled('always within_size advise [never] deny force\n'), 'never');
  assert.equal(parseShmemEnabled('always [within_size] advise never deny force'), 'within_size');
  assert.equal(parseShmemEnabled('[force]'), 'force');
  assert.equal(parseShmemEnabled('always never'), null);
  assert.equal(parseShmemEnabled('[sometimes]'), null);
});

test('huge=always gives Xvfb huge pages; within_size (its file grows 64 KiB at a time), advise, none and a non-tmpfs do not', () => {
  const [shm, huge, within, advise, root] = parseMounts([SHM, HUGE, WITHIN, ADVISE, ROOT].join('\n')) as [MountEntry, MountEntry, MountEntry, MountEntry, MountEntry];
  assert.equal(mountGivesHugePages(shm, 'never'), false);
  assert.equal(mountGivesHugePages(huge, 'never'), true);
  assert.equal(mountGivesHugePages(within, 'never'), false);
  assert.equal(mountGivesHugePages(advise, 'never'), false, 'advise needs an madvise Xvfb does not make');
  assert.equal(mountGivesHugePages(root, 'force'), false);
});

test('shmem_enabled force gives every tmpfs huge pages and deny takes them from every one', () => {
  const [shm, huge] = parseMounts([SHM, HUGE].join('\n')) as [MountEntry, MountEntry];
  assert.equal(mountGivesHugePages(shm, 'force'), true);
  assert.equal(mountGivesHugePages(huge, 'deny'), false);
  // always / within_size in shmem_enabled are the kernel's internal mount's (memfd, SysV), not /dev/shm's.
  assert.equal(mountGivesHugePages(shm, 'always'), false);
});

test('a path is on the longest mount point that contains it, never on a sibling with a common prefix', () => {
  const mounts = parseMounts([ROOT, SHM, HUGE].join('\n'));
  assert.equal(mountOf('/dev/shm/vdpush-xvfb-x', mounts)?.mountPoint, '/dev/shm');
  assert.equal(mountOf('/tmp/hugefs', mounts)?.mountPoint, '/tmp/hugefs');
  assert.equal(mountOf('/tmp/hugefsx/a', mounts)?.mountPoint, '/');
  assert.equal(mountOf('/work', mounts)?.mountPoint, '/');
  assert.equal(mountOf('/work', parseMounts(SHM)), null);
});

test('the framebuffer needs its pixels and header in whole 2 MiB pages per screen', () => {
  assert.equal(NEED_1080P, 4 * 2 * MB); // 8,294,400 + 64 KiB -> 4 huge pages
  assert.equal(framebufferBytes([{ width: 1920, height: 1080 }, { width: 16, height: 16 }]), NEED_1080P + 2 * MB);
  assert.equal(framebufferBytes([{ width: 3840, height: 2160 }]), 16 * 2 * MB);
});

test('with no huge-page mount the framebuffer stays on /dev/shm, as before', () => {
  const c = chooseFbBase(input([ROOT, SHM, CGROUP, ADVISE]));
  assert.deepEqual([c.base, c.hugePages], ['/dev/shm', false]);
});

test('a writable huge-page tmpfs with room is taken over /dev/shm without huge pages', () => {
  const c = chooseFbBase(input([ROOT, SHM, CGROUP, HUGE]));
  assert.deepEqual([c.base, c.hugePages], ['/tmp/hugefs', true]);
  assert.equal(chooseFbBase(input([ROOT, SHM, WITHIN])).base, '/dev/shm');
});

test('/dev/shm is taken first when it gives huge pages itself', () => {
  const shmHuge = 'tmpfs /dev/shm tmpfs rw,relatime,huge=always 0 0';
  assert.deepEqual([chooseFbBase(input([ROOT, HUGE, shmHuge])).base, chooseFbBase(input([ROOT, HUGE, shmHuge])).hugePages], ['/dev/shm', true]);
  assert.deepEqual([chooseFbBase(input([ROOT, SHM, HUGE], { shmem: 'force' })).base], ['/dev/shm']);
});

test('shmem_enabled deny means no huge pages anywhere, so /dev/shm', () => {
  assert.deepEqual([chooseFbBase(input([ROOT, SHM, HUGE], { shmem: 'deny' })).base, chooseFbBase(input([ROOT, SHM, HUGE], { shmem: 'deny' })).hugePages], ['/dev/shm', false]);
});

test('a read-only, unwritable, too small or unknown-size huge mount is passed over', () => {
  assert.equal(chooseFbBase(input([ROOT, SHM, RO_HUGE])).base, '/dev/shm');
  assert.equal(chooseFbBase(input([ROOT, SHM, HUGE], { writable: (d) => d !== '/tmp/hugefs' })).base, '/dev/shm');
  assert.equal(chooseFbBase(input([ROOT, SHM, HUGE], { freeBytes: (d) => (d === '/tmp/hugefs' ? NEED_1080P - 1 : 1024 * MB) })).base, '/dev/shm');
  assert.equal(chooseFbBase(input([ROOT, SHM, HUGE], { freeBytes: (d) => (d === '/tmp/hugefs' ? NEED_1080P : -1) })).base, '/tmp/hugefs');
  assert.equal(chooseFbBase(input([ROOT, SHM, HUGE], { freeBytes: () => -1 })).base, '/dev/shm');
  // The next qualifying mount is taken when the first does not qualify.
  assert.equal(chooseFbBase(input([ROOT, SHM, RO_HUGE, WITHIN, HUGE])).base, '/tmp/hugefs');
});

test('a huge mount hidden by a later mount over the same point does not count', () => {
  const over = 'tmpfs /tmp/hugefs tmpfs rw,relatime,size=1048576k 0 0';
  assert.equal(chooseFbBase(input([ROOT, SHM, HUGE, over])).base, '/dev/shm');
  assert.equal(chooseFbBase(input([ROOT, SHM, over, HUGE])).base, '/tmp/hugefs');
});

test('without /dev/shm and without a huge mount the OS temp dir is the base', () => {
  const c = chooseFbBase(input([ROOT], { shmExists: false, tmpDir: '/var/tmp' }));
  assert.deepEqual([c.base, c.hugePages], ['/var/tmp', false]);
  assert.equal(chooseFbBase(input([ROOT, HUGE], { shmExists: false })).base, '/tmp/hugefs');
});
