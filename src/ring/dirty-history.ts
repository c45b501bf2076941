/**
 * The publisher's memory of the dirty bounds it published, by sequence, so that a frame's bounds
 * can reach back to the frame the host took last (header-layout.ts: OFF_HOST_LAST_TAKEN,
 * SLOT_OFF_DIRTY_SPAN). A host busy for a few frames takes the newest published frame and skips
 * the rest; without this their damage was lost to it, and every consumer that accumulates damage
 * (a recording's picture buffers, an RFB client's region) had to treat the skip as "anything may
 * have changed": a whole 1080p picture converted again took longer than a 60 Hz period, so the
 * host skipped again, and a 1% desktop's recording stayed at a whole frame's cost.
 *
 * Invariant: spanBounds() returns bounds that contain every bounds recorded for the sequences
 * (taken, seq], or reports span 1 (the frame's own bounds) when it does not remember them all.
 * Nothing allocates after construction.
 */
import { widenBox } from './box-union.js';

/** How many published frames back a frame's dirty bounds can reach. */
export const DIRTY_HISTORY = 16;

export class DirtyHistory {
  /** Per sequence mod DIRTY_HISTORY: x0, y0, x1, y1 (x1 <= x0: nothing changed). */
  private readonly boxes = new Int32Array(4 * DIRTY_HISTORY);
  private readonly seqs = new Uint32Array(DIRTY_HISTORY);
  private readonly known = new Uint8Array(DIRTY_HISTORY);
  /** Scratch: the union being built (x0, y0, x1, y1). */
  private readonly union = new Int32Array(4);

  /** Forgets everything (a new generation or a new publisher: nothing before it is known). */
  clear(): void {
    this.known.fill(0);
  }

  /**
   * Records frame `seq`'s own bounds (x, y, w, h in `b`), then widens `b` to reach back to frame
   * `taken`; returns how many frames back `b` reaches (1: its own bounds only).
   */
  recordAndSpan(seq: number, taken: number, b: Int32Array): number {
    const i = seq % DIRTY_HISTORY;
    const k = 4 * i;
    const box = this.boxes;
    box[k] = b[0]!;
    box[k + 1] = b[1]!;
    box[k + 2] = b[0]! + b[2]!;
    box[k + 3] = b[1]! + b[3]!;
    this.seqs[i] = seq;
    this.known[i] = 1;
    const span = (seq - taken) >>> 0;
    if (taken === 0 || span <= 1 || span > DIRTY_HISTORY) return 1;
    const u = this.union;
    u.fill(0);
    for (let d = 0; d < span; d++) {
      const s = (seq - d) >>> 0;
      const j = s % DIRTY_HISTORY;
      // A frame in between it does not remember: its own bounds only.
      if (this.known[j] !== 1 || this.seqs[j] !== s) return 1;
      const m = 4 * j;
      widenBox(u, 0, box[m]!, box[m + 1]!, box[m + 2]!, box[m + 3]!);
    }
    const empty = u[2]! <= u[0]! || u[3]! <= u[1]!;
    b[0] = empty ? 0 : u[0]!;
    b[1] = empty ? 0 : u[1]!;
    b[2] = empty ? 0 : u[2]! - u[0]!;
    b[3] = empty ? 0 : u[3]! - u[1]!;
    return span;
  }
}
