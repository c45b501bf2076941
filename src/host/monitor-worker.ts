/**
 * A monitor's worker thread: the display system (sim or xvfb) and the driver for one monitor, so
 * nothing the host does (encoding, serving, a slow disk) can delay the drain. This is the one file
 * that joins a backend, the driver and the ring.
 *
 * Lifecycle: 'init' → build display + driver, start → 'ready' → run for the duration (the display's
 * clock) or until the host asks to stop → driver.stop() (display unassigns; processor terminated,
 * woken and joined; devices destroyed) → 'done' with the final counters → the thread ends.
 */
import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BackendError, InvalidArgumentError, VdpushError } from '../contract/errors.js';
import { FramePublisher, sleepWhileEqual } from '../ring/index.js';
import { AdapterLadder, createDriver, TerminateFlag, type Driver, type PublisherLike, type RingPort } from '../driver/index.js';
import type { CursorState, DisplaySystem } from '../display/types.js';
import { emptyInputCounters, type DisplayInput } from '../display/input.js';
import { createSimDisplay, type SimDisplay, type VirtualClock } from '../backends/sim/index.js';
import { CountingInput } from '../backends/sim/sim-input.js';
import { LazyDisplayInput } from './input/lazy-display-input.js';
import {
  CONTROL_ACK,
  CONTROL_POSTED,
  CONTROL_SLICE,
  CONTROL_TERMINATE,
  CONTROL_VNOW,
  VIRTUAL_SLICE_MS,
  type HostToWorker,
  type InputEvent,
  type MonitorConfig,
  type VerifyDescriptor,
  type WorkerSnapshot,
  type WorkerToHost,
} from './worker-messages.js';
import { DisplayEventLog, InjectedEventLog, mergeTimeline, type DisplaySideEvent } from './injected-events.js';
import { xvfbResources, type DisplayResources } from './display-resources.js';

const SNAPSHOT_INTERVAL_MS = 200;
/**
 * While the display is idle (no frame acquired since the last snapshot) the snapshot is posted
 * this often instead: each post wakes this thread and the host's (~150-250 µs of CPU each on these
 * VMs), and an idle display's counters do not move. The first frame after idle is in the next
 * snapshot within this time; events (recovery, critical error) never wait for it.
 */
const IDLE_SNAPSHOT_INTERVAL_MS = 1000;
/** A cursor change is posted at most this often (~60 Hz). */
const CURSOR_INTERVAL_MS = 16;
/** The backup check for a critical error (its recovery event ends the run at once). */
const CRITICAL_POLL_MS = 1000;
const NO_SHAPE = new Uint8Array(0);

/** A host that does not acknowledge for this long (real time) is not keeping lockstep; run on. */
const ACK_PATIENCE_MS = 2000;

const port = parentPort;
if (port === null) throw new Error('monitor-worker.js must run as a worker thread');

function post(m: WorkerToHost): void {
  port!.postMessage(m);
}

/** Posts the hardware cursor to the host when it changed; its image only with a new shape (up to 256 KiB). */
class CursorForwarder {
  private version = -1;
  private shapeId = -1;
  constructor(private readonly get: () => { state: CursorState; version: number } | null) {}

  poll(): void {
    const c = this.get();
    if (c === null || c.version === this.version) return;
    this.version = c.version;
    const newShape = c.state.shapeId !== this.shapeId;
    this.shapeId = c.state.shapeId;
    post({ type: 'cursor', cursor: { ...c.state, shape: newShape ? c.state.shape.slice() : NO_SHAPE } });
  }
}

/** The ring the host delivered last; the processor's lazy attach opens it. */
class MailboxRingPort implements RingPort {
  constructor(
    public buffer: SharedArrayBuffer,
    private readonly targetId: number,
    private readonly channel: MessagePort | null,
  ) {}
  open(): PublisherLike | null {
    // The newest buffer the host sent, read now: the processor asks right after it found the old
    // ring retired, and the host posted the new one when it retired it.
    if (this.channel !== null) {
      for (let m = receiveMessageOnPort(this.channel); m !== undefined; m = receiveMessageOnPort(this.channel)) {
        if (m.message instanceof SharedArrayBuffer) this.buffer = m.message;
      }
    }
    const r = FramePublisher.open(this.buffer, { targetId: this.targetId });
    return r.ok ? r.publisher : null;
  }
}

interface Running {
  config: MonitorConfig;
  display: DisplaySystem;
  sim: SimDisplay | null;
  driver: Driver;
  control: Int32Array;
  stopRequested: boolean;
  wakeStop: () => void;
  resources: () => DisplayResources;
  input: DisplayInput | null;
  /** Input events that arrived while the display takes none. */
  inputDropped: number;
  /** Markers for the injected faults that leave no driver event (null until the display started). */
  injected: InjectedEventLog | null;
  /** The display's own events (the Xvfb workload died, was restarted). */
  displayEvents: DisplayEventLog | null;
}

interface CreatedDisplay {
  display: DisplaySystem;
  sim: SimDisplay | null;
  verify: VerifyDescriptor;
  resources: () => DisplayResources;
  /** The hardware cursor and a version bumped on every change, or null without one. */
  cursor: () => { state: CursorState; version: number } | null;
  /** Where remote input goes, or null when this display takes none (it is counted as dropped). */
  input: DisplayInput | null;
  /** Calls `fn` on every cursor change (so nothing polls for it), or null without a cursor. */
  onCursorChange: ((fn: () => void) => void) | null;
  /** Where injected faults go and what they did (the sim's or the Xvfb display's injector). */
  faults: FaultSource;
}

/** A display's fault injector, as the worker sees it (SimDisplay and XvfbDisplay both have one). */
interface FaultSource {
  injectFault(kind: string, arg?: number | string): unknown;
  faultLog(): ReadonlyArray<{ atMs: number; kind: string; durationMs: number; detail: string; source: string }>;
}

const NO_RESOURCES = (): { pids: number[]; dirs: string[] } => ({ pids: [], dirs: [] });

async function createDisplay(config: MonitorConfig): Promise<CreatedDisplay> {
  if (config.source === 'sim') {
    const sim = createSimDisplay({
      seed: config.seed,
      targetId: config.targetId,
      clock: config.clock,
      mode: { width: config.width, height: config.height, refreshHz: config.refreshHz, format: config.format },
      pattern: config.pattern,
      faults: config.faults,
    } as Parameters<typeof createSimDisplay>[0]) as SimDisplay;
    return { display: sim, sim, verify: { kind: 'sim', params: sim.patternParams() }, resources: NO_RESOURCES, cursor: () => null, input: new CountingInput(), onCursorChange: null, faults: sim };
  }
  const { createXvfbDisplay } = await import('../backends/xvfb/index.js');
  // The built-in workload's squares are checked only on a display vdpush started: on an attached
  // (the user's) display other windows may cover them, so nothing there has known pixels.
  const workload = config.workload ?? 'animated';
  const display = await createXvfbDisplay({
    mode: { width: config.width, height: config.height, refreshHz: config.refreshHz },
    ...(config.depth !== undefined ? { depth: config.depth } : {}),
    ...(config.display !== undefined ? { display: config.display } : {}),
    // A screen of the session's shared server: attached to, its workload ours (stamped with the target).
    ...(config.screen !== undefined ? { display: config.screen, sharedServer: true } : {}),
    workload,
    faults: config.faults,
    targetId: config.targetId,
  });
  if (config.setModeOnAttach === true) await setAttachedMode(display, config);
  // A screen a departed monitor left may be at another mode: this monitor's comes first (RandR).
  const m = display.mode();
  if (config.screen !== undefined && (m.width !== config.width || m.height !== config.height)) {
    try {
      await display.requestMode({ width: config.width, height: config.height, refreshHz: config.refreshHz });
    } catch (e) {
      await display.stop();
      throw e;
    }
  }
  const resources = (): DisplayResources => xvfbResources(display);
  const cursor = (): { state: CursorState; version: number } | null => (display.cursor ? { state: display.cursor.state, version: display.cursor.version } : null);
  // XTEST on a connection of its own (to this monitor's screen), opened only once a remote server attaches (or input arrives).
  const input = new LazyDisplayInput(async () => (await import('../backends/xvfb/x-input.js')).XInput.open(display.screenDisplay));
  return { display, sim: null, verify: { kind: workload === 'animated' && config.display === undefined ? 'xvfb' : 'none', params: null }, resources, cursor, input, onCursorChange: (fn) => display.onCursorChange(fn), faults: display };
}

/**
 * `--display :N --mode WxH@HZ` of another size: the mode through RandR before the first swap-chain,
 * so the ring the host built at that size fits the first frame. A mode the server refuses (Xvfb
 * cannot grow past the framebuffer it started with) fails the start, naming the flag.
 */
async function setAttachedMode(display: { requestMode(m: { width: number; height: number; refreshHz: number }): Promise<void>; stop(): Promise<void> }, config: MonitorConfig): Promise<void> {
  const mode = { width: config.width, height: config.height, refreshHz: config.refreshHz };
  try {
    await display.requestMode(mode);
  } catch (e) {
    await display.stop().catch(() => undefined);
    const err = e as VdpushError;
    const message = `--mode ${mode.width}x${mode.height}@${mode.refreshHz} on display ${config.display ?? '?'}: ${err.message ?? String(e)}`;
    // A mode the display cannot show is the user's mistake (exit 2); a RandR that fails is the display's.
    throw err instanceof InvalidArgumentError ? new InvalidArgumentError(message) : new BackendError(message);
  }
}

function snapshot(r: Running): WorkerSnapshot {
  const d = r.driver.stats();
  return {
    display: r.display.stats(),
    driver: {
      acquired: d.acquired,
      finished: d.finished,
      // A frame the FrameStash republished into a fresh ring is a publish too.
      published: d.published + d.republished,
      dropped: { ...d.dropped },
      devices: { ...d.devices },
      terminateMaxLatencyMs: d.terminate.maxLatencyMs,
    },
    events: mergeTimeline(
      d.recovery.events.map((e) => ({
        atMs: e.atMs,
        failure: e.failure,
        hresult: e.hresult,
        class: e.class,
        action: e.action,
        adapter: e.adapter,
        recoveryMs: e.recoveryMs,
        targetId: r.config.targetId,
      })),
      [...(r.injected?.all() ?? []), ...(r.displayEvents?.all() ?? [])],
    ),
    criticalError: d.recovery.criticalError ?? r.display.stats().criticalError,
    nowMs: r.display.clock.now(),
    resources: r.resources(),
    input: r.input?.counters() ?? { ...emptyInputCounters(), dropped: r.inputDropped },
  };
}

/** Hands one remote input event to the display (never throws: input must not end the run). */
function deliverInput(r: Running, e: InputEvent): void {
  const input = r.input;
  if (input === null) {
    r.inputDropped++;
    return;
  }
  if (e.kind === 'attach') {
    if (input instanceof LazyDisplayInput) void input.attach();
  } else if (e.kind === 'key') input.key(e.down, e.keysym);
  else if (e.kind === 'pointer') input.pointer(e.x, e.y, e.buttons);
  else input.setClipboard(e.text);
}

/** The error a display ended the run with (XvfbDisplay.fatalError), or null. */
function fatalOf(r: Running): Error | null {
  const f = (r.display as { fatalError?: () => Error | null }).fatalError;
  return typeof f === 'function' ? f.call(r.display) : null;
}

/** Waits for the run's end: its duration on the display's clock, a stop, or a critical error. */
async function runFor(r: Running): Promise<void> {
  const clock = r.display.clock;
  // The run also ends when the (simulated) OS bugchecked: the machine is down.
  const critical = (): boolean => {
    const s = r.display.stats();
    return s.criticalError !== null || (s.bugcheck ?? null) !== null || fatalOf(r) !== null;
  };
  if (r.sim !== null && r.config.clock === 'virtual') {
    const vclock = clock as VirtualClock;
    const end = r.config.durationMs > 0 ? r.config.durationMs : Number.POSITIVE_INFINITY;
    let slice = 0;
    while (!r.stopRequested && !critical() && vclock.now() < end) {
      await vclock.runFor(Math.min(VIRTUAL_SLICE_MS, end - vclock.now()));
      postInjected(r);
      slice++;
      Atomics.store(r.control, CONTROL_VNOW, Math.floor(vclock.now()));
      Atomics.store(r.control, CONTROL_SLICE, slice);
      Atomics.notify(r.control, CONTROL_SLICE);
      await waitForAck(r, slice);
    }
    return;
  }
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const cancelTimer = r.config.durationMs > 0 ? clock.setTimer(r.config.durationMs, finish) : () => undefined;
  // A critical error comes with its recovery event (see the driver's handler); this slow poll
  // only backs that up, so an idle display does not pay a 50 Hz stats() for it.
  const poll = setInterval(() => critical() && finish(), CRITICAL_POLL_MS);
  r.wakeStop = finish;
  if (r.stopRequested) finish();
  // The host's stop also arrives as the shared terminate word, which needs no message turn.
  // (A pending waitAsync does not keep the worker alive.)
  const w = Atomics.waitAsync(r.control, CONTROL_TERMINATE, 0);
  if (w.async) void w.value.then(finish);
  else finish();
  await ended;
  cancelTimer();
  clearInterval(poll);
}

/** Posts the markers of faults injected since the last look (see injected-events.ts). */
function postInjected(r: Running): void {
  for (const event of r.injected?.poll() ?? []) post({ type: 'recovery', event });
  for (const event of r.displayEvents?.poll() ?? []) post({ type: 'recovery', event });
}

/** Waits (yielding to the event loop) until the host acknowledged `slice`, or stops, or gives up. */
async function waitForAck(r: Running, slice: number): Promise<void> {
  const deadline = performance.now() + ACK_PATIENCE_MS;
  while (!r.stopRequested && Atomics.load(r.control, CONTROL_TERMINATE) === 0) {
    const acked = Atomics.load(r.control, CONTROL_ACK);
    if (acked >= slice) return;
    const left = deadline - performance.now();
    if (left <= 0) return;
    await sleepWhileEqual(r.control, CONTROL_ACK, acked, Math.min(left, 100));
  }
}

async function stopDriver(r: Running): Promise<void> {
  if (r.sim !== null && r.config.clock === 'virtual') {
    await (r.display.clock as VirtualClock).drive(r.driver.stop());
  } else {
    await r.driver.stop();
  }
}

async function main(init: Extract<HostToWorker, { type: 'init' }>): Promise<void> {
  const config = init.config;
  const control = new Int32Array(init.control);
  const ringPort = new MailboxRingPort(init.ring, config.targetId, init.ringPort ?? null);
  const { display, sim, verify, resources, cursor, input, onCursorChange, faults } = await createDisplay(config);
  // Where this display clock's 0 falls on the session's timeline (see SharedAdapterInit).
  const timeBaseMs =
    config.clock === 'virtual' ? init.adapter.virtualBaseMs : performance.timeOrigin + performance.now() - display.clock.now() - init.adapter.sessionStartAbsMs;
  const driver = createDriver({
    display,
    ring: ringPort,
    targetId: config.targetId,
    ladder: new AdapterLadder(init.adapter.ladder, timeBaseMs),
    terminate: TerminateFlag.shared(control, CONTROL_TERMINATE),
    ...(config.policy !== undefined ? { policy: config.policy } : {}),
  });
  const r: Running = { config, display, sim, driver, control, stopRequested: false, wakeStop: () => undefined, resources, input, inputDropped: 0, injected: null, displayEvents: null };
  input?.onClipboard((text) => post({ type: 'clipboard', text }));
  port!.on('message', (m: HostToWorker) => {
    switch (m.type) {
      case 'ring':
        ringPort.buffer = m.buffer;
        break;
      case 'inject':
        try {
          faults.injectFault(m.kind, m.arg ?? m.durationMs);
        } catch (e) {
          post({ type: 'error', code: (e as VdpushError).code ?? 'VDP_ERR_INVALID_ARGUMENT', message: (e as Error).message });
        }
        break;
      case 'input':
        deliverInput(r, m.event);
        break;
      case 'set-mode': {
        const reply = (error: null | { code: string; message: string }): void => post({ type: 'mode-set', id: m.id, error });
        if (display.requestMode === undefined) reply({ code: 'VDP_ERR_INVALID_ARGUMENT', message: 'this display has a fixed mode' });
        else
          display.requestMode(m.mode).then(
            () => reply(null),
            (e: unknown) => reply({ code: (e as VdpushError).code ?? 'VDP_ERR_BACKEND', message: (e as Error).message ?? String(e) }),
          );
        break;
      }
      case 'stop':
        r.stopRequested = true;
        r.wakeStop();
        break;
      default:
        break;
    }
  });
  display.onHostFault((request) => {
    // Counted before it is posted, so a lockstepped host waits for it before acknowledging.
    Atomics.add(control, CONTROL_POSTED, 1);
    post({ type: 'host-fault', request });
  });
  driver.onRecoveryEvent((e) => {
    post({
      type: 'recovery',
      event: { atMs: e.atMs, failure: e.failure, hresult: e.hresult, class: e.class, action: e.action, adapter: e.adapter, recoveryMs: e.recoveryMs, targetId: config.targetId },
    });
    // A critical error ends the run now (the slow poll in runFor only backs this up).
    if (e.action === 'critical-error' || display.stats().criticalError !== null) r.wakeStop();
  });
  let lastAcquired = -1;
  let ticker: ReturnType<typeof setTimeout> | null = null;
  const tick = (): void => {
    postInjected(r);
    post({ type: 'snapshot', snapshot: snapshot(r) });
    const acquired = driver.stats().acquired;
    const idle = acquired === lastAcquired;
    lastAcquired = acquired;
    ticker = setTimeout(tick, idle ? IDLE_SNAPSHOT_INTERVAL_MS : SNAPSHOT_INTERVAL_MS);
  };
  ticker = setTimeout(tick, SNAPSHOT_INTERVAL_MS);
  const cursorForwarder = new CursorForwarder(cursor);
  // Forwarded as it changes, at most every CURSOR_INTERVAL_MS (a trailing timer posts the last
  // change of a burst): an idle display wakes nothing here, where a 16 ms poll woke 62 times a second.
  let cursorTimer: ReturnType<typeof setTimeout> | null = null;
  let lastCursorPost = Number.NEGATIVE_INFINITY;
  const postCursor = (): void => {
    cursorTimer = null;
    lastCursorPost = performance.now();
    cursorForwarder.poll();
  };
  // The host takes cursor messages once 'ready' is out: nothing is forwarded before.
  let cursorLive = false;
  onCursorChange?.(() => {
    if (!cursorLive || cursorTimer !== null) return;
    const wait = lastCursorPost + CURSOR_INTERVAL_MS - performance.now();
    if (wait <= 0) postCursor();
    else cursorTimer = setTimeout(postCursor, wait);
  });
  // The fault log counts from the display's start, which is now (driver.start() starts it).
  r.injected = new InjectedEventLog(() => faults.faultLog(), display.clock.now(), () => display.stats().renderAdapter.kind);
  const list = (display as { displayEvents?: () => readonly DisplaySideEvent[] }).displayEvents;
  if (typeof list === 'function') r.displayEvents = new DisplayEventLog(() => list.call(display), () => display.stats().renderAdapter.kind);
  try {
    if (sim !== null && config.clock === 'virtual') {
      // start() assigns the first swap-chain, which may need virtual time (ABANDON retries).
      await (display.clock as VirtualClock).drive(driver.start());
    } else {
      await driver.start();
    }
    const mode = display.mode();
    post({ type: 'snapshot', snapshot: snapshot(r) }); // the host learns the children at once
    post({ type: 'ready', width: mode.width, height: mode.height, refreshHz: mode.refreshHz, format: mode.format, verify });
    // The cursor as it was before the host listened, then every change.
    cursorLive = true;
    postCursor();
    await runFor(r);
  } finally {
    if (ticker !== null) clearTimeout(ticker);
    if (cursorTimer !== null) clearTimeout(cursorTimer);
    input?.close();
    await stopDriver(r);
  }
  postInjected(r);
  // A display that cannot go on (an attached X display that did not come back) fails the run.
  const fatal = fatalOf(r);
  if (fatal !== null) throw fatal;
  post({
    type: 'done',
    snapshot: snapshot(r),
    invariants: sim !== null ? sim.checkInvariants() : [],
    faultLog: faults.faultLog().map((f) => ({ atMs: f.atMs, kind: f.kind })),
  });
  port!.close();
}

port.once('message', (m: HostToWorker) => {
  if (m.type !== 'init') return;
  main(m).catch((e: unknown) => {
    const err = e as VdpushError;
    post({ type: 'error', code: err?.code ?? 'VDP_ERR_WORKER', message: err?.message ?? String(e) });
    port.close();
  });
});
