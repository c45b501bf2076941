/**
 * A frame interval's idle, as a served display's threads spend it between frames: the thread
 * sleeps in the kernel and spends no CPU, so what a paced measurement counts after it is the cost
 * of meeting a frame after a gap (on this project's machines a pread or a compare pass costs more
 * then than back to back; docs/performance-notes.md).
 */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

export function idleFor(ms: number): void {
  if (ms > 0) Atomics.wait(SLEEPER, 0, 0, ms);
}
