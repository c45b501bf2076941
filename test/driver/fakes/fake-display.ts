/**
 * Scriptable fakes of the display boundary for the driver's unit tests: adapters, devices and a
 * swap-chain whose every call is logged, so a test can assert the exact order of events.
 */
import {
  CRITICAL_MAJOR_BASE,
  DXGI_ERROR_ACCESS_LOST,
  E_PENDING,
  S_OK,
  succeeded,
} from '../../../src/display/result-codes.js';
import { LocalSignal } from '../../../src/display/signal.js';
import type {
  AcquiredFrame,
  Adapter,
  DeviceCreation,
  IndirectDisplayAdapter,
  RenderDevice,
  SwapChain,
} from '../../../src/display/types.js';
import { FORMAT_BGRA8 } from '../../../src/contract/pixel-format.js';

export const HARDWARE: Adapter = Object.freeze({ luid: 0x1001, kind: 'hardware', name: 'fake GPU' });
export const SOFTWARE: Adapter = Object.freeze({ luid: 0x2002, kind: 'software', name: 'fake WARP' });

let nextDeviceId = 1;

export class FakeDevice implements RenderDevice {
  readonly id = nextDeviceId++;
  reason = S_OK;
  destroyed = false;
  constructor(
    readonly adapter: Adapter,
    private readonly log: string[] | null = null,
  ) {}
  removedReason(): number {
    return this.reason;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.log?.push(`device${this.id}.destroy`);
  }
}

export class FakeAdapter implements IndirectDisplayAdapter {
  readonly devices: FakeDevice[] = [];
  readonly log: string[] = [];
  renderAdapterSet: number[] = [];
  critical: Array<{ major: number; minor: number }> = [];
  /** Next createDevice results (HRESULTs); empty = succeed. */
  createResults: number[] = [];
  /** Returned by createDevice for every adapter in this set (a fault that follows the adapter). */
  failingAdapters = new Map<number, number>();
  adapters: Adapter[] = [HARDWARE, SOFTWARE];

  renderAdapters(): readonly Adapter[] {
    return this.adapters;
  }
  createDevice(adapter: Adapter): DeviceCreation {
    const scripted = this.createResults.shift();
    const hr = scripted ?? this.failingAdapters.get(adapter.luid) ?? S_OK;
    if (!succeeded(hr)) {
      this.log.push(`createDevice.fail`);
      return { hr, device: null };
    }
    const d = new FakeDevice(adapter, this.log);
    this.devices.push(d);
    this.log.push(`createDevice${d.id}`);
    return { hr: S_OK, device: d };
  }
  readonly criticalArgs: Array<{ major: number; minor: number }> = [];
  setRenderAdapter(luid: number): void {
    this.renderAdapterSet.push(luid);
    this.log.push(`setRenderAdapter:${luid.toString(16)}`);
  }
  reportCriticalError(major: number, minor: number): void {
    // What the driver passed (0..0xFF each), and the code as the OS reports it (IddCx adds 0x100).
    this.criticalArgs.push({ major, minor });
    this.critical.push({ major: major + CRITICAL_MAJOR_BASE, minor });
    this.log.push(`reportCriticalError:${major.toString(16)}/${minor.toString(16)}`);
  }
  liveDevices(): number {
    return this.devices.filter((d) => !d.destroyed).length;
  }
}

let nextSwapChainId = 1;

export interface FakeSwapChainOptions {
  renderAdapter?: Adapter;
  width?: number;
  height?: number;
  /** Per-attempt SetDevice results; attempts past the end succeed. */
  setDeviceResults?: number[];
  /** Every acquire finds a frame (a continuous burst). */
  continuous?: boolean;
  log?: string[];
}

export class FakeSwapChain implements SwapChain {
  readonly id = nextSwapChainId++;
  readonly renderAdapter: Adapter;
  readonly surfaceAvailable = new LocalSignal();
  readonly frame: AcquiredFrame;
  readonly log: string[];
  deleted = false;
  setDeviceCalls = 0;
  acquired = 0;
  finished = 0;
  /** finish() without a held frame, or a second finish of one frame. */
  finishErrors = 0;
  /** Frames presented and not yet acquired. */
  ready = 0;
  continuous: boolean;
  /** The next acquire returns this (once) instead of a frame. */
  failNextAcquire: number[] = [];
  /** Every acquire from now on fails with this (a device in error stays in error). */
  failAcquire = S_OK;
  failFinish = S_OK;
  /** Called at every acquire (a test's hook: advance time, request a stop...). */
  onAcquire: (() => void) | null = null;
  private setDeviceResults: number[];
  private held = false;
  private frameNumber = 0;

  constructor(o: FakeSwapChainOptions = {}) {
    this.renderAdapter = o.renderAdapter ?? HARDWARE;
    this.continuous = o.continuous ?? false;
    this.setDeviceResults = [...(o.setDeviceResults ?? [])];
    this.log = o.log ?? [];
    const width = o.width ?? 8;
    const height = o.height ?? 4;
    this.frame = {
      pixels: new Uint8Array(width * height * 4),
      width,
      height,
      format: FORMAT_BGRA8,
      stride: width * 4,
      frameNumber: 0,
      presentTimeMs: 0,
      dirtyRects: new Int32Array(16),
      dirtyCount: -1,
      cursor: null,
    };
  }

  /** The compositor presents a frame (pixels all = frame number's low byte). */
  present(n = 1): void {
    this.ready += n;
    this.surfaceAvailable.set();
  }

  setDevice(device: RenderDevice): number {
    this.setDeviceCalls++;
    const hr = this.setDeviceResults.shift() ?? S_OK;
    this.log.push(`setDevice:${succeeded(hr) ? 'ok' : 'fail'}`);
    if (this.deleted) return DXGI_ERROR_ACCESS_LOST;
    void device;
    return hr;
  }

  acquire(): number {
    this.onAcquire?.();
    const scripted = this.failNextAcquire.shift();
    if (scripted !== undefined) {
      this.log.push(`acquire:0x${scripted.toString(16)}`);
      return scripted;
    }
    if (this.failAcquire !== S_OK) {
      this.log.push('acquire:fail');
      return this.failAcquire;
    }
    if (this.held) {
      // Release-and-acquire releases the previous buffer: a processor that acquires twice without
      // finishing skipped a finish.
      this.finishErrors++;
      this.held = false;
    }
    if (!this.continuous && this.ready === 0) return E_PENDING;
    if (!this.continuous) this.ready--;
    this.frameNumber++;
    this.frame.frameNumber = this.frameNumber;
    this.frame.pixels.fill(this.frameNumber & 0xff);
    this.held = true;
    this.acquired++;
    this.log.push('acquire:ok');
    return S_OK;
  }

  finish(): number {
    if (!this.held) this.finishErrors++;
    this.held = false;
    this.finished++;
    this.log.push('finish');
    return this.failFinish;
  }

  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.log.push('swapChain.delete');
  }
}
