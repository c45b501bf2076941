import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { InvalidArgumentError } from '../../../src/contract/errors.js';
import { snapshotToPng } from '../../../src/host/sinks/png-sink.js';
import { createSink } from '../../../src/host/sinks/create-sink.js';
import type { FrameView } from '../../../src/host/sinks/frame-view.js';
import { HALF, bgraFrame, frameOf, halfFrame, tenBitFrame } from './test-frames.js';

function decode(path: string): { width: number; height: number; data: number[] } {
  const png = pngjs.PNG.sync.read(readFileSync(path));
  return { width: png.width, height: png.height, data: Array.from(png.data) };
}

const cases: Array<{ name: string; frame: FrameView; rgba: number[] }> = [
  {
    name: 'bgra8',
    frame: bgraFrame(2, 2, (x, y) => [x * 200, y * 100, 7], 4),
    rgba: [0, 0, 7, 255, 200, 0, 7, 255, 0, 100, 7, 255, 200, 100, 7, 255],
  },
  {
    name: 'rgba16f',
    frame: halfFrame(2, 1, (x) => (x === 0 ? [HALF.one, HALF.half, HALF.zero] : [HALF.two, HALF.zero, HALF.half]), 8),
    rgba: [255, 188, 0, 255, 255, 0, 188, 255],
  },
  {
    name: 'xrgb2101010',
    frame: tenBitFrame(2, 1, (x) => (x === 0 ? [1023, 512, 0] : [0, 3, 1023])),
    rgba: [255, 128, 0, 255, 0, 1, 255, 255],
  },
];

for (const c of cases) {
  test(`a_${c.name}_snapshot_decodes_to_the_converted_srgb_pixels`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vdp-png-'));
    try {
      const out = join(dir, 'snap.png');
      await snapshotToPng(c.frame, out);
      const png = decode(out);
      assert.deepEqual([png.width, png.height], [c.frame.width, c.frame.height]);
      assert.deepEqual(png.data, c.rgba);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a_png_sink_keeps_the_first_frame_and_counts_the_rest_as_dropped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdp-png-'));
  try {
    const out = join(dir, 'first.png');
    const sink = await createSink(out, { fps: 30, width: 2, height: 1 });
    assert.equal(sink.kind, 'png');
    await sink.write(bgraFrame(2, 1, () => [1, 2, 3]));
    await sink.write(bgraFrame(2, 1, () => [9, 9, 9]));
    await sink.close();
    assert.equal(sink.framesWritten, 1);
    assert.equal(sink.framesDropped, 1);
    assert.deepEqual(decode(out).data, [1, 2, 3, 255, 1, 2, 3, 255]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a_frame_of_an_unknown_format_is_refused_with_invalid_argument', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vdp-png-'));
  try {
    await assert.rejects(snapshotToPng(frameOf(42, 1, 1, 4, new Uint8Array(4)), join(dir, 'x.png')), InvalidArgumentError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
