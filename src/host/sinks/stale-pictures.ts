/**
 * Which part of each of an encoder's picture buffers is out of date: the buffers are reused in
 * turn, so the one a frame is converted into holds a picture a few frames old, and only what
 * changed since needs converting again (a desktop's text line, not its 1080p).
 *
 * Invariant: a buffer's picture equals the current frame's outside its stale box. Every frame's
 * dirty bounds are added to every buffer's box, so a frame seen but not converted (no free buffer)
 * still counts. The dirty bounds of a frame cover what changed since the frame before it in the
 * ring's sequence, or since the frame `dirtySpan` back (the host skipped published frames and the
 * publisher reached back to the one it took before), so a sequence beyond that reach (frames the
 * caller never passed on, a new ring), another format or size, makes every box the whole picture;
 * so does a buffer never written or a conversion that failed.
 */
import { widenBox } from '../../ring/box-union.js';
import { dirtyCoversSince, type FrameView } from './frame-view.js';

export class StalePictures {
  /** Per buffer: x0, y0, x1, y1 (end exclusive; ring/box-union.ts); an empty box: nothing stale. */
  private readonly box: Int32Array;
  private readonly full: Uint8Array;
  private lastSequence = -1;
  private lastFormat = -1;
  private lastWidth = 0;
  private lastHeight = 0;

  constructor(readonly buffers: number) {
    this.box = new Int32Array(4 * buffers);
    this.full = new Uint8Array(buffers).fill(1);
  }

  /** Adds a frame the encoder was given (converted or not) to every buffer's stale box. */
  note(frame: FrameView): void {
    const next = dirtyCoversSince(frame, this.lastSequence);
    const same = frame.format === this.lastFormat && frame.width === this.lastWidth && frame.height === this.lastHeight;
    this.lastSequence = frame.sequence >>> 0;
    this.lastFormat = frame.format;
    this.lastWidth = frame.width;
    this.lastHeight = frame.height;
    if (!next || !same) {
      this.full.fill(1);
      return;
    }
    const d = frame.dirty;
    if (!(d.w > 0 && d.h > 0)) return;
    for (let i = 0; i < this.buffers; i++) {
      if (this.full[i] !== 1) widenBox(this.box, 4 * i, d.x, d.y, d.x + d.w, d.y + d.h);
    }
  }

  /** Writes buffer i's stale box into `out` (x0, y0, x1, y1): the whole `width x height` when full. */
  staleBox(i: number, width: number, height: number, out: Int32Array): void {
    if (this.full[i] === 1) {
      out[0] = 0;
      out[1] = 0;
      out[2] = width;
      out[3] = height;
      return;
    }
    const k = 4 * i;
    out[0] = this.box[k]!;
    out[1] = this.box[k + 1]!;
    out[2] = this.box[k + 2]!;
    out[3] = this.box[k + 3]!;
  }

  /** Buffer i now holds the current frame. */
  fresh(i: number): void {
    this.full[i] = 0;
    this.box.fill(0, 4 * i, 4 * i + 4);
  }

  /** Buffer i's picture cannot be trusted (a failed conversion, a new allocation). */
  stale(i: number): void {
    this.full[i] = 1;
  }
}
