/**
 * The Xvfb display's stats (XvfbStats, display-options.ts), assembled from the parts that count
 * them: the capture counters its swap-chains share, the assigner, the render devices, the mode
 * commit and the server's life. Read by the worker's snapshot (~1/s), never per frame.
 */
import type { Adapter } from '../../display/types.js';
import type { XvfbStats } from './display-options.js';
import type { CaptureCounters } from './swap-chain-host.js';

export interface XvfbStatsParts {
  counters: CaptureCounters;
  assigner: { swapChainsAssigned: number; swapChainsAbandoned: number; swapChainsDeleted: number };
  devices: { created: number; destroyed: number };
  renderAdapter: Adapter;
  criticalError: { major: number; minor: number } | null;
  display: string;
  serverPid: number;
  serverRestarts: number;
  modeChanges: number;
  /** The display's record (display-record.ts): its damage events, server losses, last error. */
  record: { damageEvents: number; serverLosses: number; lastError: string | null };
}

export function xvfbStats(p: XvfbStatsParts): XvfbStats {
  const c = p.counters;
  return {
    presented: c.presented,
    acquired: c.acquired,
    discarded: c.discarded,
    finished: c.finished,
    swapChainsAssigned: p.assigner.swapChainsAssigned,
    swapChainsAbandoned: p.assigner.swapChainsAbandoned,
    swapChainsDeleted: p.assigner.swapChainsDeleted,
    devicesCreated: p.devices.created,
    devicesDestroyed: p.devices.destroyed,
    stalls: c.stalls,
    renderAdapter: p.renderAdapter,
    criticalError: p.criticalError,
    display: p.display,
    serverPid: p.serverPid,
    damageEvents: p.record.damageEvents,
    captures: c.captures,
    pendingAcquires: c.pending,
    modeChanges: p.modeChanges,
    serverLosses: p.record.serverLosses,
    serverRestarts: p.serverRestarts,
    grabWaitMsMean: c.presented ? c.grabWaitMs / c.presented : 0,
    grabHeldMsMean: c.presented ? c.grabHeldMs / c.presented : 0,
    readFailures: c.readFailures,
    lastError: p.record.lastError,
  };
}
