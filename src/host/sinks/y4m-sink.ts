/**
 * Records frames to a YUV4MPEG2 file, written directly (no encoder). See y4m-encoder.ts for the
 * stream layout and the backpressure rule.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { FrameView } from './frame-view.js';
import { validateSinkOptions, type FrameSink, type SinkOptions } from './frame-sink.js';
import { SinkError } from '../../contract/errors.js';
import { Y4mEncoder } from './y4m-encoder.js';

export class Y4MSink implements FrameSink {
  readonly kind = 'y4m' as const;
  private readonly file: WriteStream | Writable;
  private readonly ownsStream: boolean;
  private readonly encoder: Y4mEncoder;
  private closing: Promise<void> | null = null;

  /**
   * Creates (truncates) `path` and writes the stream header; with `stream` (process.stdout for
   * `record -`) writes there instead and leaves it open at close. Throws InvalidArgumentError on
   * bad options.
   */
  constructor(
    readonly path: string,
    readonly options: SinkOptions,
    stream?: Writable,
  ) {
    validateSinkOptions(options);
    this.file = stream ?? createWriteStream(path);
    this.ownsStream = stream === undefined;
    const what = stream === undefined ? 'cannot write' : 'cannot write to the output stream';
    this.encoder = new Y4mEncoder(this.file, options, (err) => new SinkError(path, `${what}: ${err.message}`, { cause: err }), { endStream: this.ownsStream });
  }

  /** Resolves once the file is open; rejects with a SinkError if it cannot be created. */
  async ready(): Promise<void> {
    if (this.encoder.failure) throw this.encoder.failure;
    if ('pending' in this.file && this.file.pending) {
      try {
        await once(this.file, 'ready');
      } catch {
        // the encoder's error listener holds the wrapped error
      }
    }
    if (this.encoder.failure) throw this.encoder.failure;
  }

  get framesWritten(): number {
    return this.encoder.framesWritten;
  }

  get framesDropped(): number {
    return this.encoder.framesDropped;
  }

  get bytesWritten(): number {
    return this.encoder.bytesWritten;
  }

  write(frame: FrameView, repeat = 1): Promise<void> {
    return this.encoder.write(frame, repeat);
  }

  repeatLast(n: number): Promise<void> {
    return this.encoder.repeatLast(n);
  }

  close(): Promise<void> {
    this.closing ??= this.encoder.end();
    return this.closing;
  }

  /** Stops writing at once; the file keeps what was flushed (a truncated but readable stream). */
  async destroy(): Promise<void> {
    if (!this.ownsStream || this.file.destroyed) return;
    this.file.destroy();
    await once(this.file, 'close').catch(() => undefined);
  }
}
