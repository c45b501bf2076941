/**
 * Shows a session in the viewer: pumps the session's frames, keeps a copy of the newest one (so a
 * page opened onto an idle desktop still shows it), and maps the session's counters onto the
 * viewer's panel.
 *
 * The copy costs one memcpy per consumed frame into a buffer reused while the size stays the same;
 * the viewer converts (and scales) only the frames it actually sends.
 */
import { FAULT_KINDS } from '../backends/sim/index.js';
import type { CursorView, FrameView } from './sinks/frame-view.js';
import type { ViewerRecoveryEvent, ViewerSource, ViewerStats } from './viewer/viewer-source.js';
import type { Session, SessionFrame } from './session.js';

export class SessionViewerSource implements ViewerSource {
  private copy: FrameView | null = null;
  private storage = new Uint8Array(0);
  private readonly listeners = new Set<() => void>();
  private fps = 0;
  private fpsCount = 0;
  private fpsSince = performance.now();

  constructor(private readonly session: Session) {}

  /** Consumes frames until the session ends. */
  async pump(): Promise<void> {
    for await (const f of this.session.frames()) this.accept(f);
  }

  private accept(f: SessionFrame): void {
    const bytes = f.stride * f.height;
    let c = this.copy;
    // Formats change per frame (an 8-byte rgba16f frame between 4-byte ones): the storage only
    // grows, so alternating formats cost no allocation after the first larger frame.
    if (c === null || this.storage.byteLength < bytes) {
      this.storage = new Uint8Array(bytes);
      c = { pixels: this.storage, width: 0, height: 0, format: 0, stride: 0, sequence: 0, presentTimeMs: 0, dirty: { x: 0, y: 0, w: 0, h: 0 } };
      this.copy = c;
    }
    if (c.pixels.byteLength !== bytes) c.pixels = this.storage.subarray(0, bytes);
    c.pixels.set(f.pixels.subarray(0, bytes));
    c.width = f.width;
    c.height = f.height;
    c.format = f.format;
    c.stride = f.stride;
    c.sequence = f.sequence;
    c.presentTimeMs = f.presentTimeMs;
    c.dirty.x = f.dirty.x;
    c.dirty.y = f.dirty.y;
    c.dirty.w = f.dirty.w;
    c.dirty.h = f.dirty.h;
    this.fpsCount++;
    const now = performance.now();
    if (now - this.fpsSince >= 1000) {
      this.fps = (this.fpsCount * 1000) / (now - this.fpsSince);
      this.fpsCount = 0;
      this.fpsSince = now;
    }
    for (const l of this.listeners) l();
  }

  latestFrame(): FrameView | null {
    return this.copy;
  }

  stats(): ViewerStats {
    const s = this.session.stats();
    const health = this.session.ringHealth();
    return {
      drops: { ...s.frames.dropped },
      ring: { health: s.ring.health, generation: health.generation },
      adapter: { kind: s.adapter.kind, luid: s.adapter.luid },
      mode: s.mode,
      fps: Math.round(this.fps * 10) / 10,
      frames: s.frames,
      integrityErrors: s.frames.integrityErrors,
      criticalError: s.recovery.criticalError,
      source: s.source,
      input: this.session.inputCounters(),
    };
  }

  recoveryEvents(): readonly ViewerRecoveryEvent[] {
    return this.session.recoveryEvents();
  }

  faultKinds(): readonly string[] {
    return this.session.config.source === 'sim' ? FAULT_KINDS : [];
  }

  injectFault(kind: string): void {
    this.session.injectFault(kind);
  }

  cursor(): CursorView | null {
    return this.session.cursor();
  }

  onFrame(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
}
