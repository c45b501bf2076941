import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimDisplay, frameDirtyRects, verifyFrame, type SimDisplay, type SimSwapChain } from '../../../src/backends/sim/index.js';
import { E_FAIL, E_PENDING, S_OK } from '../../../src/display/result-codes.js';
import type { Monitor, SwapChain } from '../../../src/display/types.js';
import type { VirtualClock } from '../../../src/backends/sim/index.js';
import { FakeMonitor } from './fake-monitor.js';

/** A monitor that takes every swap-chain and binds a device, then leaves acquire/finish to the test. */
class ManualMonitor implements Monitor {
  sc: SimSwapChain | null = null;
  constructor(private readonly display: SimDisplay) {}
  assignSwapChain(sc: SwapChain): number {
    const { device } = this.display.adapter.createDevice(sc.renderAdapter);
    assert.equal(sc.setDevice(device!), S_OK);
    this.sc = sc as SimSwapChain;
    return S_OK;
  }
  async unassignSwapChain(): Promise<void> {
    const sc = this.sc;
    this.sc = null;
    const d = sc?.boundDevice;
    sc?.delete();
    d?.destroy();
  }
}

async function started(mode = '160x96@100'): Promise<{ d: SimDisplay<VirtualClock>; m: ManualMonitor }> {
  const d = createSimDisplay({ mode, seed: 4 });
  const m = new ManualMonitor(d);
  await d.start(m);
  return { d, m };
}

test('nothing is presented before setDevice, and presents start at the next vsync after it', async () => {
  const d = createSimDisplay({ mode: '160x96@100' });
  let sc: SwapChain | null = null;
  await d.start({ assignSwapChain: (s) => ((sc = s), S_OK), unassignSwapChain: async () => undefined });
  await d.clock.runFor(50);
  assert.equal(d.stats().presented, 0);
  assert.equal(sc!.acquire(), E_FAIL, 'acquire before SetDevice');
  const { device } = d.adapter.createDevice(sc!.renderAdapter);
  assert.equal(sc!.setDevice(device!), S_OK);
  await d.clock.runFor(10);
  assert.equal(d.stats().presented, 1);
  sc!.delete();
  device!.destroy();
  await d.clock.drive(d.stop());
});

test('acquire hands out the latest frame once, then E_PENDING; the first frame is all dirty and verifies', async () => {
  const { d, m } = await started();
  await d.clock.runFor(15);
  const sc = m.sc!;
  assert.equal(sc.acquire(), S_OK);
  const f = sc.frame;
  assert.equal(f.frameNumber, 1);
  assert.equal(f.presentTimeMs, 10);
  assert.deepEqual([f.dirtyCount, ...f.dirtyRects.subarray(0, 4)], [1, 0, 0, 160, 96]);
  assert.ok(verifyFrame(f.pixels, f.width, f.height, f.stride, f.format, f.frameNumber, d.patternParams()).ok);
  assert.equal(sc.finish(), S_OK);
  assert.equal(sc.acquire(), E_PENDING);
  await d.clock.runFor(10);
  assert.equal(sc.acquire(), S_OK);
  assert.equal(sc.frame.frameNumber, 2);
  const expected = new Int32Array(16);
  const count = frameDirtyRects(d.patternParams(), 160, 96, 2, expected, new Int32Array(12));
  assert.equal(sc.frame.dirtyCount, count);
  assert.deepEqual([...sc.frame.dirtyRects.subarray(0, count * 4)], [...expected.subarray(0, count * 4)]);
  sc.finish();
  await d.clock.drive(d.stop());
  assert.deepEqual(d.checkInvariants({ allowStalls: true }), []);
});

test('dirty rects accumulate over presents the driver did not acquire: applying them to the last acquired copy gives the new frame exactly', async () => {
  const { d, m } = await started();
  await d.clock.runFor(15);
  const sc = m.sc!;
  assert.equal(sc.acquire(), S_OK);
  const copy = Uint8Array.from(sc.frame.pixels);
  sc.finish();
  await d.clock.runFor(20); // two presents (frames 2 and 3), not acquired
  assert.equal(sc.acquire(), S_OK);
  const f = sc.frame;
  assert.equal(f.frameNumber, 3);
  for (let i = 0; i < f.dirtyCount; i++) {
    const [x, y, w, h] = [f.dirtyRects[i * 4]!, f.dirtyRects[i * 4 + 1]!, f.dirtyRects[i * 4 + 2]!, f.dirtyRects[i * 4 + 3]!];
    for (let yy = y; yy < y + h; yy++) copy.set(f.pixels.subarray(yy * f.stride + x * 4, yy * f.stride + (x + w) * 4), yy * f.stride + x * 4);
  }
  assert.ok(verifyFrame(copy, f.width, f.height, f.stride, f.format, 3, d.patternParams()).ok);
  sc.finish();
  await d.clock.drive(d.stop());
});

test('finish without an acquired frame is an error, not counted as finished, and a bugcheck that stops the OS', async () => {
  const { d, m } = await started();
  await d.clock.runFor(15);
  const sc = m.sc!;
  assert.equal(sc.acquire(), S_OK);
  assert.equal(sc.finish(), S_OK);
  assert.equal(sc.finish(), E_FAIL);
  const s = d.stats();
  assert.deepEqual([s.presented, s.acquired, s.finished, s.finishWithoutFrame], [1, 1, 1, 1]);
  assert.match(d.checkInvariants().join('\n'), /finish\(\) was called 1 time\(s\) with no acquired frame/);
  assert.match(d.checkInvariants().join('\n'), /the OS bugchecked: IddCxSwapChainFinishedProcessingFrame was called with no frame acquired/);
  await d.clock.drive(d.stop());
});

test('a second acquire without finish releases the frame unfinished, and the invariants say so', async () => {
  const { d, m } = await started();
  await d.clock.runFor(15);
  const sc = m.sc!;
  sc.acquire();
  await d.clock.runFor(10);
  assert.equal(d.stats().presented, 1, 'an unfinished frame blocks the next present');
  assert.equal(sc.acquire(), E_PENDING);
  assert.equal(d.stats().releasedUnfinished, 1);
  await d.clock.drive(d.stop());
  assert.match(d.checkInvariants().join('\n'), /released by the next acquire\(\) without finish\(\)/);
});

test('must-drain: a driver that stops finishing stalls the display (one stall per episode); it resumes when finishing resumes', async () => {
  const d = createSimDisplay({ mode: '160x96@100' });
  const m = new FakeMonitor(d);
  await d.start(m);
  await d.clock.runFor(200);
  const before = d.stats().presented;
  assert.ok(before >= 19);
  assert.equal(d.stats().stalls, 0);
  m.holdFrames = true;
  await d.clock.runFor(300);
  const held = d.stats();
  assert.ok(held.presented <= before + 1, 'no presents while a frame is held');
  assert.equal(held.stalls, 1, 'one stall for one episode, however long');
  m.resume();
  await d.clock.runFor(200);
  const resumed = d.stats();
  assert.ok(resumed.presented >= held.presented + 18, 'presents resume');
  assert.equal(resumed.stalls, 1);
  m.holdFrames = true;
  await d.clock.runFor(100);
  m.resume();
  await d.clock.runFor(50);
  assert.equal(d.stats().stalls, 2, 'a second episode is a second stall');
  await d.clock.drive(d.stop());
  assert.deepEqual(d.checkInvariants({ allowStalls: true }), []);
  assert.deepEqual(m.integrityErrors, []);
});

test('a present blocked for no longer than the threshold (2 frame periods) is not a stall', async () => {
  const { d, m } = await started('160x96@100');
  await d.clock.runFor(15);
  const sc = m.sc!;
  sc.acquire();
  await d.clock.runFor(20); // vsyncs at 20 and 30 are blocked: 10 ms < 2 periods
  sc.finish();
  await d.clock.runFor(10);
  assert.equal(d.stats().stalls, 0);
  sc.acquire();
  await d.clock.runFor(35); // blocked at 50, 60, 70, 80: > 20 ms
  sc.finish();
  assert.equal(d.stats().stalls, 1);
  await d.clock.drive(d.stop());
});

test('a driver that acquires nothing stalls after the swap-chain\'s buffers fill', async () => {
  const { d } = await started('160x96@100');
  await d.clock.runFor(200);
  const s = d.stats();
  assert.equal(s.presented, 3);
  assert.equal(s.stalls, 1);
  await d.clock.drive(d.stop());
});
