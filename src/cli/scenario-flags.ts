/**
 * `vdpush run --scenario NAME`: the scenario sets the display, its mode, the fault schedule, the
 * clock and the duration, so the flags that would set them too are refused rather than silently
 * overridden. An unknown name is an InvalidArgumentError (exit 2) that lists the known names.
 */
import { InvalidArgumentError } from '../contract/errors.js';
import { findScenario, type FieldScenario } from '../host/scenarios/index.js';

/** Flags a scenario sets itself. */
const SET_BY_SCENARIO = ['source', 'mode', 'format', 'faults', 'seed', 'clock', 'pattern', 'duration', 'display', 'depth', 'exec', 'no-workload'];

/** The scenario --scenario names, or null without the flag. */
export function scenarioFromFlags(values: Record<string, string | boolean | string[] | undefined>): FieldScenario | null {
  const name = values.scenario;
  if (name === undefined) return null;
  if (typeof name !== 'string' || name.trim() === '') throw new InvalidArgumentError('--scenario needs a scenario name (vdpush scenarios lists them)');
  const clash = SET_BY_SCENARIO.filter((k) => values[k] !== undefined);
  if (clash.length > 0) {
    throw new InvalidArgumentError(`--scenario sets the display, mode, faults, clock and duration itself; drop ${clash.map((k) => `--${k}`).join(', ')}`);
  }
  return findScenario(name);
}
