/**
 * Parsers for the values users type on the command line. Each throws InvalidArgumentError with a
 * message that names the flag and shows a valid example.
 */
import { InvalidArgumentError } from '../contract/errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
/** The longest run anybody means: a day. Longer is a typo (e.g. a missing unit on a huge number). */
export const MAX_DURATION_MS = 86_400_000;

/** "3s", "500ms", "1.5s", "2m" → milliseconds. A bare number is refused: say the unit. */
export function parseDurationMs(text: string, flag = '--duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(text);
  if (!m) throw new InvalidArgumentError(`${flag} "${text}" is not a duration: use a number with a unit, e.g. 3s or 500ms`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_DURATION_MS) {
    throw new InvalidArgumentError(`${flag} "${text}" is out of range (more than 0, at most 24 h)`);
  }
  return ms;
}

export function parseIntegerFlag(text: string, flag: string, min: number, max: number): number {
  if (!/^\s*-?\d+\s*$/.test(text)) throw new InvalidArgumentError(`${flag} "${text}" is not a whole number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`${flag} ${text} is out of range (${min}..${max})`);
  }
  return n;
}

export function parseChoice<T extends string>(text: string, flag: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new InvalidArgumentError(`${flag} "${text}" is not one of: ${choices.join(', ')}`);
}
