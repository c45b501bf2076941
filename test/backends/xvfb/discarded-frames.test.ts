/**
 * A frame the Xvfb "OS" presented but took back before the driver acquired it is counted as
 * discarded, so presented = acquired + discarded once no frame is waiting (DisplayStats.discarded).
 * It used to be silently lost from the accounting: a frame READY when a fault's swap-chain was
 * deleted, or when a mode change held the swap-chain back, made the session test's
 * presented === acquired fail now and then under load. Here the monitor acquires only when told,
 * so the frame sits READY for as long as the test needs, whatever the machine's load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S_OK, STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN } from '../../../src/display/result-codes.js';
import type { Monitor, RenderDevice, SwapChain } from '../../../src/display/types.js';
import { createXvfbDisplay, type XvfbDisplay } from '../../../src/backends/xvfb/index.js';
import { until } from './fake-monitor.js';

/** Binds a device to each swap-chain and acquires nothing on its own. */
class HoldingMonitor implements Monitor {
  sc: SwapChain | null = null;
  private device: RenderDevice | null = null;
  assigned = 0;

  constructor(private readonly display: XvfbDisplay) {}

  async assignSwapChain(sc: SwapChain): Promise<number> {
    const c = this.display.adapter.createDevice(sc.renderAdapter);
    if (c.hr !== S_OK || !c.device) return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    if (sc.setDevice(c.device) !== S_OK) {
      c.device.destroy();
      return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    }
    this.sc = sc;
    this.device = c.device;
    this.assigned++;
    return S_OK;
  }

  async unassignSwapChain(): Promise<void> {
    // As the driver does: the processor leaves and deletes its swap-chain.
    this.sc?.delete();
    this.device?.destroy();
    this.sc = null;
    this.device = null;
  }
}

test('a_presented_frame_the_os_takes_back_before_its_acquire_is_counted_discarded', async () => {
  const d = await createXvfbDisplay({ mode: { width: 320, height: 240, refreshHz: 60 }, workloadFps: 60, cursor: false });
  try {
    const m = new HoldingMonitor(d);
    await d.start(m);
    // The first frame becomes READY and stays so: nothing acquires it.
    assert.ok(await until(() => d.stats().presented === 1, 10_000), 'a frame presented');
    const first = m.sc!;
    assert.equal(first.acquire(), S_OK);
    first.finish();
    assert.deepEqual([d.stats().acquired, d.stats().discarded], [1, 0], 'an acquired frame is not discarded');
    // The workload draws again: a second frame READY, then the swap-chain is deleted under it.
    assert.ok(await until(() => d.stats().presented === 2, 10_000), 'the next frame presented');
    first.delete();
    assert.deepEqual([d.stats().presented, d.stats().acquired, d.stats().discarded], [2, 1, 1], 'the READY frame of a deleted swap-chain');
    // The OS assigns a new swap-chain; its first frame is READY when a RandR burst holds it back.
    assert.ok(await until(() => m.assigned === 2 && d.stats().presented === 3, 10_000), 'a frame on the new swap-chain');
    // Through the display's own connection: the READY frame holds the server grab, which blocks
    // every other client (an xrandr would wait for it), never the grabbing one.
    await d.requestMode({ width: 200, height: 150, refreshHz: 60 });
    assert.ok(await until(() => d.mode().width === 200, 10_000), 'the mode follows RandR');
    const s = d.stats();
    assert.ok(s.discarded! >= 2, `the READY frame held back by the burst is discarded too (${s.discarded})`);
  } finally {
    await d.stop();
  }
  // After the stop no frame waits anywhere: every presented frame was acquired or discarded.
  const s = d.stats();
  assert.equal(s.presented, s.acquired + s.discarded!, `presented ${s.presented}, acquired ${s.acquired}, discarded ${s.discarded}`);
});
