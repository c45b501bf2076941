/**
 * What the viewer server shows, as an interface the session (or a test's fake) implements. The
 * server only reads through it; it never holds a frame past the call that produced it.
 */
import type { CursorView, FrameView } from '../sinks/frame-view.js';

/**
 * What the panel shows. Every field is optional: the page shows what it gets, and any other keys
 * are passed through to the page untouched (it lists them under "more").
 */
export interface ViewerStats {
  /** Frames dropped on the way, by reason (e.g. { allSlotsBusy: 3, descMismatch: 0 }). */
  drops?: Record<string, number>;
  /** The ring's health ('initializing' | 'active' | 'rebuilding' | 'dead') and generation. */
  ring?: { health: string; generation: number };
  /** The render adapter in use. */
  adapter?: { kind: string; luid?: number };
  /** The display mode. */
  mode?: { width: number; height: number; refreshHz?: number; format?: string };
  /** Frames per second as the source measures it (the server measures its own rate beside it). */
  fps?: number;
  [key: string]: unknown;
}

/** One decision on the recovery timeline (the driver's recovery event, structurally). */
export interface ViewerRecoveryEvent {
  /** When, in the source's clock (ms since the session started). */
  atMs: number;
  /** What failed, e.g. "device-removed", or an injected fault's kind. */
  failure: string;
  /** The error class, e.g. "directx" or "transient". */
  class?: string;
  /** What the driver did, e.g. "recreate-device", "fallback-software". */
  action: string;
  /** The adapter kind it happened on. */
  adapter?: string;
  hresult?: string;
  [key: string]: unknown;
}

/**
 * One monitor's panel on the page (issue 12: several monitors on one adapter). Every field but
 * targetId and present is optional, as in ViewerStats.
 */
export interface ViewerMonitorStats {
  targetId: number;
  /** False once the monitor departed (unplugged): its counters are then its final ones. */
  present: boolean;
  mode?: { width: number; height: number; refreshHz?: number; format?: string };
  /** Frames per second the display published into this monitor's ring, as the source measures it. */
  fps?: number;
  frames?: { presented?: number; published?: number; consumed?: number; integrityErrors?: number };
  /** Frames of this monitor dropped on the way, by reason. */
  drops?: Record<string, number>;
  ring?: { health: string; generation: number };
  adapter?: { kind: string; luid?: number };
  /** What the monitor's input counted (keys, pointer, ...), when it has input. */
  input?: Record<string, number> | null;
  /** Why this monitor is dead (the adapter's critical error, its display or worker gone), else null. */
  dead?: string | null;
}

export interface ViewerSource {
  /**
   * The newest frame, valid until the caller returns to the event loop (the server converts it at
   * once), or null when the source has none it can show right now; the server then waits for the
   * next onFrame. A source over an idle display should keep a copy of its last frame, so a page
   * opened onto an idle desktop still shows it.
   */
  latestFrame(): FrameView | null;
  /** The panel's numbers; called a few times a second. */
  stats(): ViewerStats;
  /** The whole recovery timeline so far, oldest first; the server sends each client what is new. */
  recoveryEvents(): readonly ViewerRecoveryEvent[];
  /** The fault kinds injectFault accepts; empty when the source cannot inject (not simulated). */
  faultKinds(): readonly string[];
  /**
   * Injects a fault now, aimed at monitor `targetId` when given (the fault schedule's `#N`).
   * Called only with a kind from faultKinds(). May throw, or reject with, a VdpushError.
   */
  injectFault(kind: string, targetId?: number): void | Promise<void>;
  /**
   * Every monitor the page should show a panel for, in targetId order: the live ones and those
   * that departed (present: false). Absent: the source is one display, described by stats().
   */
  monitors?(): readonly ViewerMonitorStats[];
  /**
   * Asks monitor `targetId` for the mode 'WxH@HZ' (session.setMode); resolves once the display
   * committed it. Bad input rejects with a VdpushError. Absent: the source cannot change modes.
   */
  setMode?(targetId: number, mode: string): Promise<void>;
  /** Calls `cb` after each new frame; returns the unsubscribe function. */
  onFrame(cb: () => void): () => void;
  /**
   * A page is open: a source that takes frames only while someone looks (serve) takes them until
   * the returned function is called. Absent: the source takes every frame anyway.
   */
  watch?(): () => void;
  /**
   * The hardware cursor, when the display has one: (x, y) is the pointer's position (the hotspot)
   * in display pixels, `shape` is premultiplied BGRA8 (XFIXES's ARGB32), read only when shapeId
   * changes. Polled on every frame and a few times a second.
   */
  cursor?(): CursorView | null;
}
