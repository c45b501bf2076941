/**
 * FrameStash: a copy of the last acquired frame, so a freshly attached ring gets a frame at once.
 *
 * Why: a desktop that is idle presents nothing, so a host that opens (or recreates) its ring onto
 * an idle display would wait for the next present, which may never come. The processor captures
 * every acquired frame here (before finish(), while the surface is valid) and republishes the copy
 * into a ring it has just attached, when that ring does not hold the frame yet.
 *
 * Invariants:
 * - the buffers are allocated once and reused; they grow only when a larger mode appears, never per
 *   frame (hot path: no allocation, no throw);
 * - only dirty rectangles are copied when the stash holds the previous frame of the same swap-chain
 *   at the same geometry (dirty rects are relative to that frame); otherwise the whole frame is;
 * - a frame the ring took is not copied at all: the stash keeps a reference to the ring's slot,
 *   which holds exactly that frame until the producer writes the slot again with a newer one (and
 *   then references that); a retired ring's slots are never written again;
 * - `needsRepublish` is true while the stashed frame is known not to be in the attached ring: it was
 *   acquired with no ring or not taken by it (dropped), or the ring it went into was recreated.
 */
import { bytesPerPixel } from '../contract/pixel-format.js';
import type { AcquiredFrame, CursorState } from '../display/types.js';

/** Above this share of the frame, one block copy beats copying rectangles word by word. */
const FULL_COPY_AREA_SHARE = 0.5;
const EMPTY_RECTS = new Int32Array(0);

export class FrameStash {
  /** The stashed frame, in AcquiredFrame shape (what publish() takes). Valid while `holdsFrame`. */
  readonly frame: AcquiredFrame;
  private storage: Uint8Array = new Uint8Array(0);
  private words: Uint32Array = new Uint32Array(0);
  private srcPixels: Uint8Array | null = null;
  private srcWords: Uint32Array = new Uint32Array(0);
  private readonly cursor: CursorState = {
    visible: false,
    x: 0,
    y: 0,
    hotX: 0,
    hotY: 0,
    shapeId: -1,
    width: 0,
    height: 0,
    shape: new Uint8Array(0),
  };
  private holds = false;
  /** The stash holds the previous frame of the current swap-chain, so dirty rects apply. */
  private continuous = false;
  private pending = false;
  /** `frame.pixels` is a ring slot's, not the storage. */
  private referencing = false;
  /** Copies made and references kept, for tests and stats. */
  fullCopies = 0;
  rectCopies = 0;
  references = 0;

  constructor() {
    this.frame = {
      pixels: this.storage,
      width: 0,
      height: 0,
      format: 0,
      stride: 0,
      frameNumber: 0,
      presentTimeMs: 0,
      // A republished frame is new to its ring: the whole frame is dirty.
      dirtyRects: EMPTY_RECTS,
      dirtyCount: -1,
      cursor: null,
    };
  }

  get holdsFrame(): boolean {
    return this.holds;
  }

  /** True while the stashed frame is known to be missing from the attached ring. */
  get needsRepublish(): boolean {
    return this.holds && this.pending;
  }

  /** A new swap-chain starts: its first frame's dirty rects are not relative to what we hold. */
  beginSwapChain(): void {
    this.continuous = false;
  }

  /** The ring the last frame went into is gone (recreated or retired): the next ring lacks it. */
  markRingLost(): void {
    this.pending = true;
  }

  /** The result of publishing the stash (republish) or the frame just captured. */
  notePublished(taken: boolean): void {
    this.pending = !taken;
  }

  /**
   * The ring took `src` and holds it in `ringPixels` (at `ringStride`): keep a reference, copy
   * nothing. Hot path.
   */
  reference(src: AcquiredFrame, ringPixels: Uint8Array, ringStride: number): void {
    const f = this.frame;
    f.pixels = ringPixels;
    f.width = src.width;
    f.height = src.height;
    f.format = src.format;
    f.stride = ringStride;
    f.frameNumber = src.frameNumber;
    f.presentTimeMs = src.presentTimeMs;
    f.cursor = src.cursor === null ? null : this.copyCursor(src.cursor);
    this.holds = true;
    // The storage no longer holds the previous frame: the next copy is a whole one.
    this.continuous = false;
    this.referencing = true;
    this.pending = false;
    this.references++;
  }

  /**
   * Copies `src` (valid until finish()). `taken` says whether the ring took it. Hot path.
   */
  capture(src: AcquiredFrame, taken: boolean): void {
    const f = this.frame;
    const bytes = src.stride * src.height;
    const bpp = bytesPerPixel(src.format);
    const sameGeometry =
      this.holds && !this.referencing && f.width === src.width && f.height === src.height && f.format === src.format && f.stride === src.stride;
    if (!sameGeometry) this.reshape(src, bytes);
    if (sameGeometry && this.continuous && src.dirtyCount >= 0 && bpp > 0 && (src.surface ?? null) === null && this.canCopyWords(src)) {
      this.copyDirty(src, bpp);
    } else {
      this.copyAll(src, bytes);
    }
    f.frameNumber = src.frameNumber;
    f.presentTimeMs = src.presentTimeMs;
    f.cursor = src.cursor === null ? null : this.copyCursor(src.cursor);
    this.holds = true;
    this.continuous = true;
    this.referencing = false;
    this.pending = !taken;
  }

  /** Geometry changed: reuse the storage if it is large enough, else grow it (not per frame). */
  private reshape(src: AcquiredFrame, bytes: number): void {
    if (this.storage.byteLength < bytes) {
      this.storage = new Uint8Array(bytes + (bytes & 3 ? 4 - (bytes & 3) : 0));
      this.words = new Uint32Array(this.storage.buffer, 0, this.storage.byteLength >>> 2);
    }
    const f = this.frame;
    f.pixels = this.storage.subarray(0, bytes);
    f.width = src.width;
    f.height = src.height;
    f.format = src.format;
    f.stride = src.stride;
    this.continuous = false;
  }

  private copyAll(src: AcquiredFrame, bytes: number): void {
    const dst = this.frame.pixels;
    const surface = src.surface ?? null;
    // A surface copies itself (its pixels may not sit in memory); a failed read leaves what was there.
    if (surface !== null) surface.copyAll(dst, 0, src.stride);
    else if (src.pixels.byteLength === bytes) dst.set(src.pixels);
    else dst.set(src.pixels.subarray(0, Math.min(bytes, src.pixels.byteLength)));
    this.fullCopies++;
  }

  /** Word copies need 4-byte alignment; the views over the source are cached by identity. */
  private canCopyWords(src: AcquiredFrame): boolean {
    const p = src.pixels;
    if ((p.byteOffset & 3) !== 0 || (src.stride & 3) !== 0) return false;
    if (p !== this.srcPixels) {
      this.srcPixels = p;
      this.srcWords = new Uint32Array(p.buffer, p.byteOffset, p.byteLength >>> 2);
    }
    return true;
  }

  private copyDirty(src: AcquiredFrame, bpp: number): void {
    const rects = src.dirtyRects;
    const n = src.dirtyCount;
    const w = src.width;
    const h = src.height;
    let area = 0;
    for (let r = 0; r < n; r++) {
      const cw = Math.min(w, rects[4 * r]! + rects[4 * r + 2]!) - Math.max(0, rects[4 * r]!);
      const ch = Math.min(h, rects[4 * r + 1]! + rects[4 * r + 3]!) - Math.max(0, rects[4 * r + 1]!);
      if (cw > 0 && ch > 0) area += cw * ch;
    }
    if (area > FULL_COPY_AREA_SHARE * w * h) {
      this.copyAll(src, src.stride * h);
      return;
    }
    const strideWords = src.stride >>> 2;
    const wordsPerPixel = bpp >>> 2;
    const from = this.srcWords;
    const to = this.words;
    for (let r = 0; r < n; r++) {
      // Clamp: a rectangle outside the surface must never steer a copy out of bounds.
      const x0 = Math.max(0, rects[4 * r]!);
      const y0 = Math.max(0, rects[4 * r + 1]!);
      const x1 = Math.min(w, rects[4 * r]! + rects[4 * r + 2]!);
      const y1 = Math.min(h, rects[4 * r + 1]! + rects[4 * r + 3]!);
      if (x1 <= x0 || y1 <= y0) continue;
      const rowWords = (x1 - x0) * wordsPerPixel;
      for (let y = y0; y < y1; y++) {
        const start = y * strideWords + x0 * wordsPerPixel;
        const end = Math.min(start + rowWords, from.length);
        for (let i = start; i < end; i++) to[i] = from[i]!;
      }
    }
    this.rectCopies++;
  }

  private copyCursor(c: CursorState): CursorState {
    const mine = this.cursor;
    mine.visible = c.visible;
    mine.x = c.x;
    mine.y = c.y;
    mine.hotX = c.hotX;
    mine.hotY = c.hotY;
    mine.width = c.width;
    mine.height = c.height;
    // The shape is copied only when it changes (a new shapeId), as a consumer fetches it.
    if (c.shapeId !== mine.shapeId) {
      mine.shapeId = c.shapeId;
      if (mine.shape.byteLength !== c.shape.byteLength) mine.shape = new Uint8Array(c.shape.byteLength);
      mine.shape.set(c.shape);
    }
    return mine;
  }
}
