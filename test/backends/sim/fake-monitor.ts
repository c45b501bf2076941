/**
 * A small hand-written driver for testing the simulated display alone (not the real driver): on
 * assign it creates a device on the swap-chain's adapter and starts a drain loop that binds it
 * (retrying while the monitor flaps), acquires and finishes frames, and on any error deletes the
 * swap-chain and destroys the device. Unassign stops the loop and waits for it. Knobs let a test
 * stop finishing frames, refuse assigns, or record what it saw.
 */
import { LocalSignal, waitAny } from '../../../src/display/signal.js';
import {
  E_PENDING,
  STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN,
  S_OK,
  succeeded,
} from '../../../src/display/result-codes.js';
import type { Monitor, RenderDevice, SwapChain } from '../../../src/display/types.js';
import type { SimDisplay } from '../../../src/backends/sim/index.js';
import { verifyFrame } from '../../../src/backends/sim/index.js';

export interface SeenFrame {
  swapChain: number;
  frameNumber: number;
  dirtyCount: number;
  format: number;
}

export class FakeMonitor implements Monitor {
  /** Stop calling finish() after an acquire (the display must stall). */
  holdFrames = false;
  /** Verify every acquired frame's pixels against the pattern. */
  verify = true;
  /** Keep only the last this many seen frames. */
  keepFrames = 1000;
  /** What assign returned, per call. */
  readonly assignResults: number[] = [];
  /** Every error HRESULT the loop left on, in order. */
  readonly loopErrors: number[] = [];
  readonly setDeviceFailures: number[] = [];
  readonly frames: SeenFrame[] = [];
  readonly integrityErrors: string[] = [];
  assigned: SwapChain[] = [];
  unassignCalls = 0;
  /** Called when the loop leaves on an error, before the swap-chain is deleted (a recovery ladder goes here). */
  onLoopError: ((hr: number, sc: SwapChain) => void) | null = null;
  /** Called for every acquired frame with the device's id. */
  onFrame: ((deviceId: number) => void) | null = null;
  private terminate = false;
  /** Wakes a loop waiting for a frame, so unassign reaches an idle loop at once. */
  private readonly wake = new LocalSignal();
  private loop: Promise<void> | null = null;
  private held = false;

  constructor(private readonly display: SimDisplay) {}

  assignSwapChain(sc: SwapChain): number {
    this.assigned.push(sc);
    const created = this.display.adapter.createDevice(sc.renderAdapter);
    if (created.device === null) {
      this.assignResults.push(STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN);
      return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    }
    this.terminate = false;
    this.wake.reset();
    this.loop = this.run(sc, created.device);
    this.assignResults.push(S_OK);
    return S_OK;
  }

  async unassignSwapChain(): Promise<void> {
    this.unassignCalls++;
    this.terminate = true;
    this.wake.set();
    const l = this.loop;
    this.loop = null;
    if (l !== null) await l;
  }

  /** Stops finishing; resume() finishes the held frame and goes on. */
  resume(): void {
    this.holdFrames = false;
  }

  private async run(sc: SwapChain, device: RenderDevice): Promise<void> {
    const clock = this.display.clock;
    try {
      let bound = false;
      for (let attempt = 0; attempt < 60 && !this.terminate; attempt++) {
        const hr = sc.setDevice(device);
        if (succeeded(hr)) {
          bound = true;
          break;
        }
        this.setDeviceFailures.push(hr);
        await clock.sleep(50);
      }
      if (!bound) return;
      for (;;) {
        if (this.terminate || this.display.halted) break;
        if (this.held) {
          if (this.holdFrames) {
            await clock.sleep(5);
            continue;
          }
          this.held = false;
          sc.finish();
          continue;
        }
        const hr = sc.acquire();
        if (hr === E_PENDING) {
          await waitAny([sc.surfaceAvailable, this.wake], 16, clock);
          continue;
        }
        if (!succeeded(hr)) {
          this.loopErrors.push(hr >>> 0);
          this.onLoopError?.(hr >>> 0, sc);
          break;
        }
        const f = sc.frame;
        this.onFrame?.(device.id);
        this.frames.push({ swapChain: sc.id, frameNumber: f.frameNumber, dirtyCount: f.dirtyCount, format: f.format });
        if (this.frames.length > this.keepFrames) this.frames.shift();
        if (this.verify) {
          const r = verifyFrame(f.pixels, f.width, f.height, f.stride, f.format, f.frameNumber, this.display.patternParams());
          if (!r.ok) this.integrityErrors.push(`frame ${f.frameNumber}: ${r.reason}`);
        }
        if (this.holdFrames) {
          this.held = true;
          continue;
        }
        if (!succeeded(sc.finish())) break;
      }
    } finally {
      // After a critical error the driver is gone: it calls nothing more (the OS reclaimed it all).
      if (!this.display.halted) {
        if (this.held) {
          this.held = false;
          sc.finish();
        }
        sc.delete();
        device.destroy();
      }
    }
  }
}
