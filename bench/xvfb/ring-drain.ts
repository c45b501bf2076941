/**
 * vdpush's capture pipeline as the benchmark runs it, on one thread: the Xvfb display, a monitor
 * whose loop is the processor's (acquire; E_PENDING → wait on surface-available ≤ 16 ms; S_OK →
 * publish into the ring, finish), a FramePublisher and the HostRing it publishes into, whose
 * frames are consumed at once and handed to `onConsumed`. So each frame costs what it costs in a
 * session — the damage copied from the framebuffer file straight into a slot under the grab, the
 * slot handed over — without the second thread (the ring's cross-thread cost is `bench ring`'s).
 *
 * There is no pause: a READY frame holds the server grab until it is acquired, so a drain that
 * stopped acquiring would freeze the X server. Stop the display instead.
 */
import { PublishOutcome } from '../../src/contract/index.js';
import { E_PENDING, S_OK, STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN } from '../../src/display/result-codes.js';
import { LocalSignal, waitAny } from '../../src/display/signal.js';
import type { Monitor, SwapChain } from '../../src/display/types.js';
import type { XvfbDisplay } from '../../src/backends/xvfb/index.js';
import { FramePublisher, HostRing, type ConsumedFrame } from '../../src/ring/index.js';

export class RingDrain implements Monitor {
  frames = 0;
  published = 0;
  consumed = 0;
  /**
   * CPU seconds inside publish() (the damaged bytes read from the framebuffer file into the slot,
   * plus the ring's bookkeeping), this process's (process.cpuUsage: its V8 helper threads too).
   * The benchmark's own accounting, outside the pipeline it measures.
   */
  publishCpuSec = 0;
  private loop: Promise<void> | null = null;
  private stopFlag = false;
  private readonly wake = new LocalSignal();
  private ring: HostRing | null = null;

  constructor(
    private readonly display: XvfbDisplay,
    private readonly onConsumed: (f: ConsumedFrame) => void,
  ) {}

  async assignSwapChain(sc: SwapChain): Promise<number> {
    const c = this.display.adapter.createDevice(sc.renderAdapter);
    if (c.hr !== S_OK || !c.device) return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    if (sc.setDevice(c.device) !== S_OK) {
      c.device.destroy();
      return STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN;
    }
    const mode = this.display.mode();
    this.ring?.close();
    const ring = HostRing.create({ targetId: 1, width: mode.width, height: mode.height, format: mode.format });
    this.ring = ring;
    const opened = FramePublisher.open(ring.buffer, { targetId: 1 });
    if (!opened.ok) throw new Error(`bench ring refused: ${opened.message}`);
    const publisher = opened.publisher;
    this.stopFlag = false;
    const device = c.device;
    this.loop = (async () => {
      const signals = [this.wake, sc.surfaceAvailable];
      while (!this.stopFlag) {
        const hr = sc.acquire();
        if (hr === E_PENDING) {
          await waitAny(signals, 16, this.display.clock);
          continue;
        }
        if (hr !== S_OK) break;
        this.frames++;
        const u0 = process.cpuUsage();
        const outcome = publisher.publish(sc.frame);
        const u = process.cpuUsage(u0);
        this.publishCpuSec += (u.user + u.system) / 1e6;
        if (outcome === PublishOutcome.Published) {
          this.published++;
          const f = ring.tryConsume();
          if (f !== null) {
            this.consumed++;
            this.onConsumed(f);
            ring.release(f);
          }
        }
        sc.finish();
      }
      publisher.detach();
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

  close(): void {
    this.ring?.close();
    this.ring = null;
  }
}
