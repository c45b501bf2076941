/**
 * A server serves a busy workload to the bench's client for a while before that same client's
 * updates are measured, so the measured window shows what an update costs a server that has been
 * serving a client, as served displays do for hours, not one in its first seconds; and what a
 * client that connects again costs, beside it.
 *
 * Why: vdpush is JavaScript. In its first seconds V8 runs its per-frame functions as baseline
 * code and compiles them on its platform threads (a 1% desktop update cost 3.0 ms in the first
 * 3 s of a fresh `serve`, 1.0-1.2 ms at 16-20 s, 0.7-0.8 ms from ~30 s on, 2026-12-03); x11vnc, a
 * C program, costs the same from its first update. A client that connects again re-tiers it: its
 * handshake and first whole-screen update take paths the steady strip never did, so V8 drops the
 * optimized code that meets them (~40 deopts) and compiles ~115 functions again over the next
 * ~20 s, and an update costs ~1.5x the steady one meanwhile (trace-opt of a served desktop, the
 * bench's old order: warm-up client, a pause, a new client measured 1.5 s after it connected).
 * So the same client is warmed up and measured; the start-up curve (`WarmupCurve`) and a
 * reconnected client's first window (`reconnect`) are kept and reported, not hidden. Both
 * servers get the same sequence.
 */
import { procCpuSeconds } from '../xvfb/proc-cpu.js';
import type { BenchRfbClient } from './bench-rfb-client.js';

export const WARMUP_WINDOW_S = 2;
/** 14 x 2 s = 28 s on the workload: a fresh vdpush's 1% desktop update settled at ~25-30 s. */
export const WARMUP_WINDOWS = 14;
/** The window after a client connects again (the re-tiering it causes is reported, not measured as steady). */
export const RECONNECT_WINDOW_S = 2;

/** The server's CPU ms per update in each warm-up window, in order; the first is its start-up. */
export interface WarmupCurve {
  windowSeconds: number;
  animation: number[];
  desktop: number[];
  /** CPU ms per update in the first RECONNECT_WINDOW_S of a client that connected after the measured one left. */
  reconnect: { windowSeconds: number; animation: number; desktop: number };
}

/**
 * The server's CPU ms per update in `windows` windows of `seconds` each, counted from `updates()`
 * (the client's running count); a client that stops mid-window fails the phase (`what` says which).
 */
export async function cpuPerUpdateWindows(serverPid: number, client: BenchRfbClient, updates: () => number, windows: number, seconds: number, what: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < windows; i++) {
    const cpu0 = procCpuSeconds(serverPid);
    const n0 = updates();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    if (client.failure) throw new Error(`the bench's RFB client stopped ${what}: ${client.failure.message}`);
    const n = updates() - n0;
    out.push(n > 0 ? ((procCpuSeconds(serverPid) - cpu0) * 1000) / n : Number.NaN);
  }
  return out;
}
