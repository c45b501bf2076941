/**
 * Shows a session in the viewer: pumps the session's frames into the session's latest
 * framebuffer (framebuffer/latest-framebuffer.ts: a copy of the newest frame, so a page opened
 * onto an idle desktop still shows it, and each frame's damage for the RFB clients), and maps the
 * session's counters onto the viewer's panel.
 *
 * The framebuffer holds the newest frame's ring slot (no copy per frame); the viewer converts (and
 * scales) only the frames it actually sends.
 *
 * `framesOnDemand` (serve): frames are taken only while a page (watch()) or an RFB client looks
 * (frame-demand.ts), and whoever arrives is shown the newest frame; the RFB server's other
 * monitors follow the same rule (session-rfb.ts).
 *
 * Several monitors (issue 12): monitors() gives the page one panel per monitor
 * (session-monitor-panels.ts), setMode() is the page's mode picker, injectFault() aims a fault at
 * one monitor. The page's timeline is the session's recovery events (each with the targetId it
 * concerned) plus the host's own events, class 'monitor' (a monitor arrived or departed, however
 * that happened: the schedule, the page, the API) and 'host' (a mode the page set), appended as
 * they are seen, so the list only grows (the viewer hub sends each page what is new).
 */
import type { FrameDemand } from './frame-demand.js';
import { LatestFramebuffer, type FrameKeeper } from './framebuffer/latest-framebuffer.js';
import type { CursorView, FrameView } from './sinks/frame-view.js';
import type { ViewerRecoveryEvent, ViewerSource, ViewerStats } from './viewer/viewer-source.js';
import type { Session, SessionFrame } from './session.js';
import { SessionMonitorPanels } from './session-monitor-panels.js';
import type { ViewerMonitorStats } from './viewer/viewer-source.js';

export class SessionViewerSource implements ViewerSource {
  /** The newest frame and its damage; the RFB server serves it too. */
  readonly framebuffer = new LatestFramebuffer();
  private readonly listeners = new Set<() => void>();
  private fps = 0;
  private fpsCount = 0;
  private fpsSince = performance.now();

  private readonly panels: SessionMonitorPanels;
  private readonly timeline: ViewerRecoveryEvent[] = [];
  private sessionEventsSeen = 0;
  private readonly knownTargets: Set<number>;

  /** Frames are taken only while someone looks (see the file's comment). */
  readonly framesOnDemand: boolean;
  private readonly demand: FrameDemand;

  constructor(
    private readonly session: Session,
    opts: { framesOnDemand?: boolean } = {},
  ) {
    this.framesOnDemand = opts.framesOnDemand === true;
    // Monitor 1's, taken while it is plugged in (a page may open after it departed).
    this.demand = session.frameDemand(1);
    this.panels = new SessionMonitorPanels(session);
    this.knownTargets = new Set(session.targets());
  }

  /** Consumes frames until the session ends. */
  async pump(): Promise<void> {
    // The framebuffer holds each frame's slot until the next (no copy per frame).
    const keeper = this.session.frameKeeper();
    try {
      for await (const f of this.session.frames(1, { onDemand: this.framesOnDemand })) this.accept(f, keeper);
    } finally {
      this.framebuffer.releaseHeld();
    }
  }

  private accept(f: SessionFrame, keeper: FrameKeeper): void {
    this.framebuffer.accept(f, keeper);
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

  /** The session's recovery events and the host's monitor events, in the order they were seen. */
  recoveryEvents(): readonly ViewerRecoveryEvent[] {
    const events = this.session.recoveryEvents();
    while (this.sessionEventsSeen < events.length) this.timeline.push(events[this.sessionEventsSeen++]!);
    this.noteArrivals();
    return this.timeline;
  }

  /** A monitor that arrived or left since the last look becomes a 'monitor' event. */
  private noteArrivals(): void {
    const now = this.session.targets();
    for (const t of now) {
      if (this.knownTargets.has(t)) continue;
      this.knownTargets.add(t);
      this.hostEvent('monitor', 'monitor-arrived', 'plugged in', t);
    }
    for (const t of this.knownTargets) {
      if (now.includes(t)) continue;
      this.knownTargets.delete(t);
      this.hostEvent('monitor', 'monitor-departed', 'unplugged', t);
    }
  }

  private hostEvent(cls: 'monitor' | 'host', failure: string, action: string, targetId: number): void {
    this.timeline.push({ atMs: this.session.timelineNowMs(), failure, class: cls, action, targetId });
  }

  monitors(): readonly ViewerMonitorStats[] {
    return this.panels.read();
  }

  async setMode(targetId: number, mode: string): Promise<void> {
    await this.session.setMode(targetId, mode);
    this.hostEvent('host', 'mode-change', `mode set to ${mode}`, targetId);
  }

  /** What the display injects (on xvfb too: xvfb-faults.ts), less mode-change: a button has no mode to give. */
  faultKinds(): readonly string[] {
    return this.session.injectableFaults().filter((k) => k !== 'mode-change');
  }

  /**
   * `unplug` removes the monitor the page picked, or without one the newest (the schedule's
   * `unplug#1` means the newest too; a page names the one the user picked); the adapter's last
   * monitor is refused with a typed error, never "injected" with nothing done. Other kinds without
   * a target go to monitor 1.
   */
  injectFault(kind: string, targetId?: number): Promise<void> {
    if (kind === 'unplug') return this.session.removeMonitor(targetId ?? this.session.targets().at(-1) ?? 1);
    return this.session.injectFault(kind, undefined, targetId ?? 1);
  }

  cursor(): CursorView | null {
    return this.session.cursor();
  }

  watch(): () => void {
    return this.demand.acquire().release;
  }

  onFrame(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
}
