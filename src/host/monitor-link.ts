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
 * Invariant: a frame handed out by frames() stays valid (its slot is held) until the iteration
 * step ends; the host never blocks its thread on the ring (every wait is a promise).
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { BackendError, ClosedError, VdpushError } from '../contract/errors.js';
import { formatName } from '../contract/pixel-format.js';
import { killNow } from './resource-guard.js';
import { ChildWatchdog } from './child-watchdog.js';
import { checkInjection } from './fault-injection.js';
import { HostRing, checkRingBytes, type ConsumedFrame } from '../ring/index.js';
import { HostLockstep } from './host-lockstep.js';
import { decodeHealth } from '../contract/status-codes.js';
import type { CursorState, HostFaultRequest } from '../display/types.js';
import type { MonitorRecord } from './run-summary.js';
import { frameFormatsFor } from './session-options.js';
import { createFrameVerifier, type FrameVerifier } from './frame-verifier.js';
import { SessionRemoteInput } from './input/session-input.js';
import type { RemoteInput } from './input/remote-input.js';
import {
  CONTROL_SLICE,
  CONTROL_TERMINATE,
  CONTROL_VNOW,
  CONTROL_WORDS,
  type HostToWorker,
  type MonitorConfig,
  type RecoveryEventMessage,
  type SharedAdapterInit,
  type WorkerSnapshot,
  type WorkerToHost,
  emptyWorkerSnapshot,
} from './worker-messages.js';

/** How long close() waits for the worker's orderly shutdown before it terminates the thread. */
const STOP_GRACE_MS = 10_000;
/**
 * Real clock: the longest frames() waits on the ring before it looks at its housekeeping again.
 * Only a backstop: everything housekeeping reacts to wakes the wait (a frame, the display's new
 * mode through the frame-ready event, a host fault, the end), so an idle host wakes once a second
 * (a 25 ms poll cost 2% of a core: every wake-up of Node is ~150-200 µs of CPU on these VMs).
 */
const IDLE_WAKE_MS = 1000;
/** Virtual clock: how long the lockstep waits on the worker's next slice before it looks again. */
const LOCKSTEP_POLL_MS = 25;

export interface LinkOptions {
  ringLen?: number;
  arm?: 'auto' | 'slot-state' | 'keyed-mutex';
  /** The adapter every monitor shares (its ladder block), and this monitor's place on the session's timeline. */
  adapter: SharedAdapterInit;
  /** Virtual clock: slices the other monitors had run when this one was plugged in. */
  sliceBase: number;
  /** Virtual clock: may this monitor's worker run slice `slice` (the other monitors kept up)? */
  mayAck?: (link: MonitorLink, slice: number) => boolean;
  /** Virtual clock: after each acknowledged slice (the session's timeline moved). */
  acked?: () => void;
  onRecoveryEvent: (e: RecoveryEventMessage) => void;
  onEnded: (link: MonitorLink) => void;
  /** Check frames against the display's pattern (default true). */
  verify?: boolean;
  /** The children the display reported while it starts (guarded before open() resolves). */
  onEarlyResources?: (r: { pids: number[]; dirs: string[] }) => void;
}

export class MonitorLink {
  readonly config: MonitorConfig;
  readonly targetId: number;
  private ring: HostRing;
  readonly worker: Worker;
  readonly control: Int32Array;
  private verifier: FrameVerifier;
  private snapshot: WorkerSnapshot | null = null;
  private readonly events: RecoveryEventMessage[] = [];
  private hostFaults: HostFaultRequest[] = [];
  private hostFaultsReceived = 0;
  private cursorState: CursorState | null = null;
  private readonly input = new SessionRemoteInput((m) => this.post(m), () => this.finished);
  private readonly lockstep: HostLockstep | null;
  /** The process that cleans up after us if we die without close() (xvfb; null for sim). */
  private watchdog: ChildWatchdog | null = null;
  /** Carries each ring buffer the worker should use from now on (see HostToWorker 'init'). */
  private ringChannel!: MessagePort;
  private stoppedInOrder = false;
  private consumed = 0;
  private integrityErrors = 0;
  private generations = 1;
  private finished = false;
  private failure: VdpushError | null = null;
  private closing: Promise<MonitorRecord> | null = null;
  private invariants: string[] = [];
  private mode: { width: number; height: number; refreshHz: number; format: number };
  /** Slices other monitors had run when this one was plugged in (the virtual-clock skew check's offset). */
  sliceBase = 0;
  /** True once a consumer iterated this monitor's frames (virtual time waits for the first). */
  consumerSeen = false;
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  private constructor(config: MonitorConfig, ring: HostRing, worker: Worker, control: Int32Array, verifier: FrameVerifier, private readonly opts: LinkOptions) {
    this.config = config;
    this.targetId = config.targetId;
    this.ring = ring;
    this.worker = worker;
    this.control = control;
    this.verifier = verifier;
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
              faultsReceived: () => this.hostFaultsReceived,
              housekeeping: () => this.housekeeping(),
              ...(opts.mayAck !== undefined ? { mayAck: (slice: number) => opts.mayAck!(this, slice) } : {}),
              ...(opts.acked !== undefined ? { acked: opts.acked } : {}),
            },
            LOCKSTEP_POLL_MS,
          )
        : null;
  }

  static async open(config: MonitorConfig, opts: LinkOptions): Promise<MonitorLink> {
    const ring = HostRing.create({
      targetId: config.targetId,
      width: config.width,
      height: config.height,
      format: config.format,
      frameFormats: frameFormatsFor(config),
      ...(opts.ringLen !== undefined ? { ringLen: opts.ringLen } : {}),
      ...(opts.arm !== undefined ? { arm: opts.arm } : {}),
    });
    const controlBuffer = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const ringChannel = new MessageChannel();
    // Started before the worker, so it exists before any child does (xvfb only: sim starts none).
    const watchdog = config.source === 'xvfb' ? ChildWatchdog.start() : null;
    const worker = new Worker(new URL('./monitor-worker.js', import.meta.url));
    let early: WorkerSnapshot | null = null;
    const ready = await new Promise<Extract<WorkerToHost, { type: 'ready' }>>((resolve, reject) => {
      const onMessage = (m: WorkerToHost): void => {
        if (m.type === 'snapshot') {
          early = m.snapshot;
          watchdog?.update(m.snapshot.resources);
          opts.onEarlyResources?.(m.snapshot.resources);
        } else if (m.type === 'ready') {
          cleanup();
          resolve(m);
        } else if (m.type === 'error') {
          cleanup();
          reject(new VdpushError(m.code, m.message));
        }
      };
      const onError = (e: Error): void => {
        cleanup();
        reject(new VdpushError('VDP_ERR_WORKER', `monitor worker failed to start: ${e.message}`));
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new VdpushError('VDP_ERR_WORKER', `monitor worker exited during start (code ${code})`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'init', config, control: controlBuffer, ring: ring.buffer, adapter: opts.adapter, ringPort: ringChannel.port2 } satisfies HostToWorker, [ringChannel.port2]);
    }).catch(async (e: unknown) => {
      ring.close();
      await worker.terminate();
      if (early !== null) killNow((early as WorkerSnapshot).resources);
      // What SIGTERM left running, the watchdog SIGKILLs once it sees the pipe close.
      watchdog?.close();
      ringChannel.port1.close();
      throw e;
    });
    // The verifier expects the targetId the host assigned, whatever the worker says it draws.
    const verify = opts.verify === false ? { kind: 'none' as const, params: null } : ready.verify;
    const link = new MonitorLink(config, ring, worker, new Int32Array(controlBuffer), createFrameVerifier(verify, config.targetId), opts);
    link.snapshot = early;
    link.watchdog = watchdog;
    link.ringChannel = ringChannel.port1;
    link.mode = { width: ready.width, height: ready.height, refreshHz: ready.refreshHz, format: ready.format };
    link.listen();
    if (link.lockstep) void link.lockstep.run();
    return link;
  }

  private listen(): void {
    this.worker.on('message', (m: WorkerToHost) => {
      switch (m.type) {
        case 'snapshot':
          this.snapshot = m.snapshot;
          this.watchdog?.update(m.snapshot.resources);
          break;
        case 'recovery': {
          const e = { ...m.event, targetId: m.event.targetId ?? this.targetId };
          this.events.push(e);
          this.opts.onRecoveryEvent(e);
          break;
        }
        case 'cursor': {
          // The worker sends the image only when the shape changed; keep the last one.
          const prev = this.cursorState;
          const shape = m.cursor.shape.byteLength === 0 && prev !== null ? prev.shape : m.cursor.shape;
          this.cursorState = { ...m.cursor, shape };
          for (const l of this.cursorListeners) l();
          break;
        }
        case 'clipboard':
          this.input.deliverClipboard(m.text);
          break;
        case 'host-fault':
          this.hostFaults.push(m.request);
          this.hostFaultsReceived++;
          this.ring.wake();
          break;
        case 'done':
          this.stoppedInOrder = true;
          this.snapshot = m.snapshot;
          this.invariants = m.invariants;
          this.finish();
          break;
        case 'error':
          this.failure = new VdpushError(m.code, m.message);
          this.finish();
          break;
        case 'mode-set': {
          const w = this.modeWaiters.get(m.id);
          this.modeWaiters.delete(m.id);
          if (w !== undefined) {
            if (m.error === null) w.resolve();
            else w.reject(new VdpushError(m.error.code, m.error.message));
          }
          break;
        }
        default:
          break;
      }
    });
    this.worker.on('error', (e) => {
      this.failure = new VdpushError('VDP_ERR_WORKER', `monitor ${this.targetId} worker crashed: ${e.message}`);
      this.finish();
    });
    this.worker.on('exit', () => {
      // A worker that dies while holding a slot mutex must not wedge the host's next acquire.
      this.ring.abandonDisplaySide();
      this.finish();
    });
  }

  private readonly modeWaiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextModeRequest = 1;

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
    const id = this.nextModeRequest++;
    const done = new Promise<void>((resolve, reject) => this.modeWaiters.set(id, { resolve, reject }));
    this.mode = { ...this.mode, refreshHz: mode.refreshHz };
    this.post({ type: 'set-mode', id, mode });
    return done;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const w of this.modeWaiters.values()) w.reject(new ClosedError(`monitor ${this.targetId}`));
    this.modeWaiters.clear();
    this.lockstep?.wake();
    this.ring.wake();
    this.resolveEnded();
    this.opts.onEnded(this);
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

  async *frames(): AsyncGenerator<ConsumedFrame, void, undefined> {
    this.consumerSeen = true;
    this.lockstep?.consumerEnter();
    try {
      while (true) {
        this.housekeeping();
        if (this.hostFaults.length > 0) await this.performHostFault(this.hostFaults.shift()!);
        const frame = await this.nextFrame();
        if (frame === null) {
          if (this.finished) return;
          continue;
        }
        this.consumed++;
        // Formats are per frame (the ring carries a change without a recreate): the mode reports
        // the format of the newest frame.
        if (frame.format !== this.mode.format) this.mode.format = frame.format;
        if (!this.verifier(frame)) this.integrityErrors++;
        try {
          yield frame;
        } finally {
          this.ring.release(frame);
        }
      }
    } finally {
      this.lockstep?.consumerLeave();
    }
  }

  private nextFrame(): Promise<ConsumedFrame | null> {
    return this.lockstep ? this.lockstep.nextFrame() : this.ring.nextFrame({ timeoutMs: IDLE_WAKE_MS, returnOnWake: true });
  }

  /**
   * The display changed its size (RandR, a mode change, a host-requested mode), or a format the
   * slots cannot hold: recreate the ring at the new desc and hand it over. A format change that
   * fits the slots (an HDR flip, a one-frame blip) never gets here: it travels per frame.
   */
  private housekeeping(): void {
    if (this.finished) return;
    const desc = this.ring.sourceDescChanged();
    if (desc === null) return;
    try {
      this.recreateRing(desc);
    } catch (e) {
      // A mode the host will not allocate (16384x16384 rgba16f is 12.9 GB): refuse it, end the run.
      this.fail(new BackendError(`the display switched to ${desc.width}x${desc.height} ${formatName(desc.format)}, which vdpush refuses: ${(e as Error).message}`, { cause: e }));
    }
  }

  /** Ends this monitor's run on a host-side failure: the worker is told to stop (and cleans up its children). */
  private fail(error: VdpushError): void {
    if (this.finished) return;
    this.failure = error;
    Atomics.store(this.control, CONTROL_TERMINATE, 1);
    Atomics.notify(this.control, CONTROL_TERMINATE);
    this.post({ type: 'stop' });
    this.finish();
  }

  private recreateRing(desc: { width: number; height: number; format: number }): void {
    this.ring.recreate(desc);
    this.generations++;
    this.mode = { ...this.mode, width: desc.width, height: desc.height, format: desc.format };
    this.deliverRing(this.ring.buffer);
  }

  private async performHostFault(req: HostFaultRequest): Promise<void> {
    if (req.kind === 'host-recreate') {
      const h = this.ring.health();
      this.recreateRing({ width: h.width, height: h.height, format: h.format });
      return;
    }
    // host-stall: take every frame that arrives and sit on it, as a wedged encoder would. The
    // producer must keep draining the display (it overwrites or drops), never wait for us.
    const held: ConsumedFrame[] = [];
    try {
      if (this.lockstep) {
        await this.lockstep.holdFrames(req.atMs + req.durationMs, held);
      } else {
        const until = performance.now() + req.durationMs;
        while (performance.now() < until && !this.finished) {
          const f = this.ring.tryConsume();
          if (f) held.push(f);
          await new Promise((r) => setTimeout(r, 2));
        }
      }
    } finally {
      for (const f of held) this.ring.release(f);
    }
  }

  /** Hands the worker the buffer to use from now on (read synchronously at its next attach). */
  private deliverRing(buffer: SharedArrayBuffer): void {
    try {
      this.ringChannel.postMessage(buffer);
    } catch {
      // The worker is gone; finish() has run or will.
    }
  }

  post(m: HostToWorker): void {
    try {
      this.worker.postMessage(m);
    } catch {
      // The worker is gone; finish() has run or will.
    }
  }

  /**
   * Test seam (the hostile test): retires this monitor's ring, as a recreate does, but hands the
   * worker `buffer` (another monitor's) instead of the new one. The worker must refuse to attach.
   */
  deliverForeignRing(buffer: SharedArrayBuffer): void {
    const h = this.ring.health();
    this.ring.recreate({ width: h.width, height: h.height, format: h.format });
    this.generations++;
    this.deliverRing(buffer);
  }

  /** Re-delivers this monitor's own ring (after deliverForeignRing). */
  redeliverRing(): void {
    this.deliverRing(this.ring.buffer);
  }

  get ringBuffer(): SharedArrayBuffer {
    return this.ring.buffer;
  }

  resources(): { pids: readonly number[]; dirs: readonly string[]; files?: readonly string[] } {
    return this.snapshot?.resources ?? { pids: [], dirs: [] };
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
    return this.cursorState;
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
    return this.snapshot?.input ?? null;
  }

  recoveryEvents(): readonly RecoveryEventMessage[] {
    return this.events;
  }

  invariantViolations(): readonly string[] {
    return this.invariants;
  }

  ringHealth(): ReturnType<HostRing['health']> {
    return this.ring.health();
  }

  /** The render adapter the display composes this monitor on, as last reported. */
  renderAdapter(): { kind: string; luid: number } {
    const a = (this.snapshot ?? emptyWorkerSnapshot()).display.renderAdapter;
    return { kind: a.kind, luid: a.luid };
  }

  /** Virtual clock: the worker's virtual now, as of its last slice. */
  get virtualNowMs(): number {
    return Atomics.load(this.control, CONTROL_VNOW);
  }

  /** The display clock's now, as last reported (virtual ms on the virtual clock). */
  get displayNowMs(): number {
    return this.snapshot?.nowMs ?? 0;
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
        consumed: this.consumed,
        integrityErrors: this.integrityErrors,
        generations: this.generations,
        health: decodeHealth(health.healthState),
        ringPublished: health.publishedTotal,
      },
      worker: this.snapshot ?? emptyWorkerSnapshot(),
    };
  }

  /** Stops the monitor (terminate + wake + join), retires the ring; returns its last record. Idempotent. */
  close(): Promise<MonitorRecord> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<MonitorRecord> {
    if (!this.finished) {
      Atomics.store(this.control, CONTROL_TERMINATE, 1);
      Atomics.notify(this.control, CONTROL_TERMINATE);
      this.post({ type: 'stop' });
      const timer = setTimeout(() => void this.worker.terminate(), STOP_GRACE_MS);
      await this.ended;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => {
      if (this.worker.threadId === -1) resolve();
      else {
        this.worker.once('exit', () => resolve());
        // The worker exits by itself after 'done' (after a host-side failure it is still stopping
        // its display); make sure it does.
        setTimeout(() => void this.worker.terminate(), this.failure !== null ? STOP_GRACE_MS : 2000).unref();
      }
    });
    // An orderly stop ('done' arrived) stopped the display's children: the watchdog has nothing to
    // do. A worker that had to be terminated may have left them: the watchdog cleans up now.
    if (this.stoppedInOrder) this.watchdog?.close();
    else this.watchdog?.handOver();
    this.ringChannel.close();
    const rec = this.record();
    this.final = rec;
    this.ring.close();
    return rec;
  }
}
