/**
 * The worker's per-frame functions reach V8's optimizing compiler within seconds of frames
 * flowing, not after minutes: the process's interrupt budget (bytecode executed between V8's
 * tier-up checks) goes from V8's 66 KiB to INTERRUPT_BUDGET_BYTES.
 *
 * Why: V8 optimizes a function after it used up its budget a few times. A display's hot path is
 * many small functions (the X event and reply handlers, acquire, publish, finish, the waits) that
 * each run once or twice per frame, so at 60 Hz each uses a few KiB of budget a second and runs as
 * baseline code, with an inline-cache call for every property access, for 20 s and more: perf of
 * a served 1% desktop 16 s in showed the worker's time mostly in V8's IC and call builtins. With the
 * smaller budget the same served desktop cost about half the CPU per frame in its first 10 s
 * (measured interleaved: docs/performance-notes.md, "VNC CPU per update"), and by 25 s both settings reach the
 * same steady cost: the budget only brings the optimized code forward (a native server such as
 * x11vnc has no such phase). The price is compiling a little earlier what would be compiled anyway.
 *
 * It is a process-wide V8 setting, applied once when a monitor's worker starts (the thread whose
 * drain must never lag), so the host thread's functions tier up sooner too. An --interrupt-budget
 * the user gave node is kept.
 */
import { setFlagsFromString } from 'node:v8';

/** Bytecode bytes between tier-up checks (V8's default in Node 20: 67,584). */
export const INTERRUPT_BUDGET_BYTES = 8192;

let applied = false;

/** Lowers V8's interrupt budget for the whole process, once; true if this call set it. */
export function tierUpSooner(execArgv: readonly string[] = process.execArgv): boolean {
  if (applied) return false;
  applied = true;
  if (execArgv.some((a) => a.startsWith('--interrupt-budget=') || a === '--interrupt-budget')) return false;
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET_BYTES}`);
  return true;
}
