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

/** How many published frames back a frame's dirty bounds can reach. */
export const DIRTY_HISTORY = 16;

export class DirtyHistory {
  /** Per sequence mod DIRTY_HISTORY: x0, y0, x1, y1 (x1 <= x0: nothing changed). */
  private readonly boxes = new Int32Array(4 * DIRTY_HISTORY);
  private readonly seqs = new Uint32Array(DIRTY_HISTORY);
  private readonly known = new Uint8Array(DIRTY_HISTORY);

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
    for (let d = 1; d < span; d++) {
      const s = (seq - d) >>> 0;
      const j = s % DIRTY_HISTORY;
      if (this.known[j] !== 1 || this.seqs[j] !== s) return 1;
    }
    let x0 = 0;
    let y0 = 0;
    let x1 = 0;
    let y1 = 0;
    for (let d = 0; d < span; d++) {
      const m = 4 * (((seq - d) >>> 0) % DIRTY_HISTORY);
      if (box[m + 2]! <= box[m]! || box[m + 3]! <= box[m + 1]!) continue;
      if (x1 <= x0 || y1 <= y0) {
        x0 = box[m]!;
        y0 = box[m + 1]!;
        x1 = box[m + 2]!;
        y1 = box[m + 3]!;
        continue;
      }
      if (box[m]! < x0) x0 = box[m]!;
      if (box[m + 1]! < y0) y0 = box[m + 1]!;
      if (box[m + 2]! > x1) x1 = box[m + 2]!;
      if (box[m + 3]! > y1) y1 = box[m + 3]!;
    }
    b[0] = x0;
    b[1] = y0;
    b[2] = x1 > x0 ? x1 - x0 : 0;
    b[3] = y1 > y0 ? y1 - y0 : 0;
    return span;
  }
}
