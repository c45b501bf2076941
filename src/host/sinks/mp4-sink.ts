/**
 * Records frames to an H.264 MP4 through the system's ffmpeg. We feed ffmpeg a YUV4MPEG2 stream on
 * its stdin (so the size, rate and colour range travel in-band) and let it encode with libx264 when
 * it has it, else with its default H.264 encoder, as yuv420p.
 *
 * Process lifetime: `open` probes ffmpeg (missing → MissingDependencyError naming the Debian package
 * "ffmpeg"), then spawns the encoder in a process group of its own, so a Ctrl-C in the terminal
 * (which signals the whole foreground group) reaches vdpush only, and vdpush finishes the file
 * with every frame so far. `close()` ends stdin and waits for ffmpeg to exit; `destroy()` (or the
 * AbortSignal) kills its group with SIGKILL. Both wait for the 'close' event, i.e. until the child
 * is reaped, so no zombie outlives the sink. If vdpush itself dies, ffmpeg's stdin closes and it
 * finishes the file on its own; on the exits vdpush still sees (process.exit, an uncaught error)
 * its group gets SIGTERM, which ffmpeg also answers by writing the file's trailer and exiting.
 *
 * The container follows the extension: .mp4 or .mkv (ffmpeg picks the muxer).
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { MissingDependencyError } from '../../contract/errors.js';
import type { FrameView } from './frame-view.js';
import { validateSinkOptions, type FrameSink, type SinkOptions } from './frame-sink.js';
import { SinkError } from '../../contract/errors.js';
import { Y4mEncoder } from './y4m-encoder.js';
import { MkvRawFraming } from './mkv-raw-framing.js';

export interface Mp4SinkOptions extends SinkOptions {
  /** The ffmpeg executable; default "ffmpeg", looked up on PATH. */
  ffmpegPath?: string;
  /** Aborting it destroys the sink (kills ffmpeg). */
  signal?: AbortSignal;
  /** Variable rate: each frame keeps its present time (fed as a timestamped Matroska stream). */
  vfr?: boolean;
}

const STDERR_TAIL_BYTES = 4096;
const encoderCache = new Map<string, string>();

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'EACCES';
}

/** The H.264 encoder to use: "libx264" when this ffmpeg has it, else "h264" (ffmpeg's default for the codec). */
export async function probeH264Encoder(ffmpegPath = 'ffmpeg'): Promise<string> {
  const key = `${ffmpegPath}\0${process.env['PATH'] ?? ''}`;
  const cached = encoderCache.get(key);
  if (cached) return cached;
  const listing = await new Promise<string>((resolve, reject) => {
    execFile(ffmpegPath, ['-hide_banner', '-encoders'], { maxBuffer: 4 << 20 }, (err, stdout) => {
      if (err && isMissing(err)) reject(new MissingDependencyError(`ffmpeg ("${ffmpegPath}")`, 'ffmpeg', 'needed to write MP4'));
      else if (err) reject(new SinkError(ffmpegPath, `ffmpeg -encoders failed: ${err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
  const encoder = /^\s*V\S*\s+libx264\s/m.test(listing) ? 'libx264' : 'h264';
  encoderCache.set(key, encoder);
  return encoder;
}

/** ffmpeg's arguments for reading Y4M on stdin and writing `outPath` as H.264 yuv420p. */
export function ffmpegArgs(outPath: string, encoder: string, width: number, height: number, vfr = false): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', vfr ? 'matroska' : 'yuv4mpegpipe', '-i', 'pipe:0'];
  // Keep every input timestamp as it is: no frame duplicated or dropped to reach a constant rate.
  if (vfr) args.push('-fps_mode', 'passthrough');
  // yuv420p H.264 needs even dimensions: pad an odd edge by one pixel rather than lose one.
  if (width % 2 !== 0 || height % 2 !== 0) args.push('-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2');
  args.push('-c:v', encoder);
  // A live recording must keep up with the display: at 1080p60 on 2 cores `veryfast` encoded 23-30
  // of a 4 s recording's 240 frames and `ultrafast` 141-145, for a file ~20x as large (1.7 MiB):
  // frames lost are worse than bytes. A smaller file is `record - | ffmpeg -preset slow ...`.
  if (encoder === 'libx264') args.push('-preset', 'ultrafast');
  // Tag what the Y4M stream carries (BT.601 limited-range matrix, sRGB primaries and transfer).
  args.push('-pix_fmt', 'yuv420p', '-color_range', 'tv', '-colorspace', 'smpte170m');
  args.push('-color_primaries', 'bt709', '-color_trc', 'iec61966-2-1');
  if (outPath.toLowerCase().endsWith('.mp4')) args.push('-movflags', '+faststart');
  // An absolute path never starts with "-", so ffmpeg cannot mistake it for an option.
  args.push(resolvePath(outPath));
  return args;
}

type Ffmpeg = ChildProcessByStdio<Writable, null, Readable>;

export class Mp4Sink implements FrameSink {
  readonly kind = 'mp4' as const;
  private readonly encoder: Y4mEncoder;
  private stderrTail = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private closing: Promise<void> | null = null;
  private readonly onAbort = (): void => void this.destroy();
  /** Last-resort: the process is exiting without close(); let ffmpeg finish the file. */
  private readonly onProcessExit = (): void => this.signalGroup('SIGTERM');

  private constructor(
    readonly path: string,
    readonly options: Mp4SinkOptions,
    private readonly child: Ffmpeg,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        process.off('exit', this.onProcessExit);
        resolve({ code, signal });
      }),
    );
    process.on('exit', this.onProcessExit);
    // After a successful spawn the only 'error' left is a failed kill; the exit status tells the rest.
    child.on('error', () => undefined);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    const framing = options.vfr === true ? { framing: new MkvRawFraming(options.width, options.height) } : {};
    this.encoder = new Y4mEncoder(child.stdin, options, (err) => this.ffmpegError(`cannot feed ffmpeg: ${err.message}`, err), framing);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Probes and spawns ffmpeg. Throws MissingDependencyError without ffmpeg, InvalidArgumentError on bad options. */
  static async open(path: string, options: Mp4SinkOptions): Promise<Mp4Sink> {
    validateSinkOptions(options);
    const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
    const encoder = await probeH264Encoder(ffmpegPath);
    const child = spawn(ffmpegPath, ffmpegArgs(path, encoder, options.width, options.height, options.vfr === true), {
      stdio: ['pipe', 'ignore', 'pipe'],
      // Its own process group: the terminal's Ctrl-C is vdpush's to handle, not ffmpeg's.
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(isMissing(err) ? new MissingDependencyError(`ffmpeg ("${ffmpegPath}")`, 'ffmpeg', 'needed to write MP4') : err),
      );
    });
    const sink = new Mp4Sink(path, options, child);
    if (options.signal?.aborted) await sink.destroy();
    return sink;
  }

  /** ffmpeg's process id, for a caller that reports it. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get framesWritten(): number {
    return this.encoder.framesWritten;
  }

  get framesDropped(): number {
    return this.encoder.framesDropped;
  }

  /** Bytes fed to ffmpeg so far (the raw stream, not the encoded file). */
  get bytesWritten(): number {
    return this.encoder.bytesWritten;
  }

  write(frame: FrameView, repeat = 1): Promise<void> {
    return this.encoder.write(frame, repeat);
  }

  repeatLast(n: number): Promise<void> {
    return this.encoder.repeatLast(n);
  }

  /** --vfr: the last frame again at `presentTimeMs`, so the video lasts to the recording's end. */
  writeLastAt(presentTimeMs: number): Promise<void> {
    return this.encoder.writeLastAt(presentTimeMs);
  }

  /** Ends ffmpeg's input and waits for it to finish the file. Rejects with a SinkError carrying ffmpeg's message. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  async destroy(): Promise<void> {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.signalGroup('SIGKILL');
    this.child.stdin.destroy();
    await this.exited;
  }

  /** Signals ffmpeg's process group (it leads it: detached), if it still runs. */
  private signalGroup(sig: NodeJS.Signals): void {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return;
    try {
      process.kill(-c.pid, sig);
    } catch {
      // it exited between the check and the kill
    }
  }

  private async finish(): Promise<void> {
    let feedError: unknown = null;
    try {
      await this.encoder.end();
    } catch (err) {
      feedError = err;
    }
    const { code, signal } = await this.exited;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (code !== 0) {
      const why = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
      throw this.ffmpegError(`ffmpeg ${why}`, feedError);
    }
    if (feedError) throw feedError;
  }

  private ffmpegError(what: string, cause: unknown): SinkError {
    const tail = this.stderrTail.trim();
    return new SinkError(this.path, tail ? `${what}: ${tail}` : what, { cause });
  }
}
