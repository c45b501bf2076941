import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { FORMAT_BGRA8, FORMAT_RGBA16F, bytesPerPixel, sequenceAfter } from '../../src/contract/index.js';
import { HostRing, type ArmChoice } from '../../src/ring/index.js';
import { SourceDisplay, firstDifference, prng } from './helpers.js';
import type { MainToProducer, ModeSwitch, ProducerToMain } from './fixtures/stress-messages.js';

const TARGET = 11;
const FRAMES = 12_000;

/**
 * The consumer's replica of the producer's source: the same PRNG, the same mode switches, so it can
 * be advanced to any frame number and compared with what the ring delivered.
 */
class Replica {
  private rand: () => number;
  source: SourceDisplay;
  constructor(seed: number, width: number, height: number, format: number, private readonly switches: ModeSwitch[]) {
    this.rand = prng(seed);
    this.source = new SourceDisplay(width, height, format);
  }
  advanceTo(frameNumber: number): void {
    while (this.source.frameNumber < frameNumber) {
      const n = this.source.frameNumber + 1;
      const sw = this.switches.find((s) => s.atFrame === n);
      if (sw) {
        this.source = new SourceDisplay(sw.width, sw.height, sw.format);
        this.source.frameNumber = n - 1;
      }
      this.source.nextRandom(this.rand);
    }
  }
}

async function stress(arm: Exclude<ArmChoice, 'auto'>, seed: number): Promise<void> {
  const first = { width: 96, height: 54, format: FORMAT_BGRA8 };
  const switches: ModeSwitch[] = [
    { atFrame: Math.floor(FRAMES / 3), width: 80, height: 45, format: FORMAT_RGBA16F },
    { atFrame: Math.floor((2 * FRAMES) / 3), width: 96, height: 54, format: FORMAT_BGRA8 },
  ];
  const ring = HostRing.create({ targetId: TARGET, ...first, ringLen: 3, arm });
  const replica = new Replica(seed, first.width, first.height, first.format, switches);
  const worker = new Worker(new URL('./fixtures/producer-worker.js', import.meta.url));
  let done: Extract<ProducerToMain, { type: 'done' }> | null = null;
  let failure: string | null = null;
  worker.on('message', (m: ProducerToMain) => {
    if (m.type === 'done') done = m;
    else failure = m.message;
  });
  worker.on('error', (e) => (failure = String(e.stack ?? e)));
  let delivered = 0;
  let recreates = 0;
  const generations = new Set<number>();
  try {
    worker.postMessage({ type: 'start', buffer: ring.buffer, targetId: TARGET, seed, frames: FRAMES, ...first, switches } satisfies MainToProducer);
    let lastFrameNumber = 0;
    let lastSeq = -1;
    let lastGeneration = ring.generation;
    while (failure === null) {
      const desc = ring.sourceDescChanged();
      if (desc !== null) {
        ring.recreate(desc);
        recreates++;
        worker.postMessage({ type: 'ring', buffer: ring.buffer } satisfies MainToProducer);
      }
      const finished = done !== null;
      const f = await ring.nextFrame({ timeoutMs: 5 });
      if (f === null) {
        if (finished) break;
        continue;
      }
      try {
        assert.equal(f.generation, ring.generation, 'a frame of a retired generation was delivered');
        if (f.generation !== lastGeneration) {
          lastGeneration = f.generation;
          lastSeq = -1;
        }
        if (lastSeq >= 0) assert.ok(sequenceAfter(f.sequence, lastSeq), `sequence ${f.sequence} after ${lastSeq}`);
        lastSeq = f.sequence;
        const n = f.presentTimeMs;
        assert.ok(n > lastFrameNumber, `stale frame ${n} after ${lastFrameNumber}`);
        lastFrameNumber = n;
        replica.advanceTo(n);
        const src = replica.source;
        assert.deepEqual([f.width, f.height, f.format], [src.width, src.height, src.format], `frame ${n} has the wrong mode`);
        const diff = firstDifference(f.pixels, f.stride, f.width, f.height, bytesPerPixel(f.format) / 4, src.snapshot());
        assert.equal(diff, -1, `frame ${n} (seq ${f.sequence}, slot ${f.slot}) is torn at word ${diff}`);
        generations.add(f.generation);
        delivered++;
      } finally {
        ring.release(f);
      }
    }
    assert.equal(failure, null, failure ?? '');
    const d = done as Extract<ProducerToMain, { type: 'done' }> | null;
    assert.ok(d, 'the producer finished');
    assert.equal(recreates, switches.length, 'the host recreated the ring at each mode switch');
    assert.ok(d.opens >= 3, `the producer re-attached after each recreate (opens ${d.opens})`);
    assert.ok(d.descMismatch >= 1, 'the format guard dropped mismatched frames');
    assert.equal(generations.size, 3, 'frames arrived in every generation');
    assert.ok(delivered > 100, `only ${delivered} frames delivered`);
    // The host's totals span all three buffers, and agree with what the producer counted.
    const h = ring.health();
    assert.equal(h.publishedTotal, d.published);
    assert.equal(h.droppedTotal, d.descMismatch + d.busy + d.stale);
    assert.equal(h.dropped.descMismatch, d.descMismatch);
  } finally {
    await worker.terminate();
    ring.close();
  }
}

test('a producer worker and a consuming main thread exchange frames with zero torn or stale ones over the slot-state arm, through two mode changes', async () => {
  await stress('slot-state', 0x57e55);
});

test('a producer worker and a consuming main thread exchange frames with zero torn or stale ones over the keyed-mutex arm, through two mode changes', async () => {
  await stress('keyed-mutex', 0x57e56);
});
