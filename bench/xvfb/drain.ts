/**
 * The benchmark's consumer of the Xvfb display: a monitor whose loop is the processor's (acquire;
 * E_PENDING → wait on surface-available ≤ 16 ms; S_OK → look, finish) without a ring, so the
 * numbers are the display side's own. It can be paused (stops acquiring; the display then captures
 * nothing more) while another tool grabs the same screen.
 */
import { E_PENDING, S_OK, STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN } from '../../src/display/result-codes.js';
import { LocalSignal, waitAny } from '../../src/display/signal.js';
import type { AcquiredFrame, Monitor, SwapChain } from '../../src/display/types.js';
import type { XvfbDisplay } from '../../src/backends/xvfb/index.js';

export class BenchDrain implements Monitor {
  frames = 0;
  paused = true;
  private loop: Promise<void> | null = null;
  private stopFlag = false;
  private readonly wake = new LocalSignal();

  constructor(
    private readonly display: XvfbDisplay,
    private readonly onFrame: (f: AcquiredFrame) => void,
  ) {}

  resume(): void {
    this.paused = false;
    this.wake.set();
  }

  pause(): void {
    this.paused = true;
  }

  async assignSwapChain(sc: SwapChain): Promise<number> {
    const c = this.display.adapter.createDevice(sc.renderAdapter);
    if (c.hr !== S_OK || !c.device) return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    if (sc.setDevice(c.device) !== S_OK) {
      c.device.destroy();
      return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    }
    this.stopFlag = false;
    const device = c.device;
    this.loop = (async () => {
      const signals = [this.wake, sc.surfaceAvailable];
      while (!this.stopFlag) {
        if (this.paused) {
          await waitAny([this.wake], 100, this.display.clock);
          continue;
        }
        const hr = sc.acquire();
        if (hr === E_PENDING) {
          await waitAny(signals, 16, this.display.clock);
          continue;
        }
        if (hr !== S_OK) break;
        this.frames++;
        this.onFrame(sc.frame);
        sc.finish();
      }
      sc.delete();
      device.destroy();
    })();
    return S_OK;
  }

  async unassignSwapChain(): Promise<void> {
    this.stopFlag = true;
    this.wake.set();
    await this.loop;
    this.loop = null;
  }
}
