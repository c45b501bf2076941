/**
 * One consumer's accumulated damage: everything that changed in the framebuffer since that
 * consumer last took its damage. Each RFB client keeps one, so a slow client collects several
 * frames' damage into one update instead of queueing one update per frame.
 *
 * Invariant: every pixel that changed since the last take() lies inside the region (the region
 * may over-cover, never under-cover). The region is a short list of rectangles (at most
 * MAX_RECTS); a rectangle that would overflow the list is merged with the existing rectangle
 * whose union grows the covered area least. When the covered area passes FULL_FRACTION of the
 * framebuffer the region becomes "full" (one rectangle, the whole framebuffer): one big
 * rectangle is then cheaper to encode and send than many that cover most of it anyway.
 * Everything lives in preallocated typed arrays: adding damage allocates nothing.
 */

export const MAX_RECTS = 8;
export const FULL_FRACTION = 0.6;

export class DamageRegion {
  width: number;
  height: number;
  /** Rect i at [4i, 4i+4): x, y, w, h. */
  readonly rects = new Int32Array(MAX_RECTS * 4);
  count = 0;
  full = false;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
  }

  get isEmpty(): boolean {
    return !this.full && this.count === 0;
  }

  /** A new framebuffer size: everything is damaged. */
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.markFull();
  }

  markFull(): void {
    this.full = true;
    this.count = 0;
  }

  clear(): void {
    this.full = false;
    this.count = 0;
  }

  /** Adds a rectangle (clipped to the framebuffer; empty ones are ignored). */
  add(x: number, y: number, w: number, h: number): void {
    if (this.full) return;
    const x0 = Math.max(0, x);
    const y0 = Math.max(0, y);
    const x1 = Math.min(this.width, x + w);
    const y1 = Math.min(this.height, y + h);
    if (x1 <= x0 || y1 <= y0) return;
    if (x0 === 0 && y0 === 0 && x1 === this.width && y1 === this.height) return this.markFull();
    const r = this.rects;
    // Merge with (absorb) any rect it touches or overlaps, repeatedly, so the list stays disjoint-ish.
    let ax0 = x0;
    let ay0 = y0;
    let ax1 = x1;
    let ay1 = y1;
    for (let i = 0; i < this.count; ) {
      const k = 4 * i;
      const bx0 = r[k]!;
      const by0 = r[k + 1]!;
      const bx1 = bx0 + r[k + 2]!;
      const by1 = by0 + r[k + 3]!;
      if (bx0 <= ax0 && by0 <= ay0 && bx1 >= ax1 && by1 >= ay1) return; // already covered
      if (bx0 <= ax1 && ax0 <= bx1 && by0 <= ay1 && ay0 <= by1) {
        ax0 = Math.min(ax0, bx0);
        ay0 = Math.min(ay0, by0);
        ax1 = Math.max(ax1, bx1);
        ay1 = Math.max(ay1, by1);
        this.removeAt(i);
        i = 0; // the grown rect may now touch one already passed
        continue;
      }
      i++;
    }
    if (this.count === MAX_RECTS) this.mergeCheapest(ax0, ay0, ax1, ay1);
    else this.push(ax0, ay0, ax1, ay1);
    if (this.area() > FULL_FRACTION * this.width * this.height) this.markFull();
  }

  /** Adds another region (e.g. the frame's damage) to this one. */
  addRegion(o: DamageRegion): void {
    if (o.full) return this.markFull();
    for (let i = 0; i < o.count; i++) this.add(o.rects[4 * i]!, o.rects[4 * i + 1]!, o.rects[4 * i + 2]!, o.rects[4 * i + 3]!);
  }

  /** Sum of the rects' areas (the whole framebuffer when full). */
  area(): number {
    if (this.full) return this.width * this.height;
    let a = 0;
    for (let i = 0; i < this.count; i++) a += this.rects[4 * i + 2]! * this.rects[4 * i + 3]!;
    return a;
  }

  /**
   * Copies the region into `out` as (x, y, w, h) quads and clears it; returns the quad count. A
   * full region is one quad, the whole framebuffer.
   */
  take(out: Int32Array): number {
    let n: number;
    if (this.full) {
      out[0] = 0;
      out[1] = 0;
      out[2] = this.width;
      out[3] = this.height;
      n = this.width > 0 && this.height > 0 ? 1 : 0;
    } else {
      n = this.count;
      out.set(this.rects.subarray(0, 4 * n));
    }
    this.clear();
    return n;
  }

  private push(x0: number, y0: number, x1: number, y1: number): void {
    const k = 4 * this.count++;
    this.rects[k] = x0;
    this.rects[k + 1] = y0;
    this.rects[k + 2] = x1 - x0;
    this.rects[k + 3] = y1 - y0;
  }

  private removeAt(i: number): void {
    const last = this.count - 1;
    if (i !== last) this.rects.copyWithin(4 * i, 4 * last, 4 * last + 4);
    this.count = last;
  }

  /** The list is full: merges the new rect into the existing one whose union grows the least. */
  private mergeCheapest(x0: number, y0: number, x1: number, y1: number): void {
    const r = this.rects;
    let best = 0;
    let bestGrowth = Infinity;
    for (let i = 0; i < this.count; i++) {
      const k = 4 * i;
      const ux0 = Math.min(x0, r[k]!);
      const uy0 = Math.min(y0, r[k + 1]!);
      const ux1 = Math.max(x1, r[k]! + r[k + 2]!);
      const uy1 = Math.max(y1, r[k + 1]! + r[k + 3]!);
      const growth = (ux1 - ux0) * (uy1 - uy0) - r[k + 2]! * r[k + 3]!;
      if (growth < bestGrowth) {
        bestGrowth = growth;
        best = i;
      }
    }
    const k = 4 * best;
    const ux0 = Math.min(x0, r[k]!);
    const uy0 = Math.min(y0, r[k + 1]!);
    const ux1 = Math.max(x1, r[k]! + r[k + 2]!);
    const uy1 = Math.max(y1, r[k + 1]! + r[k + 3]!);
    this.removeAt(best);
    // The union may now touch others: re-add it through the merging path.
    this.add(ux0, uy0, ux1 - ux0, uy1 - uy0);
  }
}
