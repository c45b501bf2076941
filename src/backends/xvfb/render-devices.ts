/**
 * The render adapters of the Xvfb display and the devices made on them (the IndirectDisplayAdapter
 * half of DESIGN.md's map): "hardware" = the framebuffer file, "software" = X GetImage. A device
 * is the current X connection plus the surface reader of its adapter (render-device.ts).
 *
 * Invariant: no device is created without a live connection or after the critical error, and no
 * hardware device while the framebuffer path is broken (breakFramebuffer, a fault on demand).
 */
import { DXGI_ERROR_DEVICE_REMOVED, E_FAIL, S_OK } from '../../display/result-codes.js';
import type { Adapter, DeviceCreation } from '../../display/types.js';
import { FramebufferReader } from './framebuffer-reader.js';
import { GetImageReader } from './getimage-reader.js';
import { XvfbRenderDevice } from './render-device.js';
import type { XConnection } from './x-connection.js';
import { XVFB_HARDWARE_LUID, XVFB_SOFTWARE_LUID } from './display-options.js';

export interface RenderDevicesHost {
  /** The current X connection, or null between servers. */
  connection(): XConnection | null;
  /** The framebuffer file of the screen this display shows. */
  framebufferPath(): string;
  /** True once the critical error was reported: the OS makes nothing more. */
  critical(): boolean;
  recordError(message: string): void;
}

export class XvfbRenderDevices {
  readonly hardware: Adapter = { luid: XVFB_HARDWARE_LUID, kind: 'hardware', name: 'Xvfb framebuffer file' };
  readonly software: Adapter = { luid: XVFB_SOFTWARE_LUID, kind: 'software', name: 'X GetImage' };
  created = 0;
  destroyed = 0;
  private framebufferBroken = false;
  private nextDeviceId = 1;
  private readonly live = new Set<XvfbRenderDevice>();
  private readonly onDestroy = (d: XvfbRenderDevice): void => {
    this.destroyed++;
    this.live.delete(d);
  };

  constructor(private readonly host: RenderDevicesHost) {}

  adapters(): readonly Adapter[] {
    return [this.hardware, this.software];
  }

  create(adapter: Adapter): DeviceCreation {
    const conn = this.host.connection();
    if (this.host.critical() || conn === null || conn.closed) return { hr: DXGI_ERROR_DEVICE_REMOVED, device: null };
    if (adapter.luid === XVFB_HARDWARE_LUID) {
      if (this.framebufferBroken) return { hr: DXGI_ERROR_DEVICE_REMOVED, device: null };
      let reader: FramebufferReader;
      try {
        reader = FramebufferReader.open(this.host.framebufferPath());
      } catch (e) {
        this.host.recordError(`framebuffer: ${(e as Error).message}`);
        return { hr: DXGI_ERROR_DEVICE_REMOVED, device: null };
      }
      this.created++;
      const device = new XvfbRenderDevice(this.nextDeviceId++, this.hardware, conn, reader, null, this.onDestroy);
      this.live.add(device);
      return { hr: S_OK, device };
    }
    if (adapter.luid === XVFB_SOFTWARE_LUID) {
      this.created++;
      return { hr: S_OK, device: new XvfbRenderDevice(this.nextDeviceId++, this.software, conn, null, new GetImageReader(conn), this.onDestroy) };
    }
    return { hr: E_FAIL, device: null };
  }

  /**
   * Makes the framebuffer-file path fail: open hardware devices lose their file (reads fail →
   * DEVICE_REMOVED) and no new hardware device can be created. The GetImage path is unaffected.
   */
  breakFramebuffer(): void {
    this.framebufferBroken = true;
    for (const d of this.live) d.framebuffer?.close();
  }
}
