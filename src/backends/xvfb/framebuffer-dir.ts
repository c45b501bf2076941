/**
 * The base folder a started Xvfb's framebuffer folder is made in: the one the user chose
 * (`--fbdir DIR`, `fbDir` in the API, else VDPUSH_FBDIR), checked, or fbdir-choice.ts's pick from
 * the system's mounts.
 *
 * A chosen folder is checked strictly and refused with a FramebufferDirError (never silently
 * replaced: the user asked for that place, and a quiet fallback would hide a typo for the life of
 * the setup): it must exist, be a directory on a tmpfs (on a disk the server's drawing into its
 * mapping would be written back to the disk), be writable, and have room for the screens' files
 * (Xvfb dies of SIGBUS when a tmpfs fills under its mapping). With no choice nothing is refused:
 * the pick falls back to /dev/shm, as vdpush always did.
 */
import { accessSync, constants, mkdtempSync, readFileSync, realpathSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { FramebufferDirError } from '../../contract/errors.js';
import {
  chooseFbBase,
  framebufferBytes,
  mountGivesHugePages,
  mountOf,
  parseMounts,
  parseShmemEnabled,
  SHM_DIR,
  TMPFS_MAGIC,
  type FbBaseChoice,
  type MountEntry,
  type ShmemEnabled,
} from './fbdir-choice.js';
import { FBDIR_PREFIX } from './stale-sweep.js';

export const FBDIR_ENV = 'VDPUSH_FBDIR';
const SHMEM_ENABLED = '/sys/kernel/mm/transparent_hugepage/shmem_enabled';
const MIB = 1024 * 1024;

/** What the checks of a chosen folder ask the system; the real one is `systemProbe`. */
export interface FbDirProbe {
  kind(dir: string): 'dir' | 'other' | 'missing';
  /** statfs f_type. */
  fsType(dir: string): number;
  writable(dir: string): boolean;
  /** Bytes free for us, or -1 when unknown. */
  freeBytes(dir: string): number;
  realpath(dir: string): string;
  mounts(): readonly MountEntry[];
  shmem(): ShmemEnabled;
}

export const systemProbe: FbDirProbe = {
  kind(dir) {
    try {
      return statSync(dir).isDirectory() ? 'dir' : 'other';
    } catch {
      return 'missing';
    }
  },
  fsType: (dir) => statfsSync(dir).type,
  writable(dir) {
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  freeBytes(dir) {
    try {
      const s = statfsSync(dir);
      return s.bavail * s.bsize;
    } catch {
      return -1;
    }
  },
  realpath: (dir) => realpathSync(dir),
  mounts() {
    try {
      return parseMounts(readFileSync('/proc/mounts', 'utf8'));
    } catch {
      return [];
    }
  },
  shmem() {
    try {
      return parseShmemEnabled(readFileSync(SHMEM_ENABLED, 'utf8'));
    } catch {
      return null;
    }
  },
};

/** The fix a refused folder's message ends with. */
const HOW = `give a directory on a tmpfs (${SHM_DIR}, or one mounted as root with "mount -t tmpfs -o huge=always,size=1g tmpfs DIR" for huge pages), or leave it out to let vdpush pick`;

/** Checks a chosen base folder (see the file's comment); `origin` is how it was given ("--fbdir", "VDPUSH_FBDIR"). */
export function checkFbDir(
  dir: string,
  origin: string,
  screens: ReadonlyArray<{ width: number; height: number }>,
  probe: FbDirProbe = systemProbe,
): FbBaseChoice {
  if (dir.trim() === '') throw new FramebufferDirError(origin, dir, `is empty; ${HOW}`);
  const abs = resolve(dir);
  const kind = probe.kind(abs);
  if (kind === 'missing') throw new FramebufferDirError(origin, dir, `no such directory; ${HOW}`);
  if (kind !== 'dir') throw new FramebufferDirError(origin, dir, `is not a directory; ${HOW}`);
  const real = probe.realpath(abs);
  const mounts = probe.mounts();
  const mount = mountOf(real, mounts);
  if (probe.fsType(real) !== TMPFS_MAGIC) {
    const fs = mount !== null ? `${mount.fsType} (mounted at ${mount.mountPoint})` : 'not a tmpfs';
    throw new FramebufferDirError(origin, dir, `is on ${fs}, not a tmpfs: Xvfb's drawing into its framebuffer would be written back to it; ${HOW}`);
  }
  if (!probe.writable(real)) throw new FramebufferDirError(origin, dir, `is not writable by this user (uid ${process.getuid?.() ?? '?'}); ${HOW}`);
  const need = framebufferBytes(screens);
  const free = probe.freeBytes(real);
  if (free >= 0 && free < need) {
    throw new FramebufferDirError(origin, dir, `has ${Math.floor(free / MIB)} MiB free, the framebuffer needs ${Math.ceil(need / MIB)} MiB (Xvfb would die of SIGBUS when the tmpfs fills); ${HOW}`);
  }
  const hugePages = mount !== null && mountGivesHugePages(mount, probe.shmem());
  return { base: real, hugePages, reason: `${origin} ${real}${hugePages ? ' (huge pages)' : ''}` };
}

/**
 * Where a started Xvfb's framebuffer folder goes: `chosen` (the API's or CLI's fbDir), else
 * $VDPUSH_FBDIR, each checked (FramebufferDirError); else fbdir-choice.ts's pick, which never fails.
 */
export function resolveFbBase(
  screens: ReadonlyArray<{ width: number; height: number }>,
  chosen?: { dir: string; origin: string },
  probe: FbDirProbe = systemProbe,
  env: NodeJS.ProcessEnv = process.env,
): FbBaseChoice {
  if (chosen !== undefined) return checkFbDir(chosen.dir, chosen.origin, screens, probe);
  const fromEnv = env[FBDIR_ENV];
  // An empty variable is an unset one (the shell's `VDPUSH_FBDIR= vdpush ...` to undo an export).
  if (fromEnv !== undefined && fromEnv !== '') return checkFbDir(fromEnv, FBDIR_ENV, screens, probe);
  return chooseFbBase({
    mounts: probe.mounts(),
    shmem: probe.shmem(),
    needBytes: framebufferBytes(screens),
    writable: probe.writable,
    freeBytes: probe.freeBytes,
    shmExists: probe.kind(SHM_DIR) === 'dir',
    tmpDir: tmpdir(),
  });
}

/** A started Xvfb's own framebuffer folder and the base it was made in. */
export interface MadeFbDir {
  dir: string;
  choice: FbBaseChoice;
}

/**
 * Makes the server's framebuffer folder (FBDIR_PREFIX + random) in the resolved base. A chosen base
 * that refuses the folder is a FramebufferDirError; a picked one falls back to the OS temp dir.
 * `beforeMake` runs once the base is known (the stale sweep, which must cover that base too).
 */
export function makeFramebufferDir(
  screens: ReadonlyArray<{ width: number; height: number }>,
  chosen: { dir: string; origin: string } | undefined,
  beforeMake: (base: string) => void = () => undefined,
): MadeFbDir {
  const choice = resolveFbBase(screens, chosen);
  beforeMake(choice.base);
  try {
    return { dir: mkdtempSync(join(choice.base, FBDIR_PREFIX)), choice };
  } catch (e) {
    const explicit = chosen ?? (process.env[FBDIR_ENV] ? { dir: process.env[FBDIR_ENV]!, origin: FBDIR_ENV } : undefined);
    if (explicit !== undefined) {
      throw new FramebufferDirError(explicit.origin, explicit.dir, `could not make a folder in it (${(e as NodeJS.ErrnoException).code ?? String(e)}); ${HOW}`);
    }
    const base = tmpdir();
    return { dir: mkdtempSync(join(base, FBDIR_PREFIX)), choice: { base, hugePages: false, reason: `${choice.base} refused a folder; the OS temp dir` } };
  }
}

/** Where a started server's framebuffer file is, as `vdpush bench` reports it: its base folder and whether that gives huge pages. */
export function framebufferPlacement(framebufferPath: string, probe: FbDirProbe = systemProbe): { base: string; hugePages: boolean } {
  const base = dirname(dirname(framebufferPath));
  const mount = mountOf(base, probe.mounts());
  return { base, hugePages: mount !== null && mountGivesHugePages(mount, probe.shmem()) };
}
