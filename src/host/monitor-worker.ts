/**
 * A monitor's worker thread: the display system (sim or xvfb) and the driver for one monitor, so
 * nothing the host does (encoding, serving, a slow disk) can delay the drain. This is the one file
 * that joins a backend, the driver and the ring.
 *
 * Lifecycle: 'init' → build display + driver, start → 'ready' → run for the duration (the display's
 * clock) or until the host asks to stop → driver.stop() (display unassigns; processor terminated,
 * woken and joined; devices destroyed) → 'done' with the final counters → the thread ends.
 *
 * Beside it: monitor-worker-display.ts builds the display, monitor-worker-run.ts decides how long
 * it runs, monitor-worker-reports.ts posts what the host sees. This file is the lifecycle and the
 * host's messages.
 */
import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { VdpushError } from '../contract/errors.js';
import { FramePublisher } from '../ring/index.js';
import { AdapterLadder, createDriver, TerminateFlag, type PublisherLike, type RingPort } from '../driver/index.js';
import { CONTROL_POSTED, CONTROL_TERMINATE, type HostToWorker, type InputEvent, type WorkerToHost } from './worker-messages.js';
import { DisplayEventLog, InjectedEventLog, type DisplaySideEvent } from './injected-events.js';
import { LazyDisplayInput } from './input/lazy-display-input.js';
import { createDisplay, fatalOf, type FaultSource } from './monitor-worker-display.js';
import { onDisplayClock, runFor, type Running } from './monitor-worker-run.js';
import { CursorPoster, postInjected, snapshot, SnapshotTicker } from './monitor-worker-reports.js';
import { tierUpSooner } from './monitor-worker-tier-up.js';

// Before any frame: the drain's per-frame functions are optimized within seconds (see the file).
tierUpSooner();

const port = parentPort;
if (port === null) throw new Error('monitor-worker.js must run as a worker thread');

function post(m: WorkerToHost): void {
  port!.postMessage(m);
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

/** A message from the host while the monitor runs ('init' was the first and is handled once). */
function onHostMessage(r: Running, ringPort: MailboxRingPort, faults: FaultSource, m: HostToWorker): void {
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
      const display = r.display;
      if (display.requestMode === undefined) reply({ code: 'VDP_ERR_INVALID_ARGUMENT', message: 'this display has a fixed mode' });
      else
        display.requestMode(m.mode).then(
          () => reply(null),
          (e: unknown) => reply({ code: (e as VdpushError).code ?? 'VDP_ERR_BACKEND', message: (e as Error).message ?? String(e) }),
        );
      break;
    }
    case 'watch': {
      const display = r.display;
      const caughtUp = (): void => post({ type: 'caught-up', seq: m.seq });
      if (display.setWatched !== undefined) display.setWatched(m.watched, caughtUp);
      else if (m.watched) caughtUp(); // a display that always captures is always caught up
      break;
    }
    case 'stop':
      r.stopRequested = true;
      r.wakeStop();
      break;
    default:
      break;
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
  port!.on('message', (m: HostToWorker) => onHostMessage(r, ringPort, faults, m));
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
  const ticker = new SnapshotTicker(r, post);
  const cursorPoster = new CursorPoster(cursor, post);
  onCursorChange?.(cursorPoster.changed);
  // The fault log counts from the display's start, which is now (driver.start() starts it).
  r.injected = new InjectedEventLog(() => faults.faultLog(), display.clock.now(), () => display.stats().renderAdapter.kind);
  const list = (display as { displayEvents?: () => readonly DisplaySideEvent[] }).displayEvents;
  if (typeof list === 'function') r.displayEvents = new DisplayEventLog(() => list.call(display), () => display.stats().renderAdapter.kind);
  // A display event goes to the host as it happens (once 'ready' is out: the host takes 'recovery'
  // messages from then on; before, the first snapshot carries them): the frames that follow it
  // must not reach the host's timeline first. An idle display's snapshot comes only once a second.
  let eventsLive = false;
  (display as { onDisplayEvent?: (fn: () => void) => void }).onDisplayEvent?.(() => {
    if (eventsLive) postInjected(r, post);
  });
  try {
    // start() assigns the first swap-chain, which may need virtual time (ABANDON retries).
    await onDisplayClock(r, driver.start());
    const mode = display.mode();
    post({ type: 'snapshot', snapshot: snapshot(r) }); // the host learns the children at once
    post({ type: 'ready', width: mode.width, height: mode.height, refreshHz: mode.refreshHz, format: mode.format, verify });
    cursorPoster.start();
    eventsLive = true;
    await runFor(r, () => postInjected(r, post));
  } finally {
    ticker.stop();
    cursorPoster.stop();
    input?.close();
    await onDisplayClock(r, driver.stop());
  }
  postInjected(r, post);
  // A display that cannot go on (an attached X display that did not come back) fails the run.
  const fatal = fatalOf(display);
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
