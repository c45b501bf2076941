/**
 * What a monitor plugged into a running session starts with (Session.addMonitor, a schedule's or
 * the viewer's plug), checked before anything of it starts: the session must still run and have
 * room, the targetId must be new (a departed monitor's is never reused: its counters stay in the
 * summary under it), and on xvfb the monitor takes a free screen of the session's one X server,
 * whose screens are fixed at its start (shared-xvfb.ts). It takes no faults from the schedule
 * (the schedule was split at start) and runs for what is left of the session's duration.
 */
import { InvalidArgumentError, NoFreeScreenError } from '../contract/errors.js';
import { MAX_MONITORS, MAX_TARGET_ID, monitorConfigFor, type MonitorOptions } from './session-options.js';
import type { SharedXvfb } from './shared-xvfb.js';
import type { MonitorConfig } from './worker-messages.js';

export interface PlugContext {
  /** The session's base configuration (monitor 1's). */
  base: MonitorConfig;
  /** The session has ended or is closing. */
  ended: boolean;
  /** Monitors plugged in now. */
  monitors: number;
  targetId: number;
  /** Now on the session's timeline. */
  nowMs: number;
  /** The session's X server of several screens, or null. */
  shared: SharedXvfb | null;
}

/** The new monitor's configuration; on xvfb its screen is claimed (release it if the plug fails). */
export function pluggedMonitorConfig(m: MonitorOptions, at: PlugContext): MonitorConfig {
  if (at.ended) throw new InvalidArgumentError('addMonitor: the session has ended');
  if (at.monitors >= MAX_MONITORS) throw new InvalidArgumentError(`addMonitor: a session drives at most ${MAX_MONITORS} monitors`);
  if (at.targetId > MAX_TARGET_ID) throw new InvalidArgumentError(`addMonitor: targetIds are exhausted (${MAX_TARGET_ID})`);
  const left = at.base.durationMs > 0 ? Math.max(1, at.base.durationMs - at.nowMs) : 0;
  const config = monitorConfigFor({ ...at.base, faults: '', durationMs: left }, m, at.targetId);
  if (config.source === 'xvfb') {
    if (at.shared === null) throw new NoFreeScreenError(`addMonitor: this session's X display has no free screen (screens cannot be added to a running X server; open the session with monitors: [...] for one screen per monitor)`);
    config.screen = at.shared.claimFree(at.targetId, config.width, config.height);
    if (typeof config.workload === 'object') config.workload = 'none'; // --exec runs once, on screen 0
  }
  return config;
}
