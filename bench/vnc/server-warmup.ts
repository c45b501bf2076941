/**
 * A server serves a busy workload to the bench's client for a while before it is measured on it, so
 * the measured windows show what an update costs a server that has been running, as served
 * displays do for hours, not one in its first seconds.
 *
 * Why: vdpush is JavaScript. In its first seconds V8 runs its per-frame functions as baseline
 * code and compiles them on its platform threads (a 1% desktop update cost 3.0 ms in the first
 * 3 s of a fresh `serve`, 1.4-1.6 ms at 6-15 s, 0.9 ms from ~18 s on, 2026-12-03); x11vnc, a C
 * program, costs the same from its first update. Measured from their first seconds, the two
 * servers were compared on vdpush's start-up. The same warm-up is given to both, and each window
 * of it is kept (`WarmupCurve`), so the start-up cost is reported beside the steady one, not hidden.
 */
import { procCpuSeconds } from '../xvfb/proc-cpu.js';
import { BenchRfbClient } from './bench-rfb-client.js';
import { StampedWorkload } from './stamped-workload.js';

export const WARMUP_WINDOW_S = 2;
/** 8 x 2 s = 16 s on the workload: a fresh vdpush's 1% desktop update settled at ~15-18 s. */
export const WARMUP_WINDOWS = 8;

/** The server's CPU ms per update in each warm-up window, in order; the first is its start-up. */
export interface WarmupCurve {
  windowSeconds: number;
  animation: number[];
  desktop: number[];
}

/** Serves `kind` to a fresh bench client for WARMUP_WINDOWS windows; the CPU ms per update of each. */
export async function warmUp(display: string, serverPid: number, port: number, fps: number, kind: 'animation' | 'desktop'): Promise<number[]> {
  const curve: number[] = [];
  const stamps = await StampedWorkload.start(display, kind, fps);
  let updates = 0;
  const client = await BenchRfbClient.connect({ host: '127.0.0.1', port, onUpdate: () => void updates++ }).catch(async (e: unknown) => {
    await stamps.stop();
    throw e;
  });
  try {
    for (let i = 0; i < WARMUP_WINDOWS; i++) {
      const cpu0 = procCpuSeconds(serverPid);
      const n0 = updates;
      await new Promise((r) => setTimeout(r, WARMUP_WINDOW_S * 1000));
      if (client.failure) throw new Error(`the bench's RFB client stopped while warming the server up on the ${kind} workload: ${client.failure.message}`);
      const n = updates - n0;
      curve.push(n > 0 ? ((procCpuSeconds(serverPid) - cpu0) * 1000) / n : Number.NaN);
    }
  } finally {
    client.close();
    await stamps.stop();
  }
  return curve;
}
