import { InvalidArgumentError, quoteInput } from '../contract/errors.js';
import { createSink, validateSinkOptions } from '../host/sinks/index.js';
import { resolveMonitorConfig, type SessionOptions } from '../host/session-options.js';
import { ProgressBar } from '../host/sinks/progress.js';
import { openSession } from '../host/session.js';
import type { ParsedCommand } from './argv.js';
import { parseDurationMs } from './parse-values.js';
import { sessionOptionsFromFlags } from './source-flags.js';
import { EXIT_CRITICAL, EXIT_OK } from './exit-codes.js';
import { onInterrupt } from './interrupt.js';

/** A gap longer than this many frames (a long idle) is written as this many repeats. */
const MAX_REPEAT = 600;

/** A mode the sinks cannot write (e.g. @2000) is refused before the display starts, naming --mode. */
function refuseUnrecordableMode(opts: SessionOptions): void {
  const m = resolveMonitorConfig(opts);
  try {
    validateSinkOptions({ fps: m.refreshHz, width: m.width, height: m.height });
  } catch (e) {
    const mode = typeof opts.mode === 'string' ? opts.mode : `${m.width}x${m.height}@${m.refreshHz}`;
    throw new InvalidArgumentError(`--mode ${quoteInput(mode)} cannot be recorded: ${(e as Error).message}`);
  }
}

export async function recordCommand(cmd: ParsedCommand): Promise<number> {
  const out = cmd.positional!;
  const opts = sessionOptionsFromFlags(cmd.values);
  const d = cmd.values.duration;
  const durationMs = typeof d === 'string' ? parseDurationMs(d) : 10_000;
  opts.durationMs = durationMs;
  refuseUnrecordableMode(opts);
  const session = await openSession(opts);
  const mode = session.config;
  // Refuses an unknown extension or a missing ffmpeg before any frame is taken.
  let sink;
  try {
    sink = await createSink(out, { fps: mode.refreshHz, width: mode.width, height: mode.height });
  } catch (e) {
    await session.close();
    throw e;
  }
  const release = onInterrupt(() => void session.close());
  const bar = new ProgressBar(process.stderr, durationMs);
  const started = performance.now();
  const periodMs = 1000 / mode.refreshHz;
  let lastPresent = Number.NaN;
  try {
    for await (const frame of session.frames()) {
      // Y4M and MP4 here are constant-rate: a frame that stayed on screen for k periods (an idle
      // display, frames the host skipped) is written k times, so the video runs as long as the display did.
      const gap = Number.isNaN(lastPresent) ? 1 : Math.round((frame.presentTimeMs - lastPresent) / periodMs);
      lastPresent = frame.presentTimeMs;
      await sink.write(frame, Math.min(Math.max(gap, 1), MAX_REPEAT));
      bar.update(performance.now() - started, `${sink.framesWritten} frames`);
    }
  } finally {
    bar.done();
    await sink.close();
    await session.close();
    release();
  }
  process.stderr.write(`vdpush: wrote ${out} (${sink.framesWritten} frames)\n`);
  return session.stats().recovery.criticalError ? EXIT_CRITICAL : EXIT_OK;
}
