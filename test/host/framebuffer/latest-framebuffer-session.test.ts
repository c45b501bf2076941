/**
 * The latest framebuffer of a real session (sim, virtual clock: the same run every time) holds
 * the newest frame's ring slot instead of copying it: through format blips (rgba16f frames among
 * bgra8 ones, per-frame formats), a host-recreate and a mode change, the ring counts exactly what
 * the same run counts when each frame is released at once (one held slot never leaves the
 * producer without one), every frame verifies, nothing is copied while frames flow, and when the session ends the view keeps
 * the last frame byte for byte (copied once, as its slot goes back).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_RGBA16F } from '../../../src/contract/pixel-format.js';
import { openSession } from '../../../src/host/session.js';
import { SessionViewerSource } from '../../../src/host/session-viewer-source.js';

const RUN = {
  source: 'sim',
  mode: '160x90@60',
  clock: 'virtual',
  durationMs: 2000,
  faults: 'format-blip@300ms:4,host-recreate@700ms,mode-change@1200ms:128x72@60,format-blip@1600ms',
} as const;

test('a served session holds its newest frame in the ring, drops nothing for it, and keeps the last frame after the end', async () => {
  // The same run consumed the plain way (each frame released at once): what the ring counts then.
  const plain = await openSession(RUN);
  for await (const _f of plain.frames());
  const expected = (await plain.close()).frames;
  const session = await openSession(RUN);
  const source = new SessionViewerSource(session);
  const fb = source.framebuffer;
  let last: Buffer | null = null;
  let rgba16f = 0;
  fb.subscribe({
    framebufferChanged: () => {
      const v = fb.view!;
      if (v.format === FORMAT_RGBA16F) rgba16f++;
      last = Buffer.from(v.pixels.subarray(0, v.stride * v.height));
    },
  });
  await source.pump();
  const s = await session.close();
  assert.ok(fb.counts.frames > 60, `frames accepted: ${fb.counts.frames}`);
  assert.equal(fb.counts.held, fb.counts.frames, 'every frame was held, none copied');
  assert.equal(rgba16f, 5, 'the blip frames are held in their own format');
  assert.equal(fb.counts.resized, 2, 'the first frame and the new mode');
  assert.equal(s.frames.integrityErrors, 0);
  assert.equal(s.frames.dropped.allSlotsBusy, 0);
  // Holding a slot changes nothing the display side counts. Which of the frames around the
  // host-recreate the host takes and which its stash republish overwrites varies from run to run
  // either way (real threads), so consumed and overwritten are compared as their sum.
  const display = (f: typeof expected) => [f.presented, f.acquired, f.finished, f.published, f.dropped.descMismatch, f.dropped.allSlotsBusy, f.dropped.stale, f.dropped.noPublisher, f.consumed + f.dropped.overwritten];
  assert.deepEqual(display(s.frames), display(expected), 'the ring counts what it counts when each frame is released at once');
  assert.ok(s.ring.generations >= 3, 'recreated for the fault and the mode');
  // Only the end copied: the last frame, once, as its slot went back.
  const v = fb.view!;
  assert.deepEqual([v.width, v.height], [128, 72]);
  assert.equal(fb.counts.copiedBytes, v.stride * v.height);
  assert.ok(last !== null && Buffer.from(v.pixels.subarray(0, v.stride * v.height)).equals(last), 'the view still shows the last frame');
});

test('a ring too short to spare a slot (1 or 2) is not kept from: the framebuffer copies, and its frames keep coming', async () => {
  for (const ringLen of [1, 2]) {
    const session = await openSession({ source: 'sim', mode: '64x36@60', clock: 'virtual', durationMs: 500, ringLen });
    const source = new SessionViewerSource(session);
    await source.pump();
    const s = await session.close();
    const fb = source.framebuffer;
    assert.equal(fb.counts.held, 0, `ringLen ${ringLen}`);
    assert.ok(fb.counts.frames > 20 && fb.counts.frames === s.frames.consumed, `ringLen ${ringLen}: ${fb.counts.frames} frames accepted of ${s.frames.consumed} consumed`);
    assert.equal(s.frames.integrityErrors, 0);
  }
});

