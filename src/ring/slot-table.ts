/**
 * The slot table of one ring buffer, seen through a validated geometry: where each slot's entry
 * words live (state, mutex, token, present time, dirty bounds) and where its pixels live.
 *
 * Invariant: a SlotTable is only ever built from a geometry that checkAttach (or the host's own
 * builder) accepted, so every index it computes lies inside the buffer. It re-reads nothing from
 * the header after construction: a header rewritten later cannot steer an access out of bounds.
 *
 * Formats are per slot (SLOT_OFF_FORMAT): a slot holds a frame of any format that fits its
 * stride (frameFitsSlot), in tight rows of width * bytesPerPixel(format). The views for every
 * format that fits are built here, once, so a frame of another format costs no allocation.
 */
import {
  MAX_FORMAT_CODE,
  PIXEL_FORMAT_CODES,
  SLOT_OFF_FORMAT,
  SLOT_OFF_DIRTY_H,
  SLOT_OFF_DIRTY_SPAN,
  SLOT_OFF_DIRTY_W,
  SLOT_OFF_DIRTY_X,
  SLOT_OFF_DIRTY_Y,
  SLOT_OFF_MUTEX,
  SLOT_OFF_PRESENT_TIME,
  SLOT_OFF_STATE,
  SLOT_OFF_TOKEN,
  bytesPerPixel,
  frameFitsSlot,
  slotEntryOffset,
} from '../contract/index.js';
import type { HeaderView } from './header-view.js';

/** A ring's shape, as the host built it and the display validated it. */
export interface RingDesc {
  generation: number;
  ringLen: number;
  width: number;
  height: number;
  format: number;
  bytesPerPixel: number;
  stride: number;
  slotStride: number;
  pixelsOffset: number;
}

export class SlotTable {
  readonly view: HeaderView;
  readonly desc: RingDesc;
  readonly ringLen: number;
  /** Bytes of one frame in a slot: stride * height. */
  readonly frameBytes: number;
  private readonly pixelViews: Uint8Array[];
  /** Per slot and format code (slot * (MAX_FORMAT_CODE + 1) + code): the frame's view, or null if it does not fit. */
  private readonly formatViews: Array<Uint8Array | null>;

  constructor(view: HeaderView, desc: RingDesc) {
    const end = desc.pixelsOffset + desc.ringLen * desc.slotStride;
    if (end > view.buffer.byteLength) {
      throw new RangeError(`slots end at byte ${end}, past the ${view.buffer.byteLength}-byte buffer`);
    }
    this.view = view;
    this.desc = desc;
    this.ringLen = desc.ringLen;
    this.frameBytes = desc.stride * desc.height;
    this.pixelViews = [];
    for (let s = 0; s < desc.ringLen; s++) {
      this.pixelViews.push(new Uint8Array(view.buffer, this.pixelOffset(s), this.frameBytes));
    }
    this.formatViews = new Array<Uint8Array | null>(desc.ringLen * (MAX_FORMAT_CODE + 1)).fill(null);
    for (let s = 0; s < desc.ringLen; s++) {
      for (const code of PIXEL_FORMAT_CODES) {
        const bpp = bytesPerPixel(code);
        if (!frameFitsSlot(desc.width, desc.height, bpp, desc.slotStride)) continue;
        const bytes = desc.width * bpp * desc.height;
        this.formatViews[s * (MAX_FORMAT_CODE + 1) + code] = bytes === this.frameBytes ? this.pixelViews[s]! : new Uint8Array(view.buffer, this.pixelOffset(s), bytes);
      }
    }
  }

  /** Whether a frame of this format code fits every slot of this ring. */
  fits(format: number): boolean {
    return format > 0 && format <= MAX_FORMAT_CODE && this.formatViews[format] !== null;
  }

  /** The slot's frame bytes for a frame of `format` (cached), or null when that format does not fit. */
  framePixels(slot: number, format: number): Uint8Array | null {
    if (!(format > 0 && format <= MAX_FORMAT_CODE)) return null;
    return this.formatViews[slot * (MAX_FORMAT_CODE + 1) + format]!;
  }

  /** The format of the frame in the slot, as the producer stored it (0 = the ring's format). */
  loadFormat(slot: number): number {
    const f = Atomics.load(this.view.i32, (slotEntryOffset(slot) + SLOT_OFF_FORMAT) >> 2);
    return f === 0 ? this.desc.format : f;
  }

  storeFormat(slot: number, format: number): void {
    Atomics.store(this.view.i32, (slotEntryOffset(slot) + SLOT_OFF_FORMAT) >> 2, format);
  }

  /** Byte offset of slot `slot`'s first pixel. */
  pixelOffset(slot: number): number {
    return this.desc.pixelsOffset + slot * this.desc.slotStride;
  }

  /** The slot's frame bytes (cached: the same view object every call). */
  pixels(slot: number): Uint8Array {
    return this.pixelViews[slot]!;
  }

  /** Int32Array index of the slot's state word (slot-state arm). */
  stateIndex(slot: number): number {
    return (slotEntryOffset(slot) + SLOT_OFF_STATE) >> 2;
  }

  /** Int32Array index of the slot's keyed-mutex word. */
  mutexIndex(slot: number): number {
    return (slotEntryOffset(slot) + SLOT_OFF_MUTEX) >> 2;
  }

  loadState(slot: number): number {
    return Atomics.load(this.view.i32, this.stateIndex(slot));
  }

  /** CAS on the state word; true if it moved from `from` to `to`. */
  casState(slot: number, from: number, to: number): boolean {
    return Atomics.compareExchange(this.view.i32, this.stateIndex(slot), from, to) === from;
  }

  /** The whole token as a BigInt (allocates: tests and diagnostics, never the per-frame path). */
  loadToken(slot: number): bigint {
    return Atomics.load(this.view.i64, (slotEntryOffset(slot) + SLOT_OFF_TOKEN) >> 3);
  }

  /*
   * The slot's token, field by field, from its two 32-bit halves (contract/frame-token.ts; no
   * BigInt). The halves are stable once the slot is taken (the producer writes them only while it
   * owns the slot): see header-view.ts. Each reader returns one small field, never a whole word:
   * a low word passes 2^30 once the sequence passes 2^22, and a number that large returned from
   * a call is a HeapNumber per frame.
   */

  /** The slot index the token names (its low 8 bits). */
  tokenSlotOf(slot: number): number {
    return Atomics.load(this.view.i32, (slotEntryOffset(slot) + SLOT_OFF_TOKEN) >> 2) & 0xff;
  }

  tokenGenerationOf(slot: number): number {
    return (Atomics.load(this.view.i32, ((slotEntryOffset(slot) + SLOT_OFF_TOKEN) >> 2) + 1) >>> 8) & 0xffffff;
  }

  /** The token's 32-bit sequence (a small integer for the first 2^30 frames). */
  tokenSequenceOf(slot: number): number {
    const i = (slotEntryOffset(slot) + SLOT_OFF_TOKEN) >> 2;
    return ((Atomics.load(this.view.i32, i) >>> 8) | (Atomics.load(this.view.i32, i + 1) << 24)) >>> 0;
  }

  /** Copies the token's halves into out ([low, high]). */
  copyToken(slot: number, out: Uint32Array): void {
    const i = (slotEntryOffset(slot) + SLOT_OFF_TOKEN) >> 2;
    out[0] = Atomics.load(this.view.i32, i);
    out[1] = Atomics.load(this.view.i32, i + 1);
  }

  /** Stores the slot's token from its fields (HeaderView.storeToken: the words stay inside). */
  storeToken(slot: number, generation: number, sequence: number): void {
    this.view.storeToken(slotEntryOffset(slot) + SLOT_OFF_TOKEN, generation, sequence, slot);
  }

  /** Float64Array index of the slot's present time (the publisher stores it without a call). */
  presentTimeIndex(slot: number): number {
    return (slotEntryOffset(slot) + SLOT_OFF_PRESENT_TIME) >> 3;
  }

  /** Copies the slot's present time into out[0]: no double crosses a call, so none is boxed. */
  copyPresentTime(slot: number, out: Float64Array): void {
    out[0] = this.view.f64[(slotEntryOffset(slot) + SLOT_OFF_PRESENT_TIME) >> 3]!;
  }

  loadPresentTime(slot: number): number {
    return this.view.f64[(slotEntryOffset(slot) + SLOT_OFF_PRESENT_TIME) >> 3]!;
  }

  storePresentTime(slot: number, ms: number): void {
    this.view.f64[(slotEntryOffset(slot) + SLOT_OFF_PRESENT_TIME) >> 3] = ms;
  }

  storeDirty(slot: number, x: number, y: number, w: number, h: number, span: number): void {
    const base = slotEntryOffset(slot);
    const i32 = this.view.i32;
    Atomics.store(i32, (base + SLOT_OFF_DIRTY_SPAN) >> 2, span);
    Atomics.store(i32, (base + SLOT_OFF_DIRTY_X) >> 2, x);
    Atomics.store(i32, (base + SLOT_OFF_DIRTY_Y) >> 2, y);
    Atomics.store(i32, (base + SLOT_OFF_DIRTY_W) >> 2, w);
    Atomics.store(i32, (base + SLOT_OFF_DIRTY_H) >> 2, h);
  }

  /** Reads the slot's dirty bounds into `out`, clamped to the frame so a corrupt entry cannot lie. */
  loadDirty(slot: number, out: { x: number; y: number; w: number; h: number }): void {
    const base = slotEntryOffset(slot);
    const i32 = this.view.i32;
    const { width, height } = this.desc;
    const x = clamp(Atomics.load(i32, (base + SLOT_OFF_DIRTY_X) >> 2), 0, width);
    const y = clamp(Atomics.load(i32, (base + SLOT_OFF_DIRTY_Y) >> 2), 0, height);
    out.x = x;
    out.y = y;
    out.w = clamp(Atomics.load(i32, (base + SLOT_OFF_DIRTY_W) >> 2), 0, width - x);
    out.h = clamp(Atomics.load(i32, (base + SLOT_OFF_DIRTY_H) >> 2), 0, height - y);
  }

  /** How many published frames back the slot's dirty bounds reach (at least 1; 0 from an older publisher is 1). */
  loadDirtySpan(slot: number): number {
    const span = Atomics.load(this.view.i32, (slotEntryOffset(slot) + SLOT_OFF_DIRTY_SPAN) >> 2);
    return span > 1 ? span : 1;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
