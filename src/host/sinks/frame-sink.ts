/**
 * What every sink (PNG, Y4M, MP4) offers, so a recorder can hold any of them.
 *
 * Backpressure: `write` converts the frame before it returns (the frame is valid only during the
 * call) and resolves when the sink can take the next frame. A caller that writes again before the
 * promise resolves has that frame dropped and counted, never queued without bound.
 */
import { InvalidArgumentError } from '../../contract/errors.js';
import type { FrameView } from './frame-view.js';

export type SinkKind = 'png' | 'y4m' | 'mp4';

export interface FrameSink {
  readonly kind: SinkKind;
  readonly path: string;
  /** Frames written to the output; a frame written with repeat n counts n times. */
  readonly framesWritten: number;
  /** Frames not written: no buffer free (the caller did not wait), a size or format the output cannot take. */
  readonly framesDropped: number;
  /**
   * Writes `frame` `repeat` times (a caller keeping a constant frame rate repeats a frame to cover
   * an idle display). Rejects only when the output has failed or the sink is closed.
   */
  write(frame: FrameView, repeat?: number): Promise<void>;
  /** Flushes and finishes the output (for MP4: waits for ffmpeg to exit). Idempotent. */
  close(): Promise<void>;
  /** Abandons the output at once (for MP4: kills ffmpeg and reaps it). Idempotent; safe after close. */
  destroy(): Promise<void>;
}

export interface SinkOptions {
  /** Frames per second written into the container's header (Y4M, MP4). */
  fps: number;
  width: number;
  height: number;
}

/** Checks options up front, with a message that says exactly what is wrong. */
export function validateSinkOptions(opts: SinkOptions): void {
  if (!(typeof opts.fps === 'number' && Number.isFinite(opts.fps) && opts.fps > 0 && opts.fps <= 1000)) {
    throw new InvalidArgumentError(`fps must be a number in (0, 1000], got ${String(opts.fps)}`);
  }
  for (const k of ['width', 'height'] as const) {
    const v = opts[k];
    if (!(Number.isInteger(v) && v > 0 && v <= 16384)) {
      throw new InvalidArgumentError(`${k} must be an integer in 1..16384, got ${String(v)}`);
    }
  }
}
