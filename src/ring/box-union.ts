/**
 * Bounding boxes kept as x0, y0, x1, y1 (end exclusive) in an Int32Array: the one rule for
 * widening one (the publisher's damage since its last publish, its history of published bounds,
 * a recording's stale picture boxes). A box with x1 <= x0 or y1 <= y0 is empty.
 */

/** Widens the box at box[k..k+4) to hold x0..x1, y0..y1; an empty rectangle adds nothing. */
export function widenBox(box: Int32Array, k: number, x0: number, y0: number, x1: number, y1: number): void {
  if (x1 <= x0 || y1 <= y0) return;
  if (box[k + 2]! <= box[k]! || box[k + 3]! <= box[k + 1]!) {
    box[k] = x0;
    box[k + 1] = y0;
    box[k + 2] = x1;
    box[k + 3] = y1;
    return;
  }
  if (x0 < box[k]!) box[k] = x0;
  if (y0 < box[k + 1]!) box[k + 1] = y0;
  if (x1 > box[k + 2]!) box[k + 2] = x1;
  if (y1 > box[k + 3]!) box[k + 3] = y1;
}
