import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { StalePictures } from '../../../src/host/sinks/stale-pictures.js';
import { Y4mEncoder } from '../../../src/host/sinks/y4m-encoder.js';
import { I420Converter, i420Size } from '../../../src/host/sinks/i420-convert.js';
import { FORMAT_BGRA8 } from '../../../src/contract/pixel-format.js';
import type { FrameView } from '../../../src/host/sinks/frame-view.js';
import { frameOf } from './test-frames.js';
import { prng, randInt, seedsFor, withSeed } from '../../ring/helpers.js';

function frame(w: number, h: number, sequence: number, dirty: [number, number, number, number], pixels: Uint8Array = new Uint8Array(w * h * 4)): FrameView {
  const f = frameOf(FORMAT_BGRA8, w, h, w * 4, pixels, sequence);
  f.dirty = { x: dirty[0], y: dirty[1], w: dirty[2], h: dirty[3] };
  return f;
}

function box(s: StalePictures, i: number): number[] {
  const out = new Int32Array(4);
  s.staleBox(i, 100, 50, out);
  return Array.from(out);
}

test('a_buffer_is_stale_where_frames_changed_since_it_was_written_and_whole_after_a_gap_or_a_new_size', () => {
  const s = new StalePictures(3);
  assert.deepEqual(box(s, 0), [0, 0, 100, 50], 'never written: all of it');
  s.note(frame(100, 50, 7, [0, 0, 100, 50]));
  s.fresh(0);
  assert.deepEqual(box(s, 0), [0, 0, 0, 0], 'just written: nothing');
  s.note(frame(100, 50, 8, [10, 20, 5, 5]));
  s.note(frame(100, 50, 9, [40, 2, 10, 3]));
  assert.deepEqual(box(s, 0), [10, 2, 50, 25], 'the box around both changes');
  s.note(frame(100, 50, 10, [0, 0, 0, 0]));
  assert.deepEqual(box(s, 0), [10, 2, 50, 25], 'a frame that changed nothing adds nothing');
  assert.deepEqual(box(s, 1), [0, 0, 100, 50], 'the other buffers were never written');
  s.note(frame(100, 50, 12, [1, 1, 1, 1]));
  assert.deepEqual(box(s, 0), [0, 0, 100, 50], 'a skipped sequence number: everything');
  s.fresh(0);
  s.note(frame(100, 50, 13, [1, 1, 1, 1]));
  s.note(frame(60, 50, 14, [1, 1, 1, 1]));
  assert.deepEqual(box(s, 0), [0, 0, 100, 50], 'another size: everything');
  s.fresh(0);
  s.note(frame(60, 50, 0xffffffff, [1, 1, 1, 1]));
  s.fresh(0);
  s.note(frame(60, 50, 0, [3, 4, 1, 1]));
  assert.deepEqual(box(s, 0), [3, 4, 4, 5], 'the sequence wraps at 2^32 without a gap');
  s.stale(0);
  assert.deepEqual(box(s, 0), [0, 0, 100, 50]);
  s.fresh(0);
  s.note({ ...frame(60, 50, 3, [5, 6, 2, 2]), dirtySpan: 3 });
  assert.deepEqual(box(s, 0), [5, 6, 7, 8], 'a gap the frame\'s dirty span reaches over: its bounds');
  s.note({ ...frame(60, 50, 7, [1, 1, 1, 1]), dirtySpan: 3 });
  assert.deepEqual(box(s, 0), [0, 0, 100, 50], 'one beyond its reach: everything');
});

/** A stream that keeps a copy of every picture written (the encoder reuses its buffers) and calls back at once. */
function collector(pictureBytes: number): { stream: Writable; pictures: Buffer[] } {
  const pictures: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (chunk.length === 6 + pictureBytes) pictures.push(Buffer.from(chunk.subarray(6)));
      cb();
    },
  });
  return { stream, pictures };
}

test('the_y4m_encoder_converts_only_what_changed_since_its_buffer_held_a_picture', async () => {
  const w = 8;
  const h = 4;
  const { stream, pictures } = collector(i420Size(w, h));
  const enc = new Y4mEncoder(stream, { fps: 30, width: w, height: h }, (e) => e, { poolSize: 3 });
  const grey = new Uint8Array(w * h * 4).fill(128);
  await enc.write(frame(w, h, 1, [0, 0, w, h], grey));
  for (let seq = 2; seq <= 3; seq++) await enc.write(frame(w, h, seq, [0, 0, 0, 0], grey));
  // Frame 4 (into the buffer that held frame 1) claims to have changed only its top-left 2x2 block
  // while every pixel turned white: only the claimed block is converted again.
  const white = new Uint8Array(w * h * 4).fill(255);
  await enc.write(frame(w, h, 4, [0, 0, 2, 2], white));
  const p = pictures[3]!;
  assert.equal(p[0], 235, 'the claimed block is converted: white');
  assert.equal(p[2], pictures[0]![2], 'outside it the older picture stays');
  assert.notEqual(p[2], 235);
  assert.equal(p[w * h - 1], pictures[0]![w * h - 1]);
  // A skipped sequence number (frames the encoder never saw) converts everything.
  await enc.write(frame(w, h, 6, [0, 0, 1, 1], white));
  assert.equal(pictures[4]![w * h - 1], 235);
  await enc.end();
});

test('a_recording_of_honest_frames_with_random_damage_gaps_and_drops_writes_each_frame_exactly', async () => {
  for (const seed of seedsFor([0x7a1e, 0x7a1f])) {
    const rand = prng(seed);
    const w = randInt(rand, 3, 21);
    const h = randInt(rand, 3, 13);
    const pending: Array<() => void> = [];
    const pictures: Buffer[] = [];
    // Calls back only when the test says so, so the pool fills and frames are dropped too.
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (chunk.length === 6 + i420Size(w, h)) pictures.push(Buffer.from(chunk.subarray(6)));
        pending.push(() => cb());
      },
    });
    const enc = new Y4mEncoder(stream, { fps: 30, width: w, height: h }, (e) => e);
    const expected: Buffer[] = [];
    const ref = new I420Converter();
    const px = new Uint8Array(w * h * 4);
    let seq = 1;
    for (let i = 0; i < 120; i++) {
      const x = randInt(rand, 0, w - 1);
      const y = randInt(rand, 0, h - 1);
      const dw = randInt(rand, 1, w - x);
      const dh = randInt(rand, 1, h - y);
      for (let yy = y; yy < y + dh; yy++) for (let xx = x; xx < x + dw; xx++) for (let k = 0; k < 4; k++) px[(yy * w + xx) * 4 + k] = Math.floor(rand() * 256);
      if (rand() < 0.1) {
        // A frame the recorder skipped: its change is in the pixels, its damage never reaches the encoder.
        seq++;
        const k = randInt(rand, 0, w * h - 1);
        px[4 * k] = (px[4 * k]! + 97) & 255;
      }
      seq++;
      const before = enc.framesWritten;
      void enc.write(frame(w, h, seq, [x, y, dw, dh], px));
      if (enc.framesWritten > before) {
        const e = Buffer.alloc(i420Size(w, h));
        ref.convert(frame(w, h, seq, [0, 0, w, h], px), e, 0);
        expected.push(e);
      }
      if (rand() < 0.6) pending.splice(0).forEach((cb) => cb());
      await new Promise((r) => setImmediate(r));
    }
    // The stream hands its queued chunks over one callback at a time.
    for (let k = 0; k < 50 && pictures.length < expected.length; k++) {
      pending.splice(0).forEach((cb) => cb());
      await new Promise((r) => setImmediate(r));
    }
    withSeed(seed, () => {
      assert.ok(enc.framesDropped > 0 && expected.length > 30, `the run dropped ${enc.framesDropped} and wrote ${expected.length}`);
      assert.equal(pictures.length, expected.length);
      for (let i = 0; i < expected.length; i++) assert.deepEqual(pictures[i], expected[i], `picture ${i}`);
    });
  }
});

test('a writer that does not wait while a whole picture converts on the helpers: a frame noted meanwhile stays stale in that buffer', async () => {
  const w = 800;
  const h = 600;
  const { stream, pictures } = collector(i420Size(w, h));
  const enc = new Y4mEncoder(stream, { fps: 30, width: w, height: h }, (e) => e, { poolSize: 3 });
  const bands = (enc as unknown as { converter: { banded: number } }).converter;
  const shared = (fill: number, block?: [number, number]): Uint8Array => {
    const px = new Uint8Array(new SharedArrayBuffer(w * h * 4)).fill(fill);
    if (block) for (let y = block[1]; y < block[1] + 2; y++) px.fill(255, (y * w + block[0]) * 4, (y * w + block[0] + 2) * 4);
    return px;
  };
  let seq = 0;
  // Whole pictures until the helpers have taken one (they start with the first).
  for (let k = 0; k < 100 && bands.banded === 0; k++) {
    await enc.write(frame(w, h, ++seq, [0, 0, w, h], shared(128)));
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(bands.banded > 0, 'the helpers converted a picture');
  for (let k = 0; k < 3; k++) await enc.write(frame(w, h, ++seq, [0, 0, w, h], shared(128)));
  // Every buffer flushed, so the next whole picture takes buffer 0.
  await new Promise((r) => setTimeout(r, 50));
  // A whole picture converting on the helpers, and, without waiting, a frame whose white block at
  // (100, 100) the next picture into that buffer must show.
  const busy = enc.write(frame(w, h, ++seq, [0, 0, w, h], shared(128)));
  const next = enc.write(frame(w, h, ++seq, [100, 100, 2, 2], shared(128, [100, 100])));
  await Promise.all([busy, next]);
  // Both flushed, so the next frame takes buffer 0 again: the one converted on the helpers.
  await new Promise((r) => setTimeout(r, 50));
  await enc.write(frame(w, h, ++seq, [0, 0, 0, 0], shared(128, [100, 100])));
  const last = pictures.at(-1)!;
  assert.equal(last[100 * w + 100], 235, 'the block changed after that buffer\'s conversion began is converted again');
  await enc.end();
});
