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
 * Retired buffers wait (pending) until the display opens a newer buffer, which proves all of
 * them quiescent at once; so a display slow to re-attach (it retries only every few passes) still
 * gets its buffers reused.
 */
import type { FrameConsumer } from './frame-consumer.js';

/** Spares kept: two cover alternating sizes (a mode flipping back and forth) and same-size recreates. */
export const MAX_SPARE_BUFFERS = 2;
/** Retired buffers waiting for the display to move on; beyond this the oldest goes to the GC. */
export const MAX_PENDING_BUFFERS = 4;

interface Retired {
  buffer: SharedArrayBuffer;
  consumer: FrameConsumer;
}

export class BufferPool {
  /** Retired, but the display may still be on them (it has not opened a newer buffer yet). */
  private readonly pending: Retired[] = [];
  /** Retired and quiescent: free to rebuild once their frames are released. */
  private readonly spares: Retired[] = [];

  /** A buffer the host just retired (the display may still write it). */
  retire(buffer: SharedArrayBuffer, consumer: FrameConsumer): void {
    this.pending.push({ buffer, consumer });
    if (this.pending.length > MAX_PENDING_BUFFERS) this.pending.shift();
  }

  /**
   * The display has opened the current buffer, newer than every pending one: they are all
   * quiescent now (a display that skipped a generation has moved past it too).
   */
  displayMovedOn(): void {
    while (this.pending.length > 0) {
      this.spares.push(this.pending.shift()!);
      if (this.spares.length > MAX_SPARE_BUFFERS) this.spares.shift();
    }
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
    this.pending.length = 0;
    this.spares.length = 0;
  }

  get size(): number {
    return this.spares.length;
  }
}
