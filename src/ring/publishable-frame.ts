/**
 * What the display side hands FramePublisher.publish: the fields of display's AcquiredFrame and
 * its copy-source surface, declared here structurally (the ring imports the contract only).
 */

/** What publish needs of a frame: the fields of display's AcquiredFrame, declared here structurally. */
export interface PublishableFrame {
  pixels: Uint8Array;
  width: number;
  height: number;
  format: number;
  stride: number;
  frameNumber: number;
  presentTimeMs: number;
  /** (x, y, w, h) quads in dirtyRects[0 .. 4*dirtyCount). */
  dirtyRects: Int32Array;
  /** Number of dirty rects; -1 = unknown (the whole frame). */
  dirtyCount: number;
  /**
   * The surface as a copy source (display's FrameSurface, declared here structurally): when set,
   * the slot is filled by asking it to copy the slot's damage straight in, and `pixels` is not read.
   */
  surface?: SurfaceSource | null;
}

/** A surface that copies regions into a destination itself (CopySubresourceRegion / CopyResource). */
export interface SurfaceSource {
  copyRects(dst: Uint8Array, dstOffset: number, dstStride: number, rects: Int32Array, base: number, count: number): boolean;
  copyAll(dst: Uint8Array, dstOffset: number, dstStride: number): boolean;
  copiesDone(): void;
}
