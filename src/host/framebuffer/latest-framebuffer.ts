/**
 * The host's "latest framebuffer" of one monitor: the newest consumed frame, kept in the ring's
 * own pixel format, and the damage of each frame, fanned out to every subscriber (the RFB clients
 * accumulate it, each in its own DamageRegion; the browser viewer reads the frame).
 *
 * Two ways to keep the newest frame, chosen per accept():
 * - held (accept(f, keeper), when the keeper agrees): the frame's ring slot itself. The keeper keeps the slot past the
 *   consumer's iteration step and the framebuffer gives it back at the next accept, once the
 *   subscribers have copied what they still need (framebufferWillChange) and the new frame's
 *   damage was found. Nothing is copied per frame: a served 1080p display used to memcpy every
 *   frame's damaged rows here, 0.85 ms per full frame on the main thread at 60 Hz, whether or not
 *   a client looked. The ring has slots to spare for it (RING_LEN 6: the producer never waits on
 *   one held slot), and the slot-state and keyed-mutex arms never let the producer touch a slot
 *   the host holds, so the view cannot change under its readers.
 * - copied (accept(f)): a copy of the damaged rows in storage of its own, for inputs that are not
 *   ring frames (tests, callers without a keeper), and for what must outlive its slot.
 * Why the ring's format: each client converts only what it sends, to its own pixel format.
 *
 * Damage per frame, from what the ring says:
 * - the same generation and the next sequence, or one within the frame's dirtySpan: its dirty
 *   bounds (the publisher's bounds cover everything since the previous PUBLISHED frame, dropped
 *   frames included, and after the host skipped published frames, back to the one it took);
 * - a longer sequence gap (the host skipped more published frames than the publisher remembers)
 *   or a new generation of the same size: the skipped frames' damage is unknown,
 *   so the new frame is compared with the previous one row by row (memcmp) and the changed row
 *   bands are the damage;
 * - a new size: everything (subscribers are told to resize);
 * - a new format (ring frames may change format per frame): everything.
 *
 * Invariant: after accept(f), `view` shows exactly f's pixels (f itself when held, else the copy),
 * every pixel that differs from the previous view lies inside the damage handed to subscribers,
 * and at most one frame is held (the previous one is released within the accept that replaces
 * it). Nothing is allocated per frame except when a copied frame is larger than any before.
 */
import { bytesPerPixel } from '../../contract/pixel-format.js';
import { dirtyCoversSince, type FrameView } from '../sinks/frame-view.js';
import { DamageRegion } from './damage-region.js';

/** A consumed frame as the model reads it; `generation` is the ring's (ConsumedFrame has it). */
export type FramebufferInput = FrameView & { generation?: number };

/**
 * Keeps a consumed frame's ring slot beyond the step that yielded it (MonitorLink.keeper): keep()
 * is called during that step, release() once, later, for every frame kept. keep() may refuse
 * (false: the frame is released with its step as usual, so the framebuffer copies it instead), as
 * a ring too short to spare a slot does.
 */
export interface FrameKeeper {
  keep(frame: FramebufferInput): boolean;
  release(frame: FramebufferInput): void;
}

export interface FramebufferSubscriber {
  /**
   * Called once per accepted frame, after the view shows it. `damage` is this frame's damage
   * (valid only during the call); `resized` says the size or format changed (damage is full).
   */
  framebufferChanged(damage: DamageRegion, resized: boolean): void;
  /**
   * Called right before an accepted frame replaces the view, so a subscriber that holds views of
   * it (an RFB update not yet encoded) can copy what it still needs. Optional.
   */
  framebufferWillChange?(): void;
}

export class LatestFramebuffer {
  /** What `view` returns: the held frame or `own` (null before the first frame). */
  private current: FrameView | null = null;
  /** The held frame and who keeps it (null when the view is the copy). */
  private held: FramebufferInput | null = null;
  private heldBy: FrameKeeper | null = null;
  /** The copy's storage and its FrameView (made once; its pixels follow the storage). */
  private buffer = Buffer.alloc(0);
  private readonly own: FrameView = { pixels: this.buffer, width: 0, height: 0, format: 0, stride: 0, sequence: 0, presentTimeMs: 0, dirty: { x: 0, y: 0, w: 0, h: 0 }, dirtySpan: 1 };
  /** True while `own` shows the previous frame (so only the damage needs copying into it). */
  private ownCurrent = false;
  /** Buffers over the ring's slot views (stable per slot and format), made once each. */
  private readonly views = new WeakMap<Uint8Array, Buffer>();
  private generation = -1;
  private lastSequence = 0;
  private readonly frameDamage = new DamageRegion(0, 0);
  private readonly subscribers = new Set<FramebufferSubscriber>();
  /**
   * How the damage of the frames so far was found, how many were held, and the bytes copied into
   * the copy (for the stats and the tests).
   */
  readonly counts = { frames: 0, contiguous: 0, compared: 0, resized: 0, reformatted: 0, held: 0, copiedBytes: 0 };

  /** The newest frame (valid until the next accept; null before the first frame). */
  get view(): FrameView | null {
    return this.current;
  }

  get width(): number {
    return this.current?.width ?? 0;
  }

  get height(): number {
    return this.current?.height ?? 0;
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

  subscribe(s: FramebufferSubscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /**
   * Takes `f` as the newest frame. With a `keeper` that keeps it, f is held (keeper.release(f) at
   * the next accept) and shown as it is; else its damaged rows are copied.
   */
  accept(f: FramebufferInput, keeper?: FrameKeeper): void {
    const bpp = bytesPerPixel(f.format);
    if (bpp === 0 || f.width <= 0 || f.height <= 0 || f.stride < f.width * bpp) return;
    const bytes = f.stride * f.height;
    if (f.pixels.length < bytes) return;
    for (const s of this.subscribers) s.framebufferWillChange?.();
    const prev = this.current;
    const d = this.frameDamage;
    let resized = false;
    let known = true; // the damage is known (else: copy everything)
    this.counts.frames++;
    if (prev === null || prev.width !== f.width || prev.height !== f.height) {
      d.resize(f.width, f.height);
      resized = true;
      known = false;
      this.counts.resized++;
    } else if (prev.format !== f.format || prev.stride !== f.stride) {
      // A frame in another format (an HDR flip, or one rgba16f frame among bgra8 ones): all new.
      d.markFull();
      known = false;
      this.counts.reformatted++;
    } else if ((f.generation ?? 0) === this.generation && dirtyCoversSince(f, this.lastSequence)) {
      d.clear();
      const b = f.dirty;
      d.add(b.x, b.y, b.w, b.h);
      this.counts.contiguous++;
    } else {
      this.compareRows(f, prev, bpp);
      this.counts.compared++;
    }
    const before = this.held;
    const beforeKeeper = this.heldBy;
    if (keeper !== undefined && keeper.keep(f)) {
      this.held = f;
      this.heldBy = keeper;
      this.current = f;
      this.ownCurrent = false;
      this.counts.held++;
    } else {
      this.copyIntoOwn(f, bytes, bpp, known && this.ownCurrent);
      this.held = null;
      this.heldBy = null;
      this.current = this.own;
      this.ownCurrent = true;
    }
    // The previous frame was read (damage) and its views copied (willChange): its slot may go.
    if (before !== null && before !== f) beforeKeeper!.release(before);
    this.generation = f.generation ?? 0;
    this.lastSequence = f.sequence >>> 0;
    for (const s of this.subscribers) s.framebufferChanged(d, resized);
  }

  /**
   * Gives back the held frame, if any, after copying it (the view stays valid for as long as
   * anyone reads it: a viewer page opened after the display ended still shows its last frame).
   */
  releaseHeld(): void {
    const h = this.held;
    if (h === null) return;
    for (const s of this.subscribers) s.framebufferWillChange?.();
    this.copyIntoOwn(h, h.stride * h.height, bytesPerPixel(h.format), false);
    this.current = this.own;
    this.ownCurrent = true;
    this.held = null;
    const k = this.heldBy!;
    this.heldBy = null;
    k.release(h);
  }

  /** Brings the copy up to f: the damage's rows when the copy showed the previous frame, else all of f. */
  private copyIntoOwn(f: FramebufferInput, bytes: number, bpp: number, damageOnly: boolean): void {
    const o = this.own;
    if (this.buffer.length < bytes) {
      // The storage only grows, so frames alternating between formats allocate nothing after the first.
      this.buffer = Buffer.alloc(bytes);
      damageOnly = false;
    }
    const src = this.asBuffer(f.pixels);
    const d = this.frameDamage;
    if (!damageOnly || d.full) {
      src.copy(this.buffer, 0, 0, bytes);
      this.counts.copiedBytes += bytes;
    } else {
      const stride = f.stride;
      const r = d.rects;
      for (let i = 0; i < d.count; i++) {
        const x0 = r[4 * i]!;
        const y0 = r[4 * i + 1]!;
        const rowStart = x0 * bpp;
        const rowEnd = (x0 + r[4 * i + 2]!) * bpp;
        const y1 = y0 + r[4 * i + 3]!;
        for (let y = y0; y < y1; y++) src.copy(this.buffer, y * stride + rowStart, y * stride + rowStart, y * stride + rowEnd);
        this.counts.copiedBytes += (rowEnd - rowStart) * (y1 - y0);
      }
    }
    o.pixels = this.buffer.subarray(0, bytes);
    o.width = f.width;
    o.height = f.height;
    o.format = f.format;
    o.stride = f.stride;
    o.sequence = f.sequence;
    o.presentTimeMs = f.presentTimeMs;
    o.dirty.x = f.dirty.x;
    o.dirty.y = f.dirty.y;
    o.dirty.w = f.dirty.w;
    o.dirty.h = f.dirty.h;
    o.dirtySpan = f.dirtySpan;
  }

  /**
   * Row-by-row memcmp of f against the previous view: each run of changed rows becomes one damage
   * rectangle, as wide as the columns that changed in it (found by scanning each changed row from
   * both ends, which stops at once on a row that changed at its edges). Tight columns matter to
   * clients: a 1% strip found this way is sent as the strip, not as full-width rows.
   */
  private compareRows(f: FrameView, prev: FrameView, bpp: number): void {
    const d = this.frameDamage;
    d.clear();
    const stride = f.stride;
    const rowBytes = f.width * bpp;
    const src = this.asBuffer(f.pixels);
    const old = this.asBuffer(prev.pixels);
    let bandStart = -1;
    let x0 = 0;
    let x1 = 0;
    for (let y = 0; y <= f.height; y++) {
      const at = y * stride;
      const changed = y < f.height && src.compare(old, at, at + rowBytes, at, at + rowBytes) !== 0;
      if (changed) {
        let l = 0;
        while (src[at + l] === old[at + l]) l++;
        let r = rowBytes - 1;
        while (src[at + r] === old[at + r]) r--;
        const px0 = Math.floor(l / bpp);
        const px1 = Math.floor(r / bpp) + 1;
        if (bandStart < 0) {
          bandStart = y;
          x0 = px0;
          x1 = px1;
        } else {
          if (px0 < x0) x0 = px0;
          if (px1 > x1) x1 = px1;
        }
      } else if (bandStart >= 0) {
        d.add(x0, bandStart, x1 - x0, y - bandStart);
        bandStart = -1;
      }
    }
  }
}
