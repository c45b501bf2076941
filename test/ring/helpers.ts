/**
 * Shared helpers for the ring tests: a seeded PRNG, a source "display" whose pixels encode the
 * frame number that last painted them, and a verifier that replays it.
 */
import { bytesPerPixel } from '../../src/contract/pixel-format.js';
import type { PublishableFrame } from '../../src/ring/index.js';

/** mulberry32: small, fast, good enough to drive interleavings; same seed, same run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(rand: () => number, lo: number, hiInclusive: number): number {
  return lo + Math.floor(rand() * (hiInclusive - lo + 1));
}

/** Runs `body` with a seed; a failure's message names the seed so the run can be repeated. */
export function withSeed(seed: number, body: (seed: number) => void): void {
  try {
    body(seed);
  } catch (e) {
    const err = e as Error;
    err.message = `[seed ${seed}; rerun with VDP_SEED=${seed}] ${err.message}`;
    throw err;
  }
}

export function seedsFor(defaults: number[]): number[] {
  const env = process.env.VDP_SEED;
  return env ? [Number(env)] : defaults;
}

/**
 * A source display: one surface whose 32-bit words each hold the number of the frame that last
 * painted them (an rgba16f pixel is two such words). Frame n paints its dirty rects with n.
 */
export class SourceDisplay {
  readonly width: number;
  readonly height: number;
  readonly format: number;
  readonly wordsPerPixel: number;
  readonly stride: number;
  readonly words: Uint32Array;
  readonly frame: PublishableFrame;
  frameNumber = 0;

  constructor(width: number, height: number, format: number, extraStrideBytes = 0, shared = false) {
    this.width = width;
    this.height = height;
    this.format = format;
    this.wordsPerPixel = bytesPerPixel(format) / 4;
    this.stride = width * bytesPerPixel(format) + extraStrideBytes;
    const bytes = this.stride * height;
    const buf = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    this.words = new Uint32Array(buf);
    this.frame = {
      pixels: new Uint8Array(buf),
      width,
      height,
      format,
      stride: this.stride,
      frameNumber: 0,
      presentTimeMs: 0,
      dirtyRects: new Int32Array(4 * 8),
      dirtyCount: -1,
    };
  }

  private paint(x: number, y: number, w: number, h: number, value: number): void {
    const sw = this.stride >> 2;
    for (let r = y; r < y + h; r++) {
      const start = r * sw + x * this.wordsPerPixel;
      this.words.fill(value, start, start + w * this.wordsPerPixel);
    }
  }

  /** Frame n: the whole surface (count -1), nothing (0), or `rects` painted with n. */
  next(rects: ReadonlyArray<readonly [number, number, number, number]> | 'full', presentTimeMs = 0): PublishableFrame {
    const n = ++this.frameNumber;
    const f = this.frame;
    f.frameNumber = n;
    f.presentTimeMs = presentTimeMs;
    if (rects === 'full') {
      this.paint(0, 0, this.width, this.height, n);
      f.dirtyCount = -1;
    } else {
      rects.forEach(([x, y, w, h], i) => {
        this.paint(x, y, w, h, n);
        f.dirtyRects[4 * i] = x;
        f.dirtyRects[4 * i + 1] = y;
        f.dirtyRects[4 * i + 2] = w;
        f.dirtyRects[4 * i + 3] = h;
      });
      f.dirtyCount = rects.length;
    }
    return f;
  }

  /** A random frame: sometimes full, sometimes unchanged, usually a few random rects. */
  nextRandom(rand: () => number): PublishableFrame {
    const p = rand();
    if (p < 0.05) return this.next('full');
    if (p < 0.1) return this.next([]);
    const n = randInt(rand, 1, 6);
    const rects: Array<[number, number, number, number]> = [];
    for (let i = 0; i < n; i++) {
      const x = randInt(rand, 0, this.width - 1);
      const y = randInt(rand, 0, this.height - 1);
      rects.push([x, y, randInt(rand, 1, this.width - x), randInt(rand, 1, this.height - y)]);
    }
    return this.next(rects);
  }

  /** The surface as the consumer should see it (rows without the source's stride padding). */
  snapshot(): Uint32Array {
    const rowWords = this.width * this.wordsPerPixel;
    const out = new Uint32Array(rowWords * this.height);
    for (let r = 0; r < this.height; r++) out.set(this.words.subarray(r * (this.stride >> 2), r * (this.stride >> 2) + rowWords), r * rowWords);
    return out;
  }
}

/** Index of the first word where a consumed frame differs from `expected`, or -1. */
export function firstDifference(pixels: Uint8Array, stride: number, width: number, height: number, wordsPerPixel: number, expected: Uint32Array): number {
  const view = new Uint32Array(pixels.buffer, pixels.byteOffset, (stride * height) >> 2);
  const rowWords = width * wordsPerPixel;
  for (let r = 0; r < height; r++) {
    for (let i = 0; i < rowWords; i++) {
      if (view[r * (stride >> 2) + i] !== expected[r * rowWords + i]) return r * rowWords + i;
    }
  }
  return -1;
}
