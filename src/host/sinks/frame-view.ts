/**
 * The shapes the sinks and the viewer accept, declared structurally so that this folder depends on
 * no other folder's classes: the ring's consumed frame and the display's cursor both satisfy them.
 *
 * Lifetime: a FrameView (and its `pixels`) is valid only during the call it is passed to. Anything a
 * sink keeps beyond the call is copied (converted) first.
 */

export interface DirtyBounds {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One frame as the host consumes it from the ring. */
export interface FrameView {
  /** `height` rows of `stride` bytes in the given format. */
  pixels: Uint8Array;
  width: number;
  height: number;
  /** A pixel-format code from src/contract/pixel-format.ts. */
  format: number;
  /** Bytes per row, >= width * bytesPerPixel(format). */
  stride: number;
  /** The ring's sequence number (u32): consecutive frames of one ring count up by one. */
  sequence: number;
  presentTimeMs: number;
  /**
   * Everything that changed since the frame with the previous sequence (the ring's dirty bounds),
   * or since `dirtySpan` sequences back. A video sink converts only this much again when its last
   * frame is within that reach, so a frame made by hand must cover its changes here, or break the
   * sequence to be converted whole.
   */
  dirty: DirtyBounds;
  /**
   * How many sequences back `dirty` reaches (default 1): a ring frame taken after published frames
   * were skipped reaches the frame taken before, when the publisher remembered that far.
   */
  dirtySpan?: number;
}

/**
 * Whether `frame`'s dirty bounds hold everything that changed since the frame numbered
 * `lastSequence` (u32; negative: none seen): it is one of the next `dirtySpan` sequences.
 */
export function dirtyCoversSince(frame: FrameView, lastSequence: number): boolean {
  if (lastSequence < 0) return false;
  const gap = (frame.sequence - lastSequence) >>> 0;
  const span = frame.dirtySpan !== undefined && frame.dirtySpan > 1 ? frame.dirtySpan : 1;
  return gap >= 1 && gap <= span;
}

/** A hardware cursor beside the frame. `shape` is BGRA8, width*height*4 bytes (may be empty). */
export interface CursorView {
  visible: boolean;
  x: number;
  y: number;
  hotX: number;
  hotY: number;
  /** Changes whenever the shape changes, so the image is fetched only then. */
  shapeId: number;
  width: number;
  height: number;
  shape: Uint8Array;
}
