/**
 * One monitor of a session: its ring (owned here, on the host thread), its worker thread (the
 * display side: backend + driver) and what the host counts for it.
 *
 *   host thread (here)                         monitor worker (monitor-worker.ts)
 *   HostRing.create ──── SharedArrayBuffer ───> FramePublisher.open (lazily, by the processor)
 *   frames(): nextFrame → verify → yield        DisplaySystem (sim | xvfb) + driver
 *   sourceDescChanged → recreate → ringPort ──> read at the next attach (receiveMessageOnPort)
 *   close(): terminate word + 'stop' ─────────> driver.stop(), display.stop(), 'done' + counters
 *
 * Every monitor has a worker of its own (the seed gives each swap-chain its own thread), so no
 * monitor's burst, fault or slow consumer can delay another's drain. The adapter-wide state the
 * monitors share (the recovery ladder) is a SharedArrayBuffer the session hands every worker.
 *
 * The ring's ownership (recreate, hand-over) is monitor-ring.ts; the consumption of its frames
 * (wait, verify, count, yield, release or keep) is monitor-frames.ts; the worker's start, its
 * messages and its stop are monitor-worker-start.ts, monitor-worker-events.ts, monitor-worker-stop.ts.
 *
 * Invariant: a frame handed out by frames() stays valid (its slot is held) until the iteration
 * step ends, or until its keeper releases it; the host never blocks its thread on the ring (every
 * wait is a promise).
 */
import type { Worker } from 'node:worker_threads';
import { ClosedError, type VdpushError } from '../contract/errors.js';
import type { ChildWatchdog, WatchedResources } from './child-watchdog.js';
import type { HostFaultTarget } from './host-faults.js';
import { ModeRequests } from './mode-requests.js';
import { WorkerReports } from './worker-reports.js';
import { startMonitorWorker } from './monitor-worker-start.js';
import { askWorkerToStop, stopAndJoinWorker } from './monitor-worker-stop.js';
import { reactToWorker } from './monitor-worker-events.js';
import { LOCKSTEP_POLL_MS, type LinkOptionsOf } from './link-options.js';
import { checkInjection } from './fault-injection.js';
import { checkRingBytes, type ConsumedFrame, type HostRing } from '../ring/index.js';
import { HostLockstep } from './host-lockstep.js';
import { decodeHealth } from '../contract/status-codes.js';
import type { CursorState } from '../display/types.js';
import type { MonitorRecord } from './run-summary.js';
import { createFrameVerifier, type FrameVerifier } from './frame-verifier.js';
import type { FrameDemand } from './frame-demand.js';
import { MonitorFrames } from './monitor-frames.js';
import { MonitorRing, createMonitorHostRing } from './monitor-ring.js';
import { SessionRemoteInput } from './input/session-input.js';
import type { RemoteInput } from './input/remote-input.js';
import type { FrameKeeper } from './framebuffer/latest-framebuffer.js';
import {
  CONTROL_SLICE,
  CONTROL_VNOW,
  CONTROL_WORDS,
  type HostToWorker,
  type MonitorConfig,
  type RecoveryEventMessage,
  type WorkerSnapshot,
} from './worker-messages.js';

export type LinkOptions = LinkOptionsOf<MonitorLink>;

export class MonitorLink {
  readonly config: MonitorConfig;
  readonly targetId: number;
  private readonly rings: MonitorRing;
  readonly worker: Worker;
  readonly control: Int32Array;
  private readonly consumption: MonitorFrames;
  private readonly reports: WorkerReports;
  private readonly input = new SessionRemoteInput((m) => this.post(m), () => this.finished);
  private readonly lockstep: HostLockstep | null;
  /** The process that cleans up after us if we die without close() (xvfb; null for sim). */
  private watchdog: ChildWatchdog | null = null;
  private stoppedInOrder = false;
  private finished = false;
  private failure: VdpushError | null = null;
  private closing: Promise<MonitorRecord> | null = null;
  private mode: { width: number; height: number; refreshHz: number; format: number };
  /** Slices other monitors had run when this one was plugged in (the virtual-clock skew check's offset). */
  sliceBase = 0;
  /** True once a consumer iterated this monitor's frames (virtual time waits for the first). */
  consumerSeen = false;
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  private constructor(config: MonitorConfig, rings: (link: MonitorLink) => MonitorRing, worker: Worker, control: Int32Array, verifier: FrameVerifier, private readonly opts: LinkOptions) {
    this.config = config;
    this.targetId = config.targetId;
    this.reports = new WorkerReports(config.targetId);
    this.rings = rings(this);
    this.worker = worker;
    this.control = control;
    this.mode = { width: config.width, height: config.height, refreshHz: config.refreshHz, format: config.format };
    this.ended = new Promise((r) => (this.resolveEnded = r));
    this.sliceBase = opts.sliceBase;
    this.lockstep =
      config.clock === 'virtual'
        ? new HostLockstep(
            control,
            () => this.ring,
            {
              isFinished: () => this.finished,
              faultsReceived: () => this.reports.hostFaultsReceived,
              housekeeping: () => this.housekeeping(),
              ...(opts.mayAck !== undefined ? { mayAck: (slice: number) => opts.mayAck!(this, slice) } : {}),
              ...(opts.acked !== undefined ? { acked: opts.acked } : {}),
            },
            LOCKSTEP_POLL_MS,
          )
        : null;
    this.consumption = new MonitorFrames(
      {
        ring: () => this.ring,
        isFinished: () => this.finished,
        housekeeping: () => this.housekeeping(),
        nextHostFault: () => this.reports.hostFaults.shift(),
        faultTarget: this.faultTarget,
        lockstep: this.lockstep,
        noteFormat: (format) => {
          if (format !== this.mode.format) this.mode.format = format;
        },
      },
      verifier,
    );
    this.consumption.demand.setWatchLink((watched, seq) => this.post({ type: 'watch', watched, seq }));
  }

  private get ring(): HostRing {
    return this.rings.ring;
  }

  static async open(config: MonitorConfig, opts: LinkOptions): Promise<MonitorLink> {
    const ring = createMonitorHostRing(config, opts);
    const controlBuffer = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const { worker, ready, early, watchdog, ringPort } = await startMonitorWorker(config, ring, controlBuffer, opts.adapter, opts.onEarlyResources);
    // The verifier expects the targetId the host assigned, whatever the worker says it draws.
    const verify = opts.verify === false ? { kind: 'none' as const, params: null } : ready.verify;
    const rings = (l: MonitorLink): MonitorRing =>
      new MonitorRing(ring, ringPort, (desc) => {
        l.mode = { ...l.mode, width: desc.width, height: desc.height, format: desc.format };
      });
    const link = new MonitorLink(config, rings, worker, new Int32Array(controlBuffer), createFrameVerifier(verify, config.targetId), opts);
    link.reports.snapshot = early;
    link.watchdog = watchdog;
    link.mode = { width: ready.width, height: ready.height, refreshHz: ready.refreshHz, format: ready.format };
    link.listen();
    if (link.lockstep) void link.lockstep.run();
    return link;
  }

  private listen(): void {
    reactToWorker(this.worker, this.targetId, {
      reports: this.reports,
      resources: (r) => this.watchdog?.update(r),
      recovery: (e) => this.opts.onRecoveryEvent(e),
      cursorChanged: () => {
        for (const l of this.cursorListeners) l();
      },
      clipboard: (text) => this.input.deliverClipboard(text),
      hostFault: () => {
        this.ring.wake();
        this.consumption.wake();
      },
      modeSet: (m) => this.modeRequests.settle(m.id, m.error),
      caughtUp: (seq) => this.consumption.demand.caughtUp(seq),
      done: () => {
        this.stoppedInOrder = true;
        this.finish();
      },
      failed: (e) => {
        this.failure = e;
        this.finish();
      },
      exited: () => {
        // A worker that dies while holding a slot mutex must not wedge the host's next acquire.
        this.ring.abandonDisplaySide();
        this.finish();
      },
    });
  }

  private readonly modeRequests = new ModeRequests();
  private readonly faultTarget: HostFaultTarget = {
    ring: () => this.ring,
    recreateRing: (desc) => this.rings.recreate(desc),
    lockstep: () => this.lockstep,
    isFinished: () => this.finished,
  };

  /**
   * Asks the display for a mode (IddCxMonitorUpdateModes + commit); resolves once the display
   * committed it. The frames at the new size follow (the ring is recreated by housekeeping).
   */
  requestMode(mode: { width: number; height: number; refreshHz: number }): Promise<void> {
    if (this.finished) return Promise.reject(new ClosedError(`monitor ${this.targetId}`));
    // A mode whose ring the host would refuse is refused before the display commits it: asked of
    // the display, it would end the monitor (the viewer's mode picker must not be a way to kill one).
    try {
      checkRingBytes(mode.width, mode.height, this.ring.slotBytesPerPixel, this.ring.ringLen);
    } catch (e) {
      return Promise.reject(e);
    }
    const { id, done } = this.modeRequests.open();
    this.mode = { ...this.mode, refreshHz: mode.refreshHz };
    this.post({ type: 'set-mode', id, mode });
    return done;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.modeRequests.closeAll(`monitor ${this.targetId}`);
    this.lockstep?.wake();
    this.ring.wake();
    this.consumption.wake();
    this.resolveEnded();
    this.opts.onEnded(this);
  }

  /** The refresh rate the monitor was last asked for (its mode requests keep it unless told). */
  get refreshHz(): number {
    return this.mode.refreshHz;
  }

  get isEnded(): boolean {
    return this.finished;
  }

  get error(): VdpushError | null {
    return this.failure;
  }

  /** The virtual-clock slices this monitor's worker has run (0 on the real clock). */
  get slice(): number {
    return Atomics.load(this.control, CONTROL_SLICE);
  }

  /** Lets the acknowledging loop look again (another monitor moved on). */
  wakeLockstep(): void {
    this.lockstep?.wake();
  }

  /** Consumed frames, verified, each held until its step ends (or kept: see keeper). */
  frames(opts?: { onDemand?: boolean }): AsyncGenerator<ConsumedFrame, void, undefined> {
    this.consumerSeen = true;
    return this.consumption.frames(opts);
  }

  /** Who looks at this monitor's frames (frame-demand.ts), for frames({ onDemand: true }). */
  get demand(): FrameDemand {
    return this.consumption.demand;
  }

  /** Lets the consumer of frames() keep a frame past its step (the latest framebuffer holds the newest). */
  get keeper(): FrameKeeper {
    return this.consumption.keeper;
  }

  /** Recreates the ring when the display changed its mode; a ring the host refuses ends the run. */
  private housekeeping(): void {
    if (this.finished) return;
    const refused = this.rings.housekeeping();
    if (refused !== null) this.fail(refused);
  }

  /** Ends this monitor's run on a host-side failure: the worker is told to stop (and cleans up its children). */
  private fail(error: VdpushError): void {
    if (this.finished) return;
    this.failure = error;
    askWorkerToStop(this.control, (m) => this.post(m));
    this.finish();
  }

  post(m: HostToWorker): void {
    try {
      this.worker.postMessage(m);
    } catch {
      // The worker is gone; finish() has run or will.
    }
  }

  /** Test seam (the hostile test): see MonitorRing.deliverForeign. */
  deliverForeignRing(buffer: SharedArrayBuffer): void {
    this.rings.deliverForeign(buffer);
  }

  /** Re-delivers this monitor's own ring (after deliverForeignRing). */
  redeliverRing(): void {
    this.rings.redeliver();
  }

  get ringBuffer(): SharedArrayBuffer {
    return this.ring.buffer;
  }

  resources(): WatchedResources {
    return this.reports.resources();
  }

  /**
   * Injects a fault now, as the viewer's buttons do. An unknown kind or a bad duration throws
   * InvalidArgumentError at once; so does a kind the display cannot inject.
   */
  injectFault(kind: string, arg?: number | string): void {
    checkInjection(this.config.source, kind, arg);
    if (this.finished) throw new ClosedError(`monitor ${this.targetId}`);
    if (typeof arg === 'string') {
      this.post({ type: 'inject', kind, arg });
      return;
    }
    const durationMs = arg;
    this.post(durationMs === undefined ? { type: 'inject', kind } : { type: 'inject', kind, durationMs });
  }

  cursor(): CursorState | null {
    return this.reports.cursor;
  }

  /** Told each time the worker forwards a cursor change (remote clients follow it without polling). */
  readonly cursorListeners = new Set<() => void>();

  /** Where remote clients' keys, pointer and clipboard for this monitor go. */
  remoteInput(): RemoteInput {
    this.input.attach();
    return this.input;
  }

  /** What the display's input counted so far (see src/display/input.ts). */
  inputCounters(): NonNullable<WorkerSnapshot['input']> | null {
    return this.reports.snapshot?.input ?? null;
  }

  recoveryEvents(): readonly RecoveryEventMessage[] {
    return this.reports.events;
  }

  invariantViolations(): readonly string[] {
    return this.reports.invariants;
  }

  ringHealth(): ReturnType<HostRing['health']> {
    return this.ring.health();
  }

  /** The render adapter the display composes this monitor on, as last reported. */
  renderAdapter(): { kind: string; luid: number } {
    return this.reports.renderAdapter();
  }

  /** Virtual clock: the worker's virtual now, as of its last slice. */
  get virtualNowMs(): number {
    return Atomics.load(this.control, CONTROL_VNOW);
  }

  /** The display clock's now, as last reported (virtual ms on the virtual clock). */
  get displayNowMs(): number {
    return this.reports.snapshot?.nowMs ?? 0;
  }

  private final: MonitorRecord | null = null;

  /** What the host and the worker counted for this monitor (final once closed). */
  record(): MonitorRecord {
    if (this.final !== null) return this.final;
    const health = this.ring.health();
    return {
      host: {
        targetId: this.targetId,
        mode: this.mode,
        consumed: this.consumption.consumed,
        integrityErrors: this.consumption.integrityErrors,
        generations: this.rings.generations,
        health: decodeHealth(health.healthState),
        ringPublished: health.publishedTotal,
      },
      worker: this.reports.current(),
    };
  }

  /** Stops the monitor (terminate + wake + join), retires the ring; returns its last record. Idempotent. */
  close(): Promise<MonitorRecord> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<MonitorRecord> {
    await stopAndJoinWorker({
      worker: this.worker,
      control: this.control,
      post: (m) => this.post(m),
      ended: this.ended,
      finished: () => this.finished,
      failed: () => this.failure !== null,
      stoppedInOrder: () => this.stoppedInOrder,
      watchdog: this.watchdog,
    });
    const rec = this.record();
    this.final = rec;
    this.rings.close();
    return rec;
  }
}
