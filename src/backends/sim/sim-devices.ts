/**
 * The simulated render adapters and the D3D devices the driver creates on them.
 *
 * Invariants:
 * - a device's removed reason, once set, never changes back (a device in error never recovers;
 *   the first reason sticks);
 * - created = destroyed + live at all times; destroy() counts once however often it is called;
 * - the registry never destroys a device itself: the driver owns every device it created, so a
 *   leak shows up as live > 0 after stop.
 */
import { DXGI_ERROR_DEVICE_HUNG, E_FAIL, S_OK } from '../../display/result-codes.js';
import type { Adapter, DeviceCreation, RenderDevice } from '../../display/types.js';
import type { Prng } from './prng.js';

/** The system's GPU. */
export const HARDWARE_ADAPTER: Adapter = Object.freeze({ luid: 0x00012c01, kind: 'hardware', name: 'Simulated GPU 0' });
/** The software rasterizer (WARP, "Microsoft Basic Render Driver"). */
export const SOFTWARE_ADAPTER: Adapter = Object.freeze({ luid: 0x00012c02, kind: 'software', name: 'Microsoft Basic Render Driver (simulated)' });
export const SIM_ADAPTERS: readonly Adapter[] = Object.freeze([HARDWARE_ADAPTER, SOFTWARE_ADAPTER]);

/**
 * The reason a device the driver's own bug broke reports: D3D puts a device that was fed bad
 * commands into the hung state.
 */
export const DRIVER_BUG_REASON = DXGI_ERROR_DEVICE_HUNG;
/** A device under the driver-bug fault dies after this many frames, at most (at least 1). */
export const DRIVER_BUG_MAX_FRAMES = 3;

export class SimRenderDevice implements RenderDevice {
  readonly id: number;
  readonly adapter: Adapter;
  readonly createdAtMs: number;
  private reason = S_OK;
  private isDestroyed = false;
  /** Frames left before the driver-bug fault breaks this device; -1 when it is healthy. */
  private bugFramesLeft = -1;
  /** Frames processed (finished) with this device bound. */
  framesProcessed = 0;

  constructor(id: number, adapter: Adapter, createdAtMs: number, private readonly onDestroy: (d: SimRenderDevice) => void) {
    this.id = id;
    this.adapter = adapter;
    this.createdAtMs = createdAtMs;
  }

  removedReason(): number {
    return this.reason;
  }

  get destroyed(): boolean {
    return this.isDestroyed;
  }

  destroy(): void {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    this.onDestroy(this);
  }

  /** Puts the device in error with `hr`; false when it already was. */
  remove(hr: number): boolean {
    if (this.reason !== S_OK) return false;
    this.reason = hr >>> 0;
    return true;
  }

  /** Arms the driver-bug fault: the device breaks after `frames` more frames. */
  armBug(frames: number): void {
    if (this.bugFramesLeft < 0) this.bugFramesLeft = frames;
  }

  get buggy(): boolean {
    return this.bugFramesLeft >= 0;
  }

  /** Called by the swap-chain when a frame processed with this device is finished. */
  frameProcessed(): void {
    this.framesProcessed++;
    if (this.bugFramesLeft > 0 && --this.bugFramesLeft === 0) this.remove(DRIVER_BUG_REASON);
  }
}

export class DeviceRegistry {
  created = 0;
  destroyed = 0;
  createFailures = 0;
  private nextId = 1;
  private readonly live = new Set<SimRenderDevice>();
  private driverBug = false;

  constructor(
    private readonly now: () => number,
    private readonly bugPrng: Prng,
    /** S_OK, or the HRESULT D3D11CreateDevice fails with right now (the assign-fail fault). */
    private readonly creationFailure: () => number,
  ) {}

  /** D3D11CreateDevice on one of the sim's adapters. */
  create(adapter: Adapter): DeviceCreation {
    const known = SIM_ADAPTERS.find((a) => a.luid === adapter.luid);
    const failure = this.creationFailure();
    if (known === undefined || failure !== S_OK) {
      this.createFailures++;
      return { hr: known === undefined ? E_FAIL : failure, device: null };
    }
    const d = new SimRenderDevice(this.nextId++, known, this.now(), (x) => this.onDestroy(x));
    this.created++;
    this.live.add(d);
    if (this.driverBug) d.armBug(this.bugFrames());
    return { hr: S_OK, device: d };
  }

  get liveCount(): number {
    return this.live.size;
  }

  /** The most recently created device not yet destroyed, or null. */
  newestLive(): SimRenderDevice | null {
    let newest: SimRenderDevice | null = null;
    for (const d of this.live) if (newest === null || d.id > newest.id) newest = d;
    return newest;
  }

  liveDevices(): SimRenderDevice[] {
    return [...this.live];
  }

  /** The driver's process was terminated (critical error) or the machine went down: the OS frees every device. */
  reclaimAll(): void {
    for (const d of [...this.live]) d.destroy();
  }

  /** From now on every device, live or new, on any adapter, breaks after its first few frames. */
  enableDriverBug(): void {
    this.driverBug = true;
    for (const d of this.live) d.armBug(this.bugFrames());
  }

  get driverBugEnabled(): boolean {
    return this.driverBug;
  }

  private bugFrames(): number {
    return this.bugPrng.intBetween(1, DRIVER_BUG_MAX_FRAMES);
  }

  private onDestroy(d: SimRenderDevice): void {
    this.destroyed++;
    this.live.delete(d);
  }
}
