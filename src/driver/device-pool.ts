/**
 * DevicePool: the render devices of one monitor, kept per render adapter and reused across
 * swap-chains, so a thousand assign/unassign cycles create one device, not a thousand.
 *
 * Invariants:
 * - a device whose removedReason() is not S_OK is never handed out: once a D3D device is in error it
 *   never recovers (seed 004), so checkout destroys it and creates a fresh one;
 * - every device the pool created is either idle in the pool, checked out, or destroyed; `live`
 *   counts the first two, and is 0 after destroyAll().
 */
import { S_OK, succeeded } from '../display/result-codes.js';
import type { Adapter, IndirectDisplayAdapter, RenderDevice } from '../display/types.js';

export interface DeviceCheckout {
  /** S_OK, or the HRESULT device creation failed with. */
  hr: number;
  device: RenderDevice | null;
  /** True when the device was created by this checkout (a new device epoch). */
  fresh: boolean;
}

export class DevicePool {
  private readonly idle = new Map<number, RenderDevice[]>();
  private readonly all = new Set<RenderDevice>();
  private readonly out = new Set<RenderDevice>();
  private _created = 0;
  private _destroyed = 0;
  /** Idle devices found removed at checkout and destroyed instead of being handed out. */
  removedAtCheckout = 0;

  constructor(private readonly adapter: IndirectDisplayAdapter) {}

  get created(): number {
    return this._created;
  }
  get destroyed(): number {
    return this._destroyed;
  }
  /** Devices created and not yet destroyed (idle or checked out). */
  get live(): number {
    return this.all.size;
  }
  get checkedOut(): number {
    return this.out.size;
  }

  /** A usable device on `renderAdapter`: an idle one that is still healthy, else a new one. */
  checkout(renderAdapter: Adapter): DeviceCheckout {
    const list = this.idle.get(renderAdapter.luid);
    while (list !== undefined && list.length > 0) {
      const d = list.pop()!;
      if (d.removedReason() === S_OK && !d.destroyed) {
        this.out.add(d);
        return { hr: S_OK, device: d, fresh: false };
      }
      this.removedAtCheckout++;
      this.destroy(d);
    }
    const created = this.adapter.createDevice(renderAdapter);
    if (!succeeded(created.hr) || created.device === null) {
      if (created.device !== null) created.device.destroy();
      return { hr: succeeded(created.hr) ? DEVICE_MISSING : created.hr >>> 0, device: null, fresh: false };
    }
    const d = created.device;
    this._created++;
    this.all.add(d);
    // A device can be removed between creation and use (a GPU reset in between): same rule.
    const reason = d.removedReason();
    if (reason !== S_OK) {
      this.destroy(d);
      return { hr: reason >>> 0, device: null, fresh: false };
    }
    this.out.add(d);
    return { hr: S_OK, device: d, fresh: true };
  }

  /** Gives a checked-out device back for reuse; a removed device is destroyed instead. */
  giveBack(device: RenderDevice): void {
    if (!this.out.delete(device)) return;
    if (device.destroyed || device.removedReason() !== S_OK) {
      this.destroy(device);
      return;
    }
    let list = this.idle.get(device.adapter.luid);
    if (list === undefined) {
      list = [];
      this.idle.set(device.adapter.luid, list);
    }
    list.push(device);
  }

  /** Destroys a device (one in error never recovers). Idempotent. */
  destroy(device: RenderDevice): void {
    if (!this.all.delete(device)) return;
    this.out.delete(device);
    const list = this.idle.get(device.adapter.luid);
    if (list !== undefined) {
      const i = list.indexOf(device);
      if (i >= 0) list.splice(i, 1);
    }
    device.destroy();
    this._destroyed++;
  }

  /** Destroys the idle devices of every adapter but `keepLuid` (after a move to another adapter). */
  trimExcept(keepLuid: number): void {
    for (const [luid, list] of this.idle) {
      if (luid === keepLuid) continue;
      for (const d of [...list]) this.destroy(d);
    }
  }

  /** Destroys every device, idle or checked out (shutdown). Idempotent. */
  destroyAll(): void {
    for (const d of [...this.all]) this.destroy(d);
    this.idle.clear();
  }
}

/** createDevice reported success without a device: a backend bug, reported as E_POINTER. */
const DEVICE_MISSING = 0x80004003;
