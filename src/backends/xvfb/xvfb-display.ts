/**
 * The Xvfb display system: the "OS" side of one virtual monitor on a real X server (DESIGN.md, the
 * map, right column). It owns the server (started or attached), the X connection and its event
 * routing, the render adapters, and the monitor's swap-chain life:
 *
 *  - start(monitor): assign a swap-chain on the current render adapter at the current mode;
 *    ABANDON_SWAPCHAIN → count it, back off, assign another.
 *  - the driver deletes its swap-chain (after a DirectX error) → assign a new one.
 *  - RandR size change (the last of a burst, after RANDR_SETTLE_MS of quiet) → new mode: revoke
 *    (ACCESS_LOST), unassign, assign a new swap-chain at the new size.
 *  - setRenderAdapter(luid) → the same, on that adapter (software = X GetImage).
 *  - the X server dies → revoke (DEVICE_REMOVED), unassign, restart Xvfb (same display number if it
 *    can) with its workload, reconnect, assign a new swap-chain.
 *  - reportCriticalError → revoke (DEVICE_STOPPED), unassign, assign nothing more.
 *
 * Invariant: these OS actions run one at a time, in order, on one promise queue; at most one
 * swap-chain is current, and only the current one takes the accumulated damage.
 */
import { FORMAT_UNKNOWN } from '../../contract/pixel-format.js';
import { BackendError } from '../../contract/errors.js';
import type { Clock } from '../../display/clock.js';
import { RealClock } from '../../display/real-clock.js';
import {
  DXGI_ERROR_ACCESS_LOST,
  DXGI_ERROR_DEVICE_REMOVED,
  E_FAIL,
  S_OK,
  STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED,
} from '../../display/result-codes.js';
import type {
  Adapter,
  DeviceCreation,
  DisplayMode,
  DisplaySystem,
  HostFaultRequest,
  IndirectDisplayAdapter,
  Monitor,
} from '../../display/types.js';
import type { XEvent } from 'x11';
import { CursorTracker } from './cursor-tracker.js';
import { DirtyRegion } from './dirty-region.js';
import { FramebufferReader } from './framebuffer-reader.js';
import { GetImageReader } from './getimage-reader.js';
import { XvfbRenderDevice } from './render-device.js';
import { XvfbSwapChain, type CaptureCounters, type SwapChainHost } from './swap-chain.js';
import { validateWorkload, WorkloadProcess, type WorkloadSpec } from './workload-process.js';
import { XConnection } from './x-connection.js';
import { attachXvfb, startXvfb, type XvfbServer } from './xvfb-server.js';
import { formatForDepth } from './xwd-header.js';
import {
  validateXvfbOptions,
  XVFB_HARDWARE_LUID,
  XVFB_SOFTWARE_LUID,
  type XvfbDisplayOptions,
  type XvfbStats,
} from './display-options.js';

export { XVFB_HARDWARE_LUID, XVFB_SOFTWARE_LUID, type XvfbDisplayOptions, type XvfbStats };

const RANDR_SETTLE_MS = 30;
const UNASSIGN_TIMEOUT_MS = 5_000;
const RESTART_ATTEMPTS = 5;
const ATTACH_RETRY_MS = 500;

export class XvfbDisplay implements DisplaySystem, IndirectDisplayAdapter, SwapChainHost {
  readonly clock: Clock;
  readonly adapter: IndirectDisplayAdapter = this;
  readonly hardwareAdapter: Adapter = { luid: XVFB_HARDWARE_LUID, kind: 'hardware', name: 'Xvfb framebuffer file' };
  readonly softwareAdapter: Adapter = { luid: XVFB_SOFTWARE_LUID, kind: 'software', name: 'X GetImage' };
  readonly region = new DirtyRegion();
  readonly counters: CaptureCounters = {
    presented: 0, acquired: 0, finished: 0, pending: 0, captures: 0, stalls: 0, grabWaitMs: 0, grabHeldMs: 0, readFailures: 0, bytesRead: 0,
  };
  grab: boolean;
  fullFrameReads = false;
  cursor: CursorTracker | null = null;

  private server: XvfbServer;
  private conn: XConnection | null = null;
  private workload: WorkloadProcess | null = null;
  private monitor: Monitor | null = null;
  private current: XvfbSwapChain | null = null;
  private renderAdapterNow: Adapter;
  private modeNow: DisplayMode;
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private critical: { major: number; minor: number } | null = null;
  private framebufferBroken = false;
  private nextSwapChainId = 1;
  private nextDeviceId = 1;
  private readonly devices = new Set<XvfbRenderDevice>();
  private settleCancel: (() => void) | null = null;
  private pendingSize: { width: number; height: number } | null = null;
  private readonly extra = {
    swapChainsAssigned: 0, swapChainsAbandoned: 0, swapChainsDeleted: 0, devicesCreated: 0, devicesDestroyed: 0,
    damageEvents: 0, modeChanges: 0, serverLosses: 0, serverRestarts: 0,
  };
  private lastError: string | null = null;
  private readonly hostFaultListeners: Array<(req: HostFaultRequest) => void> = [];

  private constructor(
    server: XvfbServer,
    private readonly opts: Required<Pick<XvfbDisplayOptions, 'cursor' | 'cursorPollMs' | 'restartOnCrash' | 'workloadFps'>> & {
      workload: WorkloadSpec;
      refreshHz: number;
      spec: { width: number; height: number; depth: 24 | 30 };
    },
    clock: Clock,
    grab: boolean,
  ) {
    this.server = server;
    this.clock = clock;
    this.grab = grab;
    this.renderAdapterNow = this.hardwareAdapter;
    this.modeNow = { width: 0, height: 0, refreshHz: opts.refreshHz, format: FORMAT_UNKNOWN };
  }

  /** Starts (or attaches to) the X server, connects, and starts the workload. */
  static async create(options: XvfbDisplayOptions = {}): Promise<XvfbDisplay> {
    validateXvfbOptions(options);
    const workload = validateWorkload(options.workload);
    const mode = options.mode ?? { width: 1280, height: 720, refreshHz: 60 };
    const depth = options.depth ?? 24;
    const spec = { width: mode.width, height: mode.height, depth };
    const server = options.display !== undefined ? attachXvfb(options.display) : await startXvfb(spec);
    const d = new XvfbDisplay(
      server,
      {
        cursor: options.cursor ?? true,
        cursorPollMs: options.cursorPollMs ?? 100,
        restartOnCrash: options.restartOnCrash ?? true,
        workloadFps: options.workloadFps ?? mode.refreshHz,
        workload,
        refreshHz: mode.refreshHz,
        spec,
      },
      options.clock ?? new RealClock(),
      (options.consistency ?? 'grab') === 'grab',
    );
    try {
      await d.connect();
      await d.startWorkload();
    } catch (e) {
      await d.teardown();
      throw e;
    }
    return d;
  }

  // ---- DisplaySystem ----

  mode(): DisplayMode {
    return this.modeNow;
  }

  /** ":N" of the X server. */
  get display(): string {
    return this.server.display;
  }

  get serverPid(): number {
    return this.server.pid;
  }

  get framebufferPath(): string {
    return this.server.framebufferPath;
  }

  get workloadPid(): number | null {
    return this.workload?.pid ?? null;
  }

  /** The swap-chain assigned now (tests and diagnostics). */
  get currentSwapChain(): XvfbSwapChain | null {
    return this.current;
  }

  async start(monitor: Monitor): Promise<void> {
    if (this.monitor) throw new BackendError('the Xvfb display was already started');
    if (this.stopping) throw new BackendError('the Xvfb display was stopped');
    this.monitor = monitor;
    await this.enqueue(() => this.assignNew());
  }

  stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopping = true;
    this.stopped = (async () => {
      await this.enqueue(() => this.takeBack(DXGI_ERROR_ACCESS_LOST, true));
      await this.teardown();
    })();
    return this.stopped;
  }

  stats(): XvfbStats {
    const c = this.counters;
    return {
      presented: c.presented,
      acquired: c.acquired,
      finished: c.finished,
      swapChainsAssigned: this.extra.swapChainsAssigned,
      swapChainsAbandoned: this.extra.swapChainsAbandoned,
      swapChainsDeleted: this.extra.swapChainsDeleted,
      devicesCreated: this.extra.devicesCreated,
      devicesDestroyed: this.extra.devicesDestroyed,
      stalls: c.stalls,
      renderAdapter: this.renderAdapterNow,
      criticalError: this.critical,
      display: this.server.display,
      serverPid: this.server.pid,
      damageEvents: this.extra.damageEvents,
      captures: c.captures,
      pendingAcquires: c.pending,
      modeChanges: this.extra.modeChanges,
      serverLosses: this.extra.serverLosses,
      serverRestarts: this.extra.serverRestarts,
      grabWaitMsMean: c.presented ? c.grabWaitMs / c.presented : 0,
      grabHeldMsMean: c.presented ? c.grabHeldMs / c.presented : 0,
      readFailures: c.readFailures,
      lastError: this.lastError,
    };
  }

  onHostFault(listener: (req: HostFaultRequest) => void): void {
    // The Xvfb display has no fault schedule; host faults never come from here.
    this.hostFaultListeners.push(listener);
  }

  // ---- IndirectDisplayAdapter ----

  renderAdapters(): readonly Adapter[] {
    return [this.hardwareAdapter, this.softwareAdapter];
  }

  createDevice(adapter: Adapter): DeviceCreation {
    const conn = this.conn;
    if (this.critical || conn === null || conn.closed) return { hr: DXGI_ERROR_DEVICE_REMOVED, device: null };
    const onDestroy = (d: XvfbRenderDevice): void => {
      this.extra.devicesDestroyed++;
      this.devices.delete(d);
    };
    if (adapter.luid === XVFB_HARDWARE_LUID) {
      if (this.framebufferBroken) return { hr: DXGI_ERROR_DEVICE_REMOVED, device: null };
      let reader: FramebufferReader;
      try {
        reader = FramebufferReader.open(this.server.framebufferPath);
      } catch (e) {
        this.lastError = `framebuffer: ${(e as Error).message}`;
        return { hr: DXGI_ERROR_DEVICE_REMOVED, device: null };
      }
      this.extra.devicesCreated++;
      const device = new XvfbRenderDevice(this.nextDeviceId++, this.hardwareAdapter, conn, reader, null, onDestroy);
      this.devices.add(device);
      return { hr: S_OK, device };
    }
    if (adapter.luid === XVFB_SOFTWARE_LUID) {
      this.extra.devicesCreated++;
      return { hr: S_OK, device: new XvfbRenderDevice(this.nextDeviceId++, this.softwareAdapter, conn, null, new GetImageReader(conn), onDestroy) };
    }
    return { hr: E_FAIL, device: null };
  }

  setRenderAdapter(luid: number): void {
    const target = this.renderAdapters().find((a) => a.luid === luid);
    if (!target || target.luid === this.renderAdapterNow.luid) return;
    this.renderAdapterNow = target;
    // Swap-chains are recreated on the new adapter. One being assigned right now is simply the
    // last on the old adapter: the assign loop builds the next one on the new adapter.
    if (this.current && this.current.renderAdapter.luid !== target.luid) this.current.revoke(DXGI_ERROR_ACCESS_LOST);
    void this.enqueue(async () => {
      if (this.current && this.current.renderAdapter.luid !== this.renderAdapterNow.luid) await this.takeBack(DXGI_ERROR_ACCESS_LOST, true);
      await this.assignNew();
    });
  }

  reportCriticalError(major: number, minor: number): void {
    if (this.critical) return;
    this.critical = { major, minor };
    this.current?.revoke(STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED);
    void this.enqueue(() => this.takeBack(STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED));
  }

  // ---- faults on demand ----

  /**
   * Makes the framebuffer-file path fail: open hardware devices lose their file (reads fail →
   * DEVICE_REMOVED) and no new hardware device can be created. The GetImage path is unaffected.
   */
  breakFramebuffer(): void {
    this.framebufferBroken = true;
    for (const d of this.devices) d.framebuffer?.close();
    // Make the loss visible at once: the next capture's read fails and wakes the processor.
    this.region.markAll();
    this.current?.maybeCapture();
  }

  // ---- measurement aids (the benchmark compares these; a normal run never calls them) ----

  /** 'none' reads without the server grab: frames may mix two draws. Only to measure what the grab costs. */
  setConsistency(mode: 'grab' | 'none'): void {
    this.grab = mode === 'grab';
  }

  /** Bytes read from the framebuffer file so far. */
  bytesRead(): number {
    return this.counters.bytesRead;
  }

  /** Reads the whole screen every frame instead of the damaged rectangles (the full-copy baseline). */
  setFullFrameReads(on: boolean): void {
    this.fullFrameReads = on;
  }

  // ---- SwapChainHost ----

  currentConnection(): XConnection | null {
    return this.conn;
  }

  onDeleted(sc: XvfbSwapChain): void {
    this.extra.swapChainsDeleted++;
    if (sc !== this.current) return;
    // The driver gave the swap-chain back (WdfObjectDelete): the OS assigns another.
    this.current = null;
    if (!this.stopping) void this.enqueue(() => this.assignNew());
  }

  // ---- the OS side ----

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task).catch((e: unknown) => {
      this.lastError = e instanceof Error ? e.message : String(e);
    });
    this.queue = next;
    return next;
  }

  private async assignNew(): Promise<void> {
    let backoff = 10;
    // Not while a RandR burst settles: its end assigns at the new size.
    while (!this.stopping && !this.critical && this.current === null && this.settleCancel === null && this.monitor && this.conn && !this.conn.closed) {
      const sc = new XvfbSwapChain(this.nextSwapChainId++, this.renderAdapterNow, { ...this.modeNow }, this);
      this.current = sc;
      let hr: number;
      try {
        hr = await this.monitor.assignSwapChain(sc);
      } catch (e) {
        this.lastError = `assignSwapChain threw: ${(e as Error).message}`;
        hr = E_FAIL;
      }
      if (hr === S_OK && this.current === sc) {
        this.extra.swapChainsAssigned++;
        return;
      }
      if (hr !== S_OK) this.extra.swapChainsAbandoned++;
      if (this.current === sc) this.current = null;
      sc.delete();
      await this.clock.sleep(backoff);
      backoff = Math.min(backoff * 2, 1000);
    }
  }

  /**
   * Takes the current swap-chain away. `orderly` is the OS's ordinary unassign (a stop, a new
   * render adapter): the driver is told first and its processor leaves at its loop top, so no
   * failure is reported; otherwise (the server died, the mode changed under it) acquire fails at
   * once with `hr`, as IddCx fails it for a swap-chain that is already gone.
   */
  private async takeBack(hr: number, orderly = false): Promise<void> {
    const sc = this.current;
    if (!sc) return;
    this.current = null;
    if (!orderly) sc.revoke(hr);
    if (this.monitor && !sc.deleted) {
      let timer: (() => void) | null = null;
      await Promise.race([
        this.monitor.unassignSwapChain(),
        new Promise<void>((resolve) => {
          timer = this.clock.setTimer(UNASSIGN_TIMEOUT_MS, () => {
            this.lastError = `unassignSwapChain did not return within ${UNASSIGN_TIMEOUT_MS} ms`;
            resolve();
          });
        }),
      ]);
      (timer as (() => void) | null)?.();
    }
    if (orderly) sc.revoke(hr);
    sc.delete();
  }

  private async connect(): Promise<void> {
    const conn = await XConnection.open(this.server.display);
    try {
      const format = formatForDepth(conn.depth);
      if (format === FORMAT_UNKNOWN) {
        throw new BackendError(`display ${this.server.display} has depth ${conn.depth}; vdpush reads depth 24 or 30`);
      }
      // Validate the framebuffer file now, so a bad header fails create(), not the first frame.
      const probe = FramebufferReader.open(this.server.framebufferPath);
      const fileFormat = probe.header.format;
      const fbW = probe.header.width;
      const fbH = probe.header.height;
      probe.close();
      if (fileFormat !== format) {
        throw new BackendError(`the framebuffer file's depth does not match display ${this.server.display}'s depth ${conn.depth}`);
      }
      const geo = await new Promise<{ width: number; height: number }>((resolve, reject) =>
        conn.client.GetGeometry(conn.root, (err, g) => (err ? reject(err) : resolve(g))),
      );
      if (geo.width > fbW || geo.height > fbH) {
        throw new BackendError(`screen ${geo.width}x${geo.height} is larger than the framebuffer file's ${fbW}x${fbH}`);
      }
      this.modeNow = { width: geo.width, height: geo.height, refreshHz: this.opts.refreshHz, format };
      this.region.resize(geo.width, geo.height);
      conn.randr.SelectInput(conn.root, conn.randr.NotifyMask.ScreenChange);
      if (this.opts.cursor) {
        this.cursor = new CursorTracker(conn, geo, () => this.current?.maybeCapture());
        this.cursor.startPolling(this.opts.cursorPollMs);
      } else this.cursor = null;
      const damageEvent = conn.damage.firstEvent + conn.damage.events.DamageNotify;
      const screenEvent = conn.randr.firstEvent + conn.randr.events.RRScreenChangeNotify;
      conn.onEvent((ev: XEvent) => {
        if (ev.type === damageEvent) {
          const a = ev.area as { x: number; y: number; w: number; h: number };
          this.extra.damageEvents++;
          this.region.add(a.x, a.y, a.w, a.h);
          this.current?.maybeCapture();
        } else if (ev.type === screenEvent) {
          this.onScreenChange(ev.width as number, ev.height as number);
        } else this.cursor?.handleEvent(ev);
      });
      conn.onClose(() => this.onConnectionLost(conn));
      this.conn = conn;
      if (this.server.owned) this.server.onUnexpectedExit(() => conn.close());
      await conn.sync();
    } catch (e) {
      conn.close();
      throw e;
    }
  }

  private onScreenChange(width: number, height: number): void {
    // The screen already has the new size: a frame at the old size would show stale pixels
    // outside it, so the current swap-chain delivers nothing more.
    const sc = this.current;
    if (sc && (sc.mode.width !== width || sc.mode.height !== height)) sc.revoke(DXGI_ERROR_ACCESS_LOST);
    // Act on the last of a burst (xrandr sends several): wait until the events stop.
    this.pendingSize = { width, height };
    this.settleCancel?.();
    this.settleCancel = this.clock.setTimer(RANDR_SETTLE_MS, () => {
      this.settleCancel = null;
      const size = this.pendingSize;
      this.pendingSize = null;
      if (!size || this.stopping) return;
      const sameMode = size.width === this.modeNow.width && size.height === this.modeNow.height;
      // A burst that ended where it started changes nothing, unless it cost the swap-chain.
      if (sameMode && !(this.current?.revoked ?? false)) return;
      if (!sameMode) {
        this.extra.modeChanges++;
        this.modeNow = { ...this.modeNow, width: size.width, height: size.height };
        this.region.resize(size.width, size.height);
        this.cursor?.setScreen(size.width, size.height);
      }
      this.current?.revoke(DXGI_ERROR_ACCESS_LOST);
      void this.enqueue(async () => {
        await this.takeBack(DXGI_ERROR_ACCESS_LOST);
        await this.assignNew();
      });
    });
  }

  private onConnectionLost(conn: XConnection): void {
    if (conn !== this.conn) return;
    this.cursor?.stopPolling();
    if (this.stopping) return;
    this.extra.serverLosses++;
    this.current?.revoke(DXGI_ERROR_DEVICE_REMOVED);
    void this.enqueue(async () => {
      await this.takeBack(DXGI_ERROR_DEVICE_REMOVED);
      await this.recover();
      await this.assignNew();
    });
  }

  /** Brings the X server back: restart ours (same display number first), or wait for an attached one. */
  private async recover(): Promise<void> {
    const old = this.server;
    if (this.workload) {
      await this.workload.stop();
      this.workload = null;
    }
    if (!old.owned || !this.opts.restartOnCrash) {
      while (!this.stopping && old.owned === false) {
        try {
          this.server = attachXvfb(old.display);
          await this.connect();
          return;
        } catch {
          await this.clock.sleep(ATTACH_RETRY_MS);
        }
      }
      return;
    }
    await old.stop();
    for (let attempt = 0; attempt < RESTART_ATTEMPTS && !this.stopping; attempt++) {
      try {
        this.server = await startXvfb(this.opts.spec, attempt < RESTART_ATTEMPTS - 1 ? old.displayNumber : undefined);
        await this.connect();
        this.extra.serverRestarts++;
        await this.startWorkload();
        return;
      } catch (e) {
        this.lastError = `restart: ${(e as Error).message}`;
        if (this.server !== old) await this.server.stop();
        await this.clock.sleep(100 * (attempt + 1));
      }
    }
  }

  private async startWorkload(): Promise<void> {
    this.workload = await WorkloadProcess.start(this.opts.workload, this.server.display, this.opts.workloadFps);
  }

  private async teardown(): Promise<void> {
    this.settleCancel?.();
    this.cursor?.stopPolling();
    if (this.workload) await this.workload.stop();
    this.workload = null;
    this.conn?.close();
    await this.server.stop();
  }
}

/** Creates the Xvfb display system (see XvfbDisplayOptions). */
export function createXvfbDisplay(opts: XvfbDisplayOptions = {}): Promise<XvfbDisplay> {
  return XvfbDisplay.create(opts);
}
