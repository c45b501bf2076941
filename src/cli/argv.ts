/**
 * argv → a command and its flag values. Every mistake is an InvalidArgumentError with vdpush's
 * own one-line wording (never node:util's multi-line parseArgs text), so main() can print it and
 * point at the command's help.
 *
 * Flags come from command-spec.ts; node:util's parseArgs does the splitting after two fix-ups
 * done here: an unknown flag is refused by name, and a value that starts with a dash
 * (`--duration -1s`) is taken as the flag's value, so the value parser can say what is wrong with
 * it ("is negative") instead of parseArgs calling the flag "ambiguous".
 */
import { parseArgs } from 'node:util';
import { InvalidArgumentError, quoteInput } from '../contract/errors.js';
import { COMMANDS, findCommand, type CommandSpec } from './command-spec.js';

export interface ParsedCommand {
  spec: CommandSpec;
  values: Record<string, string | boolean | string[] | undefined>;
  positional: string | undefined;
}

/** What argv asks for when it is not a command to run. */
export type MetaRequest =
  | { kind: 'help' } // `vdpush --help`, `vdpush help`
  | { kind: 'usage' } // `vdpush` alone: usage on stderr, exit 2
  | { kind: 'version' }
  | { kind: 'command-help'; spec: CommandSpec }; // `vdpush help CMD`, `vdpush CMD --help`

/** A usage mistake inside a known command: main() adds where to read that command's flags. */
export class CommandUsageError extends InvalidArgumentError {
  readonly command: string;
  constructor(command: string, message: string) {
    super(message);
    this.command = command;
  }
}

function requireCommand(name: string): CommandSpec {
  const spec = findCommand(name);
  if (!spec) {
    throw new InvalidArgumentError(
      `unknown command ${quoteInput(name, 24)} (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see vdpush --help)`,
    );
  }
  return spec;
}

/** Checks every flag against the spec and glues dash-led values onto their flag. */
function normalizeFlags(spec: CommandSpec, args: readonly string[]): string[] {
  const out: string[] = [];
  const shortNames = new Map<string, string>();
  for (const [long, o] of Object.entries(spec.options)) if (o.short !== undefined) shortNames.set(o.short, long);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    let long: string | undefined;
    if (a.startsWith('--')) long = a.slice(2).split('=')[0]!;
    else if (a.startsWith('-') && a.length > 1) {
      long = shortNames.get(a.slice(1));
      if (long === undefined) throw new CommandUsageError(spec.name, `${spec.name}: unknown flag ${quoteInput(a, 32)}`);
    }
    if (long === undefined) {
      out.push(a);
      continue;
    }
    const opt = spec.options[long];
    if (opt === undefined) throw new CommandUsageError(spec.name, `${spec.name}: unknown flag ${quoteInput(`--${long}`, 32)}`);
    if (opt.type === 'boolean') {
      if (a.includes('=')) throw new CommandUsageError(spec.name, `${spec.name}: --${long} takes no value`);
      out.push(a);
    } else if (a.includes('=')) {
      out.push(a);
    } else {
      const value = args[i + 1];
      const fallback = spec.optionalValues?.[long];
      if (fallback !== undefined && (value === undefined || value.startsWith('-'))) {
        out.push(`--${long}=${fallback}`);
        continue;
      }
      if (value === undefined || value.startsWith('--')) throw new CommandUsageError(spec.name, `${spec.name}: --${long} needs a value`);
      // `--duration -1s`: a value, even with a leading dash (the value's parser refuses it by name).
      out.push(`--${long}=${value}`);
      i++;
    }
  }
  return out;
}

/** Parses argv (without node and script); throws InvalidArgumentError on any mistake. */
export function parseCommandLine(argv: readonly string[]): ParsedCommand | MetaRequest {
  const [name, ...rest] = argv;
  if (name === undefined) return { kind: 'usage' };
  if (name === '--help' || name === '-h') return { kind: 'help' };
  if (name === '--version' || name === '-V') return { kind: 'version' };
  if (name === 'help') {
    if (rest.length === 0) return { kind: 'help' };
    if (rest.length > 1) throw new InvalidArgumentError('help takes one command name (e.g. vdpush help record)');
    return { kind: 'command-help', spec: requireCommand(rest[0]!) };
  }
  if (name.startsWith('-')) throw new InvalidArgumentError(`unknown flag ${quoteInput(name, 32)} before the command (see vdpush --help)`);
  const spec = requireCommand(name);
  let parsed;
  try {
    parsed = parseArgs({ args: normalizeFlags(spec, rest), options: spec.options, allowPositionals: true, strict: true });
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    // What normalizeFlags did not foresee: keep node's first line only, never its advice text.
    const first = String((e as Error).message).split('\n')[0]!.split('. ')[0]!;
    throw new CommandUsageError(name, `${name}: ${first}`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const pos = parsed.positionals;
  if (values.help) return { kind: 'command-help', spec };
  if (spec.positionals === 'none' && pos.length > 0) {
    throw new CommandUsageError(name, `${name}: unexpected argument ${quoteInput(pos[0]!, 32)}`);
  }
  if (spec.positionals === 'one' && pos.length !== 1) {
    throw new CommandUsageError(name, `${name}: expected exactly one argument (usage: ${spec.usage})`);
  }
  return { spec, values, positional: pos[0] };
}
