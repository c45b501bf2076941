import { openSession } from '../host/session.js';
import { formatRunSummary } from '../host/run-summary.js';
import type { ParsedCommand } from './argv.js';
import { parseDurationMs } from './parse-values.js';
import { sessionOptionsFromFlags } from './source-flags.js';
import { EXIT_BUGCHECK, EXIT_CRITICAL, EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { ProgressLine } from './progress-line.js';
import { watchInterrupts } from './interrupt.js';
import { scenarioFromFlags } from './scenario-flags.js';
import { checkOutcome, scenarioSessionOptions } from '../host/scenarios/index.js';

export async function runCommand(cmd: ParsedCommand): Promise<number> {
  const scenario = scenarioFromFlags(cmd.values);
  const opts = scenario ? scenarioSessionOptions(scenario) : sessionOptionsFromFlags(cmd.values);
  if (!scenario) {
    const d = cmd.values.duration;
    opts.durationMs = typeof d === 'string' ? parseDurationMs(d) : 3000;
  }
  const json = cmd.values.json === true;
  const interrupts = watchInterrupts();
  try {
    const session = await openSession(opts);
    interrupts.onStop(() => void session.close());
    const m = session.config;
    process.stderr.write(`vdpush: running ${m.source} ${m.width}x${m.height}@${m.refreshHz} for ${(opts.durationMs ?? 0) / 1000} s (Ctrl-C stops)\n`);
    const progress = new ProgressLine();
    const timer = progress.enabled && !json ? setInterval(() => progress.update(session.stats()), 250) : null;
    try {
      await session.drain();
    } finally {
      if (timer) clearInterval(timer);
      progress.clear();
    }
    const summary = await session.close();
    // A scenario's outcome is checked on the summary; with --json it rides along under `scenario`.
    const broken = scenario ? checkOutcome(summary, scenario.outcome) : [];
    const verdict = scenario ? { name: scenario.name, outcomeHolds: broken.length === 0, violations: broken } : null;
    if (json) process.stdout.write(JSON.stringify(verdict ? { ...summary, scenario: verdict } : summary) + '\n');
    else process.stdout.write(formatRunSummary(summary) + '\n');
    if (scenario && !json) process.stdout.write(`scenario ${scenario.name}: ${broken.length === 0 ? 'the outcome holds' : 'the outcome does NOT hold'}\n`);
    if (broken.length > 0) process.stderr.write(`vdpush: scenario ${scenario!.name}: ${broken.join('; ')}\n`);
    const violations = session.invariantViolations();
    if (violations.length > 0) {
      process.stderr.write(`vdpush: invariant violations:\n${violations.map((v) => `  ${v}`).join('\n')}\n`);
    }
    if (interrupts.signal !== null) {
      process.stderr.write(`vdpush: stopped by ${interrupts.signal} after ${(summary.durationMs / 1000).toFixed(2)} s\n`);
    }
    if (session.error) {
      process.stderr.write(`vdpush: ${session.error.message} [${session.error.code}]\n`);
      return EXIT_FAILURE;
    }
    if (summary.bugcheck) return EXIT_BUGCHECK;
    if (summary.recovery.criticalError) return EXIT_CRITICAL;
    if (violations.length > 0 || summary.frames.integrityErrors > 0 || broken.length > 0) return EXIT_FAILURE;
    return interrupts.exitCode(EXIT_OK);
  } finally {
    interrupts.release();
  }
}
