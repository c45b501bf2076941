/**
 * `vdpush record OUT`: Y4M written directly (OUT.y4m, or `-` for stdout), H.264 in MP4 or MKV
 * through ffmpeg. Constant rate by default, exactly as long as the recording (see
 * src/host/recorder.ts); `--vfr` keeps each frame's own present time. A stop signal finishes the
 * file with every frame so far. stdout carries only the video (for `record -`); the progress line,
 * messages and the summary go to stderr.
 */
import { rmSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { InvalidArgumentError, quoteInput } from '../contract/errors.js';
import { createSink, validateSinkOptions, Y4MSink } from '../host/sinks/index.js';
import { ProgressBar } from '../host/sinks/progress.js';
import { resolveMonitorConfigs, type SessionOptions } from '../host/session-options.js';
import { openSession } from '../host/session.js';
import { Recorder, type VideoSink } from '../host/recorder.js';
import type { ParsedCommand } from './argv.js';
import { parseDurationMs } from './parse-values.js';
import { sessionOptionsFromFlags, targetFromFlags } from './source-flags.js';
import { EXIT_CRITICAL, EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { watchInterrupts } from './interrupt.js';
import { formatBytes, recordingSummary } from './record-report.js';

const RECORD_EXTENSIONS = ['.y4m', '.mp4', '.mkv'];
/** How often an idle display's periods are written (Recorder.catchUp). */
const CATCH_UP_EVERY_MS = 100;

/** A mode the sinks cannot write (e.g. @2000) is refused before the display starts, naming --mode. */
function refuseUnrecordableMode(opts: SessionOptions, target: number): void {
  const m = resolveMonitorConfigs(opts)[target - 1]!;
  try {
    validateSinkOptions({ fps: m.refreshHz, width: m.width, height: m.height });
  } catch (e) {
    const mode = typeof opts.mode === 'string' ? opts.mode : `${m.width}x${m.height}@${m.refreshHz}`;
    throw new InvalidArgumentError(`--mode ${quoteInput(mode)} cannot be recorded: ${(e as Error).message}`);
  }
}

function checkOutput(out: string, vfr: boolean): void {
  if (out === '-') {
    if (vfr) throw new InvalidArgumentError('--vfr needs an .mp4 or .mkv file: the Y4M that `record -` writes is constant-rate');
    return;
  }
  const ext = extname(out).toLowerCase();
  if (!RECORD_EXTENSIONS.includes(ext)) {
    throw new InvalidArgumentError(`record: cannot tell what to write for ${quoteInput(out)}: use .y4m, .mp4 or .mkv, or - for Y4M on stdout`);
  }
  if (vfr && ext === '.y4m') throw new InvalidArgumentError('--vfr needs an .mp4 or .mkv file: Y4M is constant-rate');
}

export async function recordCommand(cmd: ParsedCommand): Promise<number> {
  const out = cmd.positional!;
  const vfr = cmd.values.vfr === true;
  checkOutput(out, vfr);
  const opts = sessionOptionsFromFlags(cmd.values);
  const d = cmd.values.duration;
  const durationMs = typeof d === 'string' ? parseDurationMs(d) : 10_000;
  opts.durationMs = durationMs;
  const target = targetFromFlags(cmd.values, opts.monitors?.length ?? 1, false) as number;
  refuseUnrecordableMode(opts, target);
  const interrupts = watchInterrupts();
  try {
    // The sink first (ffmpeg takes a while to start): the display's frames are recorded from the
    // moment it starts, not from whenever the encoder became ready.
    const planned = resolveMonitorConfigs(opts)[target - 1]!;
    let sink = await openVideoSink(out, planned, vfr);
    let session;
    try {
      session = await openSession(opts);
    } catch (e) {
      await discard(sink, out);
      throw e;
    }
    interrupts.onStop(() => void session.close());
    const mode = session.config;
    const actual = session.stats().monitors.find((m) => m.targetId === target)!.mode;
    if (actual.width !== planned.width || actual.height !== planned.height || actual.refreshHz !== planned.refreshHz) {
      // An attached display decides its own mode: start the file again at that one (stdout has
      // its header already: there, the user must name the mode).
      if (out === '-') {
        await session.close();
        throw new InvalidArgumentError(`the display runs at ${actual.width}x${actual.height}@${actual.refreshHz}: pass that as --mode to record it to stdout`);
      }
      await discard(sink, out);
      try {
        sink = await openVideoSink(out, actual, vfr);
      } catch (e) {
        await session.close();
        throw e;
      }
    }
    const fps = actual.refreshHz;
    const recorder = new Recorder(sink, { fps, durationMs, vfr });
    const where = out === '-' ? 'stdout (Y4M)' : out;
    process.stderr.write(`vdpush: recording ${mode.source} ${actual.width}x${actual.height}@${fps} to ${where} for ${durationMs / 1000} s${vfr ? ' (variable rate)' : ''} (Ctrl-C stops and keeps what was recorded)\n`);
    const bar = new ProgressBar(process.stderr, durationMs);
    const started = performance.now();
    let shownAt = 0;
    let size = 0;
    // The file's size is looked up at most every 250 ms while recording; `final` looks now (the
    // last line comes after ffmpeg wrote what it buffered and the trailer).
    const detail = (final = false): string => {
      const now = performance.now();
      if (final || now - shownAt >= 250 || shownAt === 0) {
        shownAt = now;
        size = out === '-' ? sink.bytesWritten : fileSize(out);
      }
      const wall = (now - started) / 1000;
      const fps = wall > 0 ? recorder.counts.sourceFrames / wall : 0;
      return `${(recorder.videoMs / 1000).toFixed(1)}/${(durationMs / 1000).toFixed(1)} s  ${wall.toFixed(1)} s elapsed  ${fps.toFixed(0)} fps  ${formatBytes(size)}`;
    };
    let lastFrameAt = { present: 0, host: 0 };
    let failed: unknown = null;
    // The other monitors are drained (and verified) meanwhile: on the virtual clock their time moves with ours.
    const others = session.targets().length > 1 ? session.drain(undefined, target) : Promise.resolve();
    // An idle display sends no frames: its periods are written as time passes (Recorder.catchUp),
    // so the video and the progress line keep pace and the end has little left to write. On the
    // virtual clock the frames come back to back and the end fills the rest, as before.
    const ticker =
      mode.clock === 'virtual'
        ? null
        : setInterval(() => {
            if (lastFrameAt.host === 0) return;
            const now = lastFrameAt.present + (performance.now() - lastFrameAt.host);
            recorder.catchUp(now).then(
              () => bar.update(recorder.videoMs, detail()),
              (e: unknown) => void (failed ??= e),
            );
          }, CATCH_UP_EVERY_MS);
    try {
      for await (const frame of session.frames(target)) {
        await recorder.accept(frame);
        lastFrameAt = { present: frame.presentTimeMs, host: performance.now() };
        bar.update(recorder.videoMs, detail());
      }
      // Stopped early (a signal, a critical error, a failed display): the video ends where the
      // recording did, not at the requested duration.
      const early = interrupts.signal !== null || session.error !== null || session.stats().recovery.criticalError !== null;
      const stoppedAt = mode.clock === 'virtual' ? session.stats().durationMs : lastFrameAt.present + (performance.now() - lastFrameAt.host);
      await recorder.finish(early ? stoppedAt : undefined);
    } catch (e) {
      failed = e;
    } finally {
      if (ticker !== null) clearInterval(ticker);
      await session.close();
      await others.catch(() => undefined);
    }
    try {
      await sink.close();
    } catch (e) {
      failed ??= e;
    }
    bar.done(recorder.videoMs, `${detail(true)}${interrupts.signal !== null ? `  stopped by ${interrupts.signal}` : ''}`);
    if (failed) {
      await sink.destroy().catch(() => undefined);
      throw failed;
    }
    process.stderr.write(recordingSummary(where, recorder, { fps, vfr, signal: interrupts.signal, size: out === '-' ? sink.bytesWritten : fileSize(out) }) + '\n');
    if (session.error) {
      process.stderr.write(`vdpush: ${session.error.message} [${session.error.code}]\n`);
      return EXIT_FAILURE;
    }
    if (session.stats().recovery.criticalError) return EXIT_CRITICAL;
    return interrupts.exitCode(EXIT_OK);
  } finally {
    interrupts.release();
  }
}

type OpenSink = VideoSink & { close(): Promise<void>; destroy(): Promise<void> };

/** Opens the output; refuses a missing ffmpeg or an unwritable path before the display starts. */
async function openVideoSink(out: string, m: { width: number; height: number; refreshHz: number }, vfr: boolean): Promise<OpenSink> {
  const options = { fps: m.refreshHz, width: m.width, height: m.height, ...(vfr ? { vfr: true } : {}) };
  if (out === '-') return new Y4MSink('-', options, process.stdout);
  return (await createSink(out, options)) as unknown as OpenSink;
}

/** Abandons an output that holds no frame yet, file and all. */
async function discard(sink: OpenSink, out: string): Promise<void> {
  await sink.destroy().catch(() => undefined);
  if (out !== '-') rmSync(out, { force: true });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
