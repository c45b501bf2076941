/**
 * Retired ring buffers kept for reuse, so a host that recreates its ring again and again (a mode
 * change, a host-recreate every 500 ms) does not leave the garbage collector one dead
 * SharedArrayBuffer of tens of MB per recreate. V8 counts little of a SharedArrayBuffer's memory
 * towards its GC heuristics, and a worker that once received the buffer holds its own wrapper
 * until its own GC runs, so retired buffers otherwise pile up (RSS grew from 73 MiB to 939 MiB in
 * 300 s of recreates). With reuse, the working set is a few buffers whatever the GC does.
 *
 * Invariant (when a retired buffer may be rebuilt): nobody can still write or read it.
 * - The display side: it has opened a buffer the host created after this one (DRIVER_STATUS of
 *   that buffer is non-zero). The display's processor runs on one thread and opens the new
 *   buffer only between publishes, so no publish into the old one is in flight; a stale
 *   publisher that tries again checks MAGIC and GENERATION first, and a rebuilt buffer carries a
 *   newer generation (its magic is stored last).
 * - The host side: no frame from it is still held (the consumer's held flags).
 * A buffer whose display never opened a successor is not pooled: it is dropped to the GC.
 */
import type { FrameConsumer } from './frame-consumer.js';

/** Two spares cover alternating sizes (a mode flipping back and forth) and repeated same-size recreates. */
export const MAX_SPARE_BUFFERS = 2;

interface Spare {
  buffer: SharedArrayBuffer;
  consumer: FrameConsumer;
}

export class BufferPool {
  private readonly spares: Spare[] = [];

  /** Keeps a retired buffer whose display side has moved on (see the invariant above). */
  add(buffer: SharedArrayBuffer, consumer: FrameConsumer): void {
    this.spares.push({ buffer, consumer });
    // The oldest goes to the GC first.
    if (this.spares.length > MAX_SPARE_BUFFERS) this.spares.shift();
  }

  /** A spare of exactly `bytes` whose frames were all released, removed from the pool; else undefined. */
  take(bytes: number): SharedArrayBuffer | undefined {
    for (let i = 0; i < this.spares.length; i++) {
      const s = this.spares[i]!;
      if (s.buffer.byteLength !== bytes || s.consumer.frames.some((f) => f.held)) continue;
      this.spares.splice(i, 1);
      return s.buffer;
    }
    return undefined;
  }

  clear(): void {
    this.spares.length = 0;
  }

  get size(): number {
    return this.spares.length;
  }
}
