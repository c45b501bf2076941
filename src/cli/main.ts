#!/usr/bin/env node
/**
 * The `vdpush` command. User mistakes end in one clear line on stderr and exit code 2; a critical
 * error of the display ends in exit code 3; nothing the user typed produces a stack trace.
 */
import { parseArgs } from 'node:util';
import { VdpushError, InvalidArgumentError, FaultScheduleError } from '../contract/errors.js';
import { COMMANDS, commandHelp, findCommand, mainHelp, type CommandSpec } from './command-spec.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

export interface ParsedCommand {
  spec: CommandSpec;
  values: Record<string, string | boolean | undefined>;
  positional: string | undefined;
}

/** Parses argv (without node and script) into a command; throws InvalidArgumentError on any mistake. */
export function parseCommandLine(argv: readonly string[]): ParsedCommand | 'help' {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return 'help';
  const spec = findCommand(name);
  if (!spec) {
    throw new InvalidArgumentError(`unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: spec.options, allowPositionals: true, strict: true });
  } catch (e) {
    // node:util's messages are clear ("Unknown option '--x'"); keep them, drop the stack.
    throw new InvalidArgumentError(`${name}: ${(e as Error).message}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const pos = parsed.positionals;
  if (values.help) return { spec, values, positional: undefined };
  if (spec.positionals === 'none' && pos.length > 0) {
    throw new InvalidArgumentError(`${name}: unexpected argument "${pos[0]}"`);
  }
  if (spec.positionals === 'one' && pos.length !== 1) {
    throw new InvalidArgumentError(`${name}: expected exactly one argument (usage: ${spec.usage})`);
  }
  return { spec, values, positional: pos[0] };
}

async function dispatch(cmd: ParsedCommand): Promise<number> {
  if (cmd.values.help) {
    process.stdout.write(commandHelp(cmd.spec) + '\n');
    return EXIT_OK;
  }
  switch (cmd.spec.name) {
    case 'bench':
      return (await import('./bench-command.js')).benchCommand(cmd);
    case 'run':
      return (await import('./run-command.js')).runCommand(cmd);
    case 'snapshot':
      return (await import('./snapshot-command.js')).snapshotCommand(cmd);
    case 'record':
      return (await import('./record-command.js')).recordCommand(cmd);
    case 'serve':
      return (await import('./serve-command.js')).serveCommand(cmd);
    default:
      throw new InvalidArgumentError(`unknown command "${cmd.spec.name}"`);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const cmd = parseCommandLine(argv);
    if (cmd === 'help') {
      process.stdout.write(mainHelp() + '\n');
      return EXIT_OK;
    }
    return await dispatch(cmd);
  } catch (e) {
    if (e instanceof InvalidArgumentError || e instanceof FaultScheduleError) {
      process.stderr.write(`vdpush: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof VdpushError) {
      process.stderr.write(`vdpush: ${e.message} [${e.code}]\n`);
      return EXIT_FAILURE;
    }
    process.stderr.write(`vdpush: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT_FAILURE;
  }
}

// Run when executed (as the bin, or `node dist/src/cli/main.js`), not when imported by tests.
const invokedPath = process.argv[1] ? (await import('node:fs')).realpathSync(process.argv[1]) : '';
if (invokedPath === (await import('node:url')).fileURLToPath(import.meta.url)) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
}
