/**
 * Frames → planar YUV 4:2:0 (I420) for Y4M and ffmpeg: BT.601 matrix, limited ("studio") range,
 * Y 16..235 and U/V 16..240, what Y4M readers and H.264 decoders assume when a stream says nothing
 * else. Chroma is the mean of each 2x2 block, sited at the block's centre (Y4M's "420jpeg"); an
 * odd last column or row averages the edge pixels with themselves.
 *
 * One pass over 2x2 blocks, from the frame's pixels straight to the planes: a word-aligned bgra8
 * frame (nearly every frame) is read as 32-bit words in place; any other (rgba16f through the sRGB
 * table, xrgb2101010 through the 10-to-8-bit table, an unaligned bgra8 frame) has each row pair
 * decoded into two scratch rows of the same words first (pixel-convert.ts's per-format rules).
 * That is 2-3x the rate of the RGBA stage plus RGBA-to-I420 pass it replaced (per 1080p frame here,
 * 2026-12-04: bgra8 ~13-15 ms against ~36, rgba16f and xrgb2101010 ~25 against ~50-53), which held
 * a 1080p60 recording to ~20 converted frames a second. And it converts only a region when asked:
 * a recording's buffer that already holds an earlier picture needs only the blocks that changed
 * since (y4m-encoder.ts).
 *
 * Invariant: the per-frame calls never throw and allocate only when a new frame buffer or a new
 * width is seen (a word view cached per buffer view, the scratch rows); the output of every block
 * written is exactly what the two-stage path gave for the frame's RGBA (RgbaConverter's; the
 * test keeps that path as its reference).
 */
import { FORMAT_BGRA8, FORMAT_RGBA16F, FORMAT_XRGB2101010, bytesPerPixel } from '../../contract/pixel-format.js';
import { ConvertOutcome, TEN_TO_EIGHT, halfToSrgb8Table, type ConvertOutcomeCode, type PixelSource } from './pixel-convert.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Word views of the frame buffers seen last (a ring's slots, a framebuffer): a few, reused. */
const WORD_VIEWS = 8;

/** Bytes of one planar 4:2:0 picture: Y (w*h), then U and V (ceil(w/2) * ceil(h/2) each). */
export function i420Size(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

/** 66 (red's luma weight) in the low half, 25 (blue's) in the high: see rowPairToI420. */
const RB_LUMA = (25 << 16) | 66;
/** Luma's rounding (128) and offset (16 << 8), added before the shift. */
const LUMA_BIAS = 128 + (16 << 8);

/**
 * One row pair of 2x2 blocks [cx0, cx1) into the planes: pixel x of the upper row is s0[i0 + x],
 * of the lower s1[i1 + x], each a bgra word (blue in the low byte). `o0`/`o1` are the rows' luma
 * offsets, `uo`/`vo` the chroma offsets of block cx0; a block past an odd right edge repeats its
 * edge pixel (the caller passes the same row twice past an odd bottom edge).
 *
 * Two channels per operation where the arithmetic allows (a third fewer operations than a
 * channel at a time, ~17% less time per 1080p frame here): with m = p & 0xff00ff (red in bits
 * 16..23, blue in 0..7), Math.imul(m, RB_LUMA) holds 66 * red + 25 * blue in its top 16 bits
 * (below them blue * 66 < 2^16 carries nothing; red * 25 << 32 falls off the top), and the sum of
 * four such m holds the blue and red sums side by side (each < 2^10). The results are exactly the
 * channel-at-a-time formulas'.
 */
function rowPairToI420(s0: Int32Array, i0: number, s1: Int32Array, i1: number, w: number, out: Uint8Array, o0: number, o1: number, uo: number, vo: number, cx0: number, cx1: number): void {
  // Blocks with two columns; a last block past an odd right edge repeats its edge pixel.
  const pairs = (w & 1) === 1 && cx1 === (w + 1) >> 1 ? cx1 - 1 : cx1;
  for (let cx = cx0; cx < cx1; cx++) {
    const x0 = 2 * cx;
    const x1 = cx < pairs ? x0 + 1 : x0;
    const pa = s0[i0 + x0]!;
    const pb = s0[i0 + x1]!;
    const pc = s1[i1 + x0]!;
    const pd = s1[i1 + x1]!;
    const ma = pa & 0xff00ff, mb = pb & 0xff00ff, mc = pc & 0xff00ff, md = pd & 0xff00ff;
    const ga = pa & 0xff00, gb = pb & 0xff00, gc = pc & 0xff00, gd = pd & 0xff00;
    out[o0 + x0] = ((Math.imul(ma, RB_LUMA) >>> 16) + 129 * (ga >> 8) + LUMA_BIAS) >> 8;
    out[o0 + x1] = ((Math.imul(mb, RB_LUMA) >>> 16) + 129 * (gb >> 8) + LUMA_BIAS) >> 8;
    out[o1 + x0] = ((Math.imul(mc, RB_LUMA) >>> 16) + 129 * (gc >> 8) + LUMA_BIAS) >> 8;
    out[o1 + x1] = ((Math.imul(md, RB_LUMA) >>> 16) + 129 * (gd >> 8) + LUMA_BIAS) >> 8;
    const rb = ma + mb + mc + md;
    const r = ((rb >>> 16) + 2) >> 2;
    const bl = ((rb & 0xffff) + 2) >> 2;
    const g = (((ga + gb + gc + gd) >> 8) + 2) >> 2;
    out[uo++] = ((-38 * r - 74 * g + 112 * bl + 128) >> 8) + 128;
    out[vo++] = ((112 * r - 94 * g - 18 * bl + 128) >> 8) + 128;
  }
}

/**
 * Pixels [xa, xb) of a row as bgra words (8-bit sRGB, blue in the low byte) into dst[xa, xb),
 * from the row's 32-bit words (pixel x at src[base + x], or its two words at base + 2x for rgba16f).
 */
function decodeRow(src: Int32Array, base: number, format: number, xa: number, xb: number, dst: Int32Array): void {
  if (format === FORMAT_BGRA8) {
    for (let x = xa; x < xb; x++) dst[x] = src[base + x]!;
  } else if (format === FORMAT_RGBA16F) {
    const lut = halfToSrgb8Table();
    for (let x = xa; x < xb; x++) {
      const rg = src[base + 2 * x]!;
      const b = src[base + 2 * x + 1]! & 0xffff;
      dst[x] = lut[b]! | (lut[rg >>> 16]! << 8) | (lut[rg & 0xffff]! << 16);
    }
  } else {
    const t = TEN_TO_EIGHT;
    // xrgb2101010: blue in bits 0..9, green 10..19, red 20..29.
    for (let x = xa; x < xb; x++) {
      const p = src[base + x]!;
      dst[x] = t[p & 1023]! | (t[(p >> 10) & 1023]! << 8) | (t[(p >> 20) & 1023]! << 16);
    }
  }
}

/** Frame → I420 in one pass over its 2x2 blocks (a region of them when asked). */
export class I420Converter {
  private readonly viewOf: Array<Uint8Array | null> = new Array<Uint8Array | null>(WORD_VIEWS).fill(null);
  private readonly words: Array<Int32Array | null> = new Array<Int32Array | null>(WORD_VIEWS).fill(null);
  private nextView = 0;
  /** Two decoded rows for frames not read in place, and an aligned copy of an unaligned row (grown with the width). */
  private row0 = new Int32Array(0);
  private row1 = new Int32Array(0);
  private rawWords = new Int32Array(0);
  private rawBytes = new Uint8Array(0);

  /**
   * Writes the frame's picture, i420Size(width, height) bytes, into `out` at `offset` (the caller
   * sizes `out`). With a region (pixels x0..x1, y0..y1, end exclusive) only the 2x2 blocks that
   * region touches are written, and the rest of `out` stays as it was.
   */
  convert(frame: PixelSource, out: Uint8Array, offset: number, x0 = 0, y0 = 0, x1 = frame.width, y1 = frame.height): ConvertOutcomeCode {
    const w = frame.width;
    const h = frame.height;
    const px = frame.pixels;
    const stride = frame.stride;
    const format = frame.format;
    const bpp = format === FORMAT_BGRA8 || format === FORMAT_RGBA16F || format === FORMAT_XRGB2101010 ? bytesPerPixel(format) : 0;
    if (bpp === 0) return ConvertOutcome.UnknownFormat;
    if (!(w > 0 && h > 0 && Number.isInteger(w) && Number.isInteger(h)) || !(stride >= w * bpp) || px.length < (h - 1) * stride + w * bpp) {
      return ConvertOutcome.BadGeometry;
    }
    if (out.length - offset < i420Size(w, h)) return ConvertOutcome.BadGeometry;
    const cw = (w + 1) >> 1;
    const cx0 = Math.max(0, x0 >> 1);
    const cy0 = Math.max(0, y0 >> 1);
    const cx1 = Math.min(cw, (x1 + 1) >> 1);
    const cy1 = Math.min((h + 1) >> 1, (y1 + 1) >> 1);
    if (cx1 <= cx0 || cy1 <= cy0) return ConvertOutcome.Ok;
    const uPlane = offset + w * h;
    const vPlane = uPlane + cw * ((h + 1) >> 1);
    // Read as words in place when word-aligned (every ring slot and framebuffer is); an unaligned
    // frame's rows are copied into an aligned scratch row first.
    const aligned = LITTLE_ENDIAN && px.byteOffset % 4 === 0 && stride % 4 === 0;
    const words = aligned ? this.wordView(px) : null;
    if (format !== FORMAT_BGRA8 || !aligned) this.ensureRows(w, aligned ? 0 : bpp);
    const xa = 2 * cx0;
    const xb = Math.min(w, 2 * cx1);
    for (let cy = cy0; cy < cy1; cy++) {
      const ya = 2 * cy;
      const yb = ya + 1 < h ? ya + 1 : ya;
      const o0 = offset + ya * w;
      const o1 = offset + yb * w;
      const uo = uPlane + cy * cw + cx0;
      const vo = vPlane + cy * cw + cx0;
      if (words !== null && format === FORMAT_BGRA8) {
        rowPairToI420(words, ya * (stride >> 2), words, yb * (stride >> 2), w, out, o0, o1, uo, vo, cx0, cx1);
      } else {
        this.decode(px, words, stride, format, bpp, ya, xa, xb, this.row0);
        if (yb !== ya) this.decode(px, words, stride, format, bpp, yb, xa, xb, this.row1);
        rowPairToI420(this.row0, 0, yb !== ya ? this.row1 : this.row0, 0, w, out, o0, o1, uo, vo, cx0, cx1);
      }
    }
    return ConvertOutcome.Ok;
  }

  /** Scratch rows for `w` pixels, and an aligned copy of `rawBpp`-byte pixels (0: none needed). */
  private ensureRows(w: number, rawBpp: number): void {
    if (this.row0.length < w) {
      this.row0 = new Int32Array(w);
      this.row1 = new Int32Array(w);
    }
    if (this.rawBytes.length < w * rawBpp) {
      this.rawWords = new Int32Array((w * rawBpp) >> 2);
      this.rawBytes = new Uint8Array(this.rawWords.buffer);
    }
  }

  /** Row y's pixels [xa, xb) into `dst` as bgra words: from the frame's words, or an aligned copy of the row. */
  private decode(px: Uint8Array, words: Int32Array | null, stride: number, format: number, bpp: number, y: number, xa: number, xb: number, dst: Int32Array): void {
    if (words !== null) {
      decodeRow(words, (y * stride) >> 2, format, xa, xb, dst);
      return;
    }
    const raw = this.rawBytes;
    for (let i = xa * bpp, s = y * stride + i, end = xb * bpp; i < end; i++, s++) raw[i] = px[s]!;
    decodeRow(this.rawWords, 0, format, xa, xb, dst);
  }

  /** The frame buffer as words: a cached view per buffer view (a ring slot's stays the same object). */
  private wordView(px: Uint8Array): Int32Array {
    for (let i = 0; i < WORD_VIEWS; i++) {
      if (this.viewOf[i] === px) return this.words[i]!;
    }
    const i = this.nextView;
    this.nextView = (i + 1) % WORD_VIEWS;
    const v = new Int32Array(px.buffer, px.byteOffset, px.length >> 2);
    this.viewOf[i] = px;
    this.words[i] = v;
    return v;
  }
}
