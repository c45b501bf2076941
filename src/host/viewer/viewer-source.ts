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
  /** Injects a fault now. Called only with a kind from faultKinds(). May throw a VdpushError. */
  injectFault(kind: string): void;
  /** Calls `cb` after each new frame; returns the unsubscribe function. */
  onFrame(cb: () => void): () => void;
  /**
   * The hardware cursor, when the display has one: (x, y) is the pointer's position (the hotspot)
   * in display pixels, `shape` is premultiplied BGRA8 (XFIXES's ARGB32), read only when shapeId
   * changes. Polled on every frame and a few times a second.
   */
  cursor?(): CursorView | null;
}
