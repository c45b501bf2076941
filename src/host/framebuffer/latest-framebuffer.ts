/**
 * The host's "latest framebuffer" of one monitor: a copy of the newest consumed frame, kept in the
 * ring's own pixel format, and the damage of each frame, fanned out to every subscriber (the RFB
 * clients accumulate it, each in its own DamageRegion; the browser viewer reads the copy).
 *
 * Why a copy: a ring slot is the host's only until it is released, and a remote client encodes
 * long after that (and on an idle display, forever after). Why keep the ring's format: the copy
 * is then a memcpy of the damaged rows, and each client converts only what it sends, to its own
 * pixel format.
 *
 * Damage per frame, from what the ring says:
 * - the same generation and the next sequence: the frame's dirty bounds (the publisher's bounds
 *   cover everything since the previous PUBLISHED frame, dropped frames included), so only those
 *   rows are copied;
 * - a sequence gap (the consumer skipped published frames, which the slot-state arm does when the
 *   host is busy) or a new generation of the same size: the skipped frames' damage is unknown,
 *   so the new frame is compared with the copy row by row (memcmp) and the changed row bands are
 *   the damage;
 * - a new size: everything (subscribers are told to resize);
 * - a new format (ring frames may change format per frame): everything, copied whole.
 *
 * Invariant: after accept(f), the copy equals f and every pixel that differs from the previous
 * copy lies inside the damage handed to subscribers. Nothing is allocated per frame except when a
 * frame is larger than any before.
 */
import { bytesPerPixel } from '../../contract/pixel-format.js';
import type { FrameView } from '../sinks/frame-view.js';
import { DamageRegion } from './damage-region.js';

/** A consumed frame as the model reads it; `generation` is the ring's (ConsumedFrame has it). */
export type FramebufferInput = FrameView & { generation?: number };

export interface FramebufferSubscriber {
  /**
   * Called once per accepted frame, after the copy is updated. `damage` is this frame's damage
   * (valid only during the call); `resized` says the size or format changed (damage is full).
   */
  framebufferChanged(damage: DamageRegion, resized: boolean): void;
  /**
   * Called right before an accepted frame changes the copy, so a subscriber that holds views of the
   * copy (an RFB update not yet encoded) can copy what it still needs. Optional.
   */
  framebufferWillChange?(): void;
}

export class LatestFramebuffer {
  /** The copy, as a FrameView (valid until the next accept; null before the first frame). */
  private copy: FrameView | null = null;
  private buffer = Buffer.alloc(0);
  /** Buffers over the ring's slot views (stable per slot and format), made once each. */
  private readonly views = new WeakMap<Uint8Array, Buffer>();
  private generation = -1;
  private lastSequence = 0;
  private readonly frameDamage = new DamageRegion(0, 0);
  private readonly subscribers = new Set<FramebufferSubscriber>();
  /** How the damage of the frames so far was found (for the stats and the tests). */
  readonly counts = { frames: 0, contiguous: 0, compared: 0, resized: 0, reformatted: 0 };

  get view(): FrameView | null {
    return this.copy;
  }

  get width(): number {
    return this.copy?.width ?? 0;
  }

  get height(): number {
    return this.copy?.height ?? 0;
  }

  /** A Buffer over the same memory (for copy/compare with offsets, which allocate nothing). */
  private asBuffer(u: Uint8Array): Buffer {
    if (Buffer.isBuffer(u)) return u;
    let b = this.views.get(u);
    if (b === undefined) {
      b = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      this.views.set(u, b);
    }
    return b;
  }

  /** The storage only grows, so frames alternating between formats allocate nothing after the first. */
  private grow(bytes: number): void {
    if (this.buffer.length < bytes) this.buffer = Buffer.alloc(bytes);
  }

  subscribe(s: FramebufferSubscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  accept(f: FramebufferInput): void {
    const bpp = bytesPerPixel(f.format);
    if (bpp === 0 || f.width <= 0 || f.height <= 0 || f.stride < f.width * bpp) return;
    const bytes = f.stride * f.height;
    if (f.pixels.length < bytes) return;
    for (const s of this.subscribers) s.framebufferWillChange?.();
    const gen = f.generation ?? 0;
    const d = this.frameDamage;
    let c = this.copy;
    let resized = false;
    this.counts.frames++;
    if (c === null || c.width !== f.width || c.height !== f.height) {
      this.grow(bytes);
      c = { pixels: this.buffer.subarray(0, bytes), width: f.width, height: f.height, format: f.format, stride: f.stride, sequence: 0, presentTimeMs: 0, dirty: { x: 0, y: 0, w: 0, h: 0 } };
      this.copy = c;
      c.pixels.set(f.pixels.subarray(0, bytes));
      d.resize(f.width, f.height);
      resized = true;
      this.counts.resized++;
    } else if (c.format !== f.format || c.stride !== f.stride) {
      // A frame in another format (an HDR flip, or one rgba16f frame among bgra8 ones): all new.
      this.grow(bytes);
      c.pixels = this.buffer.subarray(0, bytes);
      c.format = f.format;
      c.stride = f.stride;
      c.pixels.set(f.pixels.subarray(0, bytes));
      d.markFull();
      this.counts.reformatted++;
    } else if (gen === this.generation && f.sequence === ((this.lastSequence + 1) >>> 0)) {
      d.clear();
      const b = f.dirty;
      const x0 = Math.max(0, b.x);
      const y0 = Math.max(0, b.y);
      const x1 = Math.min(f.width, b.x + b.w);
      const y1 = Math.min(f.height, b.y + b.h);
      if (x1 > x0 && y1 > y0) {
        const stride = f.stride;
        const rowStart = x0 * bpp;
        const rowEnd = x1 * bpp;
        const src = this.asBuffer(f.pixels);
        for (let y = y0; y < y1; y++) src.copy(this.buffer, y * stride + rowStart, y * stride + rowStart, y * stride + rowEnd);
        d.add(x0, y0, x1 - x0, y1 - y0);
      }
      this.counts.contiguous++;
    } else {
      this.compareAndCopy(f, bpp);
      this.counts.compared++;
    }
    this.generation = gen;
    this.lastSequence = f.sequence >>> 0;
    c.sequence = f.sequence;
    c.presentTimeMs = f.presentTimeMs;
    c.dirty.x = f.dirty.x;
    c.dirty.y = f.dirty.y;
    c.dirty.w = f.dirty.w;
    c.dirty.h = f.dirty.h;
    for (const s of this.subscribers) s.framebufferChanged(d, resized);
  }

  /** Row-by-row memcmp against the copy: changed runs of rows become the damage, and are copied. */
  private compareAndCopy(f: FrameView, bpp: number): void {
    const d = this.frameDamage;
    d.clear();
    const stride = f.stride;
    const rowBytes = f.width * bpp;
    const src = this.asBuffer(f.pixels);
    const dst = this.buffer;
    let bandStart = -1;
    for (let y = 0; y <= f.height; y++) {
      const changed = y < f.height && src.compare(dst, y * stride, y * stride + rowBytes, y * stride, y * stride + rowBytes) !== 0;
      if (changed && bandStart < 0) bandStart = y;
      if (!changed && bandStart >= 0) {
        d.add(0, bandStart, f.width, y - bandStart);
        src.copy(dst, bandStart * stride, bandStart * stride, y * stride);
        bandStart = -1;
      }
    }
  }
}
