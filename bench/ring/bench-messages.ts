/** Messages between the ring bench (main thread) and its producer worker. */

export type BenchToWorker =
  | { type: 'ring'; buffer: SharedArrayBuffer; targetId: number; width: number; height: number; durationMs: number; paceMs: number }
  | { type: 'baseline'; width: number; height: number; durationMs: number; paceMs: number; ack: SharedArrayBuffer; window: number }
  | { type: 'exit' };

export type WorkerToBench =
  | { type: 'ring-done'; published: number; dropped: number }
  | { type: 'frame'; pixels: ArrayBuffer; startedMs: number }
  | { type: 'baseline-done'; sent: number }
  | { type: 'error'; message: string };
