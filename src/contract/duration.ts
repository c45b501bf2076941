/**
 * Durations as users type them, defined once for every place that reads one: the CLI's
 * `--duration` and the fault schedule's times, durations and gaps (so `1.5s`, `2m` or `250ms`
 * mean the same thing in both).
 *
 *   duration := number unit | '0'          unit := 'ms' | 's' | 'm' | 'h'
 *
 * A bare number other than 0 is refused in both places: "3" could mean 3 ms or 3 s, and a
 * recording of 3 ms when 3 s was meant is a silent mistake. Pure: returns a value or a reason,
 * so each caller wraps the reason in its own error (a flag name, a schedule entry).
 */
import { quoteInput } from './errors.js';

/** The longest duration anybody means: a day. Longer is a typo (a wrong unit, a stray digit). */
export const MAX_DURATION_MS = 24 * 3600 * 1000;

export const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const DURATION_RE = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/;

/**
 * Parses `text` into milliseconds (0..MAX_DURATION_MS), or returns why not as a phrase that starts
 * with the quoted text, e.g. `"5x" has unknown unit "x" (use ms, s, m or h)`.
 */
export function parseDuration(text: string): number | string {
  const t = text.trim();
  const q = quoteInput(t);
  if (t === '') return 'is missing';
  if (t.startsWith('-')) return `${q} is negative`;
  const m = DURATION_RE.exec(t);
  if (m === null) {
    const unit = /^(?:\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Zµ]+)$/.exec(t);
    if (unit !== null) return `${q} has unknown unit ${quoteInput(unit[1]!, 12)} (use ms, s, m or h)`;
    return `${q} is not a number with a unit (e.g. 500ms, 3s, 2m, 1h)`;
  }
  const value = Number(m[1]);
  if (m[2] === undefined && value !== 0) return `${q} has no unit: write ${m[1]}ms or ${m[1]}s`;
  const ms = value * DURATION_UNITS_MS[m[2] ?? 'ms']!;
  if (!Number.isFinite(ms)) return `${q} is not a finite number`;
  if (ms > MAX_DURATION_MS) return `${q} is longer than 24 h`;
  return ms;
}
