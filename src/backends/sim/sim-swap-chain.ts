/**
 * One simulated IDDCX_SWAPCHAIN: the surface the compositor presents into and the driver drains.
 *
 * Life: assigned (waiting for setDevice) → bound (presents flow) → lost (the OS took it back:
 * access lost or unassigned) and/or deleted (the driver gave it back). Acquire on a lost or
 * deleted swap-chain is DXGI_ERROR_ACCESS_LOST.
 *
 * Invariants:
 * - acquire() hands out the LATEST presented frame once; its dirty rectangles are the union of
 *   every present since the previous acquire (the first frame a driver acquires is all dirty);
 * - every acquired frame is released exactly once: by finish() (counted as finished), or, as a
 *   counted driver error, by the next acquire() or by delete();
 * - while a frame is acquired and not finished, or SWAP_CHAIN_BUFFERS presents wait unacquired,
 *   the compositor cannot present (must-drain);
 * - nothing here allocates per frame: the frame object, its dirty array and the surface live as
 *   long as the swap-chain (a format blip's second surface is made once, at the blip);
 * - frame numbers never go down; a frame number repeats only for a re-present of the frame last
 *   acquired (static-desktop re-encode: same number, no dirty rectangles);
 * - "the format of each acquired buffer may change between the formats supported from frame to
 *   frame" (the assign reference): a format blip presents into a second surface of the other
 *   format, and the first frame in a format other than the previous acquire's is all dirty.
 */
import {
  DXGI_ERROR_ACCESS_LOST,
  DXGI_ERROR_DEVICE_REMOVED,
  E_FAIL,
  E_PENDING,
  STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED,
  STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY,
  S_OK,
} from '../../display/result-codes.js';
import { LocalSignal } from '../../display/signal.js';
import type { AcquiredFrame, Adapter, DisplayMode, RenderDevice, SwapChain } from '../../display/types.js';
import { bytesPerPixel } from '../../contract/pixel-format.js';
import { SimRenderDevice } from './sim-devices.js';

/** Presents the compositor may queue ahead of the driver before it must wait (a triple-buffered chain). */
export const SWAP_CHAIN_BUFFERS = 3;
/** Dirty rectangles a swap-chain accumulates before it collapses them into their bounding box. */
export const MAX_PENDING_DIRTY_RECTS = 16;

/** What every swap-chain of one display counts, shared (the display's stats read it). */
export interface FrameCounters {
  presented: number;
  acquired: number;
  finished: number;
  /** finish() with no acquired frame (an error; not counted as finished). */
  finishWithoutFrame: number;
  /** An acquired frame released by the next acquire() without finish(). */
  releasedUnfinished: number;
  /** An acquired frame released by delete() without finish(). */
  unfinishedAtDelete: number;
  setDeviceFailures: number;
  /** An acquire that handed out a frame number not above the previous one. */
  nonMonotonicFrames: number;
}

export function newFrameCounters(): FrameCounters {
  return { presented: 0, acquired: 0, finished: 0, finishWithoutFrame: 0, releasedUnfinished: 0, unfinishedAtDelete: 0, setDeviceFailures: 0, nonMonotonicFrames: 0 };
}

/** What a swap-chain asks of its display (the simulated OS). */
export interface SwapChainOwner {
  readonly counters: FrameCounters;
  /** A monitor flap is in progress: SetDevice fails with ACCESS_LOST. */
  isFlapping(): boolean;
  /**
   * A driver call into the OS (os-guard.ts): true when it may take effect; false after the critical
   * error (then it is a bugcheck) or a bugcheck. `call` is a constant string.
   */
  driverCall(call: string): boolean;
  /** The OS bugchecks with `reason`. */
  crash(reason: string): void;
  /** The driver deleted the swap-chain. */
  swapChainDeleted(sc: SimSwapChain): void;
  /** S_OK, or the HRESULT every acquire fails with right now (acquire-oom: E_OUTOFMEMORY). */
  acquireFailure(): number;
  /** The swap-chain just reported PATH_NOT_IN_TOPOLOGY: the OS unassigns it and assigns again. */
  topologyLost(sc: SimSwapChain): void;
}

export type SwapChainState = 'assigned' | 'bound' | 'lost' | 'deleted';

export class SimSwapChain implements SwapChain {
  readonly id: number;
  readonly renderAdapter: Adapter;
  readonly surfaceAvailable = new LocalSignal();
  readonly frame: AcquiredFrame;
  readonly mode: DisplayMode;
  readonly surface: Uint8Array;
  private st: SwapChainState = 'assigned';
  /** Whether the OS had taken it back before the driver deleted it. */
  wasLost = false;
  private device: SimRenderDevice | null = null;
  /** The device bound when the outstanding frame was acquired (the one that processes it). */
  private frameDevice: SimRenderDevice | null = null;
  private outstanding = false;
  private hasNew = false;
  private everAcquired = false;
  private unacquired = 0;
  private latestFrame = 0;
  private latestPresentMs = 0;
  private lastAcquiredFrame = -1;
  /** A present with new content since the last acquire (a re-present is not one). */
  private newContent = false;
  /** Format of the latest present, and of the last frame acquired. */
  private latestFormat: number;
  private lastAcquiredFormat: number;
  /** format-blip: presents left in the other format, that format, and its surface (made once). */
  private blipLeft = 0;
  private blipFormat = 0;
  private blipSurface: Uint8Array | null = null;
  private topologyArmed = false;
  private readonly pending = new Int32Array(MAX_PENDING_DIRTY_RECTS * 4);
  private pendingCount = 0;
  private pendingFull = true;
  /** Presents this swap-chain received. */
  presents = 0;

  constructor(id: number, renderAdapter: Adapter, mode: DisplayMode, surface: Uint8Array, private readonly owner: SwapChainOwner) {
    this.id = id;
    this.renderAdapter = renderAdapter;
    this.mode = mode;
    this.surface = surface;
    this.latestFormat = mode.format;
    this.lastAcquiredFormat = mode.format;
    const stride = mode.width * bytesPerPixel(mode.format);
    this.frame = {
      pixels: surface,
      width: mode.width,
      height: mode.height,
      format: mode.format,
      stride,
      frameNumber: 0,
      presentTimeMs: 0,
      dirtyRects: new Int32Array(MAX_PENDING_DIRTY_RECTS * 4),
      dirtyCount: 0,
      cursor: null,
    };
  }

  get state(): SwapChainState {
    return this.st;
  }

  get deleted(): boolean {
    return this.st === 'deleted';
  }

  get boundDevice(): SimRenderDevice | null {
    return this.device;
  }

  get hasOutstandingFrame(): boolean {
    return this.outstanding;
  }

  setDevice(device: RenderDevice): number {
    if (!this.owner.driverCall('IddCxSwapChainSetDevice')) return STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED;
    if (this.st === 'lost' || this.st === 'deleted' || this.owner.isFlapping()) {
      this.owner.counters.setDeviceFailures++;
      return DXGI_ERROR_ACCESS_LOST;
    }
    if (!(device instanceof SimRenderDevice) || device.adapter.luid !== this.renderAdapter.luid) {
      // IddCx refuses a device that is not on the render adapter it named at assign.
      this.owner.counters.setDeviceFailures++;
      return E_FAIL;
    }
    const reason = device.destroyed ? DXGI_ERROR_DEVICE_REMOVED : device.removedReason();
    if (reason !== S_OK) {
      this.owner.counters.setDeviceFailures++;
      return reason;
    }
    this.device = device;
    this.st = 'bound';
    return S_OK;
  }

  acquire(): number {
    if (!this.owner.driverCall('IddCxSwapChainReleaseAndAcquireBuffer2')) return STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED;
    if (this.st === 'lost' || this.st === 'deleted') return DXGI_ERROR_ACCESS_LOST;
    const d = this.device;
    if (d === null) return E_FAIL; // ReleaseAndAcquire before SetDevice
    if (d.destroyed) return DXGI_ERROR_DEVICE_REMOVED;
    const reason = d.removedReason();
    if (reason !== S_OK) return reason;
    if (this.topologyArmed) {
      // Once; then the OS rebuilds the topology: this swap-chain is gone, a new one follows.
      this.topologyArmed = false;
      this.lose();
      this.owner.topologyLost(this);
      return STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY;
    }
    const failure = this.owner.acquireFailure();
    if (failure !== S_OK) return failure;
    // ReleaseAndAcquire releases the previous buffer; without a finish() that frame was dropped.
    if (this.outstanding) {
      this.outstanding = false;
      this.owner.counters.releasedUnfinished++;
    }
    if (!this.hasNew) return E_PENDING;
    const f = this.frame;
    // A frame number may repeat only as a re-present of the frame acquired last (no new content).
    const repeat = this.latestFrame === this.lastAcquiredFrame && !this.newContent;
    if (this.latestFrame < this.lastAcquiredFrame || (this.latestFrame === this.lastAcquiredFrame && !repeat)) {
      this.owner.counters.nonMonotonicFrames++;
    }
    f.frameNumber = this.latestFrame;
    f.presentTimeMs = this.latestPresentMs;
    if (this.latestFormat !== f.format) {
      f.format = this.latestFormat;
      f.pixels = this.surfaceOf(this.latestFormat);
      f.stride = f.width * bytesPerPixel(this.latestFormat);
    }
    if (this.pendingFull || !this.everAcquired || this.latestFormat !== this.lastAcquiredFormat) {
      f.dirtyRects[0] = 0;
      f.dirtyRects[1] = 0;
      f.dirtyRects[2] = f.width;
      f.dirtyRects[3] = f.height;
      f.dirtyCount = 1;
    } else {
      for (let i = 0, n = this.pendingCount * 4; i < n; i++) f.dirtyRects[i] = this.pending[i]!;
      f.dirtyCount = this.pendingCount;
    }
    this.pendingCount = 0;
    this.pendingFull = false;
    this.hasNew = false;
    this.newContent = false;
    this.lastAcquiredFormat = this.latestFormat;
    this.unacquired = 0;
    this.everAcquired = true;
    this.outstanding = true;
    this.frameDevice = d;
    this.lastAcquiredFrame = this.latestFrame;
    this.owner.counters.acquired++;
    return S_OK;
  }

  finish(): number {
    if (!this.owner.driverCall('IddCxSwapChainFinishedProcessingFrame')) return STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED;
    if (!this.outstanding) {
      this.owner.counters.finishWithoutFrame++;
      this.owner.crash('IddCxSwapChainFinishedProcessingFrame was called with no frame acquired');
      return E_FAIL;
    }
    this.outstanding = false;
    this.owner.counters.finished++;
    this.frameDevice?.frameProcessed();
    this.frameDevice = null;
    return this.st === 'lost' ? DXGI_ERROR_ACCESS_LOST : S_OK;
  }

  delete(): void {
    if (this.st === 'deleted') return;
    if (!this.owner.driverCall('WdfObjectDelete(IDDCX_SWAPCHAIN)')) return;
    if (this.outstanding) {
      this.outstanding = false;
      this.owner.counters.unfinishedAtDelete++;
    }
    this.st = 'deleted';
    this.device = null;
    this.frameDevice = null;
    this.owner.swapChainDeleted(this);
  }

  // ---- the OS side (display, compositor) ----

  /** The OS reclaims the swap-chain of a terminated driver: it is gone, no callback, no delete expected. */
  reclaim(): void {
    this.lose();
    this.outstanding = false;
    this.device = null;
    this.frameDevice = null;
  }

  /** The OS took the swap-chain back (access lost, unassigned): acquire fails from now on. */
  lose(): void {
    if (this.st === 'deleted' || this.st === 'lost') return;
    this.st = 'lost';
    this.wasLost = true;
    // Wake a driver waiting for a frame, so it sees the loss at once.
    this.surfaceAvailable.set();
  }

  /** Bound, with a healthy device: the compositor presents into it. */
  acceptsPresents(): boolean {
    const d = this.device;
    // While every acquire fails (acquire-oom) nothing can receive frames either.
    return this.st === 'bound' && d !== null && !d.destroyed && d.removedReason() === S_OK && this.owner.acquireFailure() === S_OK;
  }

  /** A present must wait: a frame is being processed, or the queue of unacquired presents is full. */
  blocked(): boolean {
    return this.outstanding || this.unacquired >= SWAP_CHAIN_BUFFERS;
  }

  /** The number of the last frame presented into this surface (0 before the first). */
  get latestPresented(): number {
    return this.latestFrame;
  }

  /** The format of the last present (the mode's, or a blip's). */
  get latestPresentedFormat(): number {
    return this.latestFormat;
  }

  /** format-blip: the next `frames` presents come in `format`; its surface is made now, once. */
  armFormatBlip(frames: number, format: number): void {
    if (this.blipSurface === null || this.blipFormat !== format) {
      this.blipSurface = new Uint8Array(this.mode.width * this.mode.height * bytesPerPixel(format));
    }
    this.blipFormat = format;
    this.blipLeft += frames;
  }

  /** topology-lost: the next acquire fails with PATH_NOT_IN_TOPOLOGY. */
  armTopologyLost(): void {
    this.topologyArmed = true;
  }

  /** The format the next present comes in; takes one from a blip in progress. */
  takePresentFormat(): number {
    if (this.blipLeft > 0) {
      this.blipLeft--;
      return this.blipFormat;
    }
    return this.mode.format;
  }

  /** The surface presents of `format` go to. */
  surfaceOf(format: number): Uint8Array {
    return format === this.mode.format || this.blipSurface === null ? this.surface : this.blipSurface;
  }

  /**
   * Static-desktop re-encode: the OS presents the last frame again, with its frame number unchanged
   * and no new dirty rectangles. Signals surface-available.
   */
  represented(timeMs: number): void {
    this.presents++;
    this.owner.counters.presented++;
    this.latestPresentMs = timeMs;
    this.hasNew = true;
    this.unacquired++;
    this.surfaceAvailable.set();
  }

  /** True until the first present: the surface holds nothing yet, so it is drawn whole. */
  get blank(): boolean {
    return this.presents === 0;
  }

  /**
   * The compositor presented frame `frameNumber` into the surface; `rects[0..4*count)` are what it
   * changed (ignored when `full`). Signals surface-available.
   */
  presented(frameNumber: number, timeMs: number, rects: Int32Array, count: number, full: boolean, format = this.mode.format): void {
    this.presents++;
    this.owner.counters.presented++;
    this.latestFrame = frameNumber;
    this.latestFormat = format;
    this.newContent = true;
    this.latestPresentMs = timeMs;
    this.hasNew = true;
    this.unacquired++;
    if (full) this.pendingFull = true;
    else if (!this.pendingFull) this.addDirty(rects, count);
    this.surfaceAvailable.set();
  }

  private addDirty(rects: Int32Array, count: number): void {
    const p = this.pending;
    if (this.pendingCount + count <= MAX_PENDING_DIRTY_RECTS) {
      for (let i = 0, o = this.pendingCount * 4, n = count * 4; i < n; i++) p[o + i] = rects[i]!;
      this.pendingCount += count;
      return;
    }
    // Too many to list: keep their bounding box, which still covers every change.
    let x0 = p[0]!;
    let y0 = p[1]!;
    let x1 = x0 + p[2]!;
    let y1 = y0 + p[3]!;
    for (let pass = 0; pass < 2; pass++) {
      const a = pass === 0 ? p : rects;
      const n = pass === 0 ? this.pendingCount : count;
      for (let i = 0; i < n; i++) {
        x0 = Math.min(x0, a[i * 4]!);
        y0 = Math.min(y0, a[i * 4 + 1]!);
        x1 = Math.max(x1, a[i * 4]! + a[i * 4 + 2]!);
        y1 = Math.max(y1, a[i * 4 + 1]! + a[i * 4 + 3]!);
      }
    }
    p[0] = x0;
    p[1] = y0;
    p[2] = x1 - x0;
    p[3] = y1 - y0;
    this.pendingCount = 1;
  }
}
