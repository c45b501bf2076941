/**
 * Writes a YUV4MPEG2 stream to any Writable (a file for Y4MSink, ffmpeg's stdin for Mp4Sink).
 *
 * Stream layout:
 *   "YUV4MPEG2 W<w> H<h> F<num>:<den> Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\n"
 *   then per frame: "FRAME\n" + Y plane (w*h) + U plane + V plane (ceil(w/2)*ceil(h/2) each)
 * Colour: BT.601 limited range, chroma sited at the centre of each 2x2 block (see i420-convert.ts).
 * A frame is converted into a pool buffer that already holds an earlier picture, so only what
 * changed since that picture is converted again (stale-pictures.ts).
 *
 * Buffers: a fixed pool of frame buffers ("FRAME\n" + picture), poolSizeFor() of them. A stream
 * keeps a reference to a written Buffer until it is flushed, so a buffer is reused only after
 * every write of it has called back. That bounds the memory in flight to the pool and is the
 * backpressure: `write` resolves when a buffer is free again; a frame that finds none is dropped.
 * The lowest free buffer is taken, so a consumer that keeps up uses one or two of them (and only
 * those are ever allocated); the rest absorb a consumer that reads in bursts: libx264 behind a
 * pipe read 1080p60 in bursts that a pool of 3 could not cover, and a recording of a full-screen
 * animation kept 83 distinct frames of 360 where 8 buffers kept 230 at the same CPU.
 */
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ClosedError, InvalidArgumentError } from '../../contract/errors.js';
import type { FrameView } from './frame-view.js';
import { ConvertOutcome } from './pixel-convert.js';
import { i420Size } from './i420-convert.js';
import { I420Bands } from './i420-bands.js';
import { StalePictures } from './stale-pictures.js';
import type { SinkOptions } from './frame-sink.js';

const FRAME_MARKER = 'FRAME\n';
/** The pool is at most this many bytes (4K: 5 pictures) and 3..8 pictures. */
const POOL_BYTES = 64 * 2 ** 20;
const MIN_POOL = 3;
const MAX_POOL = 8;

/** How many picture buffers an encoder of `pictureBytes` pictures keeps. */
export function poolSizeFor(pictureBytes: number): number {
  return Math.max(MIN_POOL, Math.min(MAX_POOL, Math.floor(POOL_BYTES / Math.max(1, pictureBytes))));
}
const READY: Promise<void> = Promise.resolve();

/** fps as the rational Y4M carries: 30 → 30:1, 29.97 → 30000:1001, 12.5 → 25:2. */
export function fpsToRational(fps: number): [number, number] {
  if (Number.isInteger(fps)) return [fps, 1];
  // NTSC-family rates (23.976, 29.97, 59.94) are n*1000/1001, which a user types rounded.
  const n = Math.round((fps * 1001) / 1000);
  if (Math.abs(fps - (n * 1000) / 1001) < 0.005) return [n * 1000, 1001];
  let num = Math.round(fps * 1000);
  let den = 1000;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(num, den);
  num /= g;
  den /= g;
  return [num, den];
}

export function y4mHeader(opts: SinkOptions): string {
  const [num, den] = fpsToRational(opts.fps);
  return `YUV4MPEG2 W${opts.width} H${opts.height} F${num}:${den} Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\n`;
}

/** Bytes of one frame record in the stream, marker included. */
export function y4mFrameBytes(width: number, height: number): number {
  return FRAME_MARKER.length + i420Size(width, height);
}

/**
 * How the pictures are framed in the stream: Y4M by default ("FRAME\n" before each picture);
 * mkv-raw-framing.ts frames them as Matroska blocks with each frame's present time.
 */
export interface FrameFraming {
  /** Written once, before the first frame. */
  streamHeader(): Buffer | string;
  /** Bytes in front of each picture in its pool buffer. */
  readonly prefixBytes: number;
  /** Fills buf[0, prefixBytes) for `frame`; returns bytes to write before this frame (or null). */
  prefix(buf: Buffer, frame: FrameView): Buffer | null;
  /** False when a written picture cannot be written again as is (it carries a timestamp). */
  readonly repeatable?: boolean;
  /** A separate prefix for writing the last picture again at another time (timestamped framings). */
  prefixAt?(presentTimeMs: number): { before: Buffer | null; prefix: Buffer };
}

class Y4mFraming implements FrameFraming {
  readonly prefixBytes = FRAME_MARKER.length;
  constructor(private readonly opts: SinkOptions) {}
  streamHeader(): string {
    return y4mHeader(this.opts);
  }
  prefix(buf: Buffer): null {
    buf.write(FRAME_MARKER, 0, 'latin1');
    return null;
  }
}

export interface Y4mEncoderOptions {
  /** End the stream at end() (default true); false for process.stdout, which must stay open. */
  endStream?: boolean;
  /** Default: Y4M. */
  framing?: FrameFraming;
  /** Picture buffers (default poolSizeFor the picture size). */
  poolSize?: number;
}

export class Y4mEncoder {
  framesWritten = 0;
  framesDropped = 0;
  /** Bytes handed to the stream (header, markers and pictures), for a progress line. */
  bytesWritten = 0;
  /** The first error of the stream (or a write callback); once set, every write rejects with it. */
  failure: Error | null = null;
  /** Whole pictures in bands on helper threads; a small region on this thread (i420-bands.ts). */
  private readonly converter = new I420Bands();
  private readonly poolSize: number;
  private readonly stale: StalePictures;
  /** Scratch: the stale box of the buffer being converted (x0, y0, x1, y1). */
  private readonly region = new Int32Array(4);
  private readonly pool: (Buffer | null)[];
  /** Writes of each pool buffer not yet called back; 0 = free. */
  private readonly pending: Int32Array;
  private readonly releasers: ((err?: Error | null) => void)[] = [];
  private wakeFree: (() => void) | null = null;
  private freed: Promise<void> | null = null;
  private ended = false;
  /** The pool slot holding the last picture written (what repeatLast writes again), or -1. */
  private lastSlot = -1;
  private readonly framing: FrameFraming;

  constructor(
    private readonly stream: Writable,
    private readonly opts: SinkOptions,
    private readonly wrapError: (err: Error) => Error,
    private readonly encoderOptions: Y4mEncoderOptions = {},
  ) {
    this.poolSize = encoderOptions.poolSize ?? poolSizeFor(i420Size(opts.width, opts.height));
    this.stale = new StalePictures(this.poolSize);
    this.pool = new Array<Buffer | null>(this.poolSize).fill(null);
    this.pending = new Int32Array(this.poolSize);
    for (let i = 0; i < this.poolSize; i++) this.releasers.push((err) => this.release(i, err));
    this.framing = encoderOptions.framing ?? new Y4mFraming(opts);
    stream.on('error', (err: Error) => this.fail(err));
    const header = this.framing.streamHeader();
    this.bytesWritten += header.length;
    stream.write(header);
  }

  write(frame: FrameView, repeat = 1): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(new ClosedError('the Y4M stream'));
    if (!(Number.isInteger(repeat) && repeat >= 0)) {
      return Promise.reject(new InvalidArgumentError(`repeat must be a non-negative integer, got ${String(repeat)}`));
    }
    // Every frame given counts for the pool's pictures, converted or not.
    this.stale.note(frame);
    if (repeat === 0) return READY;
    // Y4M cannot change size mid-stream: a frame of another size is counted, never written.
    if (frame.width !== this.opts.width || frame.height !== this.opts.height) {
      this.framesDropped++;
      return READY;
    }
    const slot = this.freeSlot();
    if (slot < 0) {
      this.framesDropped++;
      return this.whenFree();
    }
    const framing = this.framing;
    if (repeat > 1 && framing.repeatable === false) {
      return Promise.reject(new InvalidArgumentError('this stream carries a time per frame: a frame cannot be repeated'));
    }
    let buf = this.pool[slot];
    if (!buf) {
      // Shared memory, so that helper threads can convert into it.
      buf = Buffer.from(new SharedArrayBuffer(framing.prefixBytes + i420Size(this.opts.width, this.opts.height)));
      this.pool[slot] = buf; // a buffer never written is wholly stale (StalePictures starts so)
    }
    const r = this.region;
    this.stale.staleBox(slot, frame.width, frame.height, r);
    // The buffer holds this frame once converted: frames noted from now on (a caller that does
    // not wait, while the bands convert) are stale in it again.
    this.stale.fresh(slot);
    const converted = this.converter.convert(frame, buf, framing.prefixBytes, r[0], r[1], r[2], r[3]);
    if (typeof converted === 'number') return this.emit(frame, slot, buf, repeat, converted);
    // Busy while its bands are converted: no other write or repeat may take this buffer.
    this.pending[slot] = 1;
    return converted.then((code) => {
      this.pending[slot] = 0;
      this.wake(); // an end() waiting for the pool re-checks it
      if (this.failure) throw this.failure;
      return this.emit(frame, slot, buf, repeat, code);
    });
  }

  /** The converted picture in pool buffer `slot` goes to the stream `repeat` times. */
  private emit(frame: FrameView, slot: number, buf: Buffer, repeat: number, code: number): Promise<void> {
    const framing = this.framing;
    if (code !== ConvertOutcome.Ok) {
      this.stale.stale(slot);
      this.framesDropped++;
      return READY;
    }
    const before = framing.prefix(buf, frame);
    if (before !== null) {
      this.bytesWritten += before.length;
      this.stream.write(before);
    }
    this.pending[slot] = repeat;
    for (let k = 0; k < repeat; k++) this.stream.write(buf, this.releasers[slot]);
    this.framesWritten += repeat;
    this.bytesWritten += repeat * buf.length;
    this.lastSlot = slot;
    return this.freeSlot() >= 0 ? READY : this.whenFree();
  }

  /**
   * Writes the last picture `n` more times (a constant-rate recording covering an idle display)
   * without converting again: its pool buffer is only reused by a later write(). Resolves once
   * those copies are flushed, which bounds what a long idle stretch queues. Nothing to repeat
   * (no frame yet) resolves at once.
   */
  async repeatLast(n: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.ended) throw new ClosedError('the Y4M stream');
    if (!(Number.isInteger(n) && n >= 0)) throw new InvalidArgumentError(`repeat must be a non-negative integer, got ${String(n)}`);
    const slot = this.lastSlot;
    if (n === 0 || slot < 0) return;
    if (this.framing.repeatable === false) throw new InvalidArgumentError('this stream carries a time per frame: a frame cannot be repeated');
    const buf = this.pool[slot]!;
    this.pending[slot] = this.pending[slot]! + n;
    for (let k = 0; k < n; k++) this.stream.write(buf, this.releasers[slot]);
    this.framesWritten += n;
    this.bytesWritten += n * buf.length;
    while (!this.failure && this.pending[slot]! > 0) await this.whenFree();
    if (this.failure) throw this.failure;
  }

  /**
   * Writes the last picture once more with the present time `presentTimeMs` (a timestamped stream
   * that must last to the end of a recording over a static display). Resolves once flushed.
   */
  async writeLastAt(presentTimeMs: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.ended) throw new ClosedError('the stream');
    const slot = this.lastSlot;
    if (slot < 0 || this.framing.prefixAt === undefined) return;
    const buf = this.pool[slot]!;
    const { before, prefix } = this.framing.prefixAt(presentTimeMs);
    if (before !== null) this.stream.write(before);
    this.stream.write(prefix);
    this.pending[slot] = this.pending[slot]! + 1;
    this.stream.write(buf.subarray(this.framing.prefixBytes), this.releasers[slot]);
    this.framesWritten++;
    this.bytesWritten += (before?.length ?? 0) + prefix.length + buf.length - this.framing.prefixBytes;
    while (!this.failure && this.pending[slot]! > 0) await this.whenFree();
    if (this.failure) throw this.failure;
  }

  /** Waits for every buffer to be flushed, then ends the stream and waits for it to finish. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    while (!this.failure && this.busy()) await this.whenFree();
    await this.converter.close();
    if (!this.failure && this.encoderOptions.endStream === false) return;
    if (!this.failure) {
      this.stream.end();
      try {
        await finished(this.stream);
      } catch (err) {
        this.fail(err as Error);
      }
    }
    if (this.failure) throw this.failure;
  }

  private busy(): boolean {
    for (let i = 0; i < this.poolSize; i++) if (this.pending[i]! > 0) return true;
    return false;
  }

  private freeSlot(): number {
    for (let i = 0; i < this.poolSize; i++) if (this.pending[i] === 0) return i;
    return -1;
  }

  private whenFree(): Promise<void> {
    if (!this.freed) this.freed = new Promise<void>((resolve) => (this.wakeFree = resolve));
    return this.freed;
  }

  private release(slot: number, err?: Error | null): void {
    if (err) this.fail(err);
    if (this.pending[slot]! > 0) this.pending[slot] = this.pending[slot]! - 1;
    if (this.pending[slot] === 0 || this.failure) this.wake();
  }

  private fail(err: Error): void {
    if (!this.failure) this.failure = this.wrapError(err);
    this.wake();
  }

  private wake(): void {
    const w = this.wakeFree;
    this.wakeFree = null;
    this.freed = null;
    if (w) w();
  }
}
