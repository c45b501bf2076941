/**
 * Shows a session in the viewer: pumps the session's frames into the session's latest
 * framebuffer (framebuffer/latest-framebuffer.ts: a copy of the newest frame, so a page opened
 * onto an idle desktop still shows it, and each frame's damage for the RFB clients), and maps the
 * session's counters onto the viewer's panel.
 *
 * The copy costs a memcpy of each consumed frame's damaged rows; the viewer converts (and scales)
 * only the frames it actually sends.
 */
import { FAULT_KINDS } from '../backends/sim/index.js';
import { LatestFramebuffer } from './framebuffer/latest-framebuffer.js';
import type { CursorView, FrameView } from './sinks/frame-view.js';
import type { ViewerRecoveryEvent, ViewerSource, ViewerStats } from './viewer/viewer-source.js';
import type { Session, SessionFrame } from './session.js';

export class SessionViewerSource implements ViewerSource {
  /** The newest frame and its damage; the RFB server serves it too. */
  readonly framebuffer = new LatestFramebuffer();
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
    this.framebuffer.accept(f);
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
    return this.framebuffer.view;
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
      // The page shows a display that ended (critical error, the display gone) as dead, with why.
      ended: this.session.isEnded,
      endReason: this.session.error?.message ?? null,
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
