/**
 * The faults the host does to itself (the display side only schedules them): `host-recreate`
 * (the host rebuilds the ring as if the mode had changed) and `host-stall` (the host takes every
 * frame that arrives and sits on it, as a wedged encoder would). The producer must keep draining
 * the display meanwhile (it overwrites or drops), never wait for the host.
 */
import type { HostFaultRequest } from '../display/types.js';
import type { ConsumedFrame, HostRing } from '../ring/index.js';
import type { HostLockstep } from './host-lockstep.js';

export interface HostFaultTarget {
  ring(): HostRing;
  /** Recreates the ring at `desc` and hands it to the worker. */
  recreateRing(desc: { width: number; height: number; format: number }): void;
  lockstep(): HostLockstep | null;
  isFinished(): boolean;
}

/** How often a real-clock stall looks for frames to take (only during the fault). */
const STALL_TAKE_MS = 2;

export async function performHostFault(req: HostFaultRequest, t: HostFaultTarget): Promise<void> {
  if (req.kind === 'host-recreate') {
    const h = t.ring().health();
    t.recreateRing({ width: h.width, height: h.height, format: h.format });
    return;
  }
  const held: ConsumedFrame[] = [];
  try {
    const lockstep = t.lockstep();
    if (lockstep) {
      await lockstep.holdFrames(req.atMs + req.durationMs, held);
    } else {
      const until = performance.now() + req.durationMs;
      while (performance.now() < until && !t.isFinished()) {
        const f = t.ring().tryConsume();
        if (f) held.push(f);
        await new Promise((r) => setTimeout(r, STALL_TAKE_MS));
      }
    }
  } finally {
    for (const f of held) t.ring().release(f);
  }
}
