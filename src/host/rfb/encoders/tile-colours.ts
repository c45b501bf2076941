/**
 * A tile's colours, for the solid / palette / many-colours choice of ZRLE and Tight, on the
 * snapshot's 32-bit words (their low 24 bits, KEY_MASK).
 *
 * Cheaper than the encoding it decides: first the tightest loop there is, every word equal to the
 * first one (a flat area: the word's padding byte is the same too, as it is in a drawn frame),
 * then, from the first word that differs, the distinct colours in order of first appearance,
 * stopping at the (limit+1)th. A run of one colour costs a compare per pixel; a noisy or
 * photographic tile stops within its first few dozen pixels.
 *
 * Rows that repeat the row above them across the whole rectangle (found once per rectangle by
 * markRepeatedRows, one memcmp per row) add no colour and pack to the bytes of the row above, so
 * the scans skip them and the packers copy the previous row's output: a flat band, a vertical
 * stripe or a checkerboard costs a memcmp per row instead of JavaScript per pixel.
 */
import { KEY_MASK } from '../rfb-pixel-format.js';
import type { RectSnapshot } from './rect-snapshot.js';

/**
 * same[y] = 1 when row y of the snapshot equals row y - 1 (words, padding byte included); same[0] = 0.
 *
 * When the rectangle's rows are contiguous (a full-width rectangle, or a copy), a run of rows that
 * each repeat the row above is one memcmp of the run against itself shifted by a row, so runs are
 * found by galloping (1, 2, 4, ... rows at a time) and their end by bisection: a 64-row band of a
 * full 1080p frame costs ~13 native calls instead of 64. Each call into Buffer.compare costs far
 * more than its memcmp for a row (~1 us at first, before V8 optimises the caller); the bytes read
 * are the same. Rows of a sub-rectangle are not contiguous (a compare across rows would take in
 * the columns between them), so those are compared row by row.
 */
export function markRepeatedRows(r: RectSnapshot, same: Uint8Array): void {
  const b = Buffer.from(r.words.buffer, r.words.byteOffset, r.words.byteLength);
  const rowBytes = 4 * r.w;
  const strideBytes = 4 * r.stride;
  same[0] = 0;
  if (r.stride !== r.w) {
    let prev = 4 * r.offset;
    for (let y = 1; y < r.h; y++) {
      const cur = prev + strideBytes;
      same[y] = b.compare(b, prev, prev + rowBytes, cur, cur + rowBytes) === 0 ? 1 : 0;
      prev = cur;
    }
    return;
  }
  const base = 4 * r.offset;
  const h = r.h;
  let y = 1;
  while (y < h) {
    const d = firstChangedRow(b, base, rowBytes, y, h);
    same.fill(1, y, d);
    if (d < h) same[d] = 0;
    y = d + 1;
  }
}

/** Rows from..from+n-1 (contiguous, rowBytes each from `base`) each equal the row above: one memcmp. */
function runRepeats(b: Buffer, base: number, rowBytes: number, from: number, n: number): boolean {
  const cur = base + from * rowBytes;
  return b.compare(b, cur - rowBytes, cur - rowBytes + n * rowBytes, cur, cur + n * rowBytes) === 0;
}

/** The first row y >= from (below h) that differs from the row above it, or h; every row between repeats. */
function firstChangedRow(b: Buffer, base: number, rowBytes: number, from: number, h: number): number {
  let step = 1;
  while (from < h) {
    const n = Math.min(step, h - from);
    if (runRepeats(b, base, rowBytes, from, n)) {
      from += n;
      step *= 2;
      continue;
    }
    // A row in from..from+n-1 changed: the first one, by bisection (contiguous rows: each test exact).
    let lo = from;
    let hi = from + n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (runRepeats(b, base, rowBytes, lo, mid - lo + 1)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  return h;
}

/**
 * Counts the distinct colours of the tile (tw x th words from `offset`, rows `stride` words apart)
 * up to `limit`, filling `palette` with them (0xRRGGBB, in order of first appearance). Returns the
 * count, or limit + 1 when there are more. `same` is markRepeatedRows' answer for the rectangle and
 * `row0` the rectangle row of the tile's first row.
 */
export function tileColours(words: Uint32Array, offset: number, stride: number, tw: number, th: number, palette: Uint32Array, limit: number, same: Uint8Array, row0: number): number {
  const w0 = words[offset]!;
  let row = 0;
  let i = 0;
  scan: for (; row < th; row++) {
    if (row > 0 && same[row0 + row] === 1) continue;
    const s = offset + row * stride;
    for (i = 0; i < tw; i++) if (words[s + i] !== w0) break scan;
  }
  palette[0] = w0 & KEY_MASK;
  if (row === th) return 1;
  let n = 1;
  let last = palette[0]!;
  for (; row < th; row++, i = 0) {
    if (i === 0 && row > 0 && same[row0 + row] === 1) continue;
    const s = offset + row * stride;
    for (; i < tw; i++) {
      const k = words[s + i]! & KEY_MASK;
      if (k === last) continue;
      let p = 0;
      while (p < n && palette[p] !== k) p++;
      if (p === n) {
        if (n === limit) return limit + 1;
        palette[n++] = k;
      }
      last = k;
    }
  }
  return n;
}

/**
 * Packs the tile's palette indices, rows padded to a byte, MSB first (ZRLE's packed palette and
 * Tight's palette filter share the layout): `bits` per index (1, 2, 4 or 8). Every colour of the
 * tile is in `palette[0..n)`. Returns the next offset in `out`.
 */
export function packIndices(words: Uint32Array, offset: number, stride: number, tw: number, th: number, palette: Uint32Array, n: number, bits: number, out: Uint8Array, o: number, same: Uint8Array, row0: number): number {
  let lastKey = palette[0]!;
  let lastIdx = 0;
  const rowBytes = (tw * bits + 7) >> 3;
  for (let row = 0; row < th; row++) {
    if (row > 0 && same[row0 + row] === 1) {
      out.copyWithin(o, o - rowBytes, o);
      o += rowBytes;
      continue;
    }
    let acc = 0;
    let used = 0;
    const s = offset + row * stride;
    for (let x = 0; x < tw; x++) {
      const k = words[s + x]! & KEY_MASK;
      if (k !== lastKey) {
        let p = 0;
        while (p < n - 1 && palette[p] !== k) p++;
        lastKey = k;
        lastIdx = p;
      }
      acc = (acc << bits) | lastIdx;
      used += bits;
      if (used === 8) {
        out[o++] = acc;
        acc = 0;
        used = 0;
      }
    }
    if (used > 0) out[o++] = acc << (8 - used);
  }
  return o;
}
