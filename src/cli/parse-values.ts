/**
 * Parsers for the values users type on the command line. Each throws InvalidArgumentError with a
 * message that names the flag and shows a valid example.
 */
import { InvalidArgumentError, quoteInput } from '../contract/errors.js';
import { parseDuration } from '../contract/duration.js';

/** "3s", "500ms", "1.5s", "2m", "1h" → milliseconds (the fault schedule's rules: src/contract/duration.ts). */
export function parseDurationMs(text: string, flag = '--duration'): number {
  const ms = parseDuration(text);
  if (typeof ms === 'string') throw new InvalidArgumentError(`${flag} ${ms}`);
  if (ms <= 0) throw new InvalidArgumentError(`${flag} ${quoteInput(text)} must be more than 0 (e.g. 3s or 500ms)`);
  return ms;
}

export function parseIntegerFlag(text: string, flag: string, min: number, max: number): number {
  if (!/^\s*-?\d+\s*$/.test(text)) throw new InvalidArgumentError(`${flag} ${quoteInput(text)} is not a whole number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`${flag} ${text.trim()} is out of range (${min}..${max})`);
  }
  return n;
}

export function parseChoice<T extends string>(text: string, flag: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new InvalidArgumentError(`${flag} ${quoteInput(text)} is not one of: ${choices.join(', ')}`);
}
