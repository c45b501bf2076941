/**
 * The swap-chain the Xvfb "OS" assigns a monitor: one screen mode, one bound device. It turns X
 * damage into IddCx's acquire / finish protocol:
 *
 *   IDLE --damage or cursor change--> CAPTURING: GrabServer + DamageSubtract + FetchRegion
 *            (+ QueryPointer with a cursor): one write, one round trip (damage-fetch.ts)
 *   CAPTURING --the last reply--> the fetched rectangles are exactly the damage up to the grab
 *            --> READY, surfaceAvailable
 *   READY --acquire() = S_OK--> HELD (the frame is the driver's until finish)
 *   HELD: the publisher copies the damage through `frame.surface` straight from the framebuffer
 *         file into its ring slot, then copiesDone(): UngrabServer, flushed now
 *   HELD --finish()--> IDLE, and capture again at once if damage arrived meanwhile.
 *
 * So the grab is held from the reply to the end of the copy: the processor's wake-up, acquire,
 * the slot choice, and the copy of the damaged bytes; no round trip and no other JS work. On the
 * software adapter (GetImage, which needs replies) the pixels still go through `frame.pixels`
 * and the grab ends when they arrived.
 *
 * acquire() with nothing READY is E_PENDING and costs no X traffic: an idle screen sends no
 * DamageNotify, so nothing is captured and surfaceAvailable stays unset (no spin).
 *
 * Consistency: reading the file races the server's drawing. With the server grabbed, the server
 * finishes the request it is in (it is single-threaded) and then serves only us, so the read sees
 * whole drawing requests — never half of one. A client that draws one frame in several requests
 * can still be caught between them; that is the client's tearing, which a real compositor shows
 * too, and why double-buffered clients present with one request.
 *
 * On the hardware adapter `frame.pixels` is empty: every consumer copies through `frame.surface`
 * (the publisher into its slot, the frame stash into its own buffer).
 *
 * Hot path (acquire, finish, the surface, the capture callbacks): no allocation of ours, no
 * throwing; results are HRESULTs. Any state the X side changes while a frame is HELD waits for
 * finish(). A READY frame the driver will never take (revoke, delete) lets go of the grab at once.
 */
import { LocalSignal } from '../../display/signal.js';
import {
  DXGI_ERROR_ACCESS_LOST,
  DXGI_ERROR_DEVICE_REMOVED,
  E_FAIL,
  E_PENDING,
  S_OK,
} from '../../display/result-codes.js';
import type { AcquiredFrame, Adapter, CursorState, DisplayMode, FrameSurface, RenderDevice, SwapChain } from '../../display/types.js';
import type { QueryPointerReply } from 'x11';
import { DIRTY_RECTS_CAPACITY } from './dirty-region.js';
import type { SwapChainHost } from './swap-chain-host.js';
import { XvfbRenderDevice } from './render-device.js';
import { CaptureGrab } from './capture-grab.js';

/** `frame.pixels` when the surface is the only way to the pixels. */
const EMPTY_PIXELS = new Uint8Array(0);

const IDLE = 0;
const CAPTURING = 1;
const READY = 2;
const HELD = 3;
const DEAD = 4;

export type { CaptureCounters, SwapChainHost } from './swap-chain-host.js';

export class XvfbSwapChain implements SwapChain {
  readonly surfaceAvailable = new LocalSignal();
  readonly frame: AcquiredFrame;
  deleted = false;
  private state = IDLE;
  private device: XvfbRenderDevice | null = null;
  /** Non-zero once the OS took the swap-chain away (server loss, adapter switch, a stop). */
  private revokedHr = S_OK;
  /**
   * The OS holds presents back while a RandR burst settles: the screen already has another size,
   * so a frame of this swap-chain's mode would show stale pixels. Acquire pends (the swap-chain
   * is fine, there is just nothing to present); the OS then unassigns it in order (a mode commit)
   * or, when the burst ended where it started, resumes it. Never an error the driver would count.
   */
  private heldBack = false;
  private frameNumber = 0;
  private readyAt = 0;
  private heldSince = 0;
  private stalledThisFrame = false;
  /** This capture asked for the pointer too: its QueryPointer's reply, not the fetch's, ends the round trip. */
  private pointerQueried = false;
  private fetchErr: unknown = null;
  private readonly grabHold: CaptureGrab;
  private cursorSeen = -1;
  private readonly cursorOut: CursorState | null;
  private readonly frameIntervalMs: number;
  private readonly stride: number;
  /** The software adapter's frame buffer (GetImage reads into it); made when such a device binds. */
  private staging: Uint8Array | null = null;
  private readonly fullRect: Int32Array;
  private readonly surface: FrameSurface;
  private readonly onFetchedCb = (err: unknown): void => {
    // The damage is taken: a DamageNotify from now on is new damage.
    this.host.damagePending = false;
    if (this.pointerQueried) this.fetchErr = err;
    else this.onGrabbed(err, undefined);
  };
  private readonly onPointerCb = (err: unknown, p: QueryPointerReply | undefined): void => {
    const e = err || this.fetchErr;
    this.fetchErr = null;
    this.onGrabbed(e, p);
  };
  private readonly onSoftwareReadCb = (ok: boolean): void => this.onRead(ok);

  constructor(
    readonly id: number,
    readonly renderAdapter: Adapter,
    readonly mode: DisplayMode,
    private readonly host: SwapChainHost,
  ) {
    const stride = mode.width * 4;
    this.stride = stride;
    this.fullRect = Int32Array.of(0, 0, mode.width, mode.height);
    this.cursorOut = host.cursor
      ? { visible: false, x: 0, y: 0, hotX: 0, hotY: 0, shapeId: 0, width: 0, height: 0, shape: new Uint8Array(0) }
      : null;
    this.surface = {
      copyRects: (dst, dstOffset, dstStride, rects, base, count) => this.readFile(dst, dstOffset, dstStride, rects, base, count),
      copyAll: (dst, dstOffset, dstStride) => this.readFile(dst, dstOffset, dstStride, this.fullRect, 0, 1),
      copiesDone: () => this.release(),
    };
    this.frame = {
      // The software adapter's GetImage replies land here; the hardware adapter copies through
      // `surface` and leaves this empty (a consumer without a ring copies through the surface too).
      pixels: EMPTY_PIXELS,
      width: mode.width,
      height: mode.height,
      format: mode.format,
      stride,
      frameNumber: 0,
      presentTimeMs: 0,
      dirtyRects: new Int32Array(DIRTY_RECTS_CAPACITY * 4),
      dirtyCount: 0,
      cursor: this.cursorOut,
      surface: null,
    };
    this.frameIntervalMs = 1000 / Math.max(1, mode.refreshHz);
    this.grabHold = new CaptureGrab(host.clock, host.counters);
  }

  setDevice(device: RenderDevice): number {
    if (this.deleted || this.revokedHr !== S_OK || this.host.setDeviceRefused()) return DXGI_ERROR_ACCESS_LOST;
    if (!(device instanceof XvfbRenderDevice) || device.adapter.luid !== this.renderAdapter.luid) return E_FAIL;
    if (device.lost() || device.conn !== this.host.currentConnection()) return DXGI_ERROR_DEVICE_REMOVED;
    this.device = device;
    // The framebuffer file copies itself into the ring; GetImage's replies land in `pixels`.
    this.frame.surface = device.framebuffer !== null ? this.surface : null;
    if (device.framebuffer === null) {
      if (this.staging === null) this.staging = new Uint8Array(this.stride * this.mode.height);
      this.frame.pixels = this.staging;
    } else this.frame.pixels = EMPTY_PIXELS;
    // A newly bound device presents the whole screen once, as a fresh swap-chain would.
    this.host.region.markAll();
    this.maybeCapture();
    return S_OK;
  }

  // ---- the most performance-critical section: acquire / finish, the surface, the capture callbacks ----

  acquire(): number {
    if (this.deleted) return DXGI_ERROR_ACCESS_LOST;
    if (this.revokedHr !== S_OK) return this.revokedHr;
    const dev = this.device;
    if (dev === null) return E_FAIL;
    // The device's own reason (an injected DEVICE_RESET / DEVICE_HUNG is not a removal).
    if (dev.lost()) return dev.removedReason();
    // ReleaseAndAcquire releases the previous buffer first.
    if (this.state === HELD) this.finish();
    if (this.state !== READY || this.heldBack) {
      this.host.counters.pending++;
      return E_PENDING;
    }
    this.state = HELD;
    this.heldSince = this.host.clock.now();
    this.stalledThisFrame = false;
    this.frame.frameNumber = ++this.frameNumber;
    this.frame.presentTimeMs = this.readyAt;
    this.host.counters.acquired++;
    return S_OK;
  }

  finish(): number {
    if (this.state !== HELD) return S_OK;
    this.host.counters.finished++;
    // Nothing copied (no ring, a dropped frame): the grab ends here.
    this.release();
    this.state = IDLE;
    const conn = this.device?.conn;
    if (conn && !conn.closed) this.maybeCapture();
    this.host.captureEnded(this);
    return S_OK;
  }

  /** No capture in flight and no frame ready or held (capture-watch.ts). */
  get idle(): boolean {
    return this.state === IDLE;
  }

  /** A capture's requests are out and its frame not yet ready (capture-watch.ts). */
  get capturing(): boolean {
    return this.state === CAPTURING;
  }

  /** Starts a capture if there is something to deliver and nothing in the way. */
  maybeCapture(): void {
    if (this.state !== IDLE) {
      if (this.state === HELD && !this.stalledThisFrame && this.host.clock.now() - this.heldSince > this.frameIntervalMs) {
        // New damage while the driver still holds a frame older than one refresh: a stall.
        this.stalledThisFrame = true;
        this.host.counters.stalls++;
      }
      return;
    }
    const dev = this.device;
    if (dev === null || this.deleted || this.revokedHr !== S_OK || this.heldBack || this.host.presentsPaused) return;
    const cursor = this.host.cursor;
    const cursorChanged = cursor !== null && cursor.version !== this.cursorSeen;
    if (this.host.region.empty && !this.host.damagePending && !cursorChanged) return;
    if (dev.lost()) {
      this.surfaceAvailable.set(); // let the processor see DEVICE_REMOVED now
      return;
    }
    const conn = dev.conn;
    // Fetches of deleted swap-chains still on their way fill the queue only if the server stopped
    // answering; the damage waits for the next call then.
    if (!conn.damageFetch.canSend) return;
    this.state = CAPTURING;
    this.host.counters.captures++;
    const client = conn.client;
    this.grabHold.begin(conn, this.host.grab);
    // One write: the grab, the damage taken (subtract + fetch), the pointer; one round trip.
    this.pointerQueried = cursor !== null;
    this.fetchErr = null;
    conn.damageFetch.send(this.host.region, this.onFetchedCb, !this.pointerQueried);
    if (this.pointerQueried) client.QueryPointer(conn.root, this.onPointerCb);
  }

  private onGrabbed(err: unknown, p: QueryPointerReply | undefined): void {
    const dev = this.device;
    if (this.state !== CAPTURING || dev === null) {
      this.ungrab(dev);
      return;
    }
    if (err || dev.lost()) {
      // A refused fetch took the damage without its rectangles: the next frame is the whole screen.
      if (err) this.host.region.markAll();
      this.ungrab(dev);
      this.captureDropped();
      this.surfaceAvailable.set();
      return;
    }
    if (this.heldBack || this.host.presentsPaused) {
      // The screen changed size (or an injected idle began) while this capture was on its way:
      // nothing to deliver now; the damage stays for the capture that follows.
      this.ungrab(dev);
      this.captureDropped();
      return;
    }
    this.grabHold.replied();
    const cursor = this.host.cursor;
    if (cursor !== null && p) cursor.updatePosition(p.rootX, p.rootY, p.root);
    if (this.host.fullFrameReads && !this.host.region.empty) this.host.region.markAll();
    const n = this.host.region.takeInto(this.frame.dirtyRects);
    this.frame.dirtyCount = n;
    const cursorChanged = cursor !== null && cursor.version !== this.cursorSeen;
    if (n === 0 && !cursorChanged) {
      // Damage outside the current screen only: nothing to deliver.
      this.ungrab(dev);
      this.captureDropped();
      return;
    }
    if (dev.framebuffer !== null) {
      // The copy happens in the publisher, straight into its slot, under this grab.
      this.becomeReady();
    } else if (dev.getImage !== null) {
      dev.getImage.read(this.staging!, this.stride, this.frame.dirtyRects, n, this.onSoftwareReadCb);
    } else this.onRead(false);
  }

  /** A capture ends without a frame to deliver (capture-watch.ts waits for such ends too). */
  private captureDropped(): void {
    this.state = IDLE;
    this.host.captureEnded(this);
  }

  /** GetImage's pixels arrived (software adapter). */
  private onRead(ok: boolean): void {
    const dev = this.device;
    this.ungrab(dev);
    if (this.state !== CAPTURING) return;
    if (this.heldBack) {
      this.captureDropped();
      return;
    }
    if (!ok) {
      this.host.counters.readFailures++;
      dev?.markFailed();
      this.captureDropped();
      this.surfaceAvailable.set();
      return;
    }
    this.becomeReady();
  }

  private becomeReady(): void {
    const cursor = this.host.cursor;
    const out = this.cursorOut;
    if (cursor !== null && out !== null) this.cursorSeen = cursor.copyStateInto(out);
    this.state = READY;
    this.readyAt = this.host.clock.now();
    this.host.counters.presented++;
    this.surfaceAvailable.set();
  }

  /** The surface's copy: framebuffer file → `dst`, valid only while the frame is HELD. */
  private readFile(dst: Uint8Array, dstOffset: number, dstStride: number, rects: Int32Array, base: number, count: number): boolean {
    const dev = this.device;
    const fb = dev?.framebuffer ?? null;
    if (this.state !== HELD || fb === null) return false;
    const c = this.host.counters;
    const t0 = this.host.clock.now();
    const before = fb.bytesRead;
    const ok = fb.read(dst, dstStride, rects, count, dstOffset, base);
    c.bytesRead += fb.bytesRead - before;
    c.copyMs += this.host.clock.now() - t0;
    if (!ok) {
      c.readFailures++;
      dev!.markFailed();
    }
    return ok;
  }

  /** The copies are done (or will not happen): the grab ends now. */
  private release(): void {
    this.ungrab(this.device);
  }

  private ungrab(dev: XvfbRenderDevice | null): void {
    // Counted on the connection: a newer swap-chain's capture may hold the same server grab.
    this.grabHold.release(dev?.conn ?? null);
  }

  // ---- the OS side ----

  /** The device bound now (an injected device fault removes this one). */
  get boundDevice(): XvfbRenderDevice | null {
    return this.device;
  }

  get revoked(): boolean {
    return this.revokedHr !== S_OK;
  }

  get isHeldBack(): boolean {
    return this.heldBack;
  }

  /** A RandR burst began: present nothing until the OS resumes or unassigns this swap-chain. */
  holdBack(): void {
    if (this.heldBack) return;
    this.heldBack = true;
    // A READY frame's pixels are read when the driver copies it, at the new size by then: drop it.
    if (this.state === READY) {
      this.ungrab(this.device);
      this.state = IDLE;
      this.host.counters.discarded++;
    }
  }

  /** The burst ended at this swap-chain's mode after all: present again, the whole screen first. */
  resume(): void {
    if (!this.heldBack) return;
    this.heldBack = false;
    this.host.region.markAll();
    this.maybeCapture();
  }

  /** The OS takes the swap-chain away: acquire returns `hr` from now on. */
  revoke(hr: number): void {
    if (this.revokedHr === S_OK) this.revokedHr = hr;
    // A READY frame will never be acquired now: let the server go.
    if (this.state === READY) this.ungrab(this.device);
    this.surfaceAvailable.set();
  }

  /** WdfObjectDelete. Idempotent. */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    // A capture in flight still needs the device to ungrab in its callback; any other grab ends now.
    if (this.state !== CAPTURING) this.ungrab(this.device);
    // Presented, never acquired (revoked, its device lost, or taken back by the OS while READY).
    if (this.state === READY) this.host.counters.discarded++;
    this.state = DEAD;
    if (!this.grabHold.held) this.device = null;
    this.frame.surface = null;
    this.surfaceAvailable.set();
    this.host.onDeleted(this);
  }

  /** For the display's stats: the device removed reason the swap-chain sees (S_OK if none). */
  deviceState(): number {
    return this.device && this.device.lost() ? this.device.removedReason() : S_OK;
  }
}
