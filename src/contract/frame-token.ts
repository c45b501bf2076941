/**
 * The frame token: which frame a slot (or `latest`) holds, packed into 64 bits so it is stored and
 * loaded in one atomic operation.
 *
 *   bits 63..40  generation (24 bits, never 0: the ring's generation when the frame was published)
 *   bits 39..8   sequence   (32 bits, the publisher's running count, wraps)
 *   bits  7..0   slot       (8 bits)
 *
 * Token 0 is the "nothing published" sentinel; because a live generation is never 0, no live frame
 * ever packs to 0.
 */

export const TOKEN_NONE = 0n;
export const GENERATION_BITS = 24;
export const SEQUENCE_BITS = 32;
export const SLOT_BITS = 8;
export const GENERATION_MASK = (1 << GENERATION_BITS) - 1; // 0xFFFFFF
export const SEQUENCE_MASK = 0xffffffff;
export const SLOT_MASK = (1 << SLOT_BITS) - 1;
export const GENERATION_SHIFT = 40n;
export const SEQUENCE_SHIFT = 8n;

export interface FrameTokenParts {
  generation: number;
  sequence: number;
  slot: number;
}

/** Packs the three fields; each is masked to its width, so no field can spill into another. */
export function packToken(generation: number, sequence: number, slot: number): bigint {
  return (
    (BigInt(generation & GENERATION_MASK) << GENERATION_SHIFT) |
    (BigInt(sequence >>> 0) << SEQUENCE_SHIFT) |
    BigInt(slot & SLOT_MASK)
  );
}

/** Unpacks a token read as signed or unsigned 64-bit; any bit pattern decodes without throwing. */
export function unpackToken(token: bigint): FrameTokenParts {
  const u = BigInt.asUintN(64, token);
  return {
    generation: Number((u >> GENERATION_SHIFT) & BigInt(GENERATION_MASK)),
    sequence: Number((u >> SEQUENCE_SHIFT) & 0xffffffffn),
    slot: Number(u & BigInt(SLOT_MASK)),
  };
}

export function tokenGeneration(token: bigint): number {
  return Number((BigInt.asUintN(64, token) >> GENERATION_SHIFT) & BigInt(GENERATION_MASK));
}

export function tokenSequence(token: bigint): number {
  return Number((BigInt.asUintN(64, token) >> SEQUENCE_SHIFT) & 0xffffffffn);
}

export function tokenSlot(token: bigint): number {
  return Number(BigInt.asUintN(64, token) & BigInt(SLOT_MASK));
}

/** The generation after `g`: 24-bit, wrapping from 0xFFFFFF to 1, never 0. */
export function nextGeneration(g: number): number {
  const n = ((g & GENERATION_MASK) + 1) & GENERATION_MASK;
  return n === 0 ? 1 : n;
}

/** Is `a` a later sequence than `b`, allowing for 32-bit wrap (serial-number arithmetic)? */
export function sequenceAfter(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/*
 * The same token as two 32-bit halves, for the per-frame path: a BigInt is a heap object, and
 * building or taking one apart per frame is garbage per frame. A 64-bit header word is stored
 * little-endian, so the low half is the 32-bit word at the field's offset and the high half the
 * word at offset + 4:
 *
 *   low  = sequence's low 24 bits << 8 | slot
 *   high = generation << 8 | sequence's high 8 bits
 *
 * These are the packToken bits exactly (test/contract/frame-token.test.ts pins them against it).
 * Both halves are returned and taken as unsigned 32-bit numbers.
 */

/** The token's low 32 bits. */
export function tokenLowWord(sequence: number, slot: number): number {
  return ((sequence << 8) | (slot & SLOT_MASK)) >>> 0;
}

/** The token's high 32 bits. */
export function tokenHighWord(generation: number, sequence: number): number {
  return (((generation & GENERATION_MASK) << 8) | (sequence >>> 24)) >>> 0;
}

export function wordsSlot(low: number): number {
  return low & SLOT_MASK;
}

export function wordsSequence(low: number, high: number): number {
  return ((low >>> 8) | ((high & 0xff) << 24)) >>> 0;
}

export function wordsGeneration(high: number): number {
  return (high >>> 8) & GENERATION_MASK;
}

/** The 64-bit token the two halves make (allocates: for callers off the per-frame path). */
export function tokenFromWords(low: number, high: number): bigint {
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}
