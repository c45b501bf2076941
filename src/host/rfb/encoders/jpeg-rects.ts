/**
 * Which rectangles Tight sends as JPEG, merged from the tiles that each want JPEG.
 *
 * Tight decides per tile (at most 256x256) whether it is a fill, a palette, JPEG or zlib. A JPEG
 * per tile costs per image, on both sides: sharp's call (~1 ms of the main thread's time per call
 * on these machines, whatever the size), and in noVNC a base64 data URL, an Image and a load event
 * each, drawn strictly in order. A full-screen change of a 1080p display is 40 tiles: 40 images a
 * frame. So adjacent JPEG tiles are merged into larger JPEG rectangles, which are the same pixels
 * in fewer images: a run of JPEG tiles along a tile row (Tight allows a rectangle at most 2048
 * pixels wide: 8 tiles), and runs with the same columns in the rows below it, while the rectangle
 * stays within maxPixels (a 1080p frame that changed everywhere is one JPEG).
 *
 * Pure and deterministic: the encoder and the tests' reference encoder (test/host/rfb/
 * reference-encoders.ts) take their JPEG rectangles from this one function.
 */

/** Tight's widest rectangle (its own limit, which noVNC, TigerVNC and libvncclient share). */
export const TIGHT_MAX_RECT_WIDTH = 2048;

/**
 * Writes the merged JPEG rectangles of a `width` x `height` rectangle cut into `tile`-pixel tiles
 * (`cols` x `rows`, row-major `wantsJpeg` flags) into `out` as pixel (x, y, w, h) quads relative to
 * the rectangle, in the order they were begun (top to bottom, left to right); returns how many.
 * `out` needs room for cols * rows rectangles (every tile alone). Allocation-free.
 */
export function planJpegRects(wantsJpeg: Uint8Array, cols: number, rows: number, tile: number, width: number, height: number, maxPixels: number, out: Int32Array): number {
  const maxRunTiles = Math.max(1, Math.floor(TIGHT_MAX_RECT_WIDTH / tile));
  // While planning, a rectangle is (c0, c1, b0, b1) in tiles; it is open while b1 is the band
  // being scanned, so a run in that band with the same columns may extend it.
  let k = 0;
  for (let b = 0; b < rows; b++) {
    const y0 = b * tile;
    const bandH = Math.min(tile, height - y0);
    let c = 0;
    while (c < cols) {
      if (wantsJpeg[b * cols + c] !== 1) {
        c++;
        continue;
      }
      const c0 = c;
      while (c < cols && c - c0 < maxRunTiles && wantsJpeg[b * cols + c] === 1) c++;
      const c1 = c;
      const w = Math.min(c1 * tile, width) - c0 * tile;
      let merged = false;
      for (let i = 0; i < k; i++) {
        const o = i * 4;
        if (out[o] !== c0 || out[o + 1] !== c1 || out[o + 3] !== b) continue;
        const h = Math.min(b * tile, height) - out[o + 2]! * tile;
        if (w * (h + bandH) <= maxPixels) {
          out[o + 3] = b + 1;
          merged = true;
        }
        break;
      }
      if (!merged) {
        const o = k * 4;
        out[o] = c0;
        out[o + 1] = c1;
        out[o + 2] = b;
        out[o + 3] = b + 1;
        k++;
      }
    }
  }
  // Tiles to pixels, clipped to the rectangle.
  for (let i = 0; i < k; i++) {
    const o = i * 4;
    const c0 = out[o]!;
    const c1 = out[o + 1]!;
    const b0 = out[o + 2]!;
    const b1 = out[o + 3]!;
    out[o] = c0 * tile;
    out[o + 1] = b0 * tile;
    out[o + 2] = Math.min(c1 * tile, width) - c0 * tile;
    out[o + 3] = Math.min(b1 * tile, height) - b0 * tile;
  }
  return k;
}
