/**
 * The display boundary, shaped like IddCx (DESIGN.md "The map"). The driver (src/driver) programs
 * against these interfaces only; a backend (src/backends/*) implements them. Nothing here knows a
 * backend or the ring.
 *
 * Result-returning calls return an HRESULT (result-codes.ts) rather than throwing: the hot path
 * never throws and never allocates, as in IddCx.
 */
import type { Clock } from './clock.js';
import type { Signal } from './signal.js';

export type AdapterKind = 'hardware' | 'software';

/** A render adapter (a GPU, or the software rasterizer) identified by its LUID. */
export interface Adapter {
  readonly luid: number;
  readonly kind: AdapterKind;
  readonly name: string;
}

/** A D3D device on a render adapter. Once removed it never recovers: destroy it and create another. */
export interface RenderDevice {
  readonly id: number;
  readonly adapter: Adapter;
  /** S_OK while usable; otherwise the DXGI reason (DEVICE_REMOVED / HUNG / RESET). */
  removedReason(): number;
  /** Releases the device. Idempotent. */
  destroy(): void;
  readonly destroyed: boolean;
}

export interface DeviceCreation {
  hr: number;
  device: RenderDevice | null;
}

/** A hardware cursor, as IddCx reports it beside the frame (IddCxMonitorQueryHardwareCursor). */
export interface CursorState {
  visible: boolean;
  x: number;
  y: number;
  hotX: number;
  hotY: number;
  /** Bumped whenever the shape changes, so a consumer fetches the image only then. */
  shapeId: number;
  width: number;
  height: number;
  /** BGRA8 shape, width*height*4 bytes; may be empty when not visible. */
  shape: Uint8Array;
}

/**
 * The acquired surface as a copy source, shaped like ID3D11DeviceContext::CopySubresourceRegion /
 * CopyResource: the consumer names the destination and the regions, the surface moves the bytes
 * itself (the seed copies GPU-side straight into the ring's slot texture). A backend whose pixels
 * do not sit in memory (the Xvfb framebuffer file) copies the damaged rectangles straight into
 * the slot this way: one copy per damaged byte, no staging buffer.
 *
 * Valid from a successful acquire() until finish(), like the frame. Hot path: no allocation, no
 * throwing; false means the surface could not be read (its device is then removed).
 */
export interface FrameSurface {
  /** CopySubresourceRegion, once per rect: rects[base + 4i .. +4] = (x, y, w, h), inside the frame. */
  copyRects(dst: Uint8Array, dstOffset: number, dstStride: number, rects: Int32Array, base: number, count: number): boolean;
  /** CopyResource: the whole frame. */
  copyAll(dst: Uint8Array, dstOffset: number, dstStride: number): boolean;
  /**
   * This frame's copies are done: the backend may let go early of what keeps the surface
   * consistent (the Xvfb server grab). finish() implies it. Copies after it may see newer pixels.
   */
  copiesDone(): void;
}

/**
 * One acquired frame (IDARG_OUT_RELEASEANDACQUIREBUFFER2 + IDDCX_METADATA2). The object is owned by
 * the swap-chain and reused for every frame; it is valid from a successful acquire() until finish().
 */
export interface AcquiredFrame {
  /** The surface: `height` rows of `stride` bytes. */
  pixels: Uint8Array;
  width: number;
  height: number;
  /** A pixel-format code from contract/pixel-format.ts. */
  format: number;
  stride: number;
  /** The compositor's frame number (monotonic per swap-chain's display). */
  frameNumber: number;
  /** When the OS presented the frame, in clock milliseconds. */
  presentTimeMs: number;
  /** Dirty rectangles relative to the previous frame, as (x, y, w, h) quads in dirtyRects[0..4*dirtyCount). */
  dirtyRects: Int32Array;
  /** Number of dirty rectangles, or -1 when unknown (treat as the whole frame). */
  dirtyCount: number;
  /** The cursor as of this frame, or null when the display has no hardware cursor. */
  cursor: CursorState | null;
  /**
   * The surface as a copy source, when the backend offers one. Every consumer then copies
   * through it, and `pixels` may be empty (the Xvfb framebuffer file's pixels are not in memory).
   */
  surface?: FrameSurface | null;
}

/** The swap-chain the OS hands a monitor (IDDCX_SWAPCHAIN). */
export interface SwapChain {
  readonly id: number;
  /** The render adapter the OS composes this swap-chain on. */
  readonly renderAdapter: Adapter;
  /** Auto-reset "a new surface is available" event. */
  readonly surfaceAvailable: Signal;
  /** IddCxSwapChainSetDevice: binds the device. Fails with DXGI_ERROR_ACCESS_LOST while the monitor flaps. */
  setDevice(device: RenderDevice): number;
  /**
   * IddCxSwapChainReleaseAndAcquireBuffer2: releases the previous buffer and acquires the next.
   * S_OK → `frame` holds it until finish(); E_PENDING → no new frame yet; anything else → the
   * swap-chain or its device failed.
   */
  acquire(): number;
  readonly frame: AcquiredFrame;
  /** IddCxSwapChainFinishedProcessingFrame: the OS may compose the next frame. */
  finish(): number;
  /** WdfObjectDelete(hSwapChain): give the swap-chain back; the OS assigns a new one. Idempotent. */
  delete(): void;
  readonly deleted: boolean;
}

/**
 * The monitor callbacks the OS calls (EvtIddCxMonitorAssignSwapChain / UnassignSwapChain). The
 * driver implements this; a backend calls it.
 */
export interface Monitor {
  /** Returns S_OK, or STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN to be assigned again. */
  assignSwapChain(swapChain: SwapChain): number | Promise<number>;
  /** The OS takes the swap-chain back; resolves when the driver let go of it. */
  unassignSwapChain(): Promise<void>;
}

/** The indirect display adapter (IDDCX_ADAPTER): what the driver asks of the OS beyond one swap-chain. */
export interface IndirectDisplayAdapter {
  /** The render adapters the system has (DXGI enumeration): at least one hardware and the software one. */
  renderAdapters(): readonly Adapter[];
  /** D3D11CreateDevice on a render adapter. */
  createDevice(adapter: Adapter): DeviceCreation;
  /** IddCxAdapterSetRenderAdapter: ask the OS to compose on this adapter; swap-chains are recreated there. */
  setRenderAdapter(luid: number): void;
  /**
   * IddCxReportCriticalError: the device stops; no more swap-chains are assigned. `major` and
   * `minor` are each 0..0xFF; the OS adds 0x100 to the major. A real OS never returns from this
   * call (it terminates the driver's process): a driver does nothing after it.
   */
  reportCriticalError(major: number, minor: number): void;
}

export interface DisplayMode {
  width: number;
  height: number;
  refreshHz: number;
  /** A pixel-format code from contract/pixel-format.ts. */
  format: number;
}

/** What the display side counts, for the run summary. */
export interface DisplayStats {
  presented: number;
  acquired: number;
  /**
   * Frames presented that the OS took back before the driver acquired them (Xvfb: a frame ready
   * when a RandR burst held the swap-chain back or when the swap-chain was deleted). Absent = 0.
   */
  discarded?: number;
  finished: number;
  swapChainsAssigned: number;
  swapChainsAbandoned: number;
  swapChainsDeleted: number;
  devicesCreated: number;
  devicesDestroyed: number;
  /** Times the display stalled because a frame was not finished in time. */
  stalls: number;
  renderAdapter: Adapter;
  /** As the OS reports it: the major includes the 0x100 IddCx adds. */
  criticalError: { major: number; minor: number } | null;
  /**
   * The OS bugchecked (a simulated one, punishing what a real IddCx punishes): why, and when.
   * Absent or null for a backend that does not check.
   */
  bugcheck?: { reason: string; atMs: number } | null;
}

/** A host-side fault the display's schedule asks the host to perform (host-stall, host-recreate). */
export interface HostFaultRequest {
  kind: 'host-stall' | 'host-recreate';
  atMs: number;
  durationMs: number;
}

/**
 * A display system: the OS side of one virtual monitor. `start` plugs the monitor in: from then on
 * the system calls monitor.assignSwapChain / unassignSwapChain as IddCx does.
 */
export interface DisplaySystem {
  readonly clock: Clock;
  readonly adapter: IndirectDisplayAdapter;
  /** The mode being composed now (changes on HDR flips and RandR resizes). */
  mode(): DisplayMode;
  start(monitor: Monitor): Promise<void>;
  /** Unassigns, stops composing, releases what the system holds. Idempotent. */
  stop(): Promise<void>;
  stats(): DisplayStats;
  /** Host-side faults from the schedule are delivered here (the host performs them). */
  onHostFault(listener: (req: HostFaultRequest) => void): void;
  /**
   * The host asks for a mode (IddCxMonitorUpdateModes, then the OS commits it): the OS takes the
   * swap-chain back and assigns one at the new mode. A mode change is never a failure. Resolves
   * once the OS has committed it; rejects with a typed error for a mode the display cannot show.
   * Absent: the display's mode is fixed.
   */
  requestMode?(mode: { width: number; height: number; refreshHz: number }): Promise<void>;
  /**
   * Whether anyone looks at the frames (serve with no client and no page: not). An unwatched
   * display may stop capturing, as long as nothing it would have shown is lost: watched again, it
   * captures what changed meanwhile and calls `caughtUp` once that frame is published (or at once
   * if nothing changed). Absent: the display always captures (the simulated OS composes and
   * must be drained whoever looks).
   */
  setWatched?(watched: boolean, caughtUp: () => void): void;
}
