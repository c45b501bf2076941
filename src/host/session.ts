/**
 * A session: one virtual monitor, drained on its own worker thread into a ring this thread owns.
 *
 *   host thread (here)                         monitor worker (monitor-worker.ts)
 *   HostRing.create ──── SharedArrayBuffer ───> FramePublisher.open (lazily, by the processor)
 *   frames(): nextFrame → verify → yield        DisplaySystem (sim | xvfb) + driver
 *   sourceDescChanged → recreate → 'ring' ────> re-attach at once (stale)
 *   close(): terminate word + 'stop' ─────────> driver.stop(), display.stop(), 'done' + counters
 *
 * Invariant: a frame handed out by frames() stays valid (its slot is held) until the iteration
 * step ends; the host never blocks its thread on the ring (every wait is a promise).
 */
import { Worker } from 'node:worker_threads';
import { BackendError, ClosedError, VdpushError } from '../contract/errors.js';
import { formatName } from '../contract/pixel-format.js';
import { HostRing, type ConsumedFrame } from '../ring/index.js';
import { HostLockstep } from './host-lockstep.js';
import { guardResources, killNow } from './resource-guard.js';
import { decodeHealth } from '../contract/status-codes.js';
import type { CursorState, HostFaultRequest } from '../display/types.js';
import { frameFormatsFor, resolveMonitorConfig, type SessionOptions } from './session-options.js';
import { checkInjection, HOST_SIDE_FAULTS, injectableFaults } from './fault-injection.js';
import { DEFAULT_FAULT_DURATION_MS } from '../backends/sim/index.js';
import { buildRunSummary, type RunSummary } from './run-summary.js';
import { createFrameVerifier, type FrameVerifier } from './frame-verifier.js';
import { SessionRemoteInput } from './input/session-input.js';
import type { RemoteInput } from './input/remote-input.js';
import {
  CONTROL_TERMINATE,
  CONTROL_WORDS,
  type HostToWorker,
  type MonitorConfig,
  type RecoveryEventMessage,
  type WorkerSnapshot,
  type WorkerToHost,
  emptyWorkerSnapshot,
} from './worker-messages.js';

export type { SessionOptions } from './session-options.js';
export type SessionFrame = ConsumedFrame;

const NO_RESOURCES = { pids: [], dirs: [] } as const;

/** How long close() waits for the worker's orderly shutdown before it terminates the thread. */
const STOP_GRACE_MS = 10_000;
/** How long frames() waits on the ring before it looks at its housekeeping again. */
const POLL_MS = 25;

export class Session {
  readonly config: MonitorConfig;
  private readonly ring: HostRing;
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private readonly verifier: FrameVerifier;
  private snapshot: WorkerSnapshot | null = null;
  private readonly events: RecoveryEventMessage[] = [];
  private readonly eventListeners = new Set<(e: RecoveryEventMessage) => void>();
  private hostFaults: HostFaultRequest[] = [];
  private hostFaultsReceived = 0;
  private cursorState: CursorState | null = null;
  private readonly input = new SessionRemoteInput((m) => this.post(m), () => this.finished);
  /** Virtual-clock lockstep with the worker (null on the real clock). */
  private readonly lockstep: HostLockstep | null;
  private unguard: () => void = () => undefined;
  private consumed = 0;
  private integrityErrors = 0;
  private generations = 1;
  private readonly startedAt = performance.now();
  private endedAt: number | null = null;
  private finished = false;
  private failure: VdpushError | null = null;
  private closing: Promise<RunSummary> | null = null;
  private invariants: string[] = [];
  private mode: { width: number; height: number; refreshHz: number; format: number };
  /** Resolves when the run is over (its duration elapsed, a critical error, or the worker failed). */
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  private constructor(config: MonitorConfig, ring: HostRing, worker: Worker, control: Int32Array, verifier: FrameVerifier) {
    this.config = config;
    this.ring = ring;
    this.worker = worker;
    this.control = control;
    this.verifier = verifier;
    this.mode = { width: config.width, height: config.height, refreshHz: config.refreshHz, format: config.format };
    this.ended = new Promise((r) => (this.resolveEnded = r));
    this.lockstep =
      config.clock === 'virtual'
        ? new HostLockstep(control, () => this.ring, { isFinished: () => this.finished, faultsReceived: () => this.hostFaultsReceived, housekeeping: () => this.housekeeping() }, POLL_MS)
        : null;
  }

  /**
   * Opens a session. Invalid options throw their VdpushError synchronously, before any thread or
   * process starts; everything after that is the returned promise.
   */
  static open(options: SessionOptions = {}): Promise<Session> {
    const config = resolveMonitorConfig(options);
    const ring = HostRing.create({
      targetId: config.targetId,
      width: config.width,
      height: config.height,
      format: config.format,
      frameFormats: frameFormatsFor(config),
      ...(options.ringLen !== undefined ? { ringLen: options.ringLen } : {}),
      ...(options.arm !== undefined ? { arm: options.arm } : {}),
    });
    return Session.start(config, ring, options);
  }

  private static async start(config: MonitorConfig, ring: HostRing, options: SessionOptions): Promise<Session> {
    const controlBuffer = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const worker = new Worker(new URL('./monitor-worker.js', import.meta.url));
    let early: WorkerSnapshot | null = null;
    let session: Session | null = null;
    // Guarded from the start: a signal or a crash while the display starts must not leak Xvfb.
    const unguard = guardResources(() => session?.resources() ?? early?.resources ?? NO_RESOURCES, {
      signals: config.source === 'xvfb' && options.handleSignals !== false,
    });
    const ready = await new Promise<Extract<WorkerToHost, { type: 'ready' }>>((resolve, reject) => {
      const onMessage = (m: WorkerToHost): void => {
        if (m.type === 'snapshot') early = m.snapshot;
        else if (m.type === 'ready') {
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
      worker.postMessage({ type: 'init', config, control: controlBuffer, ring: ring.buffer } satisfies HostToWorker);
    }).catch(async (e: unknown) => {
      ring.close();
      await worker.terminate();
      if (early !== null) killNow(early.resources);
      unguard();
      throw e;
    });
    session = new Session(config, ring, worker, new Int32Array(controlBuffer), createFrameVerifier(options.verify === false ? { kind: 'none', params: null } : ready.verify));
    session.snapshot = early;
    session.mode = { width: ready.width, height: ready.height, refreshHz: ready.refreshHz, format: ready.format };
    session.listen();
    session.unguard = unguard;
    if (session.lockstep) void session.lockstep.run();
    return session;
  }

  private listen(): void {
    this.worker.on('message', (m: WorkerToHost) => {
      switch (m.type) {
        case 'snapshot':
          this.snapshot = m.snapshot;
          break;
        case 'recovery':
          this.events.push(m.event);
          for (const l of this.eventListeners) l(m.event);
          break;
        case 'cursor': {
          // The worker sends the image only when the shape changed; keep the last one.
          const prev = this.cursorState;
          const shape = m.cursor.shape.byteLength === 0 && prev !== null ? prev.shape : m.cursor.shape;
          this.cursorState = { ...m.cursor, shape };
          break;
        }
        case 'clipboard':
          this.input.deliverClipboard(m.text);
          break;
        case 'host-fault':
          this.hostFaults.push(m.request);
          this.hostFaultsReceived++;
          break;
        case 'done':
          this.snapshot = m.snapshot;
          this.invariants = m.invariants;
          this.finish();
          break;
        case 'error':
          this.failure = new VdpushError(m.code, m.message);
          this.finish();
          break;
        default:
          break;
      }
    });
    this.worker.on('error', (e) => {
      this.failure = new VdpushError('VDP_ERR_WORKER', `monitor worker crashed: ${e.message}`);
      this.finish();
    });
    this.worker.on('exit', () => {
      // A worker that dies while holding a slot mutex must not wedge the host's next acquire.
      this.ring.abandonDisplaySide();
      this.finish();
    });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.endedAt = performance.now();
    this.lockstep?.wake();
    this.resolveEnded();
  }

  /** True once the run is over; frames() then ends after the frames still in the ring. */
  get isEnded(): boolean {
    return this.finished;
  }

  /** The error that ended the run early, if any. */
  get error(): VdpushError | null {
    return this.failure;
  }

  /**
   * The consumed frames, newest first-come: each is verified (unless verify was off) and returned
   * to the ring when the iteration step ends. Ends when the run ends.
   */
  async *frames(): AsyncGenerator<SessionFrame, void, undefined> {
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
    return this.lockstep ? this.lockstep.nextFrame() : this.ring.nextFrame({ timeoutMs: POLL_MS });
  }

  /** Drains frames without handing them out (what `vdpush run` does) until the run ends. */
  async drain(onFrame?: (f: SessionFrame) => void): Promise<void> {
    for await (const f of this.frames()) onFrame?.(f);
  }

  /**
   * The display changed its size (RandR, a mode change), or a format the slots cannot hold:
   * recreate the ring at the new desc and hand it over. A format change that fits the slots (an
   * HDR flip, a one-frame blip) never gets here: it travels per frame.
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

  /** Ends the run on a host-side failure: the worker is told to stop (and cleans up its children). */
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
    this.post({ type: 'ring', buffer: this.ring.buffer });
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

  private post(m: HostToWorker): void {
    try {
      this.worker.postMessage(m);
    } catch {
      // The worker is gone; finish() has run or will.
    }
  }

  /** Processes and temp folders the display started (Xvfb, its workload), as last reported. */
  resources(): { pids: readonly number[]; dirs: readonly string[] } {
    return this.snapshot?.resources ?? { pids: [], dirs: [] };
  }

  /**
   * Injects a fault now, as the viewer's buttons do. An unknown kind or a bad duration throws
   * InvalidArgumentError at once; so does a kind the session's display cannot inject
   * (injectableFaults() lists those it can).
   */
  injectFault(kind: string, durationMs?: number): void {
    checkInjection(this.config.source, kind, durationMs);
    if (this.finished) throw new ClosedError('session');
    if (this.config.source !== 'sim' && HOST_SIDE_FAULTS.has(kind)) {
      // Host-side faults are the host's own doing, whatever the display.
      this.hostFaults.push({ kind: kind as HostFaultRequest['kind'], atMs: 0, durationMs: durationMs ?? DEFAULT_FAULT_DURATION_MS['host-stall'] ?? 200 });
      return;
    }
    this.post(durationMs === undefined ? { type: 'inject', kind } : { type: 'inject', kind, durationMs });
  }

  /** Where remote clients' keys, pointer and clipboard go (the RFB server is handed this). */
  remoteInput(): RemoteInput {
    this.input.attach();
    return this.input;
  }

  /** What the display's input counted so far (see src/display/input.ts). */
  inputCounters(): NonNullable<WorkerSnapshot['input']> | null {
    return this.snapshot?.input ?? null;
  }

  /** The fault kinds injectFault() takes on this session's display. */
  injectableFaults(): readonly string[] {
    return injectableFaults(this.config.source);
  }

  /** The display's hardware cursor (Xvfb through XFIXES), or null when it has none. */
  cursor(): CursorState | null {
    return this.cursorState;
  }

  recoveryEvents(): readonly RecoveryEventMessage[] {
    return this.events;
  }

  onRecoveryEvent(listener: (e: RecoveryEventMessage) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Invariant violations the display reported at the end (empty on a correct run). */
  invariantViolations(): readonly string[] {
    return this.invariants;
  }

  ringHealth(): ReturnType<HostRing['health']> {
    return this.ring.health();
  }

  /** The summary so far (final after close()). */
  stats(): RunSummary {
    const snap = this.snapshot ?? emptyWorkerSnapshot();
    const health = this.ring.health();
    const durationMs = this.config.clock === 'virtual' && this.snapshot ? this.snapshot.nowMs : (this.endedAt ?? performance.now()) - this.startedAt;
    return buildRunSummary(
      {
        source: this.config.source,
        mode: this.mode,
        durationMs,
        consumed: this.consumed,
        integrityErrors: this.integrityErrors,
        generations: this.generations,
        health: decodeHealth(health.healthState),
        ringPublished: health.publishedTotal,
      },
      snap,
    );
  }

  /** Stops the monitor (terminate + wake + join), releases the ring; returns the final summary. Idempotent. */
  close(): Promise<RunSummary> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<RunSummary> {
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
    this.unguard();
    const summary = this.stats();
    this.ring.close();
    return summary;
  }
}

/** Opens a session: the API's front door. */
export function openSession(options: SessionOptions = {}): Promise<Session> {
  return Session.open(options);
}
