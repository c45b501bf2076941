/**
 * bench ring's `dirty` phase: the publish time of full frames against frames whose damage is 1% of
 * the frame (a 10% x 10% rectangle), on one thread, each frame consumed and returned at once.
 *
 * Two 1% workloads:
 *   repeating  the rectangle changes every frame in the same place, as a clock, a cursor's square
 *              or a video in a window does (`onePercentPublishUs`, the `speedup` the target names);
 *   moving     the rectangle moves one pixel to the right every frame, as a dragged window does
 *              (`onePercentMovingPublishUs`): every slot then lags by two frames' rects, so it copies
 *              about twice the bytes, and no two frames' rects are the same.
 * The publisher's copy treats the two differently (src/ring/rect-row-views.ts), so both are shown.
 */
import { FORMAT_BGRA8 } from '../../src/contract/index.js';
import { FramePublisher, HostRing } from '../../src/ring/index.js';

export interface DirtyPublish {
  /** Mean µs per publish. */
  full: number;
  onePercent: number;
  onePercentMoving: number;
}

export function dirtyPublish(width: number, height: number, durationMs: number, targetId: number): DirtyPublish {
  const ring = HostRing.create({ targetId, width, height, format: FORMAT_BGRA8, ringLen: 6 });
  const opened = FramePublisher.open(ring.buffer, { targetId });
  if (!opened.ok) throw new Error(opened.message);
  const p = opened.publisher;
  const pixels = new Uint8Array(new SharedArrayBuffer(width * height * 4));
  const rw = Math.round(width / 10);
  const rh = Math.round(height / 10);
  const x0 = width / 2;
  const rect = new Int32Array([x0, height / 3, rw, rh]);
  const frame = { pixels, width, height, format: FORMAT_BGRA8, stride: width * 4, frameNumber: 0, presentTimeMs: 0, dirtyRects: rect, dirtyCount: -1 };
  const timeIt = (count: number, moving: boolean, ms: number): number => {
    let total = 0;
    let n = 0;
    const end = performance.now() + ms;
    while (performance.now() < end || n < 20) {
      frame.dirtyCount = count;
      frame.frameNumber++;
      // Moving: one pixel right per frame, back to the start before it leaves the frame.
      if (moving) rect[0] = x0 + (frame.frameNumber % (width - x0 - rw));
      const t = performance.now();
      p.publish(frame);
      total += performance.now() - t;
      n++;
      const f = ring.tryConsume();
      if (f) ring.release(f);
    }
    return (total / n) * 1000;
  };
  try {
    const phase = durationMs / 2;
    timeIt(-1, false, phase); // warm up every slot at full size
    const full = timeIt(-1, false, phase);
    timeIt(1, false, phase / 2); // settle: every slot has received a frame since the last full one
    const onePercent = timeIt(1, false, phase);
    timeIt(1, true, phase / 2);
    const onePercentMoving = timeIt(1, true, phase);
    return { full, onePercent, onePercentMoving };
  } finally {
    ring.close();
  }
}
