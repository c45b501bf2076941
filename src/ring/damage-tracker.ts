/**
 * Per-slot damage: for each slot, what changed in the source since that slot last received a frame.
 *
 * Invariant: a slot's pixels equal the source as of the last frame written into it; everything
 * that differs between that frame and the current source lies inside the slot's damage. So
 * copying the damage from the current source brings the slot up to date exactly. Every frame's
 * rects are added to every slot, including frames that were dropped (no slot, desc mismatch):
 * a dropped frame still changed the source.
 *
 * A slot's damage is a short rect list (MAX_DAMAGE_RECTS) in which a rect merges with one it
 * overlaps when their bounding box is no larger than the two, that collapses to its bounding box when
 * it overflows, or "full" (copy everything): a slot never written since attach, a frame with
 * unknown damage (dirtyCount -1), a format/size change, or damage larger than FULL_COPY_FRACTION
 * of the frame. Everything lives in preallocated typed arrays: nothing is allocated per frame.
 */
import { widenBox } from './box-union.js';

export const MAX_DAMAGE_RECTS = 4;
/** Past this fraction of the frame's area, a full copy is both simpler and no slower. */
export const FULL_COPY_FRACTION = 0.5;

export class DamageTracker {
  readonly ringLen: number;
  readonly width: number;
  readonly height: number;
  private readonly full: Uint8Array;
  private readonly counts: Int32Array;
  /** Slot s's rects at [s*MAX*4, ...): x, y, w, h. */
  private readonly rects: Int32Array;
  /** Sum of the areas of slot s's rects (an upper bound of the damaged area). */
  private readonly area: Float64Array;
  /** This frame's clipped rects (scratch), and their bounding box. */
  private readonly frameRects = new Int32Array(MAX_DAMAGE_RECTS * 4);
  private frameCount = 0;
  private frameFull = false;
  /** Bounding box of the last frame's damage: x, y, w, h (the whole frame when unknown). */
  readonly frameBounds = new Int32Array(4);
  /**
   * Bounding box (x0, y0, x1, y1) of every frame's damage since the last takePublishBounds(): what
   * a published frame's dirty bounds must cover, so that frames dropped in between (all slots busy,
   * a malformed surface) still reach a consumer that accumulates damage from the published frames.
   */
  private readonly sincePublish = new Int32Array(4);

  constructor(ringLen: number, width: number, height: number) {
    this.ringLen = ringLen;
    this.width = width;
    this.height = height;
    this.full = new Uint8Array(ringLen).fill(1);
    this.counts = new Int32Array(ringLen);
    this.rects = new Int32Array(ringLen * MAX_DAMAGE_RECTS * 4);
    this.area = new Float64Array(ringLen);
    // A new publisher cannot know what changed while none was attached (a device recreate, a
    // new swap-chain on the same ring): its first published frame is wholly dirty to consumers.
    this.unionSincePublish(0, 0, width, height);
  }

  markAllFull(): void {
    this.full.fill(1);
    this.counts.fill(0);
    this.unionSincePublish(0, 0, this.width, this.height);
  }

  /** Writes the bounds accumulated since the last call as x, y, w, h into `out`, and resets them. */
  takePublishBounds(out: Int32Array): void {
    const p = this.sincePublish;
    if (p[2]! <= p[0]! || p[3]! <= p[1]!) {
      out.fill(0, 0, 4);
    } else {
      out[0] = p[0]!;
      out[1] = p[1]!;
      out[2] = p[2]! - p[0]!;
      out[3] = p[3]! - p[1]!;
    }
    p.fill(0);
  }

  private unionSincePublish(x: number, y: number, w: number, h: number): void {
    widenBox(this.sincePublish, 0, x, y, x + w, y + h);
  }

  markFull(slot: number): void {
    this.full[slot] = 1;
    this.counts[slot] = 0;
  }

  isFull(slot: number): boolean {
    return this.full[slot] === 1;
  }

  rectCount(slot: number): number {
    return this.counts[slot]!;
  }

  /** The rect array; slot s's rect i is at rectBase(s) + 4*i. */
  rectArray(): Int32Array {
    return this.rects;
  }

  rectBase(slot: number): number {
    return slot * MAX_DAMAGE_RECTS * 4;
  }

  /** The slot received the current source: nothing is damaged any more. */
  clear(slot: number): void {
    this.full[slot] = 0;
    this.counts[slot] = 0;
    this.area[slot] = 0;
  }

  /**
   * Adds one frame's damage to every slot. `count` -1 means unknown (everything); rects past
   * `rects.length / 4` are ignored, and each rect is clipped to the frame.
   */
  addFrame(rects: Int32Array, count: number): void {
    this.collectFrame(rects, count);
    const b = this.frameBounds;
    if (this.frameFull) {
      b[0] = 0;
      b[1] = 0;
      b[2] = this.width;
      b[3] = this.height;
      this.markAllFull();
      return;
    }
    this.unionSincePublish(b[0]!, b[1]!, b[2]!, b[3]!);
    for (let s = 0; s < this.ringLen; s++) {
      if (this.full[s] === 1) continue;
      for (let i = 0; i < this.frameCount; i++) {
        const fr = this.frameRects;
        this.addRect(s, fr[4 * i]!, fr[4 * i + 1]!, fr[4 * i + 2]!, fr[4 * i + 3]!);
      }
    }
  }

  /** Clips and gathers this frame's rects into frameRects (collapsing past the limit) and frameBounds. */
  private collectFrame(rects: Int32Array, count: number): void {
    const W = this.width;
    const H = this.height;
    this.frameCount = 0;
    this.frameFull = count < 0;
    let bx0 = W;
    let by0 = H;
    let bx1 = 0;
    let by1 = 0;
    let nonEmpty = 0;
    if (!this.frameFull) {
      const n = Math.min(count, rects.length >> 2);
      for (let i = 0; i < n; i++) {
        const x0 = Math.max(0, rects[4 * i]!);
        const y0 = Math.max(0, rects[4 * i + 1]!);
        const x1 = Math.min(W, rects[4 * i]! + rects[4 * i + 2]!);
        const y1 = Math.min(H, rects[4 * i + 1]! + rects[4 * i + 3]!);
        if (x1 <= x0 || y1 <= y0) continue;
        if (x0 < bx0) bx0 = x0;
        if (y0 < by0) by0 = y0;
        if (x1 > bx1) bx1 = x1;
        if (y1 > by1) by1 = y1;
        nonEmpty++;
        if (this.frameCount < MAX_DAMAGE_RECTS) {
          const k = 4 * this.frameCount++;
          this.frameRects[k] = x0;
          this.frameRects[k + 1] = y0;
          this.frameRects[k + 2] = x1 - x0;
          this.frameRects[k + 3] = y1 - y0;
        }
      }
      if (nonEmpty > MAX_DAMAGE_RECTS) {
        // More rects than the list holds: the frame's damage is its bounding box.
        this.frameCount = 1;
        this.frameRects[0] = bx0;
        this.frameRects[1] = by0;
        this.frameRects[2] = bx1 - bx0;
        this.frameRects[3] = by1 - by0;
      }
    }
    const b = this.frameBounds;
    if (bx1 <= bx0) {
      b[0] = 0;
      b[1] = 0;
      b[2] = 0;
      b[3] = 0;
    } else {
      b[0] = bx0;
      b[1] = by0;
      b[2] = bx1 - bx0;
      b[3] = by1 - by0;
    }
  }

  private addRect(s: number, x: number, y: number, w: number, h: number): void {
    const r = this.rects;
    const base = s * MAX_DAMAGE_RECTS * 4;
    const n = this.counts[s]!;
    for (let i = 0; i < n; i++) {
      const k = base + 4 * i;
      // Already covered: nothing to add.
      if (x >= r[k]! && y >= r[k + 1]! && x + w <= r[k]! + r[k + 2]! && y + h <= r[k + 1]! + r[k + 3]!) return;
    }
    for (let i = 0; i < n; i++) {
      const k = base + 4 * i;
      // Overlapping or adjacent damage (a rect that moved a little since the slot's last frame)
      // becomes one rect when its bounding box is no larger than the two: fewer bytes to copy and
      // fewer rows to walk, and the slot's list keeps room for damage elsewhere.
      const x0 = Math.min(x, r[k]!);
      const y0 = Math.min(y, r[k + 1]!);
      const x1 = Math.max(x + w, r[k]! + r[k + 2]!);
      const y1 = Math.max(y + h, r[k + 1]! + r[k + 3]!);
      const union = (x1 - x0) * (y1 - y0);
      const old = r[k + 2]! * r[k + 3]!;
      if (union > w * h + old) continue;
      r[k] = x0;
      r[k + 1] = y0;
      r[k + 2] = x1 - x0;
      r[k + 3] = y1 - y0;
      this.area[s] = this.area[s]! - old + union;
      if (this.area[s]! > FULL_COPY_FRACTION * this.width * this.height) this.markFull(s);
      return;
    }
    if (n < MAX_DAMAGE_RECTS) {
      const k = base + 4 * n;
      r[k] = x;
      r[k + 1] = y;
      r[k + 2] = w;
      r[k + 3] = h;
      this.counts[s] = n + 1;
      this.area[s] = this.area[s]! + w * h;
    } else {
      let x0 = x;
      let y0 = y;
      let x1 = x + w;
      let y1 = y + h;
      for (let i = 0; i < n; i++) {
        const k = base + 4 * i;
        x0 = Math.min(x0, r[k]!);
        y0 = Math.min(y0, r[k + 1]!);
        x1 = Math.max(x1, r[k]! + r[k + 2]!);
        y1 = Math.max(y1, r[k + 1]! + r[k + 3]!);
      }
      r[base] = x0;
      r[base + 1] = y0;
      r[base + 2] = x1 - x0;
      r[base + 3] = y1 - y0;
      this.counts[s] = 1;
      this.area[s] = (x1 - x0) * (y1 - y0);
    }
    if (this.area[s]! > FULL_COPY_FRACTION * this.width * this.height) this.markFull(s);
  }
}
