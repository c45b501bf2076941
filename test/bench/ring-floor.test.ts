/**
 * bench ring's floors count frames as the ring's consumer does (bench/ring/wake-floor.ts): one per
 * wake that finds a newer frame, so frames the producer copied over before the consumer looked are
 * not delivered, in the floor as in the ring. Driven by a fake producer on this thread, stepping on
 * timers: no worker, no timing asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLOOR_TIMES, type BenchToWorker, type WorkerToBench } from '../../bench/ring/bench-messages.js';
import { floorFlow, type BenchRunner } from '../../bench/ring/wake-floor.js';

/** A producer that publishes `bursts[i]` frames at once, one burst per timer tick, then says it is done. */
function fakeProducer(bursts: number[]): BenchRunner {
  return {
    run<T extends WorkerToBench['type']>(cmd: BenchToWorker): Promise<Extract<WorkerToBench, { type: T }>> {
      assert.equal(cmd.type, 'floor');
      if (cmd.type !== 'floor') throw new Error('not a floor command');
      const signal = new Int32Array(cmd.signal);
      const times = new Float64Array(cmd.times);
      let copied = 0;
      return new Promise((resolve) => {
        const step = (i: number): void => {
          if (i === bursts.length) {
            Atomics.store(signal, 1, 1);
            Atomics.notify(signal, 0);
            resolve({ type: 'floor-done', copied } as Extract<WorkerToBench, { type: T }>);
            return;
          }
          for (let k = 0; k < bursts[i]!; k++) {
            const at = ((copied + 1) % FLOOR_TIMES) * 2;
            times[at] = 1000 + copied;
            times[at + 1] = 1000.5 + copied;
            Atomics.store(signal, 0, ++copied);
            Atomics.notify(signal, 0);
          }
          setTimeout(() => step(i + 1), 5);
        };
        setTimeout(() => step(0), 5);
      });
    },
  };
}

test('the floor delivers one frame per wake that finds a newer one, as the ring counts its frames', async () => {
  const r = await floorFlow(fakeProducer([5, 1, 1, 3]), 4, 4, 1000, 0);
  assert.equal(r.delivered, 4, 'each burst is one delivered frame: the newest of it');
  assert.equal(r.samples.count, 4);
  assert.ok(Number.isFinite(r.fps) && r.fps > 0, `fps ${r.fps}`);
  const p = r.samples.percentiles();
  assert.equal(p.splitSamples, 4, 'each delivered frame has its copy/wake split');
});
