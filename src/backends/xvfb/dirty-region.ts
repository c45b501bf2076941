/**
 * The damage accumulated since the last capture: a bounded list of (x, y, w, h) rectangles in a
 * preallocated Int32Array, clipped to the screen. The capture's damage fetch (damage-fetch.ts) adds
 * the server's rectangles; the capture takes them all and starts a new list.
 *
 * Invariants: every stored rectangle is non-empty and inside 0..width x 0..height; no stored
 * rectangle is contained in another one added after it (a contained one is dropped on add); when
 * more than `capacity` would be stored, the list collapses to its bounding box, which is a superset
 * of the damage, never a subset. Adding never allocates.
 */
export const DIRTY_RECTS_CAPACITY = 64;

export class DirtyRegion {
  readonly rects: Int32Array;
  count = 0;
  private width = 0;
  private height = 0;

  constructor(readonly capacity = DIRTY_RECTS_CAPACITY) {
    this.rects = new Int32Array(capacity * 4);
  }

  /** Sets the screen bounds and forgets what was stored (a new mode starts clean). */
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.count = 0;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /** Marks the whole screen dirty. */
  markAll(): void {
    if (this.width <= 0 || this.height <= 0) return;
    this.count = 1;
    this.rects[0] = 0;
    this.rects[1] = 0;
    this.rects[2] = this.width;
    this.rects[3] = this.height;
  }

  add(x: number, y: number, w: number, h: number): void {
    // Clip to the screen (RandR may have shrunk it below what a client draws).
    let x0 = x < 0 ? 0 : x;
    let y0 = y < 0 ? 0 : y;
    let x1 = x + w > this.width ? this.width : x + w;
    let y1 = y + h > this.height ? this.height : y + h;
    if (x1 <= x0 || y1 <= y0) return;
    const r = this.rects;
    const n = this.count;
    for (let i = 0; i < n; i++) {
      const o = i * 4;
      const rx = r[o]!;
      const ry = r[o + 1]!;
      const rx1 = rx + r[o + 2]!;
      const ry1 = ry + r[o + 3]!;
      if (x0 >= rx && y0 >= ry && x1 <= rx1 && y1 <= ry1) return; // already covered
      if (rx >= x0 && ry >= y0 && rx1 <= x1 && ry1 <= y1) {
        // The new one covers a stored one: replace it in place. Another stored one it also covers
        // stays; that costs a redundant read, never a missed pixel.
        r[o] = x0;
        r[o + 1] = y0;
        r[o + 2] = x1 - x0;
        r[o + 3] = y1 - y0;
        return;
      }
    }
    if (n < this.capacity) {
      const o = n * 4;
      r[o] = x0;
      r[o + 1] = y0;
      r[o + 2] = x1 - x0;
      r[o + 3] = y1 - y0;
      this.count = n + 1;
      return;
    }
    // Full: collapse everything (and the new one) into the bounding box.
    for (let i = 0; i < n; i++) {
      const o = i * 4;
      if (r[o]! < x0) x0 = r[o]!;
      if (r[o + 1]! < y0) y0 = r[o + 1]!;
      if (r[o]! + r[o + 2]! > x1) x1 = r[o]! + r[o + 2]!;
      if (r[o + 1]! + r[o + 3]! > y1) y1 = r[o + 1]! + r[o + 3]!;
    }
    r[0] = x0;
    r[1] = y0;
    r[2] = x1 - x0;
    r[3] = y1 - y0;
    this.count = 1;
  }

  /** Copies the rectangles into `dst` (capacity*4 long), empties this region, returns the count. */
  takeInto(dst: Int32Array): number {
    const n = this.count;
    for (let i = 0; i < n * 4; i++) dst[i] = this.rects[i]!;
    this.count = 0;
    return n;
  }
}
