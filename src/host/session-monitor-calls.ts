/**
 * The calls of a session that address one monitor by its targetId, monitor 1 when none is named
 * (so a one-monitor caller names none): its frames, their keeper and demand, its input, its cursor, its
 * ring's health and render adapter, whether it ended. Each goes to that monitor's link
 * (monitor-link.ts); a targetId no monitor has is an InvalidArgumentError (session-roster.ts),
 * except for the queries that answer null for "none". The rest of the session, the adapter and
 * what its monitors share, is session.ts.
 */
import type { VdpushError } from '../contract/errors.js';
import type { CursorState } from '../display/types.js';
import type { ConsumedFrame } from '../ring/index.js';
import type { FrameDemand } from './frame-demand.js';
import type { FrameKeeper } from './framebuffer/latest-framebuffer.js';
import type { RemoteInput } from './input/remote-input.js';
import type { MonitorLink } from './monitor-link.js';
import { MonitorRoster } from './session-roster.js';

export abstract class SessionMonitorCalls {
  /** The monitors plugged in, leaving and departed (session-roster.ts). */
  protected readonly roster = new MonitorRoster();

  /** Whether monitor `targetId` has ended, and the error that ended it; null while it runs (or when there is no such monitor). */
  monitorEnd(targetId: number): { error: VdpushError | null } | null {
    const l = this.roster.get(targetId);
    return l !== undefined && l.isEnded ? { error: l.error } : null;
  }

  /** The monitors plugged in now, by targetId. */
  targets(): number[] {
    return this.roster.targets();
  }

  protected link(targetId: number): MonitorLink {
    return this.roster.require(targetId);
  }

  /**
   * Monitor `targetId`'s consumed frames (default monitor 1), each verified against that monitor's
   * pattern and target, returned to its ring when the iteration step ends. Ends when it ends.
   */
  frames(targetId = 1, opts?: { onDemand?: boolean }): AsyncGenerator<ConsumedFrame, void, undefined> {
    return this.link(targetId).frames(opts);
  }

  /**
   * Who looks at monitor `targetId`'s frames: a pump iterating frames(id, { onDemand: true })
   * takes frames only while someone holds a handle from acquire() (frame-demand.ts).
   */
  frameDemand(targetId = 1): FrameDemand {
    return this.link(targetId).demand;
  }

  /** Keeps monitor `targetId`'s frames past their iteration step (LatestFramebuffer.accept's keeper). */
  frameKeeper(targetId = 1): FrameKeeper {
    return this.link(targetId).keeper;
  }

  /** Where remote clients' keys, pointer and clipboard go for monitor `targetId` (the RFB server is handed this). */
  remoteInput(targetId = 1): RemoteInput {
    return this.link(targetId).remoteInput();
  }

  /** What monitor `targetId`'s display input counted so far (see src/display/input.ts). */
  inputCounters(targetId = 1): ReturnType<MonitorLink['inputCounters']> {
    return this.roster.get(targetId)?.inputCounters() ?? null;
  }

  /** A monitor's hardware cursor (Xvfb through XFIXES), or null when it has none. */
  cursor(targetId = 1): CursorState | null {
    return this.roster.get(targetId)?.cursor() ?? null;
  }

  /** Calls `cb` each time monitor `targetId`'s cursor changes (position or shape); returns the unsubscribe. */
  onCursorChange(targetId: number, cb: () => void): () => void {
    const l = this.link(targetId);
    l.cursorListeners.add(cb);
    return () => l.cursorListeners.delete(cb);
  }

  ringHealth(targetId = 1): ReturnType<MonitorLink['ringHealth']> {
    return this.link(targetId).ringHealth();
  }

  /** The render adapter monitor `targetId` is composed on, as its worker last reported. */
  renderAdapter(targetId = 1): { kind: string; luid: number } {
    return this.link(targetId).renderAdapter();
  }

  /** Test seam for the hostile test: the monitor link itself (its ring buffer, a foreign ring). */
  monitorLink(targetId: number): MonitorLink {
    return this.link(targetId);
  }
}
