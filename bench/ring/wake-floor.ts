/**
 * The same-run floor under the ring's publish-to-consume latency (issue 11: "p99 below the
 * postMessage baseline's p50"): what a frame costs to hand from the worker to the main thread
 * with nothing of the ring's in the way. The worker copies the same frame, at the same pace and
 * for as long as the ring's paced phase, into warm slot-sized buffers (two, alternating, as the
 * ring's slots do: the consumer keeps the frame it was handed last while the next one is
 * written), stores a counter and calls Atomics.notify (ring-bench-worker.ts runFloor); this
 * thread waits in a bare
 * Atomics.waitAsync on that counter, reads the clock as soon as it runs, and waits again.
 * Its interval holds exactly what the ring's does at the least: the 8 MB copy, the futex wake,
 * the event loop's turn to the resolved wait. So the ring's p99 over the floor's p99 says how much
 * of the tail is the ring's own, and the floor's p99 against the baseline's p50 says whether the
 * target can be met on this machine by any ring that copies the frame once.
 *
 * Unpaced (paceMs 0) the same flow is the floor under the ring's full-frame throughput
 * (`throughputFloor`): the producer copies as fast as it can into the two slots a ring's
 * producer alternates between while its consumer holds or retains the other, never waiting for
 * the consumer, and the consumer takes the newest frame at each wake, as the ring's does; the
 * frames it sees per second, counted as the ring's are, are what any ring with that working set
 * and that hand-off can deliver.
 */
import { FLOOR_TIMES, type BenchToWorker, type WorkerToBench } from './bench-messages.js';
import { LatencySamples } from './latency-samples.js';

export interface BenchRunner {
  run<T extends WorkerToBench['type']>(cmd: BenchToWorker, doneType: T): Promise<Extract<WorkerToBench, { type: T }>>;
}

function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

/** One floor phase: its latency samples, and the frames the consumer saw (one per wake that found a newer frame). */
export interface FloorResult {
  samples: LatencySamples;
  delivered: number;
  /** delivered / the time from the start to the last frame seen, as bench ring counts the ring's fps. */
  fps: number;
}

export async function floorFlow(w: BenchRunner, width: number, height: number, durationMs: number, paceMs: number): Promise<FloorResult> {
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const times = new Float64Array(new SharedArrayBuffer(FLOOR_TIMES * 2 * 8));
  const samples = new LatencySamples(Math.ceil(durationMs * 20) + 16);
  const done = w.run({ type: 'floor', width, height, durationMs, paceMs, signal: signal.buffer as SharedArrayBuffer, times: times.buffer as SharedArrayBuffer }, 'floor-done');
  let seen = 0;
  let delivered = 0;
  const t0 = performance.now();
  let tLast = t0;
  for (;;) {
    if (Atomics.load(signal, 0) === seen && Atomics.load(signal, 1) === 0) {
      // No timeout: a timed waitAsync leaves a timeout task that wakes the thread again later.
      // The running worker keeps the process alive, and its last act is a notify.
      const r = Atomics.waitAsync(signal, 0, seen);
      if (r.async) await r.value;
    }
    const now = sharedNow();
    const n = Atomics.load(signal, 0);
    if (n === seen) {
      if (Atomics.load(signal, 1) !== 0) break;
      continue;
    }
    const i = (n % FLOOR_TIMES) * 2;
    samples.add(times[i]!, times[i + 1]!, now);
    seen = n;
    delivered++;
    tLast = performance.now();
  }
  await done;
  return { samples, delivered, fps: delivered / ((tLast - t0) / 1000) };
}
