/**
 * What one capturer delivered of a stamped workload: each drawn frame carries its sequence (see
 * src/backends/xvfb/workload.ts), so every delivered frame is checked and counted:
 *
 *   delivered   frames the capturer handed out;
 *   torn        frames that mix more than one sequence (a read that raced a draw);
 *   distinct    different sequences among the whole (untorn) frames;
 *   duplicates  whole frames whose sequence was already delivered (the screen had not changed);
 *   missed      sequences the workload drew, between the first and last one seen whole, that
 *               were never delivered whole.
 *
 * So delivered = torn + distinct + duplicates. A blank frame before the workload's first draw
 * is neither torn nor a sequence; it counts as delivered and `blank`.
 * Sequences are 24-bit and wrap after 16.7 M draws (hours at any rate here); a phase never wraps.
 */

export interface FrameCheckResult {
  ok: boolean;
  sequence: number;
}

export interface TallyNumbers {
  delivered: number;
  distinct: number;
  torn: number;
  missed: number;
  duplicates: number;
  blank: number;
}

export class CaptureTally {
  private delivered = 0;
  private torn = 0;
  private blank = 0;
  private duplicates = 0;
  private readonly seen = new Set<number>();
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  /** Counts one delivered frame, given its check (and whether it is a blank screen). */
  add(check: FrameCheckResult, isBlank = false): void {
    this.delivered++;
    if (!check.ok) {
      if (isBlank) this.blank++;
      else this.torn++;
      return;
    }
    const s = check.sequence;
    if (this.seen.has(s)) {
      this.duplicates++;
      return;
    }
    this.seen.add(s);
    if (s < this.min) this.min = s;
    if (s > this.max) this.max = s;
  }

  numbers(): TallyNumbers {
    const distinct = this.seen.size;
    const span = distinct === 0 ? 0 : this.max - this.min + 1;
    return { delivered: this.delivered, distinct, torn: this.torn, missed: span - distinct, duplicates: this.duplicates, blank: this.blank };
  }
}

/** True when the sampled bytes of a frame are all zero (nothing drawn yet). */
export function isBlankFrame(pixels: Uint8Array): boolean {
  for (let i = 0; i < pixels.length; i += 4093) if (pixels[i] !== 0) return false;
  return true;
}
