import { InvalidArgumentError, VdpushError } from '../contract/errors.js';
import { openSession } from '../host/session.js';
import { snapshotToPng } from '../host/sinks/png-sink.js';
import { ConvertOutcome, RgbaConverter } from '../host/sinks/pixel-convert.js';
import type { FrameView } from '../host/sinks/frame-view.js';
import type { ParsedCommand } from './argv.js';
import { sessionOptionsFromFlags, targetFromFlags } from './source-flags.js';
import { EXIT_CRITICAL, EXIT_OK } from './exit-codes.js';
import { signalExitCode, watchInterrupts } from './interrupt.js';

/** How long to wait for a first frame before giving up (a display that never composes). */
const FIRST_FRAME_TIMEOUT_MS = 15_000;

/**
 * With `--exec PROG` the first frames are the bare root window, before the program has drawn. The
 * snapshot waits, at most this long, for a frame that is not one uniform colour; it then fails with
 * VDP_ERR_NOT_DRAWN (exit 1) and writes nothing. VDP_SNAPSHOT_EXEC_TIMEOUT_MS overrides it (tests).
 */
export const EXEC_DRAW_TIMEOUT_MS = 10_000;

function execDrawTimeoutMs(): number {
  const env = process.env.VDP_SNAPSHOT_EXEC_TIMEOUT_MS;
  if (env === undefined || env === '') return EXEC_DRAW_TIMEOUT_MS;
  const n = Number(env);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`VDP_SNAPSHOT_EXEC_TIMEOUT_MS must be a positive whole number of ms, not "${env}"`);
  return n;
}

/** True when every pixel of `frame`, converted to 8-bit RGBA, is the same colour (nothing drawn). */
function isUniform(frame: FrameView, converter: RgbaConverter): boolean {
  if (converter.convert(frame) !== ConvertOutcome.Ok) return false; // let the PNG writer report it
  const d = converter.data;
  const w = new Uint32Array(d.buffer, d.byteOffset, d.length >>> 2);
  const first = w[0];
  for (let i = 1; i < w.length; i++) if (w[i] !== first) return false;
  return true;
}

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
    const waitForDrawing = opts.workload !== undefined && typeof opts.workload === 'object' && 'exec' in opts.workload;
    const drawTimeoutMs = waitForDrawing ? execDrawTimeoutMs() : FIRST_FRAME_TIMEOUT_MS;
    let timedOut = false;
    let sawBlank = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void session.close();
    }, drawTimeoutMs);
    let wrote = false;
    const written: string[] = [];
    try {
      // One file per monitor with --target all (OUT-N.png), each that monitor's first frame.
      const targets = target === 'all' ? session.targets() : [target];
      await Promise.all(
        targets.map(async (t) => {
          const file = target === 'all' ? out.replace(/\.png$/i, `-${t}.png`) : out;
          const converter = new RgbaConverter();
          for await (const frame of session.frames(t)) {
            if (waitForDrawing && isUniform(frame, converter)) {
              sawBlank = true;
              continue; // the program has not drawn yet
            }
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
    if (!wrote && waitForDrawing && timedOut && sawBlank) {
      throw new VdpushError('VDP_ERR_NOT_DRAWN', `the --exec program drew nothing within ${drawTimeoutMs} ms (every frame was one uniform colour); nothing written`);
    }
    if (!wrote) throw new VdpushError('VDP_ERR_NO_FRAME', session.error?.message ?? 'the display produced no frame to snapshot');
    process.stderr.write(`vdpush: wrote ${written.sort().join(', ')}\n`);
    return EXIT_OK;
  } finally {
    interrupts.release();
  }
}
