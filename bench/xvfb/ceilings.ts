/**
 * The physical costs a capture is measured against, in the same run on the same machine: a
 * memcpy of one frame between two SharedArrayBuffers (what the ring's slot copy is, at best) and
 * a pread of the whole framebuffer file into a SharedArrayBuffer (what vdpush's copy is: the
 * kernel copies page-cache pages of the tmpfs file, which cannot be mapped from Node). And the
 * stamp reader: the sequence the workload last drew, read from two squares of the file.
 */
import { verifyXFrame, WORKLOAD_TILE } from '../../src/backends/xvfb/workload.js';
import { FramebufferReader } from '../../src/backends/xvfb/framebuffer-reader.js';

export interface Ceilings {
  frameBytes: number;
  /** memcpy of one frame, SAB to SAB (GB/s). */
  memcpyGBps: number;
  /** pread of the whole framebuffer file into a SAB (GB/s). */
  preadGBps: number;
  /** ms per frame at those rates. */
  memcpyMsPerFrame: number;
  preadMsPerFrame: number;
}

const MEASURE_MS = 300;

function rate(bytes: number, once: () => void): number {
  once(); // warm: pages touched, code compiled
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < MEASURE_MS) {
    once();
    n++;
    t = performance.now();
  }
  return (bytes * n) / ((t - t0) / 1000) / 1e9;
}

export function measureCeilings(framebufferPath: string, width: number, height: number): Ceilings {
  const frameBytes = width * height * 4;
  const src = new Uint8Array(new SharedArrayBuffer(frameBytes)).fill(7);
  const dst = new Uint8Array(new SharedArrayBuffer(frameBytes));
  const memcpyGBps = rate(frameBytes, () => dst.set(src));
  const fb = FramebufferReader.open(framebufferPath);
  const whole = Int32Array.of(0, 0, width, height);
  let preadGBps: number;
  try {
    preadGBps = rate(frameBytes, () => void fb.read(dst, width * 4, whole, 1));
  } finally {
    fb.close();
  }
  return {
    frameBytes,
    memcpyGBps,
    preadGBps,
    memcpyMsPerFrame: (frameBytes / (memcpyGBps * 1e9)) * 1000,
    preadMsPerFrame: (frameBytes / (preadGBps * 1e9)) * 1000,
  };
}

/** Reads the workload's current sequence from the top-left two squares of the framebuffer file. */
export class ScreenStamp {
  private readonly fb: FramebufferReader;
  private readonly patch = new Uint8Array(WORKLOAD_TILE * 2 * 4 * WORKLOAD_TILE);
  private readonly rect = Int32Array.of(0, 0, WORKLOAD_TILE * 2, WORKLOAD_TILE);

  constructor(framebufferPath: string) {
    this.fb = FramebufferReader.open(framebufferPath);
  }

  sequence(): number {
    if (!this.fb.read(this.patch, WORKLOAD_TILE * 2 * 4, this.rect, 1)) return 0;
    return verifyXFrame(this.patch, WORKLOAD_TILE * 2, WORKLOAD_TILE, WORKLOAD_TILE * 2 * 4, this.fb.header.format).sequence;
  }

  close(): void {
    this.fb.close();
  }
}
