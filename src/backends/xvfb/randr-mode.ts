/**
 * Host-requested modes on Xvfb (session.setMode): RandR through the `xrandr` client, as a user's
 * display settings would. Xvfb's one output ("screen") offers only the modes it was started with,
 * so a mode it lacks is added first (--newmode + --addmode), then set (--output --mode).
 *
 * The modeline encodes the refresh rate in its dot clock (clock = width x height x Hz, blanking 0),
 * so RandR reports the rate the host asked for. Xvfb's framebuffer is allocated at its start size:
 * a mode larger than that is refused by the server, and reported as a typed error, not a failure
 * of the display.
 *
 * Invariant: of the modes vdpush added (named `vdpush-WxH@HZ`), only the one the screen shows
 * stays in the server: the others are deleted once the new one is set. A client may ask for size
 * after size (noVNC resizing with its window, SetDesktopSize), and each distinct size would
 * otherwise stay in the server's mode list for good. Modes vdpush did not add are never touched.
 */
import { execFile } from 'node:child_process';
import { BackendError, InvalidArgumentError, MissingDependencyError } from '../../contract/errors.js';

/** How the modes vdpush adds are named (and told from the server's own). */
const ADDED_PREFIX = 'vdpush-';

/** The package that provides xrandr. */
export const XRANDR_PACKAGE = 'x11-xserver-utils';

function xrandr(display: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('xrandr', ['-display', display, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err === null) return resolve(stdout);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new MissingDependencyError('xrandr', XRANDR_PACKAGE, 'vdpush sets Xvfb modes through RandR'));
      reject(new BackendError(`xrandr ${args.join(' ')} failed on ${display}: ${(stderr || err.message).trim()}`));
    });
  });
}

/** The modes RandR lists, by name, the first connected output's name, and the screen's largest size. */
function parseQuery(out: string): { output: string | null; modes: Set<string>; max: { width: number; height: number } | null } {
  let output: string | null = null;
  const modes = new Set<string>();
  const mx = /maximum (\d+) x (\d+)/.exec(out);
  const max = mx !== null ? { width: Number(mx[1]), height: Number(mx[2]) } : null;
  for (const line of out.split('\n')) {
    const o = /^(\S+) connected/.exec(line);
    if (o !== null && output === null) output = o[1]!;
    const m = /^\s+(\S+)\s+\d/.exec(line);
    if (m !== null) modes.add(m[1]!);
  }
  return { output, modes, max };
}

/** Sets `display`'s screen to width x height at refreshHz, adding the mode when missing. */
export async function setScreenMode(display: string, width: number, height: number, refreshHz: number): Promise<void> {
  if (![width, height].every((v) => Number.isInteger(v) && v > 0 && v <= 16384) || !(refreshHz > 0 && refreshHz <= 2000)) {
    throw new InvalidArgumentError(`mode ${width}x${height}@${refreshHz} is not one Xvfb can show`);
  }
  const name = `${ADDED_PREFIX}${width}x${height}@${refreshHz}`;
  const q = parseQuery(await xrandr(display, ['-q']));
  if (q.output === null) throw new BackendError(`RandR on ${display} lists no connected output`);
  if (q.max !== null && (width > q.max.width || height > q.max.height)) {
    // Said before xrandr fails with a bare BadMatch: Xvfb's framebuffer is allocated at its start size.
    throw new InvalidArgumentError(`mode ${width}x${height} is larger than display ${display} can show (at most ${q.max.width}x${q.max.height}: an Xvfb cannot grow past the screen it was started with)`);
  }
  if (!q.modes.has(name)) {
    const clockMHz = ((width * height * refreshHz) / 1e6).toFixed(6);
    await xrandr(display, ['--newmode', name, clockMHz, `${width}`, `${width}`, `${width}`, `${width}`, `${height}`, `${height}`, `${height}`, `${height}`]);
    await xrandr(display, ['--addmode', q.output, name]);
  }
  await xrandr(display, ['--output', q.output, '--mode', name]);
  // The new mode is set: a leftover old one is untidy, not a failure of this request.
  for (const old of q.modes) {
    if (!old.startsWith(ADDED_PREFIX) || old === name) continue;
    await xrandr(display, ['--delmode', q.output, old])
      .then(() => xrandr(display, ['--rmmode', old]))
      .catch(() => undefined);
  }
}
