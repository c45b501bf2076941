/** Messages between the ring bench (main thread) and its producer worker. */

export type BenchToWorker =
  | { type: 'ring'; buffer: SharedArrayBuffer; targetId: number; width: number; height: number; durationMs: number; paceMs: number }
  | { type: 'baseline'; width: number; height: number; durationMs: number; paceMs: number; ack: SharedArrayBuffer; window: number }
  /** The floor (wake-floor.ts): `signal` = [frames copied, done], `times` = [started, copied] per frame mod FLOOR_TIMES. */
  | { type: 'floor'; width: number; height: number; durationMs: number; paceMs: number; signal: SharedArrayBuffer; times: SharedArrayBuffer }
  | { type: 'exit' };

export type WorkerToBench =
  | { type: 'ring-done'; published: number; dropped: number }
  | { type: 'frame'; pixels: ArrayBuffer; startedMs: number; copiedMs: number }
  | { type: 'baseline-done'; sent: number }
  | { type: 'floor-done'; copied: number }
  | { type: 'error'; message: string };

/** Entries of the floor's `times` ring (two doubles each): far more frames than can be in flight. */
export const FLOOR_TIMES = 64;
