import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATCH_UP_MARGIN_MS, Recorder, type VideoSink } from '../../src/host/recorder.js';
import type { FrameView } from '../../src/host/sinks/frame-view.js';
import { Writable } from 'node:stream';
import { Y4mEncoder } from '../../src/host/sinks/y4m-encoder.js';
import { i420Size } from '../../src/host/sinks/i420-convert.js';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';

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

test('an idle display is caught up as time passes: the periods older than the margin repeat, a late frame still lands in its own', async () => {
  const sink = new ListSink();
  const r = new Recorder(sink, { fps: 10, durationMs: 2000 });
  await r.catchUp(5000);
  assert.deepEqual(sink.shown, [], 'nothing before the first frame');
  await r.accept(frame(1, 1000)); // t0: slot 0
  await r.catchUp(1000 + CATCH_UP_MARGIN_MS + 620); // periods ending before 1620 ms repeat: slots 1..5
  assert.deepEqual(sink.shown, [1, 1, 1, 1, 1, 1]);
  await r.catchUp(1000 + CATCH_UP_MARGIN_MS + 620); // again: nothing new
  assert.equal(sink.shown.length, 6);
  // Presented at 1640 ms (slot 6), delivered within the margin: its own period.
  await r.accept(frame(2, 1640));
  // Presented at 1560 ms (slot 6 too, already taken): a second frame in one period, skipped.
  await r.accept(frame(3, 1560));
  await r.catchUp(1000 + CATCH_UP_MARGIN_MS + 99_000); // far past the end: up to the last period only
  await r.finish();
  assert.deepEqual(sink.shown, [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
  assert.deepEqual(r.counts, { sourceFrames: 3, written: 2, repeated: 18, skipped: 1, outputFrames: 20 });
});

test('catchUp does nothing at a variable rate, and calls made at once reach the sink in order', async () => {
  const vfr = new ListSink();
  const v = new Recorder(vfr, { fps: 10, durationMs: 1000, vfr: true });
  await v.accept(frame(1, 0));
  await v.catchUp(900);
  assert.deepEqual(vfr.shown, [1]);
  // A sink whose writes take a turn each: catchUp, accept and finish called without waiting still interleave correctly.
  class SlowSink extends ListSink {
    override async write(f: FrameView, repeat = 1): Promise<void> {
      await new Promise((res) => setImmediate(res));
      await super.write(f, repeat);
    }
    override async repeatLast(n: number): Promise<void> {
      await new Promise((res) => setImmediate(res));
      await super.repeatLast(n);
    }
  }
  const slow = new SlowSink();
  const r = new Recorder(slow, { fps: 10, durationMs: 1000 });
  await Promise.all([r.accept(frame(1, 0)), r.catchUp(CATCH_UP_MARGIN_MS + 300), r.accept(frame(2, 300)), r.finish()]);
  assert.deepEqual(slow.shown, [1, 1, 1, 2, 2, 2, 2, 2, 2, 2]);
});

test('a frame that shares a period is not written but its damage still reaches the encoder, so the next picture converts only what changed', async () => {
  // The bench's 1%-desktop recording converted every picture whole: at 60 Hz into 60 Hz periods
  // a frame often shares one, and the frame after it looked like a gap in the ring's sequence.
  const w = 8;
  const h = 4;
  const pictures: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (chunk.length === 6 + i420Size(w, h)) pictures.push(Buffer.from(chunk.subarray(6)));
      cb();
    },
  });
  const enc = new Y4mEncoder(stream, { fps: 10, width: w, height: h }, (e) => e, { poolSize: 3 });
  const r = new Recorder(enc, { fps: 10, durationMs: 500 });
  const grey = new Uint8Array(w * h * 4).fill(128);
  const at = (sequence: number, t: number, dirty: [number, number, number, number], pixels: Uint8Array): FrameView => ({
    pixels, width: w, height: h, format: FORMAT_BGRA8, stride: w * 4, sequence, presentTimeMs: t,
    dirty: { x: dirty[0], y: dirty[1], w: dirty[2], h: dirty[3] },
  });
  await r.accept(at(1, 0, [0, 0, w, h], grey));
  await r.accept(at(2, 100, [0, 0, 2, 2], grey));
  await r.accept(at(3, 200, [0, 0, 2, 2], grey));
  await r.accept(at(4, 210, [0, 0, 2, 2], grey)); // the period of frame 3: not written
  // Frame 5 goes into the buffer that held frame 1, claiming only its top-left block changed while
  // every pixel turned white: only the blocks frames 2..5 claimed are converted again.
  const white = new Uint8Array(w * h * 4).fill(255);
  await r.accept(at(5, 300, [0, 0, 2, 2], white));
  await r.finish();
  assert.equal(r.counts.skipped, 1);
  const p = pictures[3]!;
  assert.equal(p[0], 235, 'the claimed block is converted: white');
  assert.equal(p[w * h - 1], pictures[0]![w * h - 1], 'outside it the older picture stays (a gap would have converted it all)');
  await enc.end();
});
