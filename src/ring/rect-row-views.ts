/**
 * Row views of the source for damage rectangles whose columns repeat: a band is the bytes x..x+w of
 * every row (the caller widens a rect to a grid, so one that moves a few pixels keeps its band),
 * so a rectangle's rows are copied with one native set() each instead of a 32-bit word loop.
 *
 * Why: on this project's machines a 192x108 rect (1% of a 1080p frame) took ~27-34 µs through the
 * word loop and ~7-9 µs as 108 native set() calls over exact row views (measured back to back,
 * SharedArrayBuffer to SharedArrayBuffer), and the word loop was the whole of a 1% publish's cost
 * (the rest, with a zero-size rect, is ~1 µs). But a view per row per frame is garbage per frame.
 * Damage that matters for this repeats: a clock, a cursor's square, a progress bar, a video in a
 * window land on the same columns frame after frame, a dragged window or a typed line on nearly
 * the same ones (and every slot of the ring is brought up to date with the same rect). So a band (x, w) gets views only when it is asked for a second time in a
 * row of lookups that missed (a rect seen once, or one moving a pixel per frame, never allocates),
 * and then each row's view is made once, on its first copy. At most BANDS bands are kept; the
 * least recently used one makes room. A new source object drops them all.
 *
 * Invariant: every band lies inside one row of the source (x + w <= the row's bytes), and rows are
 * asked for only inside the frame (the caller clipped the rect).
 */

/** Bands kept per source: a few damage rects per frame (MAX_DAMAGE_RECTS is 4) plus their recent past. */
const BANDS = 8;
/** Misses remembered, so that a band seen twice in a row of misses is given views. */
const RECENT_MISSES = 8;

export class RectRowViews {
  private src: Uint8Array | null = null;
  private srcStride = 0;
  /** Band b covers bytes [x[b], x[b] + w[b]) of each row; w 0 = unused. */
  private readonly x = new Int32Array(BANDS);
  private readonly w = new Int32Array(BANDS);
  private readonly lastUse = new Float64Array(BANDS);
  private readonly views: Array<Array<Uint8Array | undefined>>;
  private readonly missX = new Int32Array(RECENT_MISSES).fill(-1);
  private readonly missW = new Int32Array(RECENT_MISSES);
  private nextMiss = 0;
  private uses = 0;

  constructor(height: number) {
    this.views = [];
    for (let b = 0; b < BANDS; b++) this.views.push(new Array<Uint8Array | undefined>(height));
  }

  /** A new source (or stride) drops every band: their views point into the old one. */
  setSource(src: Uint8Array, srcStride: number): void {
    this.src = src;
    this.srcStride = srcStride;
    for (let b = 0; b < BANDS; b++) {
      if (this.w[b] !== 0) this.views[b]!.fill(undefined);
      this.w[b] = 0;
    }
    this.missX.fill(-1);
  }

  /**
   * The band for bytes [xBytes, xBytes + wBytes) of each row, or -1: a band that missed before
   * (the second sighting) is made now; a first sighting is only remembered.
   */
  band(xBytes: number, wBytes: number): number {
    const use = ++this.uses;
    for (let b = 0; b < BANDS; b++) {
      if (this.w[b] === wBytes && this.x[b] === xBytes) {
        this.lastUse[b] = use;
        return b;
      }
    }
    for (let m = 0; m < RECENT_MISSES; m++) {
      if (this.missX[m] === xBytes && this.missW[m] === wBytes) {
        this.missX[m] = -1;
        return this.makeBand(xBytes, wBytes, use);
      }
    }
    this.missX[this.nextMiss] = xBytes;
    this.missW[this.nextMiss] = wBytes;
    this.nextMiss = (this.nextMiss + 1) % RECENT_MISSES;
    return -1;
  }

  /** Row `row` of band `b` (made on its first use). */
  row(b: number, row: number): Uint8Array {
    const rows = this.views[b]!;
    let v = rows[row];
    if (v === undefined) {
      const a = row * this.srcStride + this.x[b]!;
      v = this.src!.subarray(a, a + this.w[b]!);
      rows[row] = v;
    }
    return v;
  }

  private makeBand(xBytes: number, wBytes: number, use: number): number {
    let victim = 0;
    for (let b = 1; b < BANDS; b++) if (this.lastUse[b]! < this.lastUse[victim]!) victim = b;
    if (this.w[victim] !== 0) this.views[victim]!.fill(undefined);
    this.x[victim] = xBytes;
    this.w[victim] = wBytes;
    this.lastUse[victim] = use;
    return victim;
  }
}
