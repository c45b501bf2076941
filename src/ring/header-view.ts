/**
 * Typed views over one ring buffer, with named accessors for the contract's fields.
 *
 * Every shared field is reached through the offsets in contract/header-layout.ts; nothing here
 * knows a number of its own. 32-bit fields go through Atomics on an Int32Array, 64-bit integer
 * fields (tokens, counters, the render-adapter LUID) through Atomics on a BigInt64Array.
 *
 * Time fields (PRESENT_TIME, LAST_PUBLISH_TIME, a slot's PRESENT_TIME) are float64 milliseconds,
 * read and written through a Float64Array, so the per-frame path never builds a BigInt for a time.
 * A slot's time is written while the producer owns the slot and read while the consumer owns it,
 * so it cannot race; the header's times are statistics, published before the release store of
 * `latest`.
 */
import {
  HEADER_SIZE,
  OFF_GENERATION,
  OFF_HEIGHT,
  OFF_HOST_CAPABILITIES,
  OFF_FORMAT,
  OFF_MAGIC,
  OFF_PIXELS_OFFSET,
  OFF_RING_LEN,
  OFF_SLOT_STRIDE,
  OFF_STRIDE,
  OFF_TARGET_ID,
  OFF_VERSION,
  OFF_WIDTH,
  slotEntryOffset,
  type HeaderFields,
} from '../contract/index.js';

export class HeaderView {
  readonly buffer: SharedArrayBuffer;
  /** The whole buffer as 32-bit words (a trailing partial word is not covered). */
  readonly i32: Int32Array;
  /** The whole buffer as 64-bit words, for tokens and counters. */
  readonly i64: BigInt64Array;
  /** The whole buffer as float64, for the time fields. */
  readonly f64: Float64Array;

  /** Throws a RangeError when the buffer cannot hold a header: callers check the size first. */
  constructor(buffer: SharedArrayBuffer) {
    if (buffer.byteLength < HEADER_SIZE) {
      throw new RangeError(`a ring buffer needs at least ${HEADER_SIZE} bytes, got ${buffer.byteLength}`);
    }
    this.buffer = buffer;
    this.i32 = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    this.i64 = new BigInt64Array(buffer, 0, Math.floor(buffer.byteLength / 8));
    this.f64 = new Float64Array(buffer, 0, Math.floor(buffer.byteLength / 8));
  }

  /** A 32-bit field, as an unsigned number. */
  load32(offset: number): number {
    return Atomics.load(this.i32, offset >> 2) >>> 0;
  }

  store32(offset: number, value: number): void {
    Atomics.store(this.i32, offset >> 2, value | 0);
  }

  add32(offset: number, delta: number): void {
    Atomics.add(this.i32, offset >> 2, delta);
  }

  load64(offset: number): bigint {
    return Atomics.load(this.i64, offset >> 3);
  }

  store64(offset: number, value: bigint): void {
    Atomics.store(this.i64, offset >> 3, value);
  }

  /** A 64-bit counter as a number (exact up to 2^53, which no counter reaches). */
  loadCount(offset: number): number {
    return Number(BigInt.asUintN(64, Atomics.load(this.i64, offset >> 3)));
  }

  loadTime(offset: number): number {
    return this.f64[offset >> 3]!;
  }

  storeTime(offset: number, ms: number): void {
    this.f64[offset >> 3] = ms;
  }

  /** Byte offset of field `fieldOffset` of slot `slot`'s table entry. */
  slotField(slot: number, fieldOffset: number): number {
    return slotEntryOffset(slot) + fieldOffset;
  }

  /** A snapshot of the host-written fields, each as a u32, for checkAttach. */
  readHostFields(): HeaderFields {
    return {
      magic: this.load32(OFF_MAGIC),
      version: this.load32(OFF_VERSION),
      generation: this.load32(OFF_GENERATION),
      ringLen: this.load32(OFF_RING_LEN),
      width: this.load32(OFF_WIDTH),
      height: this.load32(OFF_HEIGHT),
      format: this.load32(OFF_FORMAT),
      targetId: this.load32(OFF_TARGET_ID),
      stride: this.load32(OFF_STRIDE),
      slotStride: this.load32(OFF_SLOT_STRIDE),
      pixelsOffset: this.load32(OFF_PIXELS_OFFSET),
      hostCapabilities: this.load32(OFF_HOST_CAPABILITIES),
    };
  }
}
