import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recorder, type VideoSink } from '../../src/host/recorder.js';
import type { FrameView } from '../../src/host/sinks/frame-view.js';

/** A sink that records which source frame (by sequence) each output frame shows. */
class ListSink implements VideoSink {
  readonly shown: number[] = [];
  framesDropped = 0;
  bytesWritten = 0;
  get framesWritten(): number {
    return this.shown.length;
  }
  async write(frame: FrameView, repeat = 1): Promise<void> {
    for (let i = 0; i < repeat; i++) this.shown.push(frame.sequence);
  }
  async repeatLast(n: number): Promise<void> {
    const last = this.shown.at(-1)!;
    for (let i = 0; i < n; i++) this.shown.push(last);
  }
}

function frame(sequence: number, presentTimeMs: number): FrameView {
  return { pixels: new Uint8Array(4), width: 1, height: 1, format: 0, stride: 4, sequence, presentTimeMs, dirty: { x: 0, y: 0, w: 1, h: 1 } };
}

test('constant rate: gaps and the end repeat the last frame; a second frame in one period and a sequence gap are skipped', async () => {
  const sink = new ListSink();
  const r = new Recorder(sink, { fps: 10, durationMs: 1000 });
  assert.equal(r.totalSlots, 10);
  await r.accept(frame(1, 500)); // t0 = 500 ms: slot 0
  await r.accept(frame(2, 600)); // slot 1
  await r.accept(frame(3, 640)); // also slot 1: skipped
  await r.accept(frame(6, 900)); // slot 4 (slots 2, 3 repeat frame 2); 4 and 5 never consumed
  await r.finish();
  assert.deepEqual(sink.shown, [1, 2, 2, 2, 6, 6, 6, 6, 6, 6]);
  assert.deepEqual(r.counts, { sourceFrames: 4, written: 3, repeated: 7, skipped: 3, outputFrames: 10 });
});

test('stopped early, the video ends where the recording was stopped, not at the requested duration', async () => {
  const sink = new ListSink();
  const r = new Recorder(sink, { fps: 10, durationMs: 60_000 });
  await r.accept(frame(1, 0));
  await r.accept(frame(2, 100));
  await r.finish(450);
  assert.deepEqual(sink.shown, [1, 2, 2, 2, 2]);
  assert.equal(r.videoMs, 500);
});
