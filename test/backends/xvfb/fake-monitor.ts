/**
 * A small stand-in for the driver's monitor, enough to drive the Xvfb display end to end: on
 * assign it creates a device on the swap-chain's adapter, binds it and runs a drain loop shaped
 * like the processor's (acquire; on E_PENDING wait on surface-available for at most 16 ms; on
 * S_OK hand the frame over, then finish; on anything else leave, delete the swap-chain and destroy
 * the device). With `fallBackToSoftware`, a device loss on the hardware adapter asks the OS for
 * the software adapter, as the recovery ladder does after repeated failures.
 */
import { E_PENDING, S_OK, STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN } from '../../../src/display/result-codes.js';
import { LocalSignal, waitAny } from '../../../src/display/signal.js';
import type { AcquiredFrame, Monitor, RenderDevice, SwapChain } from '../../../src/display/types.js';
import type { XvfbDisplay } from '../../../src/backends/xvfb/index.js';

export interface FakeMonitorOptions {
  onFrame?: (frame: AcquiredFrame, sc: SwapChain) => void;
  fallBackToSoftware?: boolean;
}

export class FakeMonitor implements Monitor {
  acquires = 0;
  pendings = 0;
  frames = 0;
  readonly errors: number[] = [];
  readonly adapterKinds: string[] = [];
  private sc: SwapChain | null = null;
  private loop: Promise<void> | null = null;
  private stopFlag = false;
  private readonly wake = new LocalSignal();
  private copy = new Uint8Array(0);

  constructor(
    private readonly display: XvfbDisplay,
    private readonly opts: FakeMonitorOptions = {},
  ) {}

  get swapChain(): SwapChain | null {
    return this.sc;
  }

  async assignSwapChain(sc: SwapChain): Promise<number> {
    const created = this.display.adapter.createDevice(sc.renderAdapter);
    if (created.hr !== S_OK || !created.device) {
      this.errors.push(created.hr);
      this.maybeFallBack(sc);
      return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    }
    const hr = sc.setDevice(created.device);
    if (hr !== S_OK) {
      this.errors.push(hr);
      created.device.destroy();
      return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    }
    this.sc = sc;
    this.adapterKinds.push(sc.renderAdapter.kind);
    this.stopFlag = false;
    this.loop = this.drain(sc, created.device);
    return S_OK;
  }

  async unassignSwapChain(): Promise<void> {
    this.stopFlag = true;
    this.wake.set();
    await this.loop;
    this.loop = null;
  }

  /**
   * The frame with its pixels in memory: a surface (the framebuffer file) is copied whole into a
   * buffer of the test's, as a consumer without a ring does.
   */
  private materialise(f: AcquiredFrame): AcquiredFrame | null {
    const surface = f.surface ?? null;
    if (surface === null) return f;
    const bytes = f.stride * f.height;
    if (this.copy.byteLength !== bytes) this.copy = new Uint8Array(bytes);
    return surface.copyAll(this.copy, 0, f.stride) ? { ...f, pixels: this.copy } : null;
  }

  private maybeFallBack(sc: SwapChain): void {
    if (this.opts.fallBackToSoftware && sc.renderAdapter.kind === 'hardware') {
      const sw = this.display.adapter.renderAdapters().find((a) => a.kind === 'software')!;
      this.display.adapter.setRenderAdapter(sw.luid);
    }
  }

  private async drain(sc: SwapChain, device: RenderDevice): Promise<void> {
    const signals = [this.wake, sc.surfaceAvailable];
    while (!this.stopFlag) {
      this.acquires++;
      const hr = sc.acquire();
      if (hr === E_PENDING) {
        this.pendings++;
        await waitAny(signals, 16, this.display.clock);
        continue;
      }
      if (hr !== S_OK) {
        this.errors.push(hr);
        this.maybeFallBack(sc);
        break;
      }
      this.frames++;
      if (this.opts.onFrame) {
        // A frame whose copy failed (its device was just removed) is no frame to hand over.
        const f = this.materialise(sc.frame);
        if (f !== null) this.opts.onFrame(f, sc);
      }
      sc.finish();
    }
    sc.delete();
    device.destroy();
    if (this.sc === sc) {
      this.sc = null;
    }
  }
}

/** Polls `cond` every 10 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}
