/**
 * The host's check of Xvfb frames: a frame stamped with one sequence passes, a frame mixing two
 * (torn) fails, and a blank screen (the workload has not drawn at this size yet: the first frame of
 * a run, the first after a RandR resize, which the server clears) passes, while a frame torn between
 * blank and drawn still fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';
import { pixelForSequence, WORKLOAD_TILE } from '../../src/backends/xvfb/index.js';
import { createFrameVerifier } from '../../src/host/frame-verifier.js';
import type { ConsumedFrame } from '../../src/ring/index.js';

const W = 320;
const H = 240;

function frame(seqOfTile: (tx: number, ty: number) => number | null): ConsumedFrame {
  const pixels = new Uint8Array(W * H * 4);
  const view = new DataView(pixels.buffer);
  for (let ty = 0; ty * WORKLOAD_TILE < H; ty++) {
    for (let tx = 0; tx * WORKLOAD_TILE < W; tx++) {
      const seq = seqOfTile(tx, ty);
      if (seq === null) continue;
      const px = pixelForSequence(seq, 24, ((tx + ty) & 1) === 1);
      for (let y = ty * WORKLOAD_TILE; y < Math.min(H, (ty + 1) * WORKLOAD_TILE); y++) {
        for (let x = tx * WORKLOAD_TILE; x < Math.min(W, (tx + 1) * WORKLOAD_TILE); x++) view.setUint32((y * W + x) * 4, px, true);
      }
    }
  }
  return { pixels, width: W, height: H, stride: W * 4, format: FORMAT_BGRA8 } as unknown as ConsumedFrame;
}

const verify = createFrameVerifier({ kind: 'xvfb', params: null });

test('an xvfb frame stamped with one sequence passes, one mixing two sequences fails', () => {
  assert.equal(verify(frame(() => 7)), true);
  assert.equal(verify(frame((tx) => (tx < 2 ? 7 : 8))), false);
});

test('a blank xvfb screen passes (nothing drawn at this size yet), a frame torn between blank and drawn fails', () => {
  assert.equal(verify(frame(() => null)), true);
  assert.equal(verify(frame((tx) => (tx < 2 ? 7 : null))), false);
});
