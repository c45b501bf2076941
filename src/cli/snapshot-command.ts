import { InvalidArgumentError, VdpushError } from '../contract/errors.js';
import { openSession } from '../host/session.js';
import { snapshotToPng } from '../host/sinks/png-sink.js';
import type { ParsedCommand } from './argv.js';
import { sessionOptionsFromFlags, targetFromFlags } from './source-flags.js';
import { EXIT_CRITICAL, EXIT_OK } from './exit-codes.js';
import { signalExitCode, watchInterrupts } from './interrupt.js';

/** How long to wait for a first frame before giving up (a display that never composes). */
const FIRST_FRAME_TIMEOUT_MS = 15_000;

export async function snapshotCommand(cmd: ParsedCommand): Promise<number> {
  const out = cmd.positional!;
  if (!out.toLowerCase().endsWith('.png')) throw new InvalidArgumentError(`snapshot: "${out}" must end in .png`);
  const opts = sessionOptionsFromFlags(cmd.values);
  opts.durationMs = 0;
  const target = targetFromFlags(cmd.values, opts.monitors?.length ?? 1, true);
  const interrupts = watchInterrupts();
  try {
    const session = await openSession(opts);
    interrupts.onStop(() => void session.close());
    const timer = setTimeout(() => void session.close(), FIRST_FRAME_TIMEOUT_MS);
    let wrote = false;
    const written: string[] = [];
    try {
      // One file per monitor with --target all (OUT-N.png), each that monitor's first frame.
      const targets = target === 'all' ? session.targets() : [target];
      await Promise.all(
        targets.map(async (t) => {
          const file = target === 'all' ? out.replace(/\.png$/i, `-${t}.png`) : out;
          for await (const frame of session.frames(t)) {
            await snapshotToPng(frame, file);
            written.push(file);
            break;
          }
        }),
      );
      wrote = written.length === targets.length;
    } finally {
      clearTimeout(timer);
      await session.close();
    }
    const critical = session.stats().recovery.criticalError;
    if (!wrote && critical) {
      process.stderr.write(`vdpush: the display stopped on a critical error before a complete frame (major 0x${critical.major.toString(16)}, minor 0x${critical.minor.toString(16)}) [VDP_ERR_CRITICAL]\n`);
      return EXIT_CRITICAL;
    }
    if (!wrote && interrupts.signal !== null) {
      process.stderr.write(`vdpush: stopped by ${interrupts.signal} before the first frame; nothing written\n`);
      return signalExitCode(interrupts.signal);
    }
    if (!wrote) throw new VdpushError('VDP_ERR_NO_FRAME', session.error?.message ?? 'the display produced no frame to snapshot');
    process.stderr.write(`vdpush: wrote ${written.sort().join(', ')}\n`);
    return EXIT_OK;
  } finally {
    interrupts.release();
  }
}
