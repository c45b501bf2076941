/**
 * What bounds vdpush's CPU per update on the full-screen animation, measured in the same run on the
 * bench's own Xvfb: the physical work every update of a whole new frame needs, whatever the code
 * around it does.
 *
 *  - pread: one whole frame from the Xvfb framebuffer file into a SharedArrayBuffer (the ring
 *    slot's kind of memory), through the capture's own FramebufferReader, as vdpush's drain copies
 *    every changed byte (Node has no mmap of the file; x11vnc has the X server copy it instead).
 *  - scan: one pass over that frame, each row compared with the row above (Buffer.compare,
 *    memcmp): the least any encoder reads to find out what a new frame holds (ZRLE's repeated-row
 *    pass does exactly this).
 *
 * floor = pread + scan, CPU ms per frame (this thread's, process.cpuUsage, the bench being idle
 * otherwise); the best of a few batches, so a neighbour's burst does not inflate it.
 *
 * pacedPread: the same pread, each after the idle gap a served display leaves between frames
 * (1/refresh: 16.7 ms at 60 Hz), only the read's own CPU counted. Served frames come that way, and
 * on these VMs the same 8 MB read costs more after a gap than back to back (1.62-1.72 against
 * 0.89-1.46 ms in the worker helper's pairs of 2026-12-02; warming the source or the destination
 * just before did not close it), so the unpaced figure understates what a served frame's read costs.
 */
import { FramebufferReader } from '../../src/backends/xvfb/framebuffer-reader.js';
import { idleFor } from './frame-gap.js';

const BATCHES = 5;
const FRAMES_PER_BATCH = 12;

export interface FrameReadBound {
  /** CPU ms to pread one whole frame from the framebuffer file. */
  preadMsPerFrame: number;
  /** CPU ms for one row-against-row compare pass over the frame. */
  scanMsPerFrame: number;
  /** preadMsPerFrame + scanMsPerFrame. */
  floorMsPerFrame: number;
  /** CPU ms of the same pread, each after a frame interval's idle gap (see the file's comment). */
  pacedPreadMsPerFrame: number;
  bytesPerFrame: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Measures on the framebuffer file `path` (screen `width` x `height`, 32 bits per pixel); the paced
 * reads wait `frameGapMs` before each one.
 */
export function measureFrameReadBound(path: string, width: number, height: number, frameGapMs: number): FrameReadBound {
  const reader = FramebufferReader.open(path);
  try {
    const stride = width * 4;
    const bytes = stride * height;
    const dst = new Uint8Array(new SharedArrayBuffer(bytes));
    const whole = Int32Array.of(0, 0, width, height);
    const view = Buffer.from(dst.buffer, dst.byteOffset, dst.byteLength);
    let pread = Number.POSITIVE_INFINITY;
    let scan = Number.POSITIVE_INFINITY;
    let sink = 0;
    reader.read(dst, stride, whole, 1); // fault the destination in, as a ring slot is after its first frame
    for (let b = 0; b < BATCHES; b++) {
      let t = cpuMs();
      for (let i = 0; i < FRAMES_PER_BATCH; i++) reader.read(dst, stride, whole, 1);
      pread = Math.min(pread, (cpuMs() - t) / FRAMES_PER_BATCH);
      t = cpuMs();
      for (let i = 0; i < FRAMES_PER_BATCH; i++) {
        for (let y = 1, at = stride; y < height; y++, at += stride) sink += view.compare(view, at - stride, at, at, at + stride);
      }
      scan = Math.min(scan, (cpuMs() - t) / FRAMES_PER_BATCH);
    }
    let paced = Number.POSITIVE_INFINITY;
    for (let b = 0; b < BATCHES; b++) {
      let spent = 0;
      for (let i = 0; i < FRAMES_PER_BATCH; i++) {
        idleFor(frameGapMs);
        const t = cpuMs();
        reader.read(dst, stride, whole, 1);
        spent += cpuMs() - t;
      }
      paced = Math.min(paced, spent / FRAMES_PER_BATCH);
    }
    if (sink === Number.MIN_SAFE_INTEGER) throw new Error('unreachable'); // keeps the compares live
    return { preadMsPerFrame: pread, scanMsPerFrame: scan, floorMsPerFrame: pread + scan, pacedPreadMsPerFrame: paced, bytesPerFrame: bytes };
  } finally {
    reader.close();
  }
}
