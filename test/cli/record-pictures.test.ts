/**
 * What a recording's pictures hold, read by a client no one here wrote: ffmpeg decodes the Y4M
 * `record -` writes, and each picture's MD5 must equal that of the same frame converted whole, in
 * this process, on the same deterministic run (virtual clock, same seed). The encoder converts only
 * what changed since its buffer last held a picture (stale-pictures.ts); this pins that what it
 * skipped was truly unchanged, on the ring's real dirty bounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CLI } from './cli-helpers.js';
import { recordToFramemd5 } from './record-helpers.js';
import { openSession } from '../../src/host/session.js';
import { Recorder, type VideoSink } from '../../src/host/recorder.js';
import { I420Converter, i420Size } from '../../src/host/sinks/i420-convert.js';
import type { FrameView } from '../../src/host/sinks/frame-view.js';
import { sessionOptionsFromFlags } from '../../src/cli/source-flags.js';

const W = 96;
const H = 64;

async function ffmpegMd5s(flags: string[]): Promise<string[]> {
  const { code, ffcode, stderr, md5s } = await recordToFramemd5(CLI, flags);
  assert.equal(code, 0, stderr);
  assert.equal(ffcode, 0);
  return md5s;
}

/** The same run in this process, every picture converted whole. */
async function referenceMd5s(flags: Record<string, string>, durationMs: number): Promise<string[]> {
  const md5s: string[] = [];
  const conv = new I420Converter();
  const pic = new Uint8Array(i420Size(W, H));
  let last = '';
  const sink: VideoSink = {
    framesWritten: 0,
    framesDropped: 0,
    bytesWritten: 0,
    async write(f: FrameView, repeat = 1) {
      conv.convert(f, pic, 0);
      last = createHash('md5').update(pic).digest('hex');
      for (let i = 0; i < repeat; i++) md5s.push(last);
    },
    async repeatLast(n: number) {
      for (let i = 0; i < n; i++) md5s.push(last);
    },
  };
  const opts = sessionOptionsFromFlags(flags);
  opts.durationMs = durationMs;
  const session = await openSession(opts);
  try {
    const rec = new Recorder(sink, { fps: 60, durationMs });
    for await (const f of session.frames(1)) await rec.accept(f);
    await rec.finish();
  } finally {
    await session.close();
  }
  return md5s;
}

for (const pattern of ['desktop', 'moving']) {
  test(`every recorded picture of the ${pattern} pattern is the whole frame's conversion (ffmpeg reads the Y4M)`, async () => {
    const flags = { clock: 'virtual', pattern, mode: `${W}x${H}@60`, seed: '5' };
    const [got, want] = await Promise.all([
      ffmpegMd5s(Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]).concat(['--duration', '1s'])),
      referenceMd5s(flags, 1000),
    ]);
    assert.equal(got.length, 60);
    assert.ok(new Set(want).size > 30, `the run changes its picture (${new Set(want).size} distinct)`);
    assert.deepEqual(got, want);
  });
}
