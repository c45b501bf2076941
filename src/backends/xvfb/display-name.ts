/**
 * Names of X displays and their screens, and where a display's lock file and socket live. A
 * screen is addressed by its display string: ":N" is screen 0 of display N, ":N.S" screen S.
 */
import { InvalidArgumentError } from '../../contract/errors.js';

/** The most screens one Xvfb is started with (Xvfb's own limit, MAXSCREENS, is 16). */
export const MAX_XVFB_SCREENS = 16;

/** ":N.S", the X display string of screen `screen` of display ":N" (":N" itself for screen 0). */
export function screenDisplay(display: string, screen: number): string {
  const n = parseDisplayNumber(display);
  return screen === 0 ? `:${n}` : `:${n}.${screen}`;
}

/** The screen a display string names (":N.S" → S, ":N" → 0). */
export function screenIndexOf(display: string): number {
  const m = /\.(\d+)$/.exec(display.trim());
  return m ? Number.parseInt(m[1]!, 10) : 0;
}


/** Parses ":N" / ":N.S" / "unix:N" into the display number. */
export function parseDisplayNumber(display: string): number {
  const m = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(display.trim());
  if (!m) throw new InvalidArgumentError(`display "${display}": expected ":N" (a local X display)`);
  return Number.parseInt(m[1]!, 10);
}


/** Display N's lock file (written by an Xvfb started with an explicit number). */
export function lockPath(n: number): string {
  return `/tmp/.X${n}-lock`;
}

/** Display N's listening socket. */
export function socketPath(n: number): string {
  return `/tmp/.X11-unix/X${n}`;
}
