/**
 * Where a started Xvfb's framebuffer file goes (-fbdir): a pure choice from /proc/mounts and the
 * kernel's shmem setting, so every rule is tested with fixture lines and no system.
 *
 * Why it matters: vdpush copies every frame out of that file with pread, and the X server draws
 * into its mmap of it. On a tmpfs without huge pages each 4 KiB page is a page-cache lookup in
 * the kernel's copy (a quarter of the pread in perf) and a TLB entry in the server's drawing; on a
 * tmpfs that gives 2 MiB pages an 8 MB frame is four pages (docs/performance-notes.md has the
 * measurements). ffmpeg x11grab and x11vnc read through the same server, so they gain the server's
 * half too.
 *
 * The rule (no explicit choice): a tmpfs mount that gives huge pages to a file written and mapped
 * the way Xvfb does it (mount option huge=always, or the kernel's shmem_enabled set to `force`;
 * never when it is `deny`), not
 * read-only, writable by us and with room for the screens' files; /dev/shm first when it
 * qualifies, else the first such mount in /proc/mounts. Otherwise /dev/shm (tmpfs, 4 KiB pages),
 * as before, else the OS temp dir. vdpush never mounts anything itself: scripts/setup-system.sh
 * may, as root.
 *
 * Not huge=within_size: Xvfb makes its file by writing zeros 64 KiB at a time (vfb's
 * vfbAllocateFramebufferMemory), so each page is allocated while the file is still shorter than
 * the huge page it would fill, and within_size gives it a small one (measured: 0 kB of a 1080p
 * framebuffer PMD-mapped in the server, against 6 MiB of its 8 on huge=always). Nor huge=advise:
 * Xvfb makes no madvise.
 */

/** One line of /proc/mounts (octal escapes such as \040 decoded). */
export interface MountEntry {
  source: string;
  mountPoint: string;
  fsType: string;
  options: readonly string[];
}

/** The bracketed word of /sys/kernel/mm/transparent_hugepage/shmem_enabled, or null when unknown. */
export type ShmemEnabled = 'always' | 'within_size' | 'advise' | 'never' | 'deny' | 'force' | null;

export const SHM_DIR = '/dev/shm';
/** statfs(2) f_type of tmpfs (TMPFS_MAGIC in linux/magic.h). */
export const TMPFS_MAGIC = 0x01021994;
const HUGE_PAGE_BYTES = 2 * 1024 * 1024;
/** Room for an XWD header and colormap ahead of a screen's pixels (Xvfb writes ~3 KB). */
const HEADER_ALLOWANCE_BYTES = 64 * 1024;

function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/** Parses /proc/mounts text; malformed lines are skipped. */
export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    out.push({ source: unescapeMountField(f[0]!), mountPoint: unescapeMountField(f[1]!), fsType: f[2]!, options: f[3]!.split(',') });
  }
  return out;
}

/** The selected value of shmem_enabled ("always within_size advise [never] deny force" → 'never'). */
export function parseShmemEnabled(text: string): ShmemEnabled {
  const m = /\[([a-z_]+)\]/.exec(text);
  const v = m?.[1];
  return v === 'always' || v === 'within_size' || v === 'advise' || v === 'never' || v === 'deny' || v === 'force' ? v : null;
}

/** True when a file Xvfb writes and maps on this mount gets transparent huge pages. */
export function mountGivesHugePages(m: MountEntry, shmem: ShmemEnabled): boolean {
  if (m.fsType !== 'tmpfs') return false;
  // deny and force override every tmpfs mount's own option (Documentation/admin-guide/mm/transhuge.rst).
  if (shmem === 'deny') return false;
  if (shmem === 'force') return true;
  return m.options.includes('huge=always');
}

/** The mount `path` lives on: the entry with the longest mount point containing it (the last one mounted wins a tie). */
export function mountOf(path: string, mounts: readonly MountEntry[]): MountEntry | null {
  let best: MountEntry | null = null;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = path === mp || mp === '/' || path.startsWith(mp.endsWith('/') ? mp : mp + '/');
    if (inside && (best === null || mp.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** Bytes the screens' framebuffer files take on a mount, rounded up to whole huge pages. */
export function framebufferBytes(screens: ReadonlyArray<{ width: number; height: number }>): number {
  let total = 0;
  for (const s of screens) {
    const bytes = s.width * s.height * 4 + HEADER_ALLOWANCE_BYTES;
    total += Math.ceil(bytes / HUGE_PAGE_BYTES) * HUGE_PAGE_BYTES;
  }
  return total;
}

export interface FbBaseInput {
  mounts: readonly MountEntry[];
  shmem: ShmemEnabled;
  /** Bytes the files need (framebufferBytes). */
  needBytes: number;
  /** Whether we may create a folder in `dir` (access W_OK). */
  writable(dir: string): boolean;
  /** Bytes free for us in `dir` (statfs bavail * bsize), or -1 when unknown. */
  freeBytes(dir: string): number;
  /** Whether /dev/shm is there (a tmpfs in a normal Linux; absent in some containers). */
  shmExists: boolean;
  /** The OS temp dir, the last resort. */
  tmpDir: string;
}

export interface FbBaseChoice {
  /** The folder the framebuffer's own temp folder is made in. */
  base: string;
  /** Whether files there get huge pages (reported in `vdpush doctor`-style messages and the bench). */
  hugePages: boolean;
  /** Why this base, in a few words (for logs and errors). */
  reason: string;
}

/** The base folder for a started Xvfb's framebuffer when nobody chose one (see the file's comment). */
export function chooseFbBase(input: FbBaseInput): FbBaseChoice {
  const qualifies = (m: MountEntry): boolean =>
    mountGivesHugePages(m, input.shmem) &&
    !m.options.includes('ro') &&
    input.writable(m.mountPoint) &&
    input.freeBytes(m.mountPoint) >= input.needBytes;
  // Only the mount that is current at its point counts: one mounted over another hides it.
  const current = input.mounts.filter((m) => mountOf(m.mountPoint, input.mounts) === m);
  const shm = input.shmExists ? current.find((m) => m.mountPoint === SHM_DIR) : undefined;
  if (shm !== undefined && qualifies(shm)) return { base: SHM_DIR, hugePages: true, reason: `${SHM_DIR} gives huge pages` };
  const huge = current.find((m) => m.mountPoint !== SHM_DIR && qualifies(m));
  if (huge !== undefined) return { base: huge.mountPoint, hugePages: true, reason: `${huge.mountPoint} is a tmpfs with huge pages` };
  if (input.shmExists) return { base: SHM_DIR, hugePages: false, reason: `no writable huge-page tmpfs with room; ${SHM_DIR} (4 KiB pages)` };
  return { base: input.tmpDir, hugePages: false, reason: `no ${SHM_DIR}; the OS temp dir` };
}
