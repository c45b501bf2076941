import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../../src/contract/errors.js';
import { Y4MSink } from '../../../src/host/sinks/y4m-sink.js';
import { createSink } from '../../../src/host/sinks/create-sink.js';
import { fpsToRational, poolSizeFor } from '../../../src/host/sinks/y4m-encoder.js';
import { i420Size } from '../../../src/host/sinks/i420-convert.js';
import { SinkError } from '../../../src/contract/errors.js';
import { bgraFrame } from './test-frames.js';

interface ParsedY4m {
  header: string;
  frames: Buffer[];
}

function parseY4m(bytes: Buffer, frameBytes: number): ParsedY4m {
  const nl = bytes.indexOf(0x0a);
  const header = bytes.subarray(0, nl).toString('latin1');
  const frames: Buffer[] = [];
  let o = nl + 1;
  while (o < bytes.length) {
    assert.equal(bytes.subarray(o, o + 6).toString('latin1'), 'FRAME\n', `frame marker at byte ${o}`);
    frames.push(bytes.subarray(o + 6, o + 6 + frameBytes));
    o += 6 + frameBytes;
  }
  assert.equal(o, bytes.length, 'the file ends on a frame boundary');
  return { header, frames };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vdp-y4m-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a_y4m_file_has_the_header_and_one_record_per_frame_written', () =>
  withDir(async (dir) => {
    const out = join(dir, 'rec.y4m');
    const sink = new Y4MSink(out, { fps: 30, width: 6, height: 4 });
    await sink.ready();
    for (let i = 0; i < 5; i++) await sink.write(bgraFrame(6, 4, () => [i * 50, i * 50, i * 50], 0, i));
    await sink.write(bgraFrame(6, 4, () => [255, 255, 255]), 2); // an idle stretch, repeated
    await sink.close();
    assert.equal(sink.framesWritten, 7);
    const y4m = parseY4m(readFileSync(out), 6 * 4 + 2 * 3 * 2);
    assert.equal(y4m.header, 'YUV4MPEG2 W6 H4 F30:1 Ip A1:1 C420jpeg XCOLORRANGE=LIMITED');
    assert.equal(y4m.frames.length, 7);
    assert.equal(y4m.frames[0]![0], 16, 'black is Y 16 in limited range');
    assert.equal(y4m.frames[6]![0], 235, 'white is Y 235 in limited range');
    assert.equal(y4m.frames[6]![6 * 4], 128, 'grey has neutral chroma');
  }));

test('odd_sizes_write_rounded_up_chroma_planes', () =>
  withDir(async (dir) => {
    const out = join(dir, 'odd.y4m');
    const sink = await createSink(out, { fps: 25, width: 5, height: 3 });
    await sink.write(bgraFrame(5, 3, () => [0, 0, 255]));
    await sink.close();
    const y4m = parseY4m(readFileSync(out), 5 * 3 + 2 * 3 * 2);
    assert.equal(y4m.frames.length, 1);
  }));

test('a_writer_that_does_not_wait_has_frames_dropped_not_queued', () =>
  withDir(async (dir) => {
    const out = join(dir, 'burst.y4m');
    const sink = new Y4MSink(out, { fps: 60, width: 64, height: 64 });
    await sink.ready();
    const pending: Promise<void>[] = [];
    const pool = poolSizeFor(i420Size(64, 64));
    for (let i = 0; i < pool + 7; i++) pending.push(sink.write(bgraFrame(64, 64, () => [i, i, i])));
    // Write callbacks cannot run inside this synchronous burst: the pool's buffers fill, the rest drop.
    assert.equal(sink.framesWritten, pool);
    assert.equal(sink.framesDropped, 7);
    await Promise.all(pending);
    await sink.close();
    assert.equal(parseY4m(readFileSync(out), 64 * 64 + 2 * 32 * 32).frames.length, pool);
  }));

test('a_frame_of_another_size_is_counted_and_skipped', () =>
  withDir(async (dir) => {
    const sink = new Y4MSink(join(dir, 'size.y4m'), { fps: 30, width: 4, height: 4 });
    await sink.write(bgraFrame(8, 4, () => [0, 0, 0]));
    await sink.close();
    assert.equal(sink.framesWritten, 0);
    assert.equal(sink.framesDropped, 1);
  }));

test('frame_rates_become_exact_rationals', () => {
  assert.deepEqual(fpsToRational(60), [60, 1]);
  assert.deepEqual(fpsToRational(29.97), [30000, 1001]);
  assert.deepEqual(fpsToRational(59.94), [60000, 1001]);
  assert.deepEqual(fpsToRational(12.5), [25, 2]);
});

test('bad_options_and_unknown_extensions_are_invalid_arguments', () =>
  withDir(async (dir) => {
    assert.throws(() => new Y4MSink(join(dir, 'a.y4m'), { fps: 0, width: 4, height: 4 }), InvalidArgumentError);
    assert.throws(() => new Y4MSink(join(dir, 'a.y4m'), { fps: 30, width: 4.5, height: 4 }), InvalidArgumentError);
    await assert.rejects(createSink(join(dir, 'a.avi'), { fps: 30, width: 4, height: 4 }), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.match(e.message, /\.png, \.y4m, \.mp4/);
      return true;
    });
  }));

test('an_uncreatable_file_is_a_sink_error', () =>
  withDir(async (dir) => {
    await assert.rejects(createSink(join(dir, 'no', 'such', 'dir.y4m'), { fps: 30, width: 4, height: 4 }), SinkError);
  }));

test('the picture pool is 3 to 8 buffers and at most 64 MiB: 8 at 1080p, 5 at 4K, 3 at 8K', () => {
  assert.equal(poolSizeFor(i420Size(64, 64)), 8);
  assert.equal(poolSizeFor(i420Size(1920, 1080)), 8);
  assert.equal(poolSizeFor(i420Size(3840, 2160)), 5);
  assert.equal(poolSizeFor(i420Size(7680, 4320)), 3);
});
