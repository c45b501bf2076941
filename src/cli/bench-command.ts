import { InvalidArgumentError } from '../contract/errors.js';
import { BENCH_TARGETS } from './command-spec.js';
import { parseChoice } from './parse-values.js';
import { EXIT_OK } from './exit-codes.js';
import type { ParsedCommand } from './argv.js';

interface BenchModule<R> {
  run(opts: { json: boolean }): Promise<R>;
  format(r: R): string;
}

async function load(target: string): Promise<BenchModule<unknown>> {
  switch (target) {
    case 'ring': {
      const m = await import('../../bench/ring/ring-bench.js');
      return { run: (o) => m.runRingBench(o), format: (r) => m.formatRingBench(r as never) };
    }
    case 'xvfb': {
      const m = await import('../../bench/xvfb/xvfb-bench.js');
      return { run: (o) => m.runXvfbBench(o), format: (r) => m.formatXvfbBench(r as never) };
    }
    case 'processor': {
      const m = await import('../../bench/driver/processor-bench.js');
      return { run: (o) => m.runProcessorBench(o), format: (r) => m.formatProcessorBench(r as never) };
    }
    case 'vnc': {
      const m = await import('../../bench/vnc/vnc-bench.js');
      return { run: (o) => m.runVncBench(o), format: (r) => m.formatVncBench(r as never) };
    }
    case 'page': {
      const m = await import('../../bench/page/page-bench.js');
      return { run: (o) => m.runPageBench(o), format: (r) => m.formatPageBench(r as never) };
    }
    case 'record': {
      const m = await import('../../bench/record/record-bench.js');
      return { run: (o) => m.runRecordBench(o), format: (r) => m.formatRecordBench(r as never) };
    }
    default:
      throw new InvalidArgumentError(`bench: unknown target "${target}"`);
  }
}

export async function benchCommand(cmd: ParsedCommand): Promise<number> {
  const target = parseChoice(cmd.positional ?? '', 'bench target', BENCH_TARGETS);
  const json = cmd.values.json === true;
  const targets = target === 'all' ? BENCH_TARGETS.filter((t) => t !== 'all') : [target];
  const results: Record<string, unknown> = {};
  for (const t of targets) {
    const mod = await load(t);
    if (!json) process.stderr.write(`vdpush bench ${t}: measuring...\n`);
    const r = await mod.run({ json });
    results[t] = r;
    if (!json) process.stdout.write(mod.format(r) + '\n');
  }
  if (json) process.stdout.write(JSON.stringify(target === 'all' ? results : results[target]) + '\n');
  return EXIT_OK;
}
