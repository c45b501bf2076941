/**
 * The Xvfb display system: the "OS" side of one virtual monitor on a real X server (DESIGN.md, the
 * map, right column). It joins the parts and owns what they share (the damage, the counters):
 *
 *  - server-life.ts: the X server (started or attached), its connection and workload, restarts;
 *  - event-router.ts: the connection's events (damage, RandR bursts, cursor);
 *  - swap-chain-assigner.ts: the monitor's swap-chain life, one OS action at a time;
 *  - mode-commit.ts: the screen's mode, and a new one committed as IddCx does (never a failure);
 *  - render-devices.ts: the two render adapters and the devices made on them;
 *  - display-record.ts: its events, errors and counts for the stats and the timeline.
 *
 * What the OS does, and why:
 *  - start(monitor): assign a swap-chain at the current mode.
 *  - RandR size change or a host-requested mode → an orderly unassign, an assign at the new size.
 *  - setRenderAdapter(luid) → the same, on that adapter (software = X GetImage).
 *  - the X server dies → revoke (DEVICE_REMOVED), unassign, restart Xvfb (same display number if it
 *    can) with its workload, reconnect, assign a new swap-chain.
 *  - reportCriticalError → revoke (DEVICE_STOPPED), unassign, assign nothing more.
 */
import { BackendError } from '../../contract/errors.js';
import type { Clock } from '../../display/clock.js';
import { CRITICAL_MAJOR_BASE, DXGI_ERROR_ACCESS_LOST, DXGI_ERROR_DEVICE_REMOVED } from '../../display/result-codes.js';
import { RealClock } from '../../display/real-clock.js';
import type {
  Adapter,
  DeviceCreation,
  DisplayMode,
  DisplaySystem,
  HostFaultRequest,
  IndirectDisplayAdapter,
  Monitor,
} from '../../display/types.js';
import type { CursorTracker } from './cursor-tracker.js';
import { DisplayCursor } from './display-cursor.js';
import { DirtyRegion } from './dirty-region.js';
import { XEventRouter } from './event-router.js';
import { ModeCommit } from './mode-commit.js';
import { XvfbRenderDevices } from './render-devices.js';
import { ServerLife, type ConnectedScreen, type DisplayEvent } from './server-life.js';
import { SwapChainAssigner } from './swap-chain-assigner.js';
import { XvfbSwapChain, type CaptureCounters, type SwapChainHost } from './swap-chain.js';
import { validateWorkload } from './workload-process.js';
import type { FaultRecord } from '../sim/fault-injector.js';
import type { XvfbFaults } from './xvfb-faults.js';
import { createDisplayFaults } from './display-faults.js';
import { CaptureWatch } from './capture-watch.js';
import { DisplayRecord } from './display-record.js';
import { xvfbStats } from './display-stats.js';
import type { XConnection } from './x-connection.js';
import {
  serverLifeConfig,
  validateXvfbOptions,
  XVFB_HARDWARE_LUID,
  XVFB_SOFTWARE_LUID,
  type XvfbDisplayOptions,
  type XvfbStats,
} from './display-options.js';

export { XVFB_HARDWARE_LUID, XVFB_SOFTWARE_LUID, type XvfbDisplayOptions, type XvfbStats };

export class XvfbDisplay implements DisplaySystem, IndirectDisplayAdapter, SwapChainHost {
  readonly clock: Clock;
  readonly adapter: IndirectDisplayAdapter = this;
  readonly hardwareAdapter: Adapter;
  readonly softwareAdapter: Adapter;
  readonly region = new DirtyRegion();
  readonly counters: CaptureCounters = {
    presented: 0, acquired: 0, discarded: 0, finished: 0, pending: 0, captures: 0, stalls: 0, grabWaitMs: 0, grabHeldMs: 0, readFailures: 0, bytesRead: 0, copyMs: 0,
  };
  grab: boolean;
  damagePending = false;
  fullFrameReads = false;
  private readonly pointer: DisplayCursor;

  private life!: ServerLife;
  private faults!: XvfbFaults;
  private readonly watch = new CaptureWatch();
  private readonly router: XEventRouter;
  private readonly assigner: SwapChainAssigner;
  private readonly devices: XvfbRenderDevices;
  private readonly modes: ModeCommit;
  private renderAdapterNow: Adapter;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private critical: { major: number; minor: number } | null = null;
  private readonly record = new DisplayRecord();
  private readonly hostFaultListeners: Array<(req: HostFaultRequest) => void> = [];

  private constructor(
    opts: Required<Pick<XvfbDisplayOptions, 'cursor' | 'cursorPollMs'>> & { refreshHz: number },
    clock: Clock,
    grab: boolean,
  ) {
    this.clock = clock;
    this.grab = grab;
    this.devices = new XvfbRenderDevices({
      connection: () => this.life.conn,
      framebufferPath: () => this.life.framebufferPath,
      critical: () => this.critical !== null,
      recordError: this.record.recordError,
    });
    this.hardwareAdapter = this.devices.hardware;
    this.softwareAdapter = this.devices.software;
    this.renderAdapterNow = this.hardwareAdapter;
    this.pointer = new DisplayCursor(opts.cursor, opts.cursorPollMs, () => this.assigner.current?.maybeCapture());
    this.router = new XEventRouter(clock, {
      onDamage: () => {
        // NonEmpty: the event says only that damage is there; the capture fetches its rectangles.
        this.record.damageEvents++;
        this.damagePending = true;
        this.cursor?.noteActivity();
        this.assigner.current?.maybeCapture();
      },
      onScreenChanging: (width, height) => this.modes.changing(width, height),
      onScreenSettled: (width, height) => this.modes.settled(width, height),
      onOtherEvent: (ev) => this.cursor?.handleEvent(ev),
    });
    this.assigner = new SwapChainAssigner(clock, {
      canAssign: () => {
        const conn = this.life.conn;
        return !this.stopping && !this.critical && !this.router.settling && conn !== null && !conn.closed;
      },
      createSwapChain: (id) => new XvfbSwapChain(id, this.renderAdapterNow, { ...this.modes.current }, this),
      recordError: this.record.recordError,
      stopping: () => this.stopping,
    });
    this.modes = new ModeCommit(
      {
        assigner: this.assigner,
        stopping: () => this.stopping,
        screenDisplay: () => this.screenDisplay,
        resized: (width, height) => {
          this.region.resize(width, height);
          this.cursor?.setScreen(width, height);
        },
      },
      opts.refreshHz,
    );
  }

  /** Starts (or attaches to) the X server, connects, and starts the workload. */
  static async create(options: XvfbDisplayOptions = {}): Promise<XvfbDisplay> {
    validateXvfbOptions(options);
    const mode = options.mode ?? { width: 1280, height: 720, refreshHz: 60 };
    const clock = options.clock ?? new RealClock();
    const d = new XvfbDisplay(
      { cursor: options.cursor ?? true, cursorPollMs: options.cursorPollMs ?? 100, refreshHz: mode.refreshHz },
      clock,
      (options.consistency ?? 'grab') === 'grab',
    );
    d.faults = createDisplayFaults(
      {
        clock,
        assigner: d.assigner,
        mode: () => d.modes.current,
        requestMode: (m) => d.requestMode(m),
        hostFaultListeners: d.hostFaultListeners,
        recordFailure: (kind, message) => d.record.recordFaultFailure(clock.now(), kind, message),
      },
      options.faults ?? '',
    );
    d.life = await ServerLife.open(
      options.display,
      serverLifeConfig(options, mode, validateWorkload(options.workload)),
      clock,
      {
        onConnected: (conn, screen) => d.onConnected(conn, screen),
        onConnectionLost: () => d.onConnectionLost(),
        stopping: () => d.stopping,
        recordError: d.record.recordError,
        recordEvent: d.record.recordEvent,
        fail: d.record.fail,
      },
    );
    try {
      await d.life.connect();
      await d.life.startWorkload();
    } catch (e) {
      await d.teardown();
      throw e;
    }
    return d;
  }

  /** SwapChainHost: the capture reads the pointer of the current connection. */
  get cursor(): CursorTracker | null {
    return this.pointer.tracker;
  }

  // ---- DisplaySystem ----

  mode(): DisplayMode {
    return this.modes.current;
  }

  /** ":N" of the X server. */
  get display(): string {
    return this.life.server.display;
  }

  /** ":N.S" of the screen this display shows (":N" for screen 0): where its X clients connect. */
  get screenDisplay(): string {
    return this.life.screenDisplay;
  }

  get serverPid(): number {
    return this.life.server.pid;
  }

  /** Display-side events for the recovery timeline (the workload died or was restarted), in order. */
  displayEvents(): readonly DisplayEvent[] {
    return this.record.events;
  }

  /** Calls `fn` after each display event is recorded, so the host's timeline need not wait for a poll. */
  onDisplayEvent(fn: () => void): void {
    this.record.onEvent(fn);
  }

  /** The error that ends the run (an attached display that went away and did not come back), or null. */
  fatalError(): BackendError | null {
    return this.record.fatal;
  }

  /** True when vdpush started the server (an attached display is the user's: never stopped or killed). */
  get serverOwned(): boolean {
    return this.life.server.owned;
  }

  get displayNumber(): number {
    return this.life.server.displayNumber;
  }

  get framebufferPath(): string {
    return this.life.framebufferPath;
  }

  get workloadPid(): number | null {
    return this.life.workloadPid;
  }

  /** The swap-chain assigned now (tests and diagnostics). */
  get currentSwapChain(): XvfbSwapChain | null {
    return this.assigner.current;
  }

  async start(monitor: Monitor): Promise<void> {
    if (this.assigner.monitor) throw new BackendError('the Xvfb display was already started');
    if (this.stopping) throw new BackendError('the Xvfb display was stopped');
    this.faults.start();
    await this.assigner.start(monitor);
  }

  stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopping = true;
    this.faults.stop();
    this.stopped = (async () => {
      await this.assigner.enqueue(() => this.assigner.takeBack(DXGI_ERROR_ACCESS_LOST, true));
      await this.teardown();
    })();
    return this.stopped;
  }

  stats(): XvfbStats {
    const server = this.life.server;
    return xvfbStats({
      counters: this.counters,
      assigner: this.assigner,
      devices: this.devices,
      renderAdapter: this.renderAdapterNow,
      criticalError: this.critical,
      display: this.life.screenDisplay,
      serverPid: server.pid,
      serverRestarts: this.life.serverRestarts,
      modeChanges: this.modes.changes,
      record: this.record,
    });
  }

  /** A mode the host asks for: set through RandR on this screen (mode-commit.ts). */
  requestMode(mode: { width: number; height: number; refreshHz: number }): Promise<void> {
    if (this.stopping) return Promise.reject(new BackendError('the Xvfb display was stopped'));
    return this.modes.request(mode);
  }

  /** Calls `fn` after every change of the cursor (position, visibility, shape). */
  onCursorChange(fn: () => void): void {
    this.pointer.onChange(fn);
  }

  onHostFault(listener: (req: HostFaultRequest) => void): void {
    // host-stall / host-recreate of the fault schedule (xvfb-faults.ts) are delivered here.
    this.hostFaultListeners.push(listener);
  }

  // ---- IndirectDisplayAdapter ----

  renderAdapters(): readonly Adapter[] {
    return this.devices.adapters();
  }

  createDevice(adapter: Adapter): DeviceCreation {
    return this.devices.create(adapter);
  }

  setRenderAdapter(luid: number): void {
    const target = this.renderAdapters().find((a) => a.luid === luid);
    if (!target || target.luid === this.renderAdapterNow.luid) return;
    this.renderAdapterNow = target;
    this.assigner.moveToAdapter(() => this.renderAdapterNow.luid);
  }

  reportCriticalError(major: number, minor: number): void {
    if (this.critical) return;
    // The driver passes 0..0xFF; IddCx reports the major with 0x100 added (critical-codes.ts).
    this.critical = { major: major + CRITICAL_MAJOR_BASE, minor };
    this.assigner.stopForCriticalError();
  }

  // ---- faults on demand ----

  /** Injects a fault now (xvfb-faults.ts); a kind a real X server cannot produce is refused, naming why. */
  injectFault(kind: string, arg?: number | string): FaultRecord {
    return this.faults.inject(kind, arg);
  }

  /** Every fault injected so far (the schedule's and injectFault's), in order. */
  faultLog(): readonly FaultRecord[] {
    return this.faults.faultLog();
  }

  get presentsPaused(): boolean {
    return this.faults.presentsPaused || this.watch.unwatched;
  }

  /** Nobody looks: capture nothing until watched again (capture-watch.ts). */
  setWatched(watched: boolean, caughtUp: () => void): void {
    this.watch.set(watched, caughtUp, this.assigner.current);
  }

  captureEnded(sc: XvfbSwapChain): void {
    this.watch.captureEnded(sc);
  }

  setDeviceRefused(): boolean {
    return this.faults.setDeviceRefused();
  }

  /** Makes the framebuffer-file path fail (render-devices.ts); the GetImage path is unaffected. */
  breakFramebuffer(): void {
    this.devices.breakFramebuffer();
    // Make the loss visible at once: the next capture's read fails and wakes the processor.
    this.region.markAll();
    this.assigner.current?.maybeCapture();
  }

  // ---- measurement aids (the benchmark compares these; a normal run never calls them) ----

  /** 'none' reads without the server grab: frames may mix two draws. Only to measure what the grab costs. */
  setConsistency(mode: 'grab' | 'none'): void {
    this.grab = mode === 'grab';
  }

  /** Reads the whole screen every frame instead of the damaged rectangles (the full-copy baseline). */
  setFullFrameReads(on: boolean): void {
    this.fullFrameReads = on;
  }

  // ---- SwapChainHost ----

  currentConnection(): XConnection | null {
    return this.life.conn;
  }

  onDeleted(sc: XvfbSwapChain): void {
    this.assigner.onDeleted(sc);
  }

  // ---- the OS side: what the server and its events make it do ----

  /** A new connection (the first, or after a restart): take its screen, route its events. */
  private onConnected(conn: XConnection, screen: ConnectedScreen): void {
    this.modes.connected(screen.width, screen.height, screen.format);
    this.pointer.connected(conn, screen);
    this.router.attach(conn);
  }

  private onConnectionLost(): void {
    this.pointer.stop();
    if (this.stopping) return;
    this.record.serverLosses++;
    this.assigner.replaceAfter(DXGI_ERROR_DEVICE_REMOVED, async () => {
      await this.life.recover();
      return !this.record.fatal;
    });
  }

  private async teardown(): Promise<void> {
    this.router.cancel();
    this.pointer.stop();
    await this.life.teardown();
  }
}

/** Creates the Xvfb display system (see XvfbDisplayOptions). */
export function createXvfbDisplay(opts: XvfbDisplayOptions = {}): Promise<XvfbDisplay> {
  return XvfbDisplay.create(opts);
}
