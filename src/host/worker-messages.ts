/**
 * The messages between the host (main thread) and a monitor worker, declared once. The worker runs
 * the display system (a backend) and the driver for one monitor; the host owns the ring.
 *
 * Stop does not travel as a message: a continuous frame burst may not turn the worker's event loop
 * for a while, so the host sets the terminate word in the shared control buffer (Atomics) and the
 * driver sees it at the top of its next pass. The message only follows, for the worker's shutdown.
 */
import type { MessagePort } from 'node:worker_threads';
import type { CursorState, DisplayStats, HostFaultRequest } from '../display/types.js';
import type { InputCounters } from '../display/input.js';
import type { DisplayResources } from './display-resources.js';

export type SourceKind = 'sim' | 'xvfb';
export type ClockKind = 'virtual' | 'real';
export type SimPattern = 'moving' | 'desktop' | 'full';

export interface MonitorConfig {
  source: SourceKind;
  targetId: number;
  width: number;
  height: number;
  refreshHz: number;
  /** Pixel-format code. */
  format: number;
  /** Run length in display-clock ms; 0 = until stopped. */
  durationMs: number;
  faults: string;
  seed: number;
  clock: ClockKind;
  pattern: SimPattern;
  /** xvfb: attach to an existing display (":N", or ":N.S" for a screen of it) instead of starting one. */
  display?: string;
  /** xvfb: the display number the server vdpush starts is started on (SessionOptions.displayNumber). */
  displayNumber?: number;
  /** xvfb: the base folder of a started server's framebuffer (SessionOptions.fbDir, checked, absolute). */
  fbDir?: string;
  /** xvfb attach: the user asked for another size (--mode): set it through RandR before the first swap-chain. */
  setModeOnAttach?: boolean;
  /**
   * xvfb with several monitors: this monitor's screen (":N.S") of the one server the session
   * started for all of them (shared-xvfb.ts). The worker attaches to it but runs its workload.
   */
  screen?: string;
  /** xvfb: 24 or 30. */
  depth?: 24 | 30;
  /** xvfb: 'animated' (default), 'none', or a command line to run. */
  workload?: 'animated' | 'none' | { exec: string };
  /** Recovery policy thresholds (defaults per Microsoft's guidance). */
  policy?: { consecutiveAssignFailures?: number; processingFailures?: number; processingWindowMs?: number };
}

/**
 * The adapter every monitor of a session shares: its ladder block (driver/adapter-ladder.ts) and
 * where this monitor's clock 0 falls on the session's timeline (the ladder compares failure times
 * of all monitors): on the real clock from the session's start in absolute ms (performance.timeOrigin
 * + now), on the virtual clock the virtual ms the other monitors had run when this one was plugged.
 */
export interface SharedAdapterInit {
  ladder: SharedArrayBuffer;
  sessionStartAbsMs: number;
  virtualBaseMs: number;
}

export type HostToWorker =
  /**
   * `ringPort` carries every later ring buffer (one SharedArrayBuffer per message): the worker
   * reads it synchronously (receiveMessageOnPort) the moment its publisher finds the ring retired,
   * so it re-attaches at once instead of waiting for its event loop to deliver a 'ring' message.
   */
  | { type: 'init'; config: MonitorConfig; control: SharedArrayBuffer; ring: SharedArrayBuffer; adapter: SharedAdapterInit; ringPort?: MessagePort }
  | { type: 'ring'; buffer: SharedArrayBuffer }
  | { type: 'inject'; kind: string; durationMs?: number; /** mode-change's mode, as the schedule writes it. */ arg?: string }
  /** session.setMode: the display commits this mode; answered with 'mode-set' carrying `id`. */
  | { type: 'set-mode'; id: number; mode: { width: number; height: number; refreshHz: number } }
  /** A remote client's input, for the backend's DisplayInput (src/display/input.ts). */
  | { type: 'input'; event: InputEvent }
  /** Whether anyone looks at this monitor (frame-demand.ts); `watched` is answered with 'caught-up' carrying `seq`. */
  | { type: 'watch'; watched: boolean; seq: number }
  | { type: 'stop' };

export type InputEvent =
  /** A remote server will use input: open the display's input now (the clipboard is watched from then). */
  | { kind: 'attach' }
  | { kind: 'key'; down: boolean; keysym: number }
  | { kind: 'pointer'; x: number; y: number; buttons: number }
  | { kind: 'clipboard'; text: string };

export interface DriverCounters {
  acquired: number;
  finished: number;
  published: number;
  dropped: { descMismatch: number; allSlotsBusy: number; stale: number; noPublisher: number };
  devices: { created: number; destroyed: number; live: number };
  terminateMaxLatencyMs: number;
}

export interface RecoveryEventMessage {
  [key: string]: unknown;
  atMs: number;
  failure: string;
  hresult: string;
  class: string;
  action: string;
  adapter: string;
  recoveryMs?: number | null;
  /** The monitor the event concerned (the host adds it; absent only on adapter-wide events). */
  targetId?: number;
}

export interface WorkerSnapshot {
  display: DisplayStats;
  driver: DriverCounters;
  events: RecoveryEventMessage[];
  criticalError: { major: number; minor: number } | null;
  nowMs: number;
  /** Processes and temp folders the display started (xvfb), for the host's last-resort cleanup. */
  resources: DisplayResources;
  /** What the display's input counted (absent before the display started). */
  input?: InputCounters;
}

export type WorkerToHost =
  | { type: 'ready'; width: number; height: number; refreshHz: number; format: number; verify: VerifyDescriptor }
  | { type: 'host-fault'; request: HostFaultRequest }
  /** The hardware cursor changed; `shape` is empty unless shapeId changed (the host keeps the last). */
  | { type: 'cursor'; cursor: CursorState }
  /** The display's clipboard changed (X CLIPBOARD); the host passes it to remote clients. */
  | { type: 'clipboard'; text: string }
  | { type: 'recovery'; event: RecoveryEventMessage }
  | { type: 'snapshot'; snapshot: WorkerSnapshot }
  | { type: 'done'; snapshot: WorkerSnapshot; invariants: string[]; faultLog: Array<{ atMs: number; kind: string }> }
  | { type: 'error'; code: string; message: string }
  | { type: 'mode-set'; id: number; error: null | { code: string; message: string } }
  /** The display captured and published what changed while nobody watched (or nothing had). */
  | { type: 'caught-up'; seq: number };

/** How the host checks a frame's pixels: which backend's pattern, and its parameters. */
export interface VerifyDescriptor {
  kind: 'sim' | 'xvfb' | 'none';
  params: unknown;
}

/**
 * Indices of the Int32 words in the shared control buffer.
 *
 * Virtual-clock lockstep: the worker runs virtual time in slices; after each it stores the slice
 * number (CONTROL_SLICE) and virtual now (CONTROL_VNOW) and waits until the host stores the same
 * number into CONTROL_ACK. The host acknowledges once it has received every host-fault message
 * posted so far (CONTROL_POSTED counts them), recreated its ring if the display's mode changed, and
 * its consumer has taken what was published. So host-side reactions happen at exact virtual times
 * and a virtual run is repeatable end to end, however fast the worker is.
 */
export const CONTROL_TERMINATE = 0;
export const CONTROL_SLICE = 1;
export const CONTROL_ACK = 2;
export const CONTROL_POSTED = 3;
export const CONTROL_VNOW = 4;
export const CONTROL_WORDS = 8;

/**
 * Virtual time runs in slices this long; after each the worker waits for the host's acknowledgement
 * (see CONTROL_SLICE). Short enough that the host consumes about every frame at 240 Hz.
 */
export const VIRTUAL_SLICE_MS = 4;

/** A snapshot before the worker sent any: everything zero. */
export function emptyWorkerSnapshot(): WorkerSnapshot {
  return {
    display: {
      presented: 0,
      acquired: 0,
      finished: 0,
      swapChainsAssigned: 0,
      swapChainsAbandoned: 0,
      swapChainsDeleted: 0,
      devicesCreated: 0,
      devicesDestroyed: 0,
      stalls: 0,
      renderAdapter: { luid: 0, kind: 'hardware', name: '' },
      criticalError: null,
    },
    driver: {
      acquired: 0,
      finished: 0,
      published: 0,
      dropped: { descMismatch: 0, allSlotsBusy: 0, stale: 0, noPublisher: 0 },
      devices: { created: 0, destroyed: 0, live: 0 },
      terminateMaxLatencyMs: 0,
    },
    events: [],
    criticalError: null,
    nowMs: 0,
    resources: { pids: [], dirs: [] },
  };
}
