#!/usr/bin/env node
/**
 * The `vdpush` command. User mistakes end in one clear line on stderr and exit code 2; a critical
 * error of the display ends in exit code 3; a signal ends in 128 + its number after a clean stop;
 * nothing the user typed produces a stack trace.
 */
import { readFileSync } from 'node:fs';
import { VdpushError } from '../contract/errors.js';
import { CommandUsageError, parseCommandLine, type ParsedCommand } from './argv.js';
import { commandHelp, mainHelp } from './command-spec.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

export { parseCommandLine, type ParsedCommand };

/** Error codes that mean "the user's input was wrong", wherever they were raised (a worker too). */
const USAGE_CODES = new Set(['VDP_ERR_INVALID_ARGUMENT', 'VDP_ERR_FAULT_SCHEDULE', 'VDP_ERR_FRAMEBUFFER_DIR']);

function packageVersion(): string {
  // dist/src/cli/main.js → the package root's package.json (shipped with every npm package).
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function dispatch(cmd: ParsedCommand): Promise<number> {
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
    case 'scenarios':
      return (await import('./scenarios-command.js')).scenariosCommand(cmd);
    default:
      throw new CommandUsageError(cmd.spec.name, `unknown command "${cmd.spec.name}"`);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  let command: string | undefined;
  try {
    const cmd = parseCommandLine(argv);
    if ('kind' in cmd) {
      switch (cmd.kind) {
        case 'help':
          process.stdout.write(mainHelp() + '\n');
          return EXIT_OK;
        case 'usage':
          process.stderr.write(mainHelp() + '\n');
          return EXIT_USAGE;
        case 'version':
          process.stdout.write(`vdpush ${packageVersion()}\n`);
          return EXIT_OK;
        case 'command-help':
          process.stdout.write(commandHelp(cmd.spec) + '\n');
          return EXIT_OK;
      }
    }
    command = cmd.spec.name;
    return await dispatch(cmd);
  } catch (e) {
    if (e instanceof VdpushError && USAGE_CODES.has(e.code)) {
      const where = e instanceof CommandUsageError ? e.command : command;
      const hint = where !== undefined ? ` (see vdpush ${where} --help)` : '';
      process.stderr.write(`vdpush: ${e.message}${hint}\n`);
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
