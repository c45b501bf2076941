/**
 * Timers that tolerate firing a little early or late, so that one thread's idle wake-ups share
 * one wake (Windows' SetCoalescableTimer, Linux's timer slack).
 *
 * Why: every wake-up of a Node thread costs ~150-500 µs of CPU on this project's VMs whatever it
 * then does, so an idle display's worker paid for each of its periodic jobs apart: the
 * processor's idle E_PENDING wait (4 a second), the snapshot post, the critical-error backup poll
 * and the cursor poll (1 a second each), ~9 wake-ups a second in all (strace of an idle Xvfb
 * session). Coalesced, the 1 s jobs run in the wake of a processor tick.
 *
 * Invariant: a delay of at least COALESCE_GRID_MS fires at the grid point (a multiple of
 * COALESCE_GRID_MS on this thread's performance.now()) nearest its due time, so at most half a
 * grid early or late, and every callback due at one grid point runs from ONE Node timer, in the
 * order they were set. A shorter delay is a plain timer (a 60 Hz display's 16 ms wait, a 100 ms
 * poll while something moves are never moved). Module state is per thread (each worker has its
 * own), which is what wakes are.
 */

/** The grid: the processor's idle wait (processor-tuning.ts idleWaitMs), so every 1 s job lands on a tick. */
export const COALESCE_GRID_MS = 250;

interface Entry {
  fn: () => void;
  ref: boolean;
  /** Not yet run nor cancelled. */
  live: boolean;
}

interface Slot {
  timer: ReturnType<typeof setTimeout>;
  entries: Entry[];
}

const slots = new Map<number, Slot>();

function fire(due: number): void {
  const slot = slots.get(due);
  slots.delete(due);
  if (slot === undefined) return;
  for (const e of slot.entries) {
    if (!e.live) continue; // cancelled by a callback before it
    e.live = false;
    e.fn();
  }
}

/** A slot timer keeps the thread alive only while one of its callbacks asked to. */
function updateRef(slot: Slot): void {
  if (slot.entries.some((e) => e.ref)) slot.timer.ref();
  else slot.timer.unref();
}

/**
 * Runs `fn` after about `delayMs` (see the invariant); returns its cancel (safe late or twice).
 * `ref: false` is setTimeout's unref(): the timer does not keep the thread alive.
 */
export function setCoalescedTimeout(fn: () => void, delayMs: number, opts: { ref?: boolean } = {}): () => void {
  const ref = opts.ref !== false;
  if (!(delayMs >= COALESCE_GRID_MS)) {
    const t = setTimeout(fn, Math.max(0, delayMs || 0));
    if (!ref) t.unref();
    return () => clearTimeout(t);
  }
  const now = performance.now();
  const due = Math.round((now + delayMs) / COALESCE_GRID_MS) * COALESCE_GRID_MS;
  let slot = slots.get(due);
  if (slot === undefined) {
    slot = { timer: setTimeout(fire, Math.max(0, due - now), due), entries: [] };
    slots.set(due, slot);
  }
  const entry: Entry = { fn, ref, live: true };
  slot.entries.push(entry);
  updateRef(slot);
  const mine = slot;
  return () => {
    if (!entry.live) return;
    entry.live = false;
    if (slots.get(due) !== mine) return; // its slot is firing: fire() skips it
    mine.entries.splice(mine.entries.indexOf(entry), 1);
    if (mine.entries.length === 0) {
      clearTimeout(mine.timer);
      slots.delete(due);
    } else updateRef(mine);
  };
}
