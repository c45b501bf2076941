import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublishOutcome } from '../../../src/contract/index.js';
import { FORMAT_XRGB2101010 } from '../../../src/contract/pixel-format.js';
import { HostRing, FramePublisher } from '../../../src/ring/index.js';
import { createXvfbDisplay, verifyXFrame, type XvfbDisplay } from '../../../src/backends/xvfb/index.js';
import { FramebufferReader } from '../../../src/backends/xvfb/framebuffer-reader.js';
import { WorkloadProcess } from '../../../src/backends/xvfb/workload-process.js';
import type { AcquiredFrame } from '../../../src/display/types.js';
import { FakeMonitor, until } from './fake-monitor.js';

const WIDTH = 640;

function isBlank(pixels: Uint8Array): boolean {
  for (let i = 0; i < pixels.length; i += 4096) if (pixels[i] !== 0) return false;
  return true;
}
const HEIGHT = 360;

/** A ring this thread owns and a publisher on it, as the host and the worker hold them. */
function ringFor(d: XvfbDisplay): { ring: HostRing; publisher: FramePublisher } {
  const ring = HostRing.create({ targetId: 1, width: WIDTH, height: HEIGHT, format: d.mode().format });
  const opened = FramePublisher.open(ring.buffer, { targetId: 1 });
  assert.ok(opened.ok, 'the publisher attaches');
  return { ring, publisher: opened.publisher };
}

for (const depth of [24, 30] as const) {
  test(`depth_${depth}_frames_copied_from_the_framebuffer_file_straight_into_the_ring_arrive_whole_and_in_order`, async () => {
    const d = await createXvfbDisplay({ mode: { width: WIDTH, height: HEIGHT, refreshHz: 120 }, depth, workloadFps: 'max', cursor: false });
    try {
      if (depth === 30) assert.equal(d.mode().format, FORMAT_XRGB2101010);
      const { ring, publisher } = ringFor(d);
      const sequences: number[] = [];
      let torn = 0;
      const tornAt: string[] = [];
      let withoutSurface = 0;
      const onFrame = (f: AcquiredFrame): void => {
        if (!f.surface) withoutSurface++;
        if (publisher.publish(f) !== PublishOutcome.Published) return;
        const c = ring.tryConsume();
        if (c === null) return;
        const v = verifyXFrame(c.pixels, c.width, c.height, c.stride, c.format);
        // On a loaded machine the first frame can come before the workload's first draw: a blank
        // screen is no draw at all, not a mix of two.
        if (sequences.length === 0 && !v.ok && isBlank(c.pixels)) return void ring.release(c);
        if (!v.ok) {
          torn++;
          tornAt.push(`#${sequences.length} seq ${v.sequence} (${v.mismatches}/${v.samples} squares differ, dirty ${f.dirtyCount}: ${Array.from(f.dirtyRects.subarray(0, 4 * Math.max(0, f.dirtyCount))).join(',')})`);
        }
        sequences.push(v.sequence);
        ring.release(c);
      };
      const m = new FakeMonitor(d, { onFrame });
      await d.start(m);
      assert.ok(await until(() => sequences.length >= 100, 15_000), `only ${sequences.length} frames`);
      await d.stop();
      assert.equal(withoutSurface, 0, 'the hardware adapter hands the publisher a surface');
      assert.equal(torn, 0, `no frame read under the grab mixes two draws: ${tornAt.join('; ')}`);
      for (let i = 2; i < sequences.length; i++) assert.ok(sequences[i]! > sequences[i - 1]!, `sequence ${sequences[i]} after ${sequences[i - 1]}`);
      assert.deepEqual(m.errors, []);
      assert.equal(d.stats().readFailures, 0);
    } finally {
      await d.stop();
    }
  });
}

test('dirty_rectangles_copied_through_the_surface_into_lagging_slots_leave_the_latest_frame_equal_to_the_screen', async () => {
  const d = await createXvfbDisplay({ mode: { width: WIDTH, height: HEIGHT, refreshHz: 120 }, workload: 'none', cursor: false });
  let workload: WorkloadProcess | null = null;
  try {
    const { ring, publisher } = ringFor(d);
    let published = 0;
    let dirtyFrames = 0;
    let consumedUpTo = 0;
    const onFrame = (f: AcquiredFrame): void => {
      if (f.dirtyCount > 0 && f.dirtyRects[2]! < WIDTH) dirtyFrames++;
      if (publisher.publish(f) !== PublishOutcome.Published) return;
      published++;
      // Consume only every third frame: the other slots fall behind by several frames of damage,
      // which the publisher must copy into them from the surface when it reuses them.
      if (published % 3 === 0) {
        const c = ring.tryConsume();
        if (c !== null) {
          consumedUpTo = c.sequence;
          ring.release(c);
        }
      }
    };
    const m = new FakeMonitor(d, { onFrame });
    await d.start(m);
    const w = (await WorkloadProcess.start('desktop', d.display, 200))!;
    workload = w;
    assert.ok(await until(() => published >= 120, 15_000), `only ${published} frames published`);
    await w.stop();
    workload = null;
    // Quiet: no frame for a while means the damage has settled and the last frame is the screen.
    let last = -1;
    assert.ok(
      await until(() => {
        const settled = published === last;
        last = published;
        return settled;
      }, 10_000),
      'the display goes quiet once the workload stops',
    );
    assert.ok(dirtyFrames > 50, `${dirtyFrames} frames carried partial damage`);
    const c = ring.tryConsume() ?? ring.repeatLast();
    assert.ok(c !== null, 'the ring holds a frame');
    assert.ok(c.sequence >= consumedUpTo);
    const screen = new Uint8Array(WIDTH * 4 * HEIGHT);
    const fb = FramebufferReader.open(d.framebufferPath);
    try {
      assert.ok(fb.read(screen, WIDTH * 4, Int32Array.of(0, 0, WIDTH, HEIGHT), 1));
    } finally {
      fb.close();
    }
    let firstDiff = -1;
    for (let i = 0; i < screen.length; i++) {
      if (screen[i] !== c.pixels[i]) {
        firstDiff = i;
        break;
      }
    }
    assert.equal(firstDiff, -1, `the latest frame differs from the screen at byte ${firstDiff} (row ${Math.floor(firstDiff / (WIDTH * 4))})`);
    ring.release(c);
  } finally {
    await workload?.stop();
    await d.stop();
  }
});
