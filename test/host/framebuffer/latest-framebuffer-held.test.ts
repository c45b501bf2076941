/**
 * The latest framebuffer holding ring frames instead of copying them, checked against a model of
 * the ring over seeded random runs: a source that changes in random rectangles, frames published
 * with the dirty bounds since the previous published frame, a consumer that skips frames at
 * random (sequence gaps), format flips (bgra8 <-> rgba16f), size changes (a new generation), and
 * frames accepted held or copied at random. After every accept the view is byte-exact the frame
 * just accepted, every pixel that changed since the previous view lies inside the damage the
 * subscribers got, exactly one frame is held when the last accept held one (none otherwise), and a
 * released frame's slot may be scribbled over (the producer reusing it) without the view changing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../../src/contract/pixel-format.js';
import { DamageRegion } from '../../../src/host/framebuffer/damage-region.js';
import { LatestFramebuffer, type FrameKeeper, type FramebufferInput } from '../../../src/host/framebuffer/latest-framebuffer.js';
import { prng } from '../../ring/helpers.js';

interface Frame extends FramebufferInput {
  generation: number;
}

/** Keeps what the framebuffer keeps; scribbles over a frame once it is released (slot reuse). */
class ModelKeeper implements FrameKeeper {
  readonly kept = new Set<FramebufferInput>();
  releases = 0;
  keep(f: FramebufferInput): boolean {
    assert.ok(!this.kept.has(f), 'a frame kept twice');
    this.kept.add(f);
    return true;
  }
  release(f: FramebufferInput): void {
    assert.ok(this.kept.delete(f), 'a frame released that was not kept (or released twice)');
    this.releases++;
    f.pixels.fill(0xa5);
  }
}

function run(seed: number, steps: number): void {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const fb = new LatestFramebuffer();
  const keeper = new ModelKeeper();
  // What the subscribers were told since the last check.
  const damage = new DamageRegion(0, 0);
  let resized = false;
  let willChange = 0;
  fb.subscribe({
    framebufferWillChange: () => willChange++,
    framebufferChanged(d, r) {
      if (r) {
        resized = true;
        damage.resize(d.width, d.height);
      } else damage.addRegion(d);
    },
  });
  let w = 0;
  let h = 0;
  let format = FORMAT_BGRA8;
  let bpp = 4;
  let generation = 0;
  let seq = 0;
  let source = new Uint8Array(0);
  /** Dirty bounds (x0, y0, x1, y1) since the previous published frame. */
  let dirty = [0, 0, 0, 0];
  const newMode = (): void => {
    w = 1 + int(40);
    h = 1 + int(30);
    generation++;
    seq = int(1000);
    source = new Uint8Array(w * h * bpp).map(() => int(256));
    dirty = [0, 0, w, h];
  };
  newMode();
  let shownBefore: Uint8Array | null = null;
  for (let step = 0; step < steps; step++) {
    const what = rnd();
    if (what < 0.04) newMode();
    else if (what < 0.08) {
      // A format flip on the same swap-chain: every pixel new, the whole frame dirty.
      format = format === FORMAT_BGRA8 ? FORMAT_RGBA16F : FORMAT_BGRA8;
      bpp = format === FORMAT_BGRA8 ? 4 : 8;
      source = new Uint8Array(w * h * bpp).map(() => int(256));
      dirty = [0, 0, w, h];
    } else {
      // Up to three random rectangles change.
      for (let k = int(4); k > 0; k--) {
        const x0 = int(w);
        const y0 = int(h);
        const x1 = Math.min(w, x0 + 1 + int(w));
        const y1 = Math.min(h, y0 + 1 + int(h));
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let b = 0; b < bpp; b++) source[(y * w + x) * bpp + b] = int(256);
        dirty = dirty[2]! > dirty[0]! ? [Math.min(dirty[0]!, x0), Math.min(dirty[1]!, y0), Math.max(dirty[2]!, x1), Math.max(dirty[3]!, y1)] : [x0, y0, x1, y1];
      }
    }
    // Published: a complete frame (ring slots are kept complete), its bounds since the previous publish.
    seq = (seq + 1) >>> 0;
    const f: Frame = {
      pixels: source.slice(),
      width: w,
      height: h,
      format,
      stride: w * bpp,
      sequence: seq,
      presentTimeMs: step,
      dirty: { x: dirty[0]!, y: dirty[1]!, w: dirty[2]! - dirty[0]!, h: dirty[3]! - dirty[1]! },
      generation,
    };
    dirty = [0, 0, 0, 0];
    // The consumer skips some published frames (their damage never reaches the framebuffer).
    if (rnd() < 0.2) continue;
    const held = rnd() < 0.7;
    const before = shownBefore;
    damage.clear();
    resized = false;
    const willBefore = willChange;
    fb.accept(f, held ? keeper : undefined);
    const ctx = `seed ${seed}, step ${step}`;
    assert.equal(willChange, willBefore + 1, `${ctx}: subscribers are told before the view changes`);
    const v = fb.view!;
    assert.deepEqual([v.width, v.height, v.format, v.stride, v.sequence], [w, h, format, w * bpp, seq], ctx);
    assert.ok(Buffer.from(v.pixels.subarray(0, w * h * bpp)).equals(Buffer.from(source)), `${ctx}: the view is the frame, byte for byte`);
    assert.equal(keeper.kept.size, held ? 1 : 0, `${ctx}: only the newest frame is held`);
    if (held) assert.ok(keeper.kept.has(f), ctx);
    if (before !== null && !resized && !damage.full && before.length === w * h * bpp) {
      // Every changed pixel lies inside the damage.
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let changed = false;
          for (let b = 0; b < bpp && !changed; b++) changed = before[(y * w + x) * bpp + b] !== source[(y * w + x) * bpp + b];
          if (changed) assert.ok(inside(damage, x, y), `${ctx}: pixel (${x}, ${y}) changed outside the damage`);
        }
      }
    }
    shownBefore = source.slice();
  }
  // The end of the pump: the last held frame is copied, then given back; the view still shows it.
  const last = shownBefore!;
  fb.releaseHeld();
  assert.equal(keeper.kept.size, 0, `seed ${seed}: nothing held after releaseHeld`);
  assert.ok(Buffer.from(fb.view!.pixels.subarray(0, last.length)).equals(Buffer.from(last)), `seed ${seed}: the view outlives the slot`);
}

function inside(d: DamageRegion, x: number, y: number): boolean {
  for (let i = 0; i < d.count; i++) {
    const r = d.rects.subarray(4 * i, 4 * i + 4);
    if (x >= r[0]! && x < r[0]! + r[2]! && y >= r[1]! && y < r[1]! + r[3]!) return true;
  }
  return false;
}

test('held or copied, over seeded random damage, gaps, format flips and new sizes, the view is each frame byte for byte and the damage covers every change', () => {
  for (const seed of [1, 2, 3, 0x5eed, 0xc0ffee, 20261201]) run(seed, 400);
});

test('holding copies nothing per frame; the copy path copies only the damaged rows of a contiguous frame', () => {
  const keeper = new ModelKeeper();
  const fb = new LatestFramebuffer();
  // Frames 1..11 are one colour each; frame 12 changes only (8..24, 4..6) of frame 11.
  const pixels = (seq: number): Uint8Array => {
    const px = new Uint8Array(64 * 32 * 4).fill(Math.min(seq, 11));
    if (seq === 12) for (const y of [4, 5]) px.fill(12, (y * 64 + 8) * 4, (y * 64 + 24) * 4);
    return px;
  };
  const frame = (seq: number, dirty: { x: number; y: number; w: number; h: number }): FramebufferInput => ({
    pixels: pixels(seq),
    width: 64,
    height: 32,
    format: FORMAT_BGRA8,
    stride: 256,
    sequence: seq,
    presentTimeMs: seq,
    dirty,
    generation: 1,
  });
  for (let s = 1; s <= 10; s++) fb.accept(frame(s, { x: 0, y: 0, w: 64, h: 32 }), keeper);
  assert.equal(fb.counts.copiedBytes, 0);
  assert.equal(fb.counts.held, 10);
  assert.equal(keeper.releases, 9);
  // Copied after a held frame: the whole frame (the copy did not show the previous one) ...
  fb.accept(frame(11, { x: 0, y: 0, w: 1, h: 1 }));
  assert.equal(fb.counts.copiedBytes, 64 * 32 * 4);
  assert.equal(keeper.releases, 10);
  // ... then only the dirty rows' span of a contiguous frame.
  fb.accept(frame(12, { x: 8, y: 4, w: 16, h: 2 }));
  assert.equal(fb.counts.copiedBytes, 64 * 32 * 4 + 16 * 4 * 2);
  assert.ok(Buffer.from(fb.view!.pixels).equals(Buffer.from(pixels(12))));
});
