/**
 * The ring bench's display side: publishes full frames through a FramePublisher (the ring), or
 * posts each frame as a freshly allocated, transferred ArrayBuffer (the naive baseline). Each
 * frame carries its start time on the clock both threads share (timeOrigin + now).
 */
import { parentPort } from 'node:worker_threads';
import { FORMAT_BGRA8, PublishOutcome } from '../../src/contract/index.js';
import { FramePublisher, type PublishableFrame } from '../../src/ring/index.js';
import { FLOOR_TIMES, type BenchToWorker, type WorkerToBench } from './bench-messages.js';

const port = parentPort!;
const sleepWord = new Int32Array(new SharedArrayBuffer(4));

function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

function sourceFrame(width: number, height: number): PublishableFrame {
  const pixels = new Uint8Array(new SharedArrayBuffer(width * height * 4));
  for (let i = 0; i < pixels.length; i += 4096) pixels[i] = i & 0xff;
  return { pixels, width, height, format: FORMAT_BGRA8, stride: width * 4, frameNumber: 0, presentTimeMs: 0, dirtyRects: new Int32Array(4), dirtyCount: -1 };
}

function pace(until: number): void {
  for (let left = until - performance.now(); left > 0; left = until - performance.now()) Atomics.wait(sleepWord, 0, 0, left);
}

function runRing(m: Extract<BenchToWorker, { type: 'ring' }>): void {
  const r = FramePublisher.open(m.buffer, { targetId: m.targetId });
  if (!r.ok) throw new Error(`bench ring refused: ${r.message}`);
  const frame = sourceFrame(m.width, m.height);
  let published = 0;
  let dropped = 0;
  const end = performance.now() + m.durationMs;
  let next = performance.now();
  while (performance.now() < end) {
    frame.frameNumber++;
    frame.presentTimeMs = sharedNow();
    if (r.publisher.publish(frame) === PublishOutcome.Published) published++;
    else dropped++;
    if (m.paceMs > 0) pace((next += m.paceMs));
  }
  r.publisher.detach();
  port.postMessage({ type: 'ring-done', published, dropped } satisfies WorkerToBench);
}

function runBaseline(m: Extract<BenchToWorker, { type: 'baseline' }>): void {
  const frame = sourceFrame(m.width, m.height);
  const ack = new Int32Array(m.ack);
  let sent = 0;
  const end = performance.now() + m.durationMs;
  let next = performance.now();
  while (performance.now() < end) {
    // At most `window` frames in flight, or the receiver's queue (and memory) would grow unbounded.
    for (let acked = Atomics.load(ack, 0); sent - acked >= m.window; acked = Atomics.load(ack, 0)) Atomics.wait(ack, 0, acked, 50);
    const startedMs = sharedNow();
    const copy = new Uint8Array(frame.pixels.length);
    copy.set(frame.pixels);
    // Where the copy ends and the cross-thread part begins (the ring's publisher stamps the same).
    const copiedMs = sharedNow();
    port.postMessage({ type: 'frame', pixels: copy.buffer, startedMs, copiedMs } satisfies WorkerToBench, [copy.buffer]);
    sent++;
    if (m.paceMs > 0) pace((next += m.paceMs));
  }
  port.postMessage({ type: 'baseline-done', sent } satisfies WorkerToBench);
}

/**
 * The physical floor under the ring's latency: the same frame copied at the same pace into
 * slot-sized SharedArrayBuffers, alternating between two as a paced ring's publishes do (the
 * consumer keeps the frame it was handed last, so the next frame goes to the other slot), then
 * one store and one Atomics.notify; no header, no slot states, no tokens.
 */
function runFloor(m: Extract<BenchToWorker, { type: 'floor' }>): void {
  const frame = sourceFrame(m.width, m.height);
  const slots = [new Uint8Array(new SharedArrayBuffer(frame.pixels.length)), new Uint8Array(new SharedArrayBuffer(frame.pixels.length))];
  // Every page mapped before the clock starts, as bench ring faults in its slots.
  for (const slot of slots) slot.set(frame.pixels);
  const signal = new Int32Array(m.signal);
  const times = new Float64Array(m.times);
  let copied = 0;
  const end = performance.now() + m.durationMs;
  let next = performance.now();
  while (performance.now() < end) {
    const startedMs = sharedNow();
    slots[copied & 1]!.set(frame.pixels);
    const i = ((copied + 1) % FLOOR_TIMES) * 2;
    times[i] = startedMs;
    times[i + 1] = sharedNow();
    Atomics.store(signal, 0, ++copied);
    Atomics.notify(signal, 0);
    if (m.paceMs > 0) pace((next += m.paceMs));
  }
  Atomics.store(signal, 1, 1);
  Atomics.notify(signal, 0);
  port.postMessage({ type: 'floor-done', copied } satisfies WorkerToBench);
}

port.on('message', (m: BenchToWorker) => {
  try {
    if (m.type === 'ring') runRing(m);
    else if (m.type === 'baseline') runBaseline(m);
    else if (m.type === 'floor') runFloor(m);
    else port.close();
  } catch (e) {
    port.postMessage({ type: 'error', message: String((e as Error)?.stack ?? e) } satisfies WorkerToBench);
  }
});
