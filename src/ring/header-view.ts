/**
 * Typed views over one ring buffer, with named accessors for the contract's fields.
 *
 * Every shared field is reached through the offsets in contract/header-layout.ts; nothing here
 * knows a number of its own. 32-bit fields go through Atomics on an Int32Array.
 *
 * 64-bit fields on the per-frame path (tokens, the counters) are stored and loaded as two 32-bit
 * halves (little-endian: low word at the offset, high word at offset + 4) through Atomics on the
 * Int32Array, never as a BigInt: a BigInt is a heap object, so one per frame is garbage per frame
 * (issue 11). The halves are two stores, so a reader may see them torn; why that is safe:
 * - A slot's token is written while the producer owns the slot and read only after the
 *   consumer's acquire (the slot-state CAS or the keyed mutex), so its halves are stable then. A
 *   token read before the take is only a hint, re-read and checked after it (frame-consumer.ts).
 * - `latest` is only a hint too. Writers store low then high; readers load high, low, high and
 *   retry while the two highs differ (loadWords). The high half changes once per 2^24 frames or
 *   at a recreate, and whatever `latest` says is checked against the slot's own token after the
 *   acquire, so even a torn `latest` can only cost a lookup, never deliver a wrong frame
 *   (test/ring/token-words.test.ts writes torn ones by hand).
 * - Counters are statistics, read the same way (loadCount). The one race left is a reader between
 *   the two stores exactly when the low word wraps (once per 2^32 counts: years of frames), which
 *   reads a value off by 2^32 once; no decision depends on a counter.
 * Off the per-frame path (the LUID, a test's hand-written token) load64/store64 keep BigInts.
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

  /**
   * Stores a token (contract/frame-token.ts) as its halves, low then high, computed here from
   * its fields: a token's low word passes 2^30 once the sequence passes 2^22, and a number that
   * large crossing a call is a HeapNumber (V8's small integers are 31-bit), so the words never
   * leave this function. The fields passed in stay small (generation < 2^24, slot < 256; the
   * sequence < 2^30 for the first 2^30 frames).
   */
  storeToken(offset: number, generation: number, sequence: number, slot: number): void {
    const i = offset >> 2;
    Atomics.store(this.i32, i, (sequence << 8) | (slot & 0xff));
    Atomics.store(this.i32, i + 1, ((generation & 0xffffff) << 8) | (sequence >>> 24));
  }

  /** Stores a 64-bit field as two halves, low then high (see the header comment). */
  storeWords(offset: number, low: number, high: number): void {
    const i = offset >> 2;
    Atomics.store(this.i32, i, low | 0);
    Atomics.store(this.i32, i + 1, high | 0);
  }

  /**
   * Loads a 64-bit field's halves high, low, high until the highs agree: out[0] = low, out[1] =
   * high. Into an array, not returned: a word past 2^30 returned from a call is a HeapNumber.
   */
  loadWords(offset: number, out: Uint32Array): void {
    const i = offset >> 2;
    const w = this.i32;
    let high = Atomics.load(w, i + 1);
    for (;;) {
      const low = Atomics.load(w, i);
      const again = Atomics.load(w, i + 1);
      if (again === high) {
        out[0] = low;
        out[1] = high;
        return;
      }
      high = again;
    }
  }

  /** Stores a 64-bit counter (a non-negative integer below 2^53) as two halves. */
  storeCount(offset: number, n: number): void {
    this.storeWords(offset, n >>> 0, Math.floor(n / 0x1_0000_0000) >>> 0);
  }

  /** A 64-bit counter as a number (exact up to 2^53, which no counter reaches), read high-low-high. */
  loadCount(offset: number): number {
    const i = offset >> 2;
    const w = this.i32;
    let high = Atomics.load(w, i + 1);
    for (;;) {
      const low = Atomics.load(w, i);
      const again = Atomics.load(w, i + 1);
      if (again === high) return (high >>> 0) * 0x1_0000_0000 + (low >>> 0);
      high = again;
    }
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
