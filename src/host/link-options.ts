/**
 * What a MonitorLink is opened with, and its timing constants (see monitor-link.ts).
 */
import type { RecoveryEventMessage, SharedAdapterInit } from './worker-messages.js';

/** How long close() waits for the worker's orderly shutdown before it terminates the thread. */
export const STOP_GRACE_MS = 10_000;
/**
 * Real clock: the longest frames() waits on the ring before it looks at its housekeeping again.
 * Only a backstop: everything housekeeping reacts to wakes the wait (a frame, the display's new
 * mode through the frame-ready event, a host fault, the end), so an idle host wakes once a second
 * (a 25 ms poll cost 2% of a core: every wake-up of Node is ~150-200 µs of CPU on these VMs).
 */
export const IDLE_WAKE_MS = 1000;
/** Virtual clock: how long the lockstep waits on the worker's next slice before it looks again. */
export const LOCKSTEP_POLL_MS = 25;

/** `Link` is MonitorLink (a parameter, so this file needs no import of it: no cycle). */
export interface LinkOptionsOf<Link> {
  ringLen?: number;
  arm?: 'auto' | 'slot-state' | 'keyed-mutex';
  /** The adapter every monitor shares (its ladder block), and this monitor's place on the session's timeline. */
  adapter: SharedAdapterInit;
  /** Virtual clock: slices the other monitors had run when this one was plugged in. */
  sliceBase: number;
  /** Virtual clock: may this monitor's worker run slice `slice` (the other monitors kept up)? */
  mayAck?: (link: Link, slice: number) => boolean;
  /** Virtual clock: after each acknowledged slice (the session's timeline moved). */
  acked?: () => void;
  onRecoveryEvent: (e: RecoveryEventMessage) => void;
  onEnded: (link: Link) => void;
  /** Check frames against the display's pattern (default true). */
  verify?: boolean;
  /** The children the display reported while it starts (guarded before open() resolves). */
  onEarlyResources?: (r: { pids: number[]; dirs: string[] }) => void;
}
