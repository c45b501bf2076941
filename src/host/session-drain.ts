/**
 * Draining a session: every monitor's frames consumed and handed back at once, until the run ends
 * (what `vdpush run` does, and what record and snapshot do for the monitors they do not keep).
 * A monitor plugged in meanwhile is drained from its arrival: the wait is a race between every
 * drain ending and the next plug.
 */
import type { ConsumedFrame } from '../ring/index.js';
import type { MonitorLink } from './monitor-link.js';

export interface DrainSource {
  /** The monitors plugged in now. */
  links(): Iterable<MonitorLink>;
  /** Sets (or clears) the one callback for the next monitor that arrives. */
  onPlugged(cb: (() => void) | null): void;
}

/** Drains every monitor but `except` until all of them ended; see the file's comment. */
export async function drainMonitors(source: DrainSource, onFrame?: (f: ConsumedFrame, targetId: number) => void, except?: number): Promise<void> {
  const running = new Map<MonitorLink, Promise<void>>();
  const start = (): void => {
    for (const l of source.links()) {
      if (l.targetId === except || running.has(l)) continue;
      running.set(
        l,
        (async () => {
          for await (const f of l.frames()) onFrame?.(f, l.targetId);
        })(),
      );
    }
  };
  while (true) {
    start();
    const all = Promise.all(running.values());
    const plugged = new Promise<'plugged'>((r) => source.onPlugged(() => r('plugged')));
    const r = await Promise.race([all.then(() => 'done' as const), plugged]);
    source.onPlugged(null);
    if (r === 'done' && [...source.links()].every((l) => l.targetId === except || running.has(l))) return;
  }
}
