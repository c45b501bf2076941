/**
 * One compare pass over a frame that another thread has just written into shared memory, as the
 * host's encoder meets every frame: the display's worker preads it into the ring slot, on its own
 * core, and the host thread then reads it, every cache line coming over from the other core or
 * from memory. frame-read-bound.ts's scan rereads a frame this thread has just read itself, whose
 * lines are still in this core's caches; this is the same pass (each row against the row above,
 * Buffer.compare) over a frame a worker thread has just pread from the framebuffer file, through
 * the capture's own FramebufferReader.
 *
 * CPU of this thread alone (the worker's pread is done before each pass starts and is not
 * counted), the best of a few batches: back to back, and paced as served frames come (the thread
 * idle for a frame interval between the pread and the pass, as the host thread is between frames).
 * The paced pass costs more on this project's machines (a median of 1.66-1.88 ms against 1.14-1.45
 * back to back at 1080p, docs/performance-notes.md), as the paced pread does, so a floor built from
 * the back-to-back pass understates what a served frame costs.
 */
import { Worker } from 'node:worker_threads';
import { idleFor } from './frame-gap.js';

const BATCHES = 5;
const FRAMES_PER_BATCH = 12;
/** Control words: [0] the frame number asked for, [1] the frame number written. */
const ASKED = 0;
const WRITTEN = 1;

export interface CrossThreadScan {
  /** CPU ms of one pass right after the worker's pread. */
  scanMs: number;
  /** The same with `frameGapMs` of idle between the pread and the pass. */
  pacedScanMs: number;
}

/**
 * The process's CPU, which is this thread's during a scan: the worker is blocked in Atomics.wait
 * from the moment it stored the frame until it is asked for the next. (A thread's own schedstat is
 * only brought up to date when it is switched out, so it cannot time a pass it is running.)
 */
function threadCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export async function measureCrossThreadScan(path: string, width: number, height: number, frameGapMs: number): Promise<CrossThreadScan> {
  const stride = width * 4;
  const frame = new SharedArrayBuffer(stride * height);
  const control = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL('./frame-pread-worker.js', import.meta.url), { workerData: { path, width, height, frame, control: control.buffer } });
  const view = Buffer.from(frame);
  let asked = 0;
  const preadInWorker = async (): Promise<void> => {
    Atomics.store(control, ASKED, ++asked);
    Atomics.notify(control, ASKED);
    while (Atomics.load(control, WRITTEN) !== asked) {
      const r = Atomics.waitAsync(control, WRITTEN, Atomics.load(control, WRITTEN), 1000);
      if (r.async) await r.value;
    }
  };
  let sink = 0;
  const scan = (): void => {
    for (let y = 1, at = stride; y < height; y++, at += stride) sink += view.compare(view, at - stride, at, at, at + stride);
  };
  try {
    await preadInWorker(); // fault the frame in
    scan();
    const bestBatch = async (gapMs: number): Promise<number> => {
      let best = Number.POSITIVE_INFINITY;
      for (let b = 0; b < BATCHES; b++) {
        let ms = 0;
        for (let i = 0; i < FRAMES_PER_BATCH; i++) {
          await preadInWorker();
          idleFor(gapMs);
          const t = threadCpuMs();
          scan();
          ms += threadCpuMs() - t;
        }
        best = Math.min(best, ms / FRAMES_PER_BATCH);
      }
      return best;
    };
    const scanMs = await bestBatch(0);
    const pacedScanMs = await bestBatch(frameGapMs);
    if (sink === Number.MIN_SAFE_INTEGER) throw new Error('unreachable'); // keeps the compares live
    return { scanMs, pacedScanMs };
  } finally {
    Atomics.store(control, ASKED, -1);
    Atomics.notify(control, ASKED);
    await worker.terminate();
  }
}
