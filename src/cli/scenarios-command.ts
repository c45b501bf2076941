/**
 * `vdpush scenarios`: the field-scenario catalogue, each with its public source, its schedule
 * and the outcome that must hold. `vdpush run --scenario NAME` runs one.
 */
import { FIELD_SCENARIOS, describeOutcome } from '../host/scenarios/index.js';
import type { ParsedCommand } from './argv.js';
import { EXIT_OK } from './exit-codes.js';

export function scenariosCommand(cmd: ParsedCommand): number {
  if (cmd.values.json === true) {
    const list = FIELD_SCENARIOS.map((s) => ({ name: s.name, summary: s.summary, source: s.source, run: s.run, outcome: describeOutcome(s.outcome) }));
    process.stdout.write(JSON.stringify(list) + '\n');
    return EXIT_OK;
  }
  const lines: string[] = [];
  for (const s of FIELD_SCENARIOS) {
    lines.push(`${s.name}`);
    lines.push(`  ${s.summary}`);
    lines.push(`  source:  ${s.source}`);
    lines.push(`  run:     --mode ${s.run.mode}${s.run.pattern ? ` --pattern ${s.run.pattern}` : ''} --faults ${s.run.faults} --duration ${s.run.durationMs}ms (virtual clock)`);
    lines.push(`  outcome: ${describeOutcome(s.outcome).join('; ')}`);
    lines.push('');
  }
  lines.push('run one with: vdpush run --scenario NAME [--json]');
  process.stdout.write(lines.join('\n') + '\n');
  return EXIT_OK;
}
