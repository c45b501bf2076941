/**
 * `npm run soak -- --seed N --duration 60s [--runs K]`: the seeded chaos soak (see soak.ts). Prints
 * one JSON line per run; exits 1 when any run broke an invariant or the ladder's prediction, after
 * printing the command that replays it.
 */
import { runSoak } from './soak.js';

function parseArgs(argv: string[]): { seed: number; durationMs: number; runs: number } {
  let seed = 1;
  let durationMs = 60_000;
  let runs = 1;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--seed') seed = Number(value);
    else if (flag === '--runs') runs = Number(value);
    else if (flag === '--duration') {
      const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
      if (m === null) throw new Error(`--duration "${value}" is not a duration like 60s or 500ms`);
      durationMs = Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
    } else throw new Error(`unknown flag ${flag} (use --seed N --duration 60s --runs K)`);
    i++;
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`--seed ${seed} must be an integer in 0..4294967295`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${runs} must be an integer >= 1`);
  if (!(durationMs >= 500)) throw new Error('--duration must be at least 500ms');
  return { seed, durationMs, runs };
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`soak: ${(e as Error).message}\n`);
    return 2;
  }
  let failed = 0;
  for (let r = 0; r < args.runs; r++) {
    const result = await runSoak((args.seed + r) >>> 0, args.durationMs);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.problems.length > 0) {
      failed++;
      process.stderr.write(`soak: seed ${result.seed} FAILED:\n  ${result.problems.join('\n  ')}\n  replay: ${result.replay}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
