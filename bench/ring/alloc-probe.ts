/**
 * What the ring's hot path allocates per frame, on each side: the JS heap bytes a publish, and a
 * consume (tryConsume + release), leave behind, counted across any GC that runs meanwhile.
 *
 * Both ends live on this thread and are driven synchronously, so nothing else runs on this
 * isolate while a window is open: every byte the window allocates is the ring's. Allocation is
 * counted, not sampled: the heap's used size at the end minus at the start, plus what each GC in
 * the window reclaimed (v8.GCProfiler reports every GC's before and after sizes). A window that
 * allocated nothing shows 0 (or a few bytes of V8's own bookkeeping, averaged over the frames).
 *
 * Two windows of the same number of rounds: one publishes and consumes once per round (P + C),
 * the other publishes twice and consumes once (2P + C; the consume takes the newer frame and
 * frees the older, so every publish finds a free slot on both arms): P and C follow. Every
 * publish must be Published, or the probe throws: a drop would measure the wrong path. (The
 * second kind's consume also frees the older frame; both are the consumer's per-frame path.)
 * Each body is warmed up first, so a window measures optimized code, not the interpreter's
 * boxed doubles or the compiler's own work, and the least of a few windows is kept.
 *
 * Used by `vdpush bench ring` (allocatedBytesPerFrame) and pinned by test/ring/no-garbage.test.ts.
 */
import v8 from 'node:v8';
import { FORMAT_BGRA8, OFF_LATEST, PublishOutcome, tokenHighWord, tokenLowWord } from '../../src/contract/index.js';
import { FramePublisher, HeaderView, HostRing, type PublishableFrame } from '../../src/ring/index.js';

export interface AllocationPerFrame {
  /** Heap bytes per publish (mean over the window). */
  publisher: number;
  /** Heap bytes per consume (tryConsume + release), mean over the window. */
  consumer: number;
  /** Rounds per window. */
  frames: number;
  /** GCs that ran during the measured windows (0 when nothing was allocated). */
  gcs: number;
}

export interface AllocationProbeOptions {
  frames?: number;
  warmupFrames?: number;
  /** Frame size (default 64x64: the ring's protocol work dominates, not the copy). */
  width?: number;
  height?: number;
  /** Which slot arm both sides use (default: what they negotiate, the slot-state arm). */
  arm?: 'slot-state' | 'keyed-mutex';
  /**
   * Replace `performance.now` with a constant for the probe's duration, so the windows count the
   * ring's own allocation without the clock's: Node's `performance.now()` returns a new
   * HeapNumber per call (16 bytes; 32 when V8 also boxes the sum with timeOrigin), and the
   * publisher stamps LAST_PUBLISH_TIME with it once per publish (frame-publisher.ts publishCommit).
   */
  stubClock?: boolean;
  /**
   * The sequence the publisher continues from (default 0). Above 2^30 a sequence, and a token's
   * low word, no longer fit V8's small integers, so any that crossed a call unboxed would be a
   * HeapNumber per frame: the probe can start there to show none does.
   */
  startSequence?: number;
}

const TARGET = 7;
const MAX_WINDOWS = 8;

export function measureRingAllocation(opts: AllocationProbeOptions = {}): AllocationPerFrame {
  const frames = Math.max(4, Math.round((opts.frames ?? 20_000) / 4) * 4);
  const warmup = opts.warmupFrames ?? 20_000;
  const restoreClock = opts.stubClock === true ? stubPerformanceNow() : null;
  const width = opts.width ?? 64;
  const height = opts.height ?? 64;
  const ring = HostRing.create({ targetId: TARGET, width, height, format: FORMAT_BGRA8, ringLen: 6, arm: opts.arm ?? 'auto' });
  try {
    if (opts.startSequence !== undefined) {
      // A publisher continues the numbering of the `latest` it finds in its generation.
      const seq = opts.startSequence >>> 0;
      new HeaderView(ring.buffer).storeWords(OFF_LATEST, tokenLowWord(seq, 0), tokenHighWord(ring.generation, seq));
    }
    const opened = FramePublisher.open(ring.buffer, { targetId: TARGET });
    if (!opened.ok) throw new Error(`alloc probe: the publisher could not open its ring (${opened.message})`);
    const pub = opened.publisher;
    const frame = probeFrame(width, height);
    let notPublished = 0;
    const publishOne = (): void => {
      // frameNumber stays a small integer; presentTimeMs stays as it is: a double computed here
      // per frame would be the probe's own HeapNumber, counted as the publisher's.
      frame.frameNumber++;
      if (pub.publish(frame) !== PublishOutcome.Published) notPublished++;
    };
    const consumeOne = (): void => {
      const f = ring.tryConsume();
      if (f === null) throw new Error('alloc probe: a published frame was not delivered');
      ring.release(f);
    };
    // One body per window kind, warmed up before it is measured: a fresh loop would be compiled
    // (OSR) inside its own window, and its code objects would count as the ring's.
    const rounds = (n: number, publishes: number): void => {
      for (let i = 0; i < n; i++) {
        publishOne();
        if (publishes === 2) publishOne();
        consumeOne();
      }
    };
    for (let done = 0; done < warmup; done += frames / 4) {
      rounds(frames / 4, 1);
      rounds(frames / 4, 2);
    }
    // The least of several windows: a per-frame cost is in every one; a one-off (a late compile,
    // an inline cache growing) or code still running unoptimized (on a loaded machine TurboFan's
    // background jobs can finish after the warm-up, and unoptimized code boxes every double it
    // computes) only in some. Stops early once a window pair shows nothing allocated: a real
    // per-frame cost can never show less.
    let one = Infinity;
    let two = Infinity;
    let gcs = 0;
    for (let w = 0; w < MAX_WINDOWS; w++) {
      const a = window(() => rounds(frames, 1));
      const b = window(() => rounds(frames, 2));
      one = Math.min(one, a.bytes);
      two = Math.min(two, b.bytes);
      gcs += a.gcs + b.gcs;
      if (one < frames / 2 && two < frames / 2) break;
    }
    if (notPublished !== 0) throw new Error(`alloc probe: ${notPublished} publishes were dropped, so a window did not measure publishes`);
    pub.detach();
    // one = P + C per frame, two = 2P + C: P = two - one, C = 2 * one - two.
    return {
      publisher: Math.max(0, two - one) / frames,
      consumer: Math.max(0, 2 * one - two) / frames,
      frames,
      gcs,
    };
  } finally {
    ring.close();
    restoreClock?.();
  }
}

/** Shadows Performance.prototype.now with an own property; returns the undo. */
function stubPerformanceNow(): () => void {
  if (Object.prototype.hasOwnProperty.call(performance, 'now')) throw new Error('alloc probe: performance.now is already replaced');
  Object.defineProperty(performance, 'now', { value: () => 1.5, configurable: true, writable: true });
  return () => {
    delete (performance as { now?: unknown }).now;
  };
}

function probeFrame(width: number, height: number): PublishableFrame {
  const stride = width * 4;
  const dirty = new Int32Array(4 * 8);
  // A small rect damaged in place (the desktop's common case): the copy stays cheap at any size.
  dirty[0] = 3;
  dirty[1] = 5;
  dirty[2] = Math.min(41, width - 3);
  dirty[3] = 1;
  return { pixels: new Uint8Array(stride * height), width, height, format: FORMAT_BGRA8, stride, frameNumber: 0, presentTimeMs: 0.25, dirtyRects: dirty, dirtyCount: 1 };
}

/** Heap bytes `body` allocated, across the GCs it caused. */
function window(body: () => void): { bytes: number; gcs: number } {
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = v8.getHeapStatistics().used_heap_size;
  body();
  const after = v8.getHeapStatistics().used_heap_size;
  const stats = profiler.stop().statistics;
  let reclaimed = 0;
  for (const s of stats) reclaimed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  return { bytes: Math.max(0, after - before + reclaimed), gcs: stats.length };
}
