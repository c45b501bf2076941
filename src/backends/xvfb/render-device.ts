/**
 * A "D3D device" of the Xvfb backend (DESIGN.md, the map): the X connection plus the surface
 * reader of its render adapter — the opened framebuffer file on the hardware adapter, GetImage on
 * the software one.
 *
 * Like a D3D device, once removed it never recovers: removedReason() turns
 * DXGI_ERROR_DEVICE_REMOVED for good when the X connection ends (the server died), the framebuffer
 * file vanished or a read of it failed, or the device was destroyed. An injected device fault
 * (xvfb-faults.ts) removes it with the fault's own reason (DEVICE_RESET, DEVICE_HUNG, ...), which
 * is what the driver reads when it asks the device why it failed.
 */
import { DXGI_ERROR_DEVICE_REMOVED, S_OK } from '../../display/result-codes.js';
import type { Adapter, RenderDevice } from '../../display/types.js';
import type { FramebufferReader } from './framebuffer-reader.js';
import type { GetImageReader } from './getimage-reader.js';
import type { XConnection } from './x-connection.js';

export class XvfbRenderDevice implements RenderDevice {
  destroyed = false;
  /** Set by a failed read (or a vanished file); sticky. */
  private failed = false;
  /** The reason an injected fault removed the device with; S_OK while none did. */
  private injectedReason = S_OK;

  constructor(
    readonly id: number,
    readonly adapter: Adapter,
    readonly conn: XConnection,
    /** Hardware adapter: the framebuffer file; null on the software adapter. */
    readonly framebuffer: FramebufferReader | null,
    /** Software adapter: GetImage; null on the hardware adapter. */
    readonly getImage: GetImageReader | null,
    private readonly onDestroy: (device: XvfbRenderDevice) => void,
  ) {}

  /** The cheap check the hot path uses (no syscall). */
  lost(): boolean {
    return this.failed || this.destroyed || this.conn.closed || this.injectedReason !== S_OK;
  }

  /** An injected device fault: removed for good with `hr`. False when it was already lost. */
  remove(hr: number): boolean {
    if (this.lost()) return false;
    this.injectedReason = hr;
    return true;
  }

  /** Records a failed read: the device is removed from now on. */
  markFailed(): void {
    this.failed = true;
  }

  removedReason(): number {
    if (this.injectedReason !== S_OK) return this.injectedReason;
    if (this.lost()) return DXGI_ERROR_DEVICE_REMOVED;
    if (this.framebuffer && this.framebuffer.vanished()) {
      this.failed = true;
      return DXGI_ERROR_DEVICE_REMOVED;
    }
    return S_OK;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.framebuffer?.close();
    this.onDestroy(this);
  }
}
