/**
 * The FrameStash keeps the last frame and republishes it into a freshly attached ring, copying
 * only dirty rectangles when it holds the previous frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';
import type { AcquiredFrame } from '../../src/display/types.js';
import { FrameStash } from '../../src/driver/frame-stash.js';
import { SwapChainProcessor } from '../../src/driver/swap-chain-processor.js';
import { TerminateFlag } from '../../src/driver/terminate-signal.js';
import { FakeClock } from './fakes/fake-clock.js';
import { FakeDevice, FakeSwapChain, HARDWARE } from './fakes/fake-display.js';
import { FakeRingPort } from './fakes/fake-ring.js';

function frame(width: number, height: number): AcquiredFrame {
  return {
    pixels: new Uint8Array(width * height * 4),
    width,
    height,
    format: FORMAT_BGRA8,
    stride: width * 4,
    frameNumber: 0,
    presentTimeMs: 0,
    dirtyRects: new Int32Array(8),
    dirtyCount: -1,
    cursor: null,
  };
}

test('a_host_opening_onto_an_idle_desktop_gets_the_last_frame_at_once', async () => {
  const clock = new FakeClock();
  const sc = new FakeSwapChain();
  const ring = new FakeRingPort();
  ring.available = false;
  const stash = new FrameStash();
  const proc = new SwapChainProcessor({
    swapChain: sc,
    device: new FakeDevice(HARDWARE),
    clock,
    ring,
    terminate: TerminateFlag.local(),
    stash,
  });
  sc.present(3);
  void proc.run();
  await clock.runFor(10);
  assert.equal(proc.counters.dropped.noPublisher, 3);
  // The desktop goes idle; later the host creates its ring. No present follows.
  ring.available = true;
  await clock.runFor(16 * 32);
  const p = ring.last!;
  assert.deepEqual(p.published, [{ frameNumber: 3, firstByte: 3, dirtyCount: -1 }]);
  assert.equal(proc.counters.republished, 1);
  assert.equal(proc.counters.published, 0, 'a republish is not an acquired frame');
  assert.equal(stash.needsRepublish, false);
  await clock.drive(proc.stop());
});

test('a_ring_that_already_holds_the_frame_gets_no_republish', async () => {
  const clock = new FakeClock();
  const ring = new FakeRingPort();
  const stash = new FrameStash();
  const runOne = async (sc: FakeSwapChain) => {
    const proc = new SwapChainProcessor({
      swapChain: sc,
      device: new FakeDevice(HARDWARE),
      clock,
      ring,
      terminate: TerminateFlag.local(),
      stash,
    });
    void proc.run();
    await clock.runFor(10);
    await clock.drive(proc.stop());
    return proc;
  };
  const sc1 = new FakeSwapChain();
  sc1.present(2);
  await runOne(sc1);
  // A new swap-chain re-attaches to the same ring, which already shows the last frame.
  const proc2 = await runOne(new FakeSwapChain());
  assert.equal(proc2.counters.republished, 0);
  assert.equal(ring.publishers[1]!.published.length, 0);
});

test('the_stash_copies_only_dirty_rectangles_when_it_holds_the_previous_frame', () => {
  const stash = new FrameStash();
  const f = frame(16, 8);
  for (let i = 0; i < f.pixels.length; i++) f.pixels[i] = i & 0xff;
  f.frameNumber = 1;
  stash.capture(f, true);
  assert.equal(stash.fullCopies, 1);
  // Frame 2 changes a 3x2 rectangle at (5, 4) only.
  f.frameNumber = 2;
  for (let y = 4; y < 6; y++) for (let x = 5; x < 8; x++) f.pixels.fill(0xee, (y * 16 + x) * 4, (y * 16 + x + 1) * 4);
  f.dirtyRects.set([5, 4, 3, 2]);
  f.dirtyCount = 1;
  stash.capture(f, true);
  assert.equal(stash.rectCopies, 1);
  assert.equal(stash.fullCopies, 1);
  assert.deepEqual(stash.frame.pixels, f.pixels);
  assert.equal(stash.frame.frameNumber, 2);
});

test('a_rectangle_outside_the_surface_is_clamped_never_copied_out_of_bounds', () => {
  const stash = new FrameStash();
  const f = frame(4, 4);
  stash.capture(f, true);
  f.pixels.fill(7);
  f.dirtyRects.set([2, 2, 100, 100, -5, -5, 6, 6]);
  f.dirtyCount = 2;
  stash.capture(f, true);
  // Both rectangles clipped to the 4x4 surface cover x<1,y<1 and x>=2,y>=2.
  assert.equal(stash.frame.pixels[0], 7);
  assert.equal(stash.frame.pixels[(3 * 4 + 3) * 4], 7);
  assert.equal(stash.frame.pixels[(0 * 4 + 3) * 4], 0);
});

test('a_new_swap_chain_or_unknown_dirty_region_takes_a_full_copy', () => {
  const stash = new FrameStash();
  const f = frame(4, 4);
  stash.capture(f, true);
  f.dirtyCount = 1;
  f.dirtyRects.set([0, 0, 1, 1]);
  stash.beginSwapChain();
  f.pixels.fill(9);
  stash.capture(f, true);
  assert.equal(stash.fullCopies, 2);
  assert.deepEqual(stash.frame.pixels, f.pixels);
  f.dirtyCount = -1;
  stash.capture(f, true);
  assert.equal(stash.fullCopies, 3);
});

test('a_mode_change_reshapes_the_stash_and_reuses_its_storage_when_it_fits', () => {
  const stash = new FrameStash();
  stash.capture(frame(8, 8), true);
  const big = stash.frame.pixels.buffer;
  const small = frame(4, 4);
  small.pixels.fill(3);
  stash.capture(small, false);
  assert.equal(stash.frame.width, 4);
  assert.equal(stash.frame.pixels.byteLength, 64);
  assert.equal(stash.frame.pixels.buffer, big, 'no allocation for a smaller mode');
  assert.ok(stash.needsRepublish, 'a frame the ring did not take is pending');
});

test('a_frame_the_ring_took_is_referenced_in_its_slot_not_copied', () => {
  const stash = new FrameStash();
  const f = frame(4, 2);
  f.pixels.fill(9);
  const slot = new Uint8Array(4 * 2 * 4).fill(5);
  stash.reference(f, slot, 16);
  assert.equal(stash.frame.pixels, slot, 'the stash shows the slot itself');
  assert.equal(stash.fullCopies + stash.rectCopies, 0);
  assert.equal(stash.references, 1);
  assert.equal(stash.needsRepublish, false);
  // A later frame the ring did not take is copied whole into the stash's own storage (the slot
  // is not the previous frame's copy of the stash's storage, so no dirty-only copy applies).
  const g = frame(4, 2);
  g.pixels.fill(3);
  g.dirtyCount = 1;
  g.dirtyRects.set([0, 0, 1, 1]);
  stash.capture(g, false);
  assert.notEqual(stash.frame.pixels, slot);
  assert.deepEqual([...stash.frame.pixels], new Array(32).fill(3));
  assert.equal(stash.fullCopies, 1);
  assert.equal(stash.needsRepublish, true);
  assert.deepEqual([...slot], new Array(32).fill(5), 'the slot is never written by the stash');
});

test('a_frame_that_only_a_surface_can_copy_is_stashed_through_the_surface', () => {
  const stash = new FrameStash();
  const f = frame(4, 2);
  f.pixels = new Uint8Array(0);
  const calls: string[] = [];
  f.surface = {
    copyAll: (dst, offset, stride) => {
      calls.push(`all ${offset} ${stride}`);
      dst.fill(7, offset, offset + stride * 2);
      return true;
    },
    copyRects: () => {
      calls.push('rects');
      return true;
    },
    copiesDone: () => calls.push('done'),
  };
  stash.capture(f, false);
  assert.deepEqual(calls, ['all 0 16']);
  assert.deepEqual([...stash.frame.pixels], new Array(32).fill(7));
  assert.equal(stash.frame.surface ?? null, null, 'the stashed frame is plain memory');
});
